"""A series cut from one of its occurrences (issue 18, AGD-1): "annuler cette occurrence et les
suivantes" and "modifier cette occurrence et les suivantes" leave no occurrence changed on its
own (RECURRENCE-ID) pointing past the series' new end — the week, the series' .ics and the
personal feed say the same thing, read back independently (RFC 5545)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from cordee.accounts.models import Structure, User
from cordee.agenda import services
from cordee.agenda.models import Appointment
from cordee.agenda.services import Scope
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.agenda.tests.test_occurrences import _agenda, _ics, _read_back
from cordee.core import clock
from cordee.notifications.models import Notification

WEEK = datetime.timedelta(days=7)


def _monday() -> datetime.date:
    """A Monday two weeks or more ahead: inside the personal feed's window (a year ahead)."""
    day = clock.today() + datetime.timedelta(days=14)
    return day - datetime.timedelta(days=day.weekday())


def _feed(client) -> bytes:
    url = str(client.post(reverse("agenda:feed_settings"), {"action": "generer"}).context["url"])
    return bytes(client.__class__().get(url).content)


def _label(day: datetime.date, hour: int, title: str = "Staff", cancelled: bool = False) -> str:
    return f"{day:%Y-%m-%d} {hour:02d}:00 {title}{' annulé' if cancelled else ''}"


def _series_with_moved_occurrences(actor) -> tuple[Appointment, Appointment, Appointment, Appointment]:
    """Weekly on Mondays at 10:00; week 1 moved to 14:00 (before the cut), week 3 moved to the
    Tuesday at 9:00 and week 4 moved to 15:00 then cancelled on its own (both after the cut)."""
    first = _monday()
    series = book(actor, first, 10, repeat="WEEKLY", title="Staff")
    earlier, _ = services.move_occurrence(actor, series, first + WEEK, at(first + WEEK, 14), 1)
    later, _ = services.move_occurrence(
        actor, series, first + 3 * WEEK, at(first + 3 * WEEK + datetime.timedelta(days=1), 9), 2
    )
    alone, _ = services.move_occurrence(actor, series, first + 4 * WEEK, at(first + 4 * WEEK, 15), 3)
    services.cancel_appointment(actor, alone, alone.version)
    series.refresh_from_db()
    return series, earlier, later, alone


def test_cancel_this_and_following_cancels_the_later_moved_occurrences_everywhere(
    coordinator: User, structure: Structure, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    series, earlier, later, alone = _series_with_moved_occurrences(actor)
    first = clock.date_of(series.starts_at)
    services.cancel_occurrences(actor, series, first + 2 * WEEK, series.version, scope=Scope.FOLLOWING)
    series.refresh_from_db()
    for row in (earlier, later, alone):
        row.refresh_from_db()
    assert series.repeat_until == first + 2 * WEEK - datetime.timedelta(days=1)
    assert (earlier.series, earlier.is_cancelled) == (series, False)  # before the cut: kept
    # After the cut: cancelled, and no longer an occurrence of a series that has none there.
    assert later.is_cancelled and (later.series, later.recurrence_id) == (None, None)
    assert alone.is_cancelled and (alone.series, alone.recurrence_id) == (None, None)
    assert not later.cancelled_with_series and not alone.cancelled_with_series
    expected = [
        _label(first, 10),
        _label(first + WEEK, 14),
        _label(first + 3 * WEEK + datetime.timedelta(days=1), 9, cancelled=True),
        _label(first + 4 * WEEK, 15, cancelled=True),
    ]
    last = first + 8 * WEEK
    client = client_for(coordinator)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(_feed(client), first=first, last=last) == expected
    assert _read_back(*_ics(client, series, later, alone), first=first, last=last) == expected
    # Cancelling then restoring the whole series does not bring back what the cut cancelled.
    services.cancel_appointment(actor, series, series.version)
    series.refresh_from_db()
    services.restore_appointment(actor, series, series.version)
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.is_cancelled and not earlier.is_cancelled
    assert _read_back(_feed(client), first=first, last=last) == expected
    # Restored on its own page, the later one is an appointment of its own, where it was.
    services.restore_appointment(actor, later, later.version)
    expected[2] = _label(first + 3 * WEEK + datetime.timedelta(days=1), 9)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(_feed(client), first=first, last=last) == expected


def _state() -> list[tuple[object, ...]]:
    return list(
        Appointment.objects.order_by("pk").values_list(
            "pk", "status", "series_id", "recurrence_id", "version", "repeat_until", "exdates"
        )
    )


def test_a_refused_cut_changes_nothing(
    coordinator: User, structure: Structure, stranger: User, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    series, *_ = _series_with_moved_occurrences(actor)
    day = clock.date_of(series.starts_at) + 2 * WEEK
    before = _state()
    with pytest.raises(services.StaleAppointmentError):
        services.cancel_occurrences(actor, series, day, series.version - 1, scope=Scope.FOLLOWING)
    assert _state() == before
    url = reverse("agenda:remove_occurrence", args=[series.public_id])
    form = {"version": str(series.version), "occurrence": day.isoformat(), "portee": "suivantes"}
    assert client_for(stranger).post(url, form).status_code == 404
    assert _state() == before


def test_a_split_keeps_every_moved_occurrence_on_a_series_that_has_it(
    coordinator: User, structure: Structure, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    series, earlier, later, alone = _series_with_moved_occurrences(actor)
    first = clock.date_of(series.starts_at)
    cut = first + 2 * WEEK
    following, _ = services.edit_occurrence(
        actor,
        series,
        cut,
        {"title": "Staff B", "starts_at": at(cut, 11), "ends_at": at(cut, 12)},
        services.attendees_of(series),
        series.version,
        scope=Scope.FOLLOWING,
    )
    for row in (earlier, later, alone):
        row.refresh_from_db()
    assert earlier.series == series
    assert (later.series, later.recurrence_id) == (following, at(first + 3 * WEEK, 11))
    assert (alone.series, alone.recurrence_id, alone.is_cancelled) == (
        following,
        at(first + 4 * WEEK, 11),
        True,
    )
    expected = [
        _label(first, 10),
        _label(first + WEEK, 14),
        _label(cut, 11, "Staff B"),
        _label(first + 3 * WEEK + datetime.timedelta(days=1), 9),
        _label(first + 4 * WEEK, 15, cancelled=True),
        *(_label(first + n * WEEK, 11, "Staff B") for n in range(5, 8)),
    ]
    last = first + 8 * WEEK
    client = client_for(coordinator)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(_feed(client), first=first, last=last) == expected
    assert _read_back(*_ics(client, series, following), first=first, last=last) == expected
    # Then the new series cut in turn: its later moved occurrences are cancelled with it.
    following.refresh_from_db()
    services.cancel_occurrences(actor, following, first + 3 * WEEK, following.version, scope=Scope.FOLLOWING)
    expected = [
        *expected[:3],
        _label(first + 3 * WEEK + datetime.timedelta(days=1), 9, cancelled=True),
        expected[4],
    ]
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(_feed(client), first=first, last=last) == expected


def test_who_took_part_in_a_moved_occurrence_only_hears_of_the_cut(
    coordinator: User, member: User, structure: Structure, django_capture_on_commit_callbacks
) -> None:
    actor = actor_of(coordinator, structure)
    first = _monday()
    series = book(actor, first, 10, repeat="WEEKLY", title="Staff")
    services.edit_occurrence(
        actor,
        series,
        first + 2 * WEEK,
        {"starts_at": at(first + 2 * WEEK, 16), "ends_at": at(first + 2 * WEEK, 17)},
        services.Attendees([coordinator, member], []),
        1,
        scope=Scope.ONE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_occurrences(actor, series, first + WEEK, 2, scope=Scope.FOLLOWING)
    told = Notification.objects.filter(recipient=member, kind="APPOINTMENT_CANCELLED").get()
    assert told.data["when"] == f"{first + 2 * WEEK:%d/%m/%Y} à 16:00"


def test_the_migration_lets_go_of_occurrences_left_past_their_series_end(coordinator: User) -> None:
    """agenda 0005: what a cut made before the fix left (an override naming a day after its
    series' end) becomes an appointment of its own; an override within the series stays one."""
    from importlib import import_module

    from django.apps import apps

    actor = actor_of(coordinator)
    first = _monday()
    series = book(actor, first, 10, repeat="WEEKLY", title="Staff")
    kept, _ = services.move_occurrence(actor, series, first + WEEK, at(first + WEEK, 14), 1)
    stranded, _ = services.move_occurrence(actor, series, first + 3 * WEEK, at(first + 3 * WEEK, 15), 2)
    # As the cut left it before: the series ends, the later override still names it, cancelled.
    Appointment.objects.filter(pk=series.pk).update(
        repeat_until=first + 2 * WEEK - datetime.timedelta(days=1)
    )
    Appointment.objects.filter(pk=stranded.pk).update(status=Appointment.Status.CANCELLED)
    import_module("cordee.agenda.migrations.0005_detach_overrides_past_their_series_end").detach(apps, None)
    kept.refresh_from_db()
    stranded.refresh_from_db()
    assert (kept.series, kept.recurrence_id) == (series, at(first + WEEK, 10))
    assert (stranded.series, stranded.recurrence_id, stranded.is_cancelled) == (None, None, True)


def test_who_took_part_in_a_moved_occurrence_only_gets_it_as_an_appointment_of_its_own(
    coordinator: User, member: User, structure: Structure, client_for
) -> None:
    """A RECURRENCE-ID needs its series beside it (RFC 5545 3.8.4.4): in the feed of someone who
    is not in the series, the occurrence they took part in is a plain event, its own UID."""
    actor = actor_of(coordinator, structure)
    first = _monday()
    series = book(actor, first, 10, repeat="WEEKLY", title="Staff")
    moved, _ = services.edit_occurrence(
        actor,
        series,
        first + 2 * WEEK,
        {"starts_at": at(first + 2 * WEEK, 16), "ends_at": at(first + 2 * WEEK, 17)},
        services.Attendees([coordinator, member], []),
        1,
        scope=Scope.ONE,
    )
    theirs = Calendar.from_ical(_feed(client_for(member))).walk("VEVENT")
    assert [(str(e["uid"]), "RECURRENCE-ID" in e) for e in theirs] == [(f"{moved.public_id}@cordee", False)]
    assert theirs[0].decoded("dtstart") == clock.local(at(first + 2 * WEEK, 16))
    # In the series' holder's feed it stays the series' occurrence.
    mine = Calendar.from_ical(_feed(client_for(coordinator, acting_as=structure))).walk("VEVENT")
    replaced = [e for e in mine if "RECURRENCE-ID" in e]
    assert [str(e["uid"]) for e in replaced] == [f"{series.public_id}@cordee"]
