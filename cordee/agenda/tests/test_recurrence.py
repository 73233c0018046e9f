"""AGD-1 recurrence: weekly and monthly series, exceptions, and the daylight-saving changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cordee.accounts.models import User
from cordee.agenda import recurrence, services
from cordee.agenda.models import OPEN_END, Appointment, EventType
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.core import clock

MONDAY_BEFORE_SPRING = datetime.date(2027, 3, 22)  # clocks go forward on Sunday 28 March 2027


def _local_starts(appointment: Appointment, first: datetime.date, last: datetime.date) -> list[str]:
    found = recurrence.occurrences(appointment, clock.start_of_day(first), clock.start_of_day(last))
    return [f"{clock.local(o.starts_at):%Y-%m-%d %H:%M}" for o in found]


def test_a_weekly_series_keeps_its_hour_across_the_spring_change(coordinator: User) -> None:
    series = book(actor_of(coordinator), MONDAY_BEFORE_SPRING, 10, repeat="WEEKLY")
    starts = _local_starts(series, MONDAY_BEFORE_SPRING, datetime.date(2027, 4, 6))
    assert starts == ["2027-03-22 10:00", "2027-03-29 10:00", "2027-04-05 10:00"]
    occurrences = recurrence.occurrences(
        series, at(MONDAY_BEFORE_SPRING, 0), at(datetime.date(2027, 4, 1), 0)
    )
    # The same wall-clock hour is one UTC hour earlier once summer time has begun.
    assert [o.starts_at.astimezone(datetime.UTC).hour for o in occurrences] == [9, 8]
    assert series.last_ends_at == OPEN_END


def test_a_weekly_series_keeps_its_hour_across_the_autumn_change(coordinator: User) -> None:
    series = book(actor_of(coordinator), datetime.date(2027, 10, 25), 18, repeat="WEEKLY")
    starts = _local_starts(series, datetime.date(2027, 10, 25), datetime.date(2027, 11, 2))
    assert starts == ["2027-10-25 18:00", "2027-11-01 18:00"]


def test_an_exception_removes_one_occurrence_only(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY_BEFORE_SPRING, 10, repeat="WEEKLY", repeat_until=datetime.date(2027, 4, 12))
    services.remove_occurrence(actor, series, datetime.date(2027, 3, 29), 1)
    starts = _local_starts(series, MONDAY_BEFORE_SPRING, datetime.date(2027, 5, 1))
    assert starts == ["2027-03-22 10:00", "2027-04-05 10:00", "2027-04-12 10:00"]
    assert series.last_ends_at == at(datetime.date(2027, 4, 12), 11)
    with pytest.raises(ValidationError):  # a Tuesday: no occurrence to take out
        services.remove_occurrence(actor, series, datetime.date(2027, 3, 30), series.version)


def test_a_monthly_series(coordinator: User) -> None:
    series = book(actor_of(coordinator), datetime.date(2027, 1, 15), 14, repeat="MONTHLY")
    starts = _local_starts(series, datetime.date(2027, 1, 1), datetime.date(2027, 4, 30))
    assert starts == ["2027-01-15 14:00", "2027-02-15 14:00", "2027-03-15 14:00", "2027-04-15 14:00"]


def test_a_series_overlap_is_warned_weeks_later(coordinator: User) -> None:
    actor = actor_of(coordinator)
    book(actor, MONDAY_BEFORE_SPRING, 10, repeat="WEEKLY", title="Staff du lundi")
    later = Appointment(
        title="Visite",
        event_type=EventType.objects.get(label="RCP"),
        starts_at=at(datetime.date(2027, 5, 3), 10, 30),
        ends_at=at(datetime.date(2027, 5, 3), 11, 30),
    )
    warnings = services.create_appointment(actor, later, services.Attendees([coordinator], []))
    assert warnings == [f"{coordinator.display_name} a déjà « Staff du lundi » le 03/05/2027 à 10:00."]


def test_a_repeat_end_before_the_start_is_refused(coordinator: User) -> None:
    with pytest.raises(ValidationError) as raised:
        book(
            actor_of(coordinator),
            MONDAY_BEFORE_SPRING,
            repeat="WEEKLY",
            repeat_until=datetime.date(2027, 3, 1),
        )
    assert "repeat_until" in raised.value.message_dict


def test_the_week_of_an_old_weekly_series_is_the_same_without_walking_its_past(coordinator: User) -> None:
    series = book(actor_of(coordinator), datetime.date(2025, 3, 4), 18, repeat="WEEKLY", minutes=90)
    rule = recurrence.rule_of(series)
    assert rule is not None
    for first in (datetime.date(2025, 3, 3), datetime.date(2026, 10, 19), datetime.date(2027, 3, 24)):
        start, end = clock.start_of_day(first), clock.start_of_day(first + datetime.timedelta(days=9))
        walked = [
            f"{moment:%Y-%m-%d %H:%M}"
            for moment in rule.between(
                timezone.make_naive(start, clock.paris()) - datetime.timedelta(hours=2),
                timezone.make_naive(end, clock.paris()),
                inc=True,
            )
            if clock.at(moment.date(), moment.time()) < end
            and clock.at(moment.date(), moment.time()) + datetime.timedelta(minutes=90) > start
        ]
        assert _local_starts(series, first, first + datetime.timedelta(days=9)) == walked
        assert len(walked) in (1, 2)
