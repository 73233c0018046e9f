"""The personal iCalendar feed (issue 18): what one person's calendar software polls.

What it holds: the person's own agenda over a window (three months back, a year ahead) and, if
they chose so on the feed's page, the agendas of the structures they are an active member of
(an active structure). A private appointment is "Occupé" (CLASS:PRIVATE); no patient is named —
the person's own appointments may carry the patient's initials if they chose so, a structure's
never (the person may not see that dossier).

Calendar software polls every few minutes for a body that seldom changes: the body is cached
under a key made of what its text is built from — the rows and their latest change, the event
types' labels and the communes' names they show (reference data), the patients' initials when
shown, the person's name, choices and structures, the day (the window moves) — which one grouped
query reads; the key is also the ETag, so a poll that names it gets a 304 and nothing is written.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max, Q

from cordee.accounts.models import Membership
from cordee.agenda import ical
from cordee.agenda.models import Appointment, FeedToken, Participant
from cordee.core import clock
from cordee.territory.models import Commune

FEED_PAST, FEED_AHEAD = datetime.timedelta(days=92), datetime.timedelta(days=366)
CACHE_SECONDS = 6 * 3600
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Feed:
    etag: str
    last_modified: datetime.datetime | None
    body: bytes | None  # None: not built (the caller only needs the ETag)


def _structures(holder: FeedToken) -> dict[int, str]:
    if not holder.with_structures:
        return {}
    return dict(
        Membership.objects.filter(user=holder.user, is_active=True, structure__is_active=True)
        .order_by("structure_id")
        .values_list("structure_id", "structure__name")
    )


def _rows(holder: FeedToken, structures: dict[int, str]) -> tuple[Q, datetime.datetime, datetime.datetime]:
    now = clock.now()
    whose = Q(user=holder.user)
    if structures:
        whose |= Q(structure_id__in=list(structures))
    return whose, now - FEED_PAST, now + FEED_AHEAD


def state(holder: FeedToken, base_url: str) -> Feed:
    """The feed's ETag and Last-Modified (two small queries, a third when a commune is named),
    without building it.

    The key is made of everything the body's text is read from: the rows (their keys, their
    appointments' latest change and their series'), the event types' labels and the communes'
    names the appointments name (reference data, renamed without touching an appointment), the
    patients' latest change when their initials are shown, the person's name (the calendar's),
    their choices and structures, the day, the site's address."""
    structures = _structures(holder)
    whose, start, end = _rows(holder, structures)
    # The rows first, then their appointments' latest change by key: joined in one query,
    # PostgreSQL misjudges the range and reads the whole appointment table (as for the week).
    ids = list(
        Participant.objects.filter(whose, is_live=True, starts_at__lt=end, last_ends_at__gt=start)
        .order_by("appointment_id")
        .values_list("appointment_id", flat=True)[:MAX_ROWS]
    )
    # One row per (type, commune) named: a handful, whatever the number of appointments. The
    # communes' names come apart, by key, when any is named: joined here, PostgreSQL hashed the
    # whole commune table (35,000 rows, 5 of the query's 7 ms for 481 appointments).
    stamps: dict[str, Max] = {"changed": Max("updated_at"), "series": Max("series__updated_at")}
    if holder.show_initials:
        stamps["patients"] = Max("patient__updated_at")
    named = list(
        Appointment.objects.filter(pk__among=ids)  # type: ignore[misc]
        .values("event_type_id", "event_type__label", "commune_id")
        .annotate(**stamps)
        .order_by("event_type_id", "commune_id")
        .values_list("event_type_id", "event_type__label", "commune_id", *stamps)
    )
    codes = sorted({row[2] for row in named if row[2] is not None})
    communes = list(Commune.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))
    changed = max((row[3] for row in named), default=None)
    key = "|".join(
        str(part)
        for part in (
            holder.token_hash,
            holder.show_initials,
            holder.user.display_name,
            sorted(structures.items()),
            clock.today(),
            hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
            named,
            communes,
            base_url,
        )
    )
    return Feed(hashlib.sha256(key.encode()).hexdigest()[:32], changed, None)


def build(holder: FeedToken, base_url: str, current: Feed | None = None) -> Feed:
    """The feed's body, from the cache when nothing it is made of changed (`current`: its state,
    when the caller already read it)."""
    current = current or state(holder, base_url)
    cache_key = f"agenda-feed:{current.etag}"
    body = cache.get(cache_key)
    if body is None:
        body = _body(holder, base_url)
        cache.set(cache_key, body, CACHE_SECONDS)
    return Feed(current.etag, current.last_modified, body)


def _body(holder: FeedToken, base_url: str) -> bytes:
    structures = _structures(holder)
    whose, start, end = _rows(holder, structures)
    rows = (
        Participant.objects.filter(whose, is_live=True, starts_at__lt=end, last_ends_at__gt=start)
        .select_related(
            "appointment__event_type", "appointment__commune", "appointment__patient", "appointment__series"
        )
        .order_by("starts_at", "appointment_id")[:MAX_ROWS]
    )
    mine: dict[int, Appointment] = {}
    theirs: dict[int, tuple[Appointment, str]] = {}
    for row in rows:
        if row.user_id is not None:
            mine[row.appointment_id] = row.appointment
        elif row.structure_id is not None:
            theirs.setdefault(row.appointment_id, (row.appointment, structures.get(row.structure_id, "")))
    every = list(mine.values()) + [a for pk, (a, _) in theirs.items() if pk not in mine]
    # An occurrence changed on its own whose series this calendar does not hold (one took part
    # in that occurrence only) goes as an appointment of its own: a RECURRENCE-ID needs its
    # series' VEVENT beside it (RFC 5545 3.8.4.4), without which calendars drop or misplace it.
    held = {appointment.pk for appointment in every}
    overridden: dict[int, set[str]] = {}
    for appointment in every:
        if appointment.series_id is not None and appointment.recurrence_id is not None:
            day = clock.date_of(appointment.recurrence_id).isoformat()
            overridden.setdefault(appointment.series_id, set()).add(day)
    calendar = ical.new_calendar(f"Cordée — {holder.user.display_name}")
    for appointment in mine.values():
        calendar.add_component(
            ical.vevent(
                appointment,
                details=not appointment.is_private,
                show_initials=holder.show_initials,
                base_url=base_url,
                overridden=overridden.get(appointment.pk, set()),
                as_override=appointment.series_id in held,
            )
        )
    for pk, (appointment, agenda) in theirs.items():
        if pk in mine:
            continue
        calendar.add_component(
            ical.vevent(
                appointment,
                details=not appointment.is_private,
                show_initials=False,
                base_url=base_url,
                overridden=overridden.get(appointment.pk, set()),
                as_override=appointment.series_id in held,
                agenda=agenda,
            )
        )
    return ical.finish(calendar)
