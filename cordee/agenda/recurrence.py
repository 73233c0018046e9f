"""Recurring appointments (AGD-1): RFC 5545 rules expanded by dateutil's `rrule`.

A rule is read on the Paris wall clock — DTSTART is the local, naive start — and each occurrence
is made aware afterwards: a weekly Monday 10:00 is 10:00 in winter and in summer, never 09:00 or
11:00 the week after the clocks change. Its duration is the wall-clock duration of the first one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from dateutil import rrule
from django.utils import timezone

from cordee.agenda.models import OPEN_END, Appointment
from cordee.core import clock

FREQUENCIES: dict[str, Literal[1, 2]] = {
    Appointment.Repeat.WEEKLY: rrule.WEEKLY,
    Appointment.Repeat.MONTHLY: rrule.MONTHLY,
}


@dataclass(frozen=True)
class Occurrence:
    appointment: Appointment
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def day(self) -> datetime.date:
        return clock.date_of(self.starts_at)


def _naive(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_naive(moment, clock.paris())


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment, clock.paris())


def rule_of(appointment: Appointment, near: datetime.datetime | None = None) -> rrule.rrule | None:
    """The series' rule; with `near` (a naive Paris moment), a weekly rule starts at its last
    occurrence before `near` instead of its first: the same occurrences from there on, without
    walking every week since the series began (a week view of a series started years ago)."""
    if not appointment.repeat:
        return None
    until = None
    if appointment.repeat_until is not None:
        until = datetime.datetime.combine(appointment.repeat_until, datetime.time.max)
    dtstart = _naive(appointment.starts_at)
    if near is not None and appointment.repeat == Appointment.Repeat.WEEKLY and near > dtstart:
        dtstart += datetime.timedelta(weeks=(near - dtstart).days // 7)
    return rrule.rrule(FREQUENCIES[appointment.repeat], dtstart=dtstart, until=until)


def _wall_duration(appointment: Appointment) -> datetime.timedelta:
    return _naive(appointment.ends_at) - _naive(appointment.starts_at)


def rrule_text(appointment: Appointment) -> str:
    """The RRULE line's value (e.g. "FREQ=WEEKLY;UNTIL=20270630T235959"), for the iCalendar feed."""
    rule = rule_of(appointment)
    if rule is None:
        return ""
    return str(rule).split("RRULE:", 1)[1]


def last_end(appointment: Appointment) -> datetime.datetime:
    """The end of the series' last occurrence (OPEN_END when it never ends)."""
    rule = rule_of(appointment)
    if rule is None:
        return appointment.ends_at
    if appointment.repeat_until is None:
        return OPEN_END
    last = rule.before(datetime.datetime.combine(appointment.repeat_until, datetime.time.max), inc=True)
    if last is None:
        return appointment.ends_at
    return _aware(last + _wall_duration(appointment))


def occurrences(
    appointment: Appointment, start: datetime.datetime, end: datetime.datetime, limit: int = 400
) -> list[Occurrence]:
    """The appointment's occurrences that touch [start, end), exceptions removed."""
    if not appointment.repeat:
        if appointment.starts_at < end and appointment.ends_at > start:
            return [Occurrence(appointment, appointment.starts_at, appointment.ends_at)]
        return []
    duration = _wall_duration(appointment)
    lower = _naive(start) - duration
    rule = rule_of(appointment, near=lower)
    assert rule is not None
    removed = set(appointment.exdates or [])
    found = []
    for first in rule.between(lower, _naive(end), inc=True):
        if clock.wall_date(first).isoformat() in removed:
            continue
        occurrence = Occurrence(appointment, _aware(first), _aware(first + duration))
        if occurrence.starts_at < end and occurrence.ends_at > start:
            found.append(occurrence)
            if len(found) >= limit:
                break
    return found


def occurrence_on(appointment: Appointment, day: datetime.date) -> Occurrence | None:
    """The series' occurrence starting on `day` (Paris), if it still has one there (a weekly or
    monthly rule has at most one a day: the day names the occurrence in URLs and `exdates`)."""
    start = clock.start_of_day(day)
    found = occurrences(appointment, start, start + datetime.timedelta(days=1))
    return next((o for o in found if o.day == day), None)


def is_occurrence_day(appointment: Appointment, day: datetime.date) -> bool:
    """Whether the series has an occurrence starting on `day` (Paris) — to take one out."""
    return occurrence_on(appointment, day) is not None


def shifted(
    moment: datetime.datetime, before: datetime.datetime, after: datetime.datetime
) -> datetime.datetime:
    """`moment` moved by the wall-clock difference between `before` and `after` (a series'
    first start follows what was done to one of its occurrences, across the clocks' changes)."""
    return _aware(_naive(moment) + (_naive(after) - _naive(before)))


def with_wall_duration(
    start: datetime.datetime, of: tuple[datetime.datetime, datetime.datetime]
) -> datetime.datetime:
    """The end of an occurrence starting at `start` and lasting as long as `of` on the wall clock."""
    return _aware(_naive(start) + (_naive(of[1]) - _naive(of[0])))


def is_start(appointment: Appointment, moment: datetime.datetime) -> bool:
    """Whether the series' rule has an occurrence starting at `moment`, taken-out days included
    (what a RECURRENCE-ID or an EXDATE must name, RFC 5545 3.8.4.4 and 3.8.5.1)."""
    wall = _naive(moment)
    rule = rule_of(appointment, near=wall)
    return rule is not None and wall in rule
