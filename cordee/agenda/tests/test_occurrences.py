"""One occurrence of a series (RFC 5545 RECURRENCE-ID): "cette occurrence", "cette occurrence et
les suivantes", "toute la série" — edited, moved or cancelled through the services, across the
spring clock change, with the version check, the participants' reach, the journal."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda import grid, recurrence, services
from cordee.agenda.agendas import Agenda
from cordee.agenda.models import Appointment, Participant
from cordee.agenda.services import Scope
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.audit.models import Access
from cordee.core import clock
from cordee.notifications.models import Notification

MONDAY = datetime.date(2027, 3, 22)  # the clocks go forward on Sunday 28 March 2027
AFTER_CHANGE = datetime.date(2027, 3, 29)


def _starts(series: Appointment, last: datetime.date = datetime.date(2027, 4, 20)) -> list[str]:
    found = recurrence.occurrences(series, clock.start_of_day(MONDAY), clock.start_of_day(last))
    return [f"{clock.local(o.starts_at):%Y-%m-%d %H:%M}" for o in found]


def _agenda_of(actor, user: User) -> list[str]:
    found = grid.items(actor, [Agenda(user=user)], MONDAY, datetime.date(2027, 4, 13))
    return [f"{clock.local(i.starts_at):%Y-%m-%d %H:%M} {i.title}" for i in found]


def test_this_occurrence_only_across_the_spring_change(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff")
    override, warnings = services.edit_occurrence(
        actor,
        series,
        AFTER_CHANGE,
        {"title": "Staff déplacé", "starts_at": at(AFTER_CHANGE, 14), "ends_at": at(AFTER_CHANGE, 15, 30)},
        services.attendees_of(series),
        1,
        scope=Scope.ONE,
    )
    assert warnings == []
    assert override.series == series and override.recurrence_id == at(AFTER_CHANGE, 10)
    assert override.recurrence_id.astimezone(datetime.UTC).hour == 8  # 10:00 summer time
    series.refresh_from_db()
    assert series.version == 2 and series.exdates == [AFTER_CHANGE.isoformat()]
    assert _starts(series) == ["2027-03-22 10:00", "2027-04-05 10:00", "2027-04-12 10:00", "2027-04-19 10:00"]
    assert _agenda_of(actor, coordinator) == [
        "2027-03-22 10:00 Staff",
        "2027-03-29 14:00 Staff déplacé",
        "2027-04-05 10:00 Staff",
        "2027-04-12 10:00 Staff",
    ]
    assert Participant.objects.get(appointment=override).user == coordinator
    # The occurrence now is the override's own row: it is edited there, not through the series.
    with pytest.raises(ValidationError):
        services.edit_occurrence(
            actor, series, AFTER_CHANGE, {"title": "X"}, services.attendees_of(series), 2, scope=Scope.ONE
        )


def test_this_and_following_splits_the_series(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff", repeat_until=datetime.date(2027, 5, 31))
    services.remove_occurrence(actor, series, datetime.date(2027, 4, 12), 1)
    services.edit_occurrence(
        actor,
        series,
        datetime.date(2027, 3, 22),
        {"title": "Staff 22"},
        services.attendees_of(series),
        2,
        scope=Scope.ONE,
    )
    following, _ = services.edit_occurrence(
        actor,
        series,
        datetime.date(2027, 4, 5),
        {
            "title": "Staff (nouvelle formule)",
            "starts_at": at(datetime.date(2027, 4, 5), 9),
            "ends_at": at(datetime.date(2027, 4, 5), 10),
            "repeat": "WEEKLY",
            "repeat_until": datetime.date(2027, 5, 31),
        },
        services.attendees_of(series),
        3,
        scope=Scope.FOLLOWING,
    )
    series.refresh_from_db()
    assert series.repeat_until == datetime.date(2027, 4, 4)
    assert series.last_ends_at == at(AFTER_CHANGE, 11)
    assert Participant.objects.get(appointment=series).last_ends_at == series.last_ends_at
    assert series.exdates == ["2027-03-22"]
    assert following.exdates == ["2027-04-12"] and following.series is None
    assert _agenda_of(actor, coordinator) == [
        "2027-03-22 10:00 Staff 22",
        "2027-03-29 10:00 Staff",
        "2027-04-05 09:00 Staff (nouvelle formule)",
    ]


def test_the_whole_series_moves_by_what_was_done_to_the_occurrence(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY")
    services.edit_occurrence(
        actor,
        series,
        AFTER_CHANGE,
        {"starts_at": at(AFTER_CHANGE, 11), "ends_at": at(AFTER_CHANGE, 11, 30)},
        services.attendees_of(series),
        1,
        scope=Scope.ALL,
    )
    series.refresh_from_db()
    assert series.starts_at == at(MONDAY, 11) and series.ends_at == at(MONDAY, 11, 30)
    assert _starts(series, datetime.date(2027, 4, 6)) == [
        "2027-03-22 11:00",
        "2027-03-29 11:00",
        "2027-04-05 11:00",
    ]
    assert not Appointment.objects.filter(series=series).exists()


def test_a_stale_version_changes_nothing(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff")
    services.edit_appointment(actor, series, {"title": "Staff B"}, services.attendees_of(series), 1)
    stale = Appointment.objects.get(pk=series.pk)
    for scope in (Scope.ONE, Scope.FOLLOWING, Scope.ALL):
        with pytest.raises(services.StaleAppointmentError):
            services.edit_occurrence(
                actor,
                stale,
                AFTER_CHANGE,
                {"title": "Trop tard"},
                services.attendees_of(stale),
                1,
                scope=scope,
            )
    with pytest.raises(services.StaleAppointmentError):
        services.move_occurrence(actor, stale, AFTER_CHANGE, at(AFTER_CHANGE, 16), 1)
    with pytest.raises(services.StaleAppointmentError):
        services.cancel_occurrences(actor, stale, AFTER_CHANGE, 1, scope=Scope.FOLLOWING)
    kept = Appointment.objects.get(pk=series.pk)
    assert (kept.title, kept.version, kept.exdates, kept.repeat_until) == ("Staff B", 2, [], None)
    assert Appointment.objects.count() == 1


def test_a_participant_out_of_reach_is_refused_and_nothing_is_written(
    coordinator: User, stranger: User
) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY")
    with pytest.raises(ValidationError) as raised:
        services.edit_occurrence(
            actor, series, AFTER_CHANGE, {}, services.Attendees([stranger], []), 1, scope=Scope.ONE
        )
    assert "participants" in raised.value.message_dict
    series.refresh_from_db()
    assert series.version == 1 and series.exdates == [] and Appointment.objects.count() == 1


def test_a_day_without_occurrence_is_refused_in_french(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY")
    with pytest.raises(ValidationError) as raised:
        services.move_occurrence(actor, series, datetime.date(2027, 3, 30), at(AFTER_CHANGE, 16), 1)
    assert raised.value.message_dict["occurrence"] == ["Ce rendez-vous n'a pas d'occurrence ce jour-là."]


def test_an_occurrence_with_a_patient_is_journaled_and_the_colleague_told(
    coordinator: User, member: User, structure: Structure, dossier, django_capture_on_commit_callbacks
) -> None:
    actor = actor_of(coordinator, structure)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", patient=dossier, users=[coordinator, member])
    with django_capture_on_commit_callbacks(execute=True):
        override, _ = services.move_occurrence(actor, series, AFTER_CHANGE, at(AFTER_CHANGE, 15), 1)
    assert Access.objects.filter(
        patient=dossier, action="appointment_occurrence_changed", what=str(override.public_id)
    ).exists()
    told = Notification.objects.filter(recipient=member, kind="APPOINTMENT_CHANGED").get()
    assert told.data["when"] == "29/03/2027 à 15:00"


def test_cancel_this_and_following_and_the_whole_series(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY")
    later, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 4, 12), at(datetime.date(2027, 4, 13), 9), 1
    )
    services.cancel_occurrences(actor, series, datetime.date(2027, 4, 5), 2, scope=Scope.FOLLOWING)
    series.refresh_from_db()
    assert series.repeat_until == datetime.date(2027, 4, 4) and series.status == Appointment.Status.CONFIRMED
    later.refresh_from_db()
    # Cancelled, and an appointment of its own: the series has no occurrence there any more
    # (test_series_cut: the week, the .ics and the feed agree).
    assert later.is_cancelled and later.series is None
    assert _starts(series) == ["2027-03-22 10:00", "2027-03-29 10:00"]
    services.cancel_occurrences(actor, series, MONDAY, series.version, scope=Scope.ALL)
    series.refresh_from_db()
    assert series.is_cancelled
    services.delete_appointment(actor, series, series.version)
    assert set(Participant.objects.filter(is_live=True).values_list("appointment", flat=True)) == {later.pk}


def test_the_series_ics_carries_the_override_and_the_exdate(
    coordinator: User, structure: Structure, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff")
    services.move_occurrence(actor, series, AFTER_CHANGE, at(AFTER_CHANGE, 14), 1)
    services.remove_occurrence(actor, series, datetime.date(2027, 4, 5), 2)
    response = client_for(coordinator).get(reverse("agenda:ics", args=[series.public_id]))
    calendar = icalendar.Calendar.from_ical(response.content)
    master, override = calendar.walk("VEVENT")
    assert master["uid"] == override["uid"] == f"{series.public_id}@cordee"
    assert "RECURRENCE-ID" not in master
    exdates = [d.dt for d in master["exdate"].dts]  # type: ignore[union-attr]
    assert exdates == [clock.local(at(datetime.date(2027, 4, 5), 10))]  # the cancelled one only
    assert override.decoded("recurrence-id") == clock.local(at(AFTER_CHANGE, 10))
    assert str(override.decoded("recurrence-id").tzinfo) == "Europe/Paris"
    assert override.decoded("dtstart") == clock.local(at(AFTER_CHANGE, 14))
    assert override.decoded("dtend") == clock.local(at(AFTER_CHANGE, 15))


def test_the_series_moved_by_a_week_keeps_its_overrides_out_of_the_expansion(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff")
    services.move_occurrence(
        actor, series, AFTER_CHANGE, at(AFTER_CHANGE + datetime.timedelta(days=1), 10), 1
    )
    titles = _agenda_of(actor, coordinator)
    assert "2027-03-29 10:00 Staff" not in titles and "2027-03-30 10:00 Staff" in titles
    assert len(titles) == 4


def test_restoring_a_series_leaves_an_occurrence_cancelled_on_its_own_cancelled(coordinator: User) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff")
    alone, _ = services.move_occurrence(actor, series, AFTER_CHANGE, at(AFTER_CHANGE, 14), 1)
    kept, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 4, 5), at(datetime.date(2027, 4, 5), 15), 2
    )
    services.cancel_appointment(actor, alone, alone.version)  # this one alone, first
    series.refresh_from_db()
    services.cancel_appointment(actor, series, series.version)  # then the whole series
    alone.refresh_from_db()
    kept.refresh_from_db()
    assert alone.is_cancelled and kept.is_cancelled
    services.restore_appointment(actor, series, series.version)
    alone.refresh_from_db()
    kept.refresh_from_db()
    assert alone.is_cancelled, "cancelled one by one before the series: stays cancelled"
    assert not kept.is_cancelled
    assert [f"{t} {'annulé' if c else ''}".strip() for t, c in _agenda_with_status(actor, coordinator)] == [
        "2027-03-22 10:00 Staff",
        "2027-03-29 14:00 Staff annulé",
        "2027-04-05 15:00 Staff",
        "2027-04-12 10:00 Staff",
    ]
    # Restoring the cancelled occurrence itself is still possible, and a second cancel and
    # restore of the series leaves it as it now is.
    services.restore_appointment(actor, alone, alone.version)
    series.refresh_from_db()
    services.cancel_appointment(actor, series, series.version)
    series.refresh_from_db()
    services.restore_appointment(actor, series, series.version)
    assert not Appointment.objects.filter(series=series, status=Appointment.Status.CANCELLED).exists()


def _agenda_with_status(actor, user: User) -> list[tuple[str, bool]]:
    found = grid.items(actor, [Agenda(user=user)], MONDAY, datetime.date(2027, 4, 13))
    return [
        (f"{clock.local(i.starts_at):%Y-%m-%d %H:%M} {i.title}", i.appointment.is_cancelled) for i in found
    ]


# --- the agenda and its iCalendar say the same thing (RFC 5545 read back independently) ------


def _read_back(*bodies: bytes, first: datetime.date, last: datetime.date) -> list[str]:
    """An independent reading of RFC 5545: each UID's master expanded from DTSTART by its RRULE
    (dateutil), its EXDATEs taken out, each RECURRENCE-ID replacing the occurrence it names — an
    override naming no occurrence of its series is a failure, as calendars would show it twice."""
    masters: dict[str, Any] = {}
    overrides: dict[str, list[Any]] = {}
    for body in bodies:
        for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
            if "RECURRENCE-ID" in event:
                overrides.setdefault(str(event["uid"]), []).append(event)
            else:
                masters[str(event["uid"])] = event
    low, high = clock.start_of_day(first), clock.start_of_day(last)
    shown = []
    for uid, master in masters.items():
        start = master.decoded("dtstart")
        duration = master.decoded("dtend") - start
        starts = [start]
        if "RRULE" in master:
            text = bytes(master["rrule"].to_ical()).decode()
            starts = list(
                rrulestr(text, dtstart=start).between(low - datetime.timedelta(days=1), high, inc=True)
            )
        exdates = master.get("exdate", [])
        removed = {d.dt for entry in (exdates if isinstance(exdates, list) else [exdates]) for d in entry.dts}
        instances = {s: (s, s + duration, master) for s in starts if s not in removed}
        for override in overrides.get(uid, []):
            replaced = override.decoded("recurrence-id")
            assert replaced in instances, f"RECURRENCE-ID {replaced} names no occurrence of the series"
            instances[replaced] = (override.decoded("dtstart"), override.decoded("dtend"), override)
        for begin, end, event in instances.values():
            if begin < high and end > low:
                cancelled = " annulé" if str(event["status"]) == "CANCELLED" else ""
                shown.append(f"{clock.local(begin):%Y-%m-%d %H:%M} {event['summary']}{cancelled}")
    return sorted(shown)


def _agenda(actor, user: User, first: datetime.date, last: datetime.date) -> list[str]:
    found = grid.items(actor, [Agenda(user=user)], first, last)
    cancelled = {True: " annulé", False: ""}
    return sorted(
        f"{clock.local(i.starts_at):%Y-%m-%d %H:%M} {i.title}{cancelled[i.appointment.is_cancelled]}"
        for i in found
    )


def _ics(client, *rows: Appointment) -> list[bytes]:
    return [client.get(reverse("agenda:ics", args=[row.public_id])).content for row in rows]


def test_a_split_with_a_new_day_and_time_keeps_the_exceptions_on_their_occurrences(
    coordinator: User, client_for
) -> None:
    actor = actor_of(coordinator)
    until = datetime.date(2027, 5, 31)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff", repeat_until=until)
    moved, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 4, 12), at(datetime.date(2027, 4, 14), 15), 1
    )
    services.remove_occurrence(actor, series, datetime.date(2027, 4, 19), 2)
    # From the 5 April on: Tuesdays at 9:00 (a new day and a new time).
    following, _ = services.edit_occurrence(
        actor,
        series,
        datetime.date(2027, 4, 5),
        {
            "title": "Staff (mardi)",
            "starts_at": at(datetime.date(2027, 4, 6), 9),
            "ends_at": at(datetime.date(2027, 4, 6), 10),
        },
        services.attendees_of(series),
        3,
        scope=Scope.FOLLOWING,
    )
    moved.refresh_from_db()
    assert moved.series == following and moved.recurrence_id == at(datetime.date(2027, 4, 13), 9)
    assert following.exdates == ["2027-04-13", "2027-04-20"]
    expected = [
        "2027-03-22 10:00 Staff",
        "2027-03-29 10:00 Staff",
        "2027-04-06 09:00 Staff (mardi)",
        "2027-04-14 15:00 Staff",  # the occurrence moved before the split, where it was put
        "2027-04-27 09:00 Staff (mardi)",  # the 20th: the one taken out, still out
        "2027-05-04 09:00 Staff (mardi)",
        "2027-05-11 09:00 Staff (mardi)",
        "2027-05-18 09:00 Staff (mardi)",
        "2027-05-25 09:00 Staff (mardi)",
    ]
    first, last = MONDAY, datetime.date(2027, 6, 8)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(*_ics(client_for(coordinator), series, following), first=first, last=last) == expected


def test_this_and_following_from_an_occurrence_already_moved(coordinator: User, client_for) -> None:
    actor = actor_of(coordinator)
    until = datetime.date(2027, 5, 10)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff", repeat_until=until)
    moved, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 4, 12), at(datetime.date(2027, 4, 13), 14), 1
    )
    services.remove_occurrence(actor, series, datetime.date(2027, 4, 26), 2)
    # The moved occurrence's page: its own values, the title changed, "et les suivantes".
    form = {name: getattr(moved, name) for name in services.EDITABLE}
    following, _ = services.edit_occurrence(
        actor,
        series,
        datetime.date(2027, 4, 12),
        {**form, "title": "Staff B"},
        services.attendees_of(series),
        3,
        scope=Scope.FOLLOWING,
    )
    series.refresh_from_db()
    moved.refresh_from_db()
    assert series.repeat_until == datetime.date(2027, 4, 11) and series.title == "Staff"
    assert (following.repeat, following.repeat_until, following.title) == ("WEEKLY", until, "Staff B")
    assert following.starts_at == at(datetime.date(2027, 4, 12), 10)  # the rule's rhythm is kept
    assert following.exdates == ["2027-04-12", "2027-04-26"]
    assert moved.series == following and moved.recurrence_id == at(datetime.date(2027, 4, 12), 10)
    assert (moved.title, moved.starts_at) == ("Staff B", at(datetime.date(2027, 4, 13), 14))
    expected = [
        "2027-03-22 10:00 Staff",
        "2027-03-29 10:00 Staff",
        "2027-04-05 10:00 Staff",
        "2027-04-13 14:00 Staff B",
        "2027-04-19 10:00 Staff B",
        "2027-05-03 10:00 Staff B",
        "2027-05-10 10:00 Staff B",
    ]
    first, last = MONDAY, datetime.date(2027, 5, 31)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(*_ics(client_for(coordinator), series, following), first=first, last=last) == expected
    # "Cette occurrence" alone from there is the moved row's own page, not the series'.
    with pytest.raises(ValidationError):
        services.edit_occurrence(
            actor,
            following,
            datetime.date(2027, 4, 12),
            {},
            services.attendees_of(following),
            1,
            scope=Scope.ONE,
        )


def test_the_whole_series_at_a_new_time_and_from_a_moved_occurrence(coordinator: User, client_for) -> None:
    actor = actor_of(coordinator)
    series = book(actor, MONDAY, 10, repeat="WEEKLY", title="Staff", repeat_until=datetime.date(2027, 4, 26))
    moved, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 4, 12), at(datetime.date(2027, 4, 13), 14), 1
    )
    services.remove_occurrence(actor, series, datetime.date(2027, 4, 19), 2)
    services.edit_occurrence(
        actor,
        series,
        AFTER_CHANGE,
        {"starts_at": at(AFTER_CHANGE, 11), "ends_at": at(AFTER_CHANGE, 12)},
        services.attendees_of(series),
        3,
        scope=Scope.ALL,
    )
    moved.refresh_from_db()
    series.refresh_from_db()
    assert moved.recurrence_id == at(datetime.date(2027, 4, 12), 11) and moved.starts_at == at(
        datetime.date(2027, 4, 13), 14
    )
    assert series.exdates == ["2027-04-12", "2027-04-19"]
    # Then from the moved occurrence's page, the whole series renamed: the row keeps its time.
    form = {name: getattr(moved, name) for name in services.EDITABLE}
    services.edit_occurrence(
        actor,
        series,
        datetime.date(2027, 4, 12),
        {**form, "title": "Staff 11h"},
        services.attendees_of(series),
        series.version,
        scope=Scope.ALL,
    )
    series.refresh_from_db()
    assert series.starts_at == at(MONDAY, 11) and series.title == "Staff 11h"
    expected = [
        "2027-03-22 11:00 Staff 11h",
        "2027-03-29 11:00 Staff 11h",
        "2027-04-05 11:00 Staff 11h",
        "2027-04-13 14:00 Staff 11h",
        "2027-04-26 11:00 Staff 11h",
    ]
    first, last = MONDAY, datetime.date(2027, 5, 3)
    assert _agenda(actor, coordinator, first, last) == expected
    assert _read_back(*_ics(client_for(coordinator), series), first=first, last=last) == expected
