"""COC-5: the cohort at a glance — inclusions by month, notebooks on time / late / missing per
age step, children lost to follow-up, by zone. Aggregates over the stored calendar
(`ScheduledStep`), a handful of grouped queries whatever the cohort's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from cordee.careteam.models import CircleMember
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.schedule import STEPS, State
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


def without_referent() -> Q:
    """Children in the pathway whose referent pediatrician can no longer open the dossier (left
    the circle or lost the habilitation): their reminders go nowhere, the team must step in."""
    referent_in_circle = CircleMember.objects.filter(
        patient=OuterRef("patient"),
        user=OuterRef("referent_pediatrician"),
        removed_at__isnull=True,
        is_habilitated=True,
        sharing_refused=False,
    )
    return Q(ended_on__isnull=True) & ~Q(Exists(referent_in_circle))


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
    rows = Inclusion.objects.filter(patient__merged_into__isnull=True)
    return rows.filter(patient__commune__zones=zone) if zone else rows


def cohort(today: datetime.date, zone: Zone | None = None, months: int = 24) -> Cohort:
    inclusions = _inclusions(zone)
    totals = inclusions.aggregate(
        included=Count("pk"),
        active=Count("pk", filter=Q(ended_on__isnull=True)),
        lost=Count("pk", filter=lost_to_follow_up(today)),
        without_referent=Count("pk", filter=without_referent()),
    )
    since = (today - relativedelta(months=months - 1)).replace(day=1)
    per_month = dict(
        inclusions.filter(inclusion_date__gte=since)
        .annotate(month=TruncMonth("inclusion_date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    by_month = []
    cursor = since
    while cursor <= today:
        key = next((k for k in per_month if (k.year, k.month) == (cursor.year, cursor.month)), None)
        by_month.append(Bar(label=cursor.strftime("%m/%y"), value=per_month.get(key, 0) if key else 0))
        cursor += relativedelta(months=1)
    top = max((bar.value for bar in by_month), default=0) or 1
    for index, bar in enumerate(by_month):
        bar.x = index * 30
        bar.height = round(bar.value / top * 120, 1)

    steps = ScheduledStep.objects.filter(inclusion__in=inclusions.filter(ended_on__isnull=True))
    counts: dict[str, dict[str, int]] = {step.code: {} for step in STEPS}
    for code, current, n in (
        steps.annotate(state=step_state(today))
        .values_list("step", "state")
        .annotate(n=Count("pk"))
        .values_list("step", "state", "n")
    ):
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

    # By zone: two grouped queries (a commune may belong to several zones).
    zone_key = "patient__commune__zones__name"
    children = {
        name: (n, lost)
        for name, n, lost in inclusions.exclude(**{f"{zone_key}__isnull": True})
        .values_list(zone_key)
        .annotate(n=Count("pk"), lost=Count("pk", filter=lost_to_follow_up(today)))
        .values_list(zone_key, "n", "lost")
    }
    step_key = f"inclusion__{zone_key}"
    elapsed = {
        name: (expected, done)
        for name, expected, done in ScheduledStep.objects.filter(
            inclusion__in=inclusions, closes_on__lt=today
        )
        .exclude(**{f"{step_key}__isnull": True})
        .values_list(step_key)
        .annotate(expected=Count("pk"), done=Count("pk", filter=Q(done_on__lte=F("closes_on"))))
        .values_list(step_key, "expected", "done")
    }
    by_zone = [
        ZoneRow(
            zone=name,
            children=n,
            lost=lost,
            expected=elapsed.get(name, (0, 0))[0],
            done=elapsed.get(name, (0, 0))[1],
        )
        for name, (n, lost) in sorted(children.items())
    ]
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
