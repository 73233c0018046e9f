"""The week's grid (issue 18 speed work): each occurrence in the column of every day it
touches — across midnight, from the week before, all day — in the found order, and the line
naming its agendas in the order they are shown."""

from __future__ import annotations

import datetime

from cordee.accounts.models import Structure, User
from cordee.agenda import grid
from cordee.agenda.agendas import Agenda
from cordee.agenda.models import Appointment
from cordee.agenda.tests.helpers import actor_of, at, book

MONDAY = datetime.date(2027, 3, 22)  # the week the clocks change (Sunday 28 March)


def _item(
    pk: int, starts_at: datetime.datetime, ends_at: datetime.datetime, *, all_day: bool = False
) -> grid.Item:
    appointment = Appointment(pk=pk, title=f"n{pk}", starts_at=starts_at, ends_at=ends_at, all_day=all_day)
    return grid.Item(appointment, starts_at, ends_at, details=True, patient_visible=False)


def test_each_day_gets_the_items_it_touches_in_order() -> None:
    days = [MONDAY + datetime.timedelta(days=n) for n in range(7)]
    before = _item(1, at(MONDAY - datetime.timedelta(days=1), 22), at(MONDAY, 2))
    night = _item(2, at(MONDAY + datetime.timedelta(days=1), 23), at(MONDAY + datetime.timedelta(days=2), 1))
    wednesday = _item(3, at(days[2], 10), at(days[2], 11))
    whole = _item(4, at(days[2], 0), at(days[3], 0), all_day=True)
    sunday = _item(5, at(days[6], 9), at(days[6], 10, 30))  # summer time since 02:00
    after = _item(
        6, at(days[6] + datetime.timedelta(days=1), 9), at(days[6] + datetime.timedelta(days=1), 10)
    )
    columns = grid.columns([before, night, whole, wednesday, sunday, after], days)
    timed = [[item.appointment.pk for item in column.timed] for column in columns]
    assert timed == [[1], [2], [2, 3], [], [], [], [5]]
    assert [[item.appointment.pk for item in column.all_day] for column in columns] == [
        [],
        [],
        [4],
        [],
        [],
        [],
        [],
    ]
    assert [(item.row, item.span) for item in columns[0].timed] == [(0, 8)]
    assert [(item.row, item.span) for item in columns[1].timed] == [(92, 4)]
    assert [(item.row, item.span) for item in columns[2].timed] == [(0, 4), (40, 4)]
    assert [(item.row, item.span, item.when) for item in columns[6].timed] == [(36, 6, "09:00–10:30")]
    # Placed copies, not the items themselves (one over midnight sits in two columns).
    assert columns[1].timed[0] is not night and columns[2].timed[0] is not columns[1].timed[0]


def test_the_who_line_follows_the_order_of_the_shown_agendas(
    coordinator: User, member: User, structure: Structure
) -> None:
    actor = actor_of(coordinator, structure)
    book(actor, MONDAY, 10, users=[member, coordinator], structures=[structure], title="Synthèse")
    shown = [Agenda(user=member), Agenda(structure=structure), Agenda(user=coordinator)]
    (item,) = grid.items(actor, shown, MONDAY, MONDAY + datetime.timedelta(days=7))
    assert item.agendas == shown
    assert item.who == f"{member.display_name}, {structure.name}, {coordinator.display_name}"
    (only,) = grid.items(actor, shown[1:2], MONDAY, MONDAY + datetime.timedelta(days=7))
    assert only.who == structure.name
