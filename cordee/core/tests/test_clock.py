"""Issue 25: one helper for "today" and "the date of this moment", both on the Paris clock, and
the travelled clock of `make test-clocks`."""

from __future__ import annotations

import datetime
import os

import pytest
import time_machine
from django.utils import timezone

from cordee.core import clock

UTC = datetime.UTC


def test_today_is_the_paris_date_after_ten_in_the_evening_utc() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 3, 23, 30, tzinfo=UTC), tick=False):
        assert timezone.now().date() == datetime.date(2026, 12, 3)  # the UTC date, the fault
        assert clock.today() == datetime.date(2026, 12, 4)
        assert clock.now().hour == 0


def test_the_date_of_a_moment_across_the_daylight_saving_changes() -> None:
    # 28 March 2027: the clocks go forward at 2:00 (UTC+1 → UTC+2); 31 October 2027: back at 3:00.
    assert clock.date_of(datetime.datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == datetime.date(2027, 3, 28)
    assert clock.date_of(datetime.datetime(2027, 3, 28, 21, 59, tzinfo=UTC)) == datetime.date(2027, 3, 28)
    assert clock.date_of(datetime.datetime(2027, 3, 28, 22, 0, tzinfo=UTC)) == datetime.date(2027, 3, 29)
    assert clock.date_of(datetime.datetime(2027, 10, 30, 22, 0, tzinfo=UTC)) == datetime.date(2027, 10, 31)
    assert clock.date_of(datetime.datetime(2027, 10, 31, 22, 59, tzinfo=UTC)) == datetime.date(2027, 10, 31)
    assert clock.date_of(datetime.datetime(2027, 10, 31, 23, 0, tzinfo=UTC)) == datetime.date(2027, 11, 1)


def test_start_of_day_and_at_are_paris_wall_clock_times() -> None:
    assert clock.start_of_day(datetime.date(2027, 1, 15)) == datetime.datetime(2027, 1, 14, 23, 0, tzinfo=UTC)
    assert clock.start_of_day(datetime.date(2027, 7, 15)) == datetime.datetime(2027, 7, 14, 22, 0, tzinfo=UTC)
    # 18:00 stays 18:00 on the days the clocks change.
    assert clock.at(datetime.date(2027, 3, 28), datetime.time(18)) == datetime.datetime(
        2027, 3, 28, 16, 0, tzinfo=UTC
    )
    assert clock.at(datetime.date(2027, 10, 31), datetime.time(18)) == datetime.datetime(
        2027, 10, 31, 17, 0, tzinfo=UTC
    )


def test_the_travelled_clock_is_where_ci_asked() -> None:
    """Under `make test-clocks` the whole suite runs from CORDEE_TEST_CLOCK; otherwise, now."""
    moment = os.environ.get("CORDEE_TEST_CLOCK")
    expected = datetime.datetime.fromisoformat(moment) if moment else datetime.datetime.now(UTC)
    # The suite keeps ticking from the destination: minutes, never days, away from it.
    assert abs(timezone.now() - expected) < datetime.timedelta(hours=2)


@pytest.mark.django_db
def test_date_column_is_the_paris_date_computed_by_the_database() -> None:
    """New Year's Eve at 23:30 UTC is already 1 January in Paris; a July evening at 22:30 UTC
    too (summer time): the database says what `date_of` says."""
    from cordee.territory.models import Zone

    zone = Zone.objects.create(name="Horloge")
    for moment in (
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2027, 7, 14, 22, 30, tzinfo=datetime.UTC),
        datetime.datetime(2027, 7, 14, 21, 30, tzinfo=datetime.UTC),
    ):
        Zone.objects.filter(pk=zone.pk).update(created_at=moment)
        (day,) = Zone.objects.filter(pk=zone.pk).values_list(clock.date_column("created_at"), flat=True)
        assert day == clock.date_of(moment)
    assert day == datetime.date(2027, 7, 14)
