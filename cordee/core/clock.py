"""Time as the people using Cordée read it (ARCHITECTURE, "Time").

A day is a day in Europe/Paris (the project's TIME_ZONE): "today", the date a form was closed
or a task is due, are read on a Paris clock, never the UTC date of a timestamp — a notebook
closed at half past midnight is dated the day it was closed (issue 25). Every date the code
derives from a moment goes through here.
"""

from __future__ import annotations

import datetime

from django.db.models.functions import TruncDate
from django.utils import timezone


def paris() -> datetime.tzinfo:
    return timezone.get_default_timezone()


def now() -> datetime.datetime:
    """This moment on the Paris clock (aware)."""
    return timezone.localtime(timezone.now(), paris())


def today() -> datetime.date:
    """Today's date in Paris."""
    return timezone.localdate(timezone.now(), paris())


def local(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment on the Paris clock (for showing it: "03/12/2026 à 22:44")."""
    return timezone.localtime(moment, paris())


def date_of(moment: datetime.datetime) -> datetime.date:
    """The Paris date of an aware moment (a closing, a creation, a due time)."""
    return timezone.localdate(moment, paris())


def date_column(field: str) -> TruncDate:
    """`date_of` of a moment column, computed by the database: a list of hundreds of rows
    (the life line's year) loads dates instead of moments each converted here."""
    return TruncDate(field, tzinfo=paris())


def wall_date(moment: datetime.datetime) -> datetime.date:
    """The date of a moment as written on the Paris wall clock: an aware moment is converted; a
    naive one (a form's "2027-01-12T10:00", a recurrence rule's occurrence) is already Paris time."""
    if timezone.is_aware(moment):
        return date_of(moment)
    return datetime.date(moment.year, moment.month, moment.day)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight in Paris of `day`, aware: the lower bound of a day's moments, so that a range of
    days is a range of an index rather than a date conversion of every row."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), paris())


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """`day` at `time` on the Paris clock, aware (DST-correct: 18:00 is 18:00 in winter and summer)."""
    return timezone.make_aware(datetime.datetime.combine(day, time), paris())
