"""COC-5: the cohort at a glance — inclusions by month, notebooks on time / late / missing per
age step, children lost to follow-up, by zone. Aggregates over the stored calendar
(`ScheduledStep`), a handful of grouped queries whatever the cohort's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When

from cordee.careteam.models import CircleMember
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.schedule import STEPS, State
from cordee.core.lookups import int_array
from cordee.patients.models import Patient
from cordee.territory.models import Zone

CHART_STATES = (State.DONE, State.DONE_LATE, State.DUE, State.LATE, State.MISSING)


def step_state(today: datetime.date) -> Case:
    """The calendar state of a step row, in SQL (same rules as `schedule.state`)."""
    return Case(
        When(done_on__isnull=False, done_on__lte=F("closes_on"), then=Value(State.DONE.value)),
        When(done_on__isnull=False, then=Value(State.DONE_LATE.value)),
        When(opens_on__gt=today, then=Value(State.UPCOMING.value)),
        When(closes_on__gte=today, then=Value(State.DUE.value)),
        When(missed_from__gt=today, then=Value(State.LATE.value)),
        default=Value(State.MISSING.value),
        output_field=CharField(),
    )


def referent_reachable() -> Exists:
    """Whether the child's referent pediatrician can still open the dossier."""
    return Exists(
        CircleMember.objects.filter(
            patient=OuterRef("patient"),
            user=OuterRef("referent_pediatrician"),
            removed_at__isnull=True,
            is_habilitated=True,
            sharing_refused=False,
        )
    )


def lost_to_follow_up(today: datetime.date) -> Q:
    """A child still in the pathway with a missed consultation and no notebook since."""
    missed = ScheduledStep.objects.filter(
        inclusion=OuterRef("pk"), done_on__isnull=True, missed_from__lte=today
    ).exclude(
        Exists(
            ScheduledStep.objects.filter(inclusion=OuterRef("inclusion"), done_on__gt=OuterRef("closes_on"))
        )
    )
    return Q(ended_on__isnull=True) & Q(Exists(missed))


@dataclass
class Bar:
    label: str
    value: int
    x: float = 0
    height: float = 0

    @property
    def y(self) -> float:
        return 130 - self.height


@dataclass
class StackedRow:
    label: str
    y: int
    counts: dict[str, int]
    # (state, label, count, x, width, colour) — x from 110, after the row's label.
    segments: list[tuple[str, str, int, float, float, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ZoneRow:
    zone: str
    children: int
    lost: int
    done: int
    expected: int

    @property
    def on_time_rate(self) -> int:
        return round(100 * self.done / self.expected) if self.expected else 0


@dataclass
class Cohort:
    included: int
    active: int
    lost: int
    without_referent: int
    by_month: list[Bar]
    by_step: list[StackedRow]
    by_zone: list[ZoneRow]
    max_month: int

    @property
    def month_chart_width(self) -> int:
        return len(self.by_month) * 30

    @property
    def step_chart_height(self) -> int:
        return len(self.by_step) * 24


STATE_COLOURS = {
    State.DONE: "#198754",
    State.DONE_LATE: "#5c8a00",
    State.DUE: "#0d6efd",
    State.LATE: "#b35c00",
    State.MISSING: "#b02a37",
}


def _inclusions(zone: Zone | None) -> QuerySet[Inclusion]:
    # Merged dossiers are few: excluded by a small subquery rather than a join to every dossier.
    merged = Patient.objects.filter(merged_into__isnull=False).values("pk")
    rows = Inclusion.objects.exclude(patient_id__in=merged)
    return rows.filter(patient__commune__zones=zone) if zone else rows


def _communes(patient_ids: list[int]) -> dict[int, str | None]:
    """The dossiers' communes by primary key (an index lookup each): a join would make
    PostgreSQL hash the whole dossier table. One array parameter, not thousands of literals."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            literal, kind = int_array(patient_ids)
            cursor.execute(
                f"SELECT id, commune_id FROM patients_patient WHERE id = ANY(%s::{kind}[])",  # noqa: S608 - a type name
                [literal],
            )
            return dict(cursor.fetchall())
    return dict(Patient.objects.filter(pk__in=patient_ids).values_list("pk", "commune_id"))


Child = tuple[int, "datetime.date | None", int]  # inclusion id, end of follow-up, dossier id
PerChild = tuple[int, int, int, "datetime.date | None", "datetime.date | None"]

# PostgreSQL: the calendar scanned once for both groupings (per child, and per step and state
# among the children still followed). Same rules as `step_state` and `lost_to_follow_up`.
_AGGREGATES_SQL = """
WITH steps AS (
    SELECT s.inclusion_id, s.step, s.closes_on, s.done_on, s.missed_from, i.ended_on,
           CASE
               WHEN s.done_on IS NOT NULL AND s.done_on <= s.closes_on THEN 'done'
               WHEN s.done_on IS NOT NULL THEN 'done_late'
               WHEN s.opens_on > %(today)s THEN 'upcoming'
               WHEN s.closes_on >= %(today)s THEN 'due'
               WHEN s.missed_from > %(today)s THEN 'late'
               ELSE 'missing'
           END AS state
    FROM cocon_scheduledstep s JOIN cocon_inclusion i ON i.id = s.inclusion_id
    WHERE i.patient_id NOT IN (SELECT id FROM patients_patient WHERE merged_into_id IS NOT NULL)
      -- A window not yet open counts in no figure: about half the calendar is left unread.
      AND s.opens_on <= %(today)s
      AND (%(everyone)s OR s.inclusion_id = ANY(%(ids)s))
)
SELECT GROUPING(inclusion_id) AS by_step, inclusion_id, step, state,
       COUNT(*) FILTER (WHERE closes_on < %(today)s) AS expected,
       COUNT(*) FILTER (WHERE closes_on < %(today)s AND done_on <= closes_on) AS on_time,
       MAX(closes_on) FILTER (WHERE done_on IS NULL AND missed_from <= %(today)s) AS last_missed,
       MAX(done_on) AS last_done,
       COUNT(*) FILTER (WHERE ended_on IS NULL) AS followed
FROM steps
GROUP BY GROUPING SETS ((inclusion_id), (step, state))
"""


def calendar_aggregates(
    children: list[Child], inclusions: QuerySet[Inclusion], today: datetime.date, *, zone_filtered: bool
) -> tuple[list[PerChild], list[tuple[str, str, int]]]:
    """(per child: id, steps elapsed, done on time, latest missed window, latest notebook) and
    (per step and state among the children still followed: count)."""
    if connection.vendor == "postgresql":
        per_child: list[PerChild] = []
        per_state: list[tuple[str, str, int]] = []
        with connection.cursor() as cursor:
            # The whole cohort: a plain scan of the calendar; a zone: its children's rows by index.
            everyone = not zone_filtered
            chosen, kind = int_array([] if everyone else [pk for pk, _, _ in children])
            sql = _AGGREGATES_SQL.replace(
                "(%(everyone)s OR s.inclusion_id = ANY(%(ids)s))",
                "TRUE" if everyone else f"s.inclusion_id = ANY(%(ids)s::{kind}[])",
            )
            cursor.execute(sql, {"today": today, "ids": chosen})
            for by_step, pk, step, state, expected, on_time, missed, done, followed in cursor.fetchall():
                if by_step:
                    if followed:
                        per_state.append((step, state, followed))
                else:
                    per_child.append((pk, expected, on_time, missed, done))
        return per_child, per_state
    ids = [pk for pk, _, _ in children]
    per_child = list(
        ScheduledStep.objects.filter(inclusion__in=ids, opens_on__lte=today)
        .values("inclusion_id")
        .annotate(
            expected=Count("pk", filter=Q(closes_on__lt=today)),
            on_time=Count("pk", filter=Q(closes_on__lt=today, done_on__lte=F("closes_on"))),
            last_missed_close=Max("closes_on", filter=Q(done_on__isnull=True, missed_from__lte=today)),
            last_done=Max("done_on"),
        )
        .values_list("inclusion_id", "expected", "on_time", "last_missed_close", "last_done")
    )
    per_state = list(
        ScheduledStep.objects.filter(inclusion__in=[pk for pk, ended_on, _ in children if ended_on is None])
        .annotate(state=step_state(today))
        .values_list("step", "state")
        .annotate(n=Count("pk"))
        .values_list("step", "state", "n")
    )
    return per_child, per_state


def commune_totals(
    children: list[Child], per_child: list[PerChild], communes: dict[int, str | None]
) -> dict[str | None, list[int]]:
    """Per commune of residence: [children, lost to follow-up, steps done on time, steps whose
    window has closed]."""
    facts = {pk: (ended_on is None, communes.get(patient_id)) for pk, ended_on, patient_id in children}
    totals: dict[str | None, list[int]] = {}
    for _, _, patient_id in children:
        entry = totals.get(communes.get(patient_id))
        if entry is None:
            entry = totals[communes.get(patient_id)] = [0, 0, 0, 0]
        entry[0] += 1
    for pk, expected, on_time, missed, done in per_child:
        fact = facts.get(pk)
        if fact is None:
            continue
        # Equivalent to `lost_to_follow_up`: still in the pathway, a missed window (the next one
        # opened, no notebook) and no notebook after it.
        lost = fact[0] and missed is not None and (done is None or done <= missed)
        entry = totals[fact[1]]
        entry[1] += lost
        entry[2] += on_time
        entry[3] += expected
    return totals


def cohort(today: datetime.date, zone: Zone | None = None, months: int = 24) -> Cohort:
    # The children read once (a few numbers each); a zone is applied here, on their communes,
    # rather than by joining the dossier table in every query.
    everyone = _inclusions(None)
    # (Per row, the referent's circle row is one index lookup: as a filter, PostgreSQL would hash
    # the whole circle table instead.)
    rows = list(
        everyone.annotate(reachable=referent_reachable()).values_list(
            "pk", "ended_on", "patient_id", "inclusion_date", "reachable"
        )
    )
    communes = _communes([child[2] for child in rows])
    zones_of: dict[str, list[str]] = {}
    for code, name in Zone.communes.through.objects.values_list("commune_id", "zone__name"):
        zones_of.setdefault(code, []).append(name)
    if zone is not None:
        rows = [child for child in rows if zone.name in zones_of.get(communes.get(child[2]) or "", [])]
        zones_of = {commune: [zone.name] for commune, names in zones_of.items() if zone.name in names}
    children: list[Child] = [(child[0], child[1], child[2]) for child in rows]
    totals = {
        "included": len(children),
        "active": sum(1 for _, ended_on, _ in children if ended_on is None),
        "without_referent": sum(1 for child in rows if child[1] is None and not child[4]),
    }
    per_child, per_state = calendar_aggregates(children, everyone, today, zone_filtered=zone is not None)
    per_commune = commune_totals(children, per_child, communes)
    since = (today - relativedelta(months=months - 1)).replace(day=1)
    per_month: dict[tuple[int, int], int] = {}
    for child in rows:
        included_on = child[3]
        if included_on >= since:
            key = (included_on.year, included_on.month)
            per_month[key] = per_month.get(key, 0) + 1
    by_month = []
    cursor = since
    while cursor <= today:
        by_month.append(
            Bar(label=cursor.strftime("%m/%y"), value=per_month.get((cursor.year, cursor.month), 0))
        )
        cursor += relativedelta(months=1)
    top = max((bar.value for bar in by_month), default=0) or 1
    for index, bar in enumerate(by_month):
        bar.x = index * 30
        bar.height = round(bar.value / top * 120, 1)

    counts: dict[str, dict[str, int]] = {step.code: {} for step in STEPS}
    for code, current, n in per_state:
        counts.setdefault(code, {})[current] = n
    by_step = []
    widest = max((sum(v for s, v in c.items() if s in CHART_STATES) for c in counts.values()), default=0) or 1
    for index, step in enumerate(STEPS):
        row = StackedRow(
            label=step.short,
            y=index * 24,
            counts={s.value: counts[step.code].get(s.value, 0) for s in CHART_STATES},
        )
        x = 110.0
        for current in CHART_STATES:
            n = row.counts[current.value]
            width = round(n / widest * 600, 1)
            row.segments.append((current.value, current.label, n, x, width, STATE_COLOURS[current]))
            x += width
        by_step.append(row)

    # By zone (a commune may belong to several zones).
    per_zone: dict[str, ZoneRow] = {}
    for commune_id, (n, lost, on_time, expected) in per_commune.items():
        for name in zones_of.get(commune_id or "", []):
            zone_row = per_zone.setdefault(name, ZoneRow(zone=name, children=0, lost=0, done=0, expected=0))
            zone_row.children += n
            zone_row.lost += lost
            zone_row.done += on_time
            zone_row.expected += expected
    by_zone = [per_zone[name] for name in sorted(per_zone)]
    totals["lost"] = sum(entry[1] for entry in per_commune.values())
    return Cohort(
        included=totals["included"],
        active=totals["active"],
        lost=totals["lost"],
        without_referent=totals["without_referent"],
        by_month=by_month,
        by_step=by_step,
        by_zone=by_zone,
        max_month=top,
    )
