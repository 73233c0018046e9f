"""The agenda's pictures (AGD-1): a week centred on 7h–19h, a day with the agendas side by side, a
month — built on the server from one query of the shown agendas' participant rows.

Positions in the time grid are classes of a fixed set (agenda.css: a quarter-hour row to start
at, a number of quarters to span, a lane among overlapping appointments), never inline styles:
the CSP forbids them (issue 22).
"""

from __future__ import annotations

import bisect
import datetime
import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.base import ModelState
from django.urls import reverse

from cordee.agenda import recurrence
from cordee.agenda.agendas import Agenda, sees_details
from cordee.agenda.models import Appointment, EventType, Participant
from cordee.careteam.access import visible_among
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Patient

_M = TypeVar("_M", bound=models.Model)

QUARTERS = 96  # a day's rows
FIRST_SHOWN_HOUR, LAST_SHOWN_HOUR = 7, 19  # the seed: "centré sur une plage horaire de 7H à 19H"
MAX_LANES = 4
DAY_NAMES = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

SHORT_MONTHS = [
    *("janv.", "févr.", "mars", "avr.", "mai", "juin"),
    *("juil.", "août", "sept.", "oct.", "nov.", "déc."),
]


@functools.cache
def _detail_prefix() -> str:
    """agenda:detail's URL before the id, reversed once (one `reverse()` per item was a tenth of
    the week view's time in the bench)."""
    nothing = uuid.UUID(int=0)
    return reverse("agenda:detail", kwargs={"appointment_id": nothing}).removesuffix(f"{nothing}/")


@dataclass
class Item:
    """One occurrence as a viewer sees it."""

    appointment: Appointment
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    details: bool  # False: "Occupé", nothing else
    patient_visible: bool
    agendas: list[Agenda] = field(default_factory=list)
    row: int = 0
    span: int = 1
    lane: int = 0
    lanes: int = 1
    who: str = ""  # the agendas' names ("DUPONT Marie, DAC Azur"), one string per set of agendas

    @property
    def title(self) -> str:
        return self.appointment.title if self.details else "Occupé"

    @property
    def colour(self) -> str:
        return self.appointment.event_type.colour if self.details else "gris"

    @property
    def patient_name(self) -> str:
        patient = self.appointment.patient
        return patient.display_name if patient is not None and self.details and self.patient_visible else ""

    @property
    def local_start(self) -> datetime.datetime:
        return clock.local(self.starts_at)

    @property
    def local_end(self) -> datetime.datetime:
        return clock.local(self.ends_at)

    @property
    def when(self) -> str:
        if self.appointment.all_day:
            return "Toute la journée"
        # As f"{local_start:%H:%M}–{local_end:%H:%M}", without strftime (a few hundred a week).
        paris = clock.paris()
        begin, finish = self.starts_at.astimezone(paris), self.ends_at.astimezone(paris)
        return f"{begin.hour:02d}:{begin.minute:02d}–{finish.hour:02d}:{finish.minute:02d}"

    @property
    def occurrence_day(self) -> str:
        return clock.date_of(self.starts_at).isoformat()

    @property
    def link(self) -> str:
        """The appointment's page, on this occurrence for a series (built without `reverse()`:
        a busy week shows hundreds)."""
        occurrence = f"?occurrence={self.occurrence_day}" if self.appointment.is_recurring else ""
        return f"{_detail_prefix()}{self.appointment.public_id}/{occurrence}"

    @property
    def move_link(self) -> str:
        return f"{_detail_prefix()}{self.appointment.public_id}/deplacer/"

    @property
    def movable(self) -> bool:
        """Whoever reads its details may move it (as on its page); a cancelled one stays put."""
        return self.details and not self.appointment.is_cancelled and not self.appointment.all_day

    @property
    def classes(self) -> str:
        return f"agd-t-{self.row} agd-h-{self.span} agd-l-{self.lane}-{self.lanes} agd-c-{self.colour}"


@dataclass
class Column:
    day: datetime.date
    agenda: Agenda | None
    timed: list[Item]
    all_day: list[Item]

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()

    @property
    def heading(self) -> str:
        return f"{DAY_NAMES[self.day.weekday()]} {self.day:%d/%m}"


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def month_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month's whole weeks (Monday of its first week → Monday after its last)."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    start = first - datetime.timedelta(days=first.weekday())
    end = following + datetime.timedelta(days=(7 - following.weekday()) % 7)
    return start, end


def items(actor: Actor, agendas: list[Agenda], first: datetime.date, last: datetime.date) -> list[Item]:
    """The occurrences in [first, last) of the shown agendas, each once, with its agendas — three
    queries whatever their number: the participant rows (with their appointments), the actor's own
    rows among them (private ones), and the policy on the patients named."""
    start, end = clock.start_of_day(first), clock.start_of_day(last)
    users = [a.user for a in agendas if a.user is not None]
    structures = [a.structure for a in agendas if a.structure is not None]
    if not users and not structures:
        return []
    # Two steps, not one join: PostgreSQL misjudges how many rows the range keeps (13,000 for
    # 444 in the bench) and read the whole appointment table for a hash join (≈90 ms); the rows
    # first (the agendas' range indexes), then their appointments by key. The actor's own rows
    # come in the same query (a private appointment's details are theirs if they take part).
    rows = list(
        Participant.objects.filter(is_live=True, starts_at__lt=end, last_ends_at__gt=start)
        .filter(Q(user__in=users) | Q(structure__in=structures) | Q(user=actor.user))
        .values_list("appointment_id", "user_id", "structure_id")[:6000]
    )
    # Agendas by their position among those shown (ints: hashing an `Agenda` hashes its model
    # instances), the actor's key read once (`actor.user` is a lazy object: a few hundred rows
    # each asking for it through its proxy were a tenth of this function).
    me = actor.user.pk
    position_of_user: dict[int, int] = {}
    position_of_structure: dict[int, int] = {}
    for n, agenda in enumerate(agendas):
        if agenda.user is not None:
            position_of_user[agenda.user.pk] = n
        elif agenda.structure is not None:
            position_of_structure[agenda.structure.pk] = n
    shown_in_of: dict[int, list[int]] = {}
    taking_part: set[int] = set()
    for appointment_id, user_id, structure_id in rows:
        if user_id == me:
            taking_part.add(appointment_id)
        position = (
            position_of_user.get(user_id) if user_id is not None else position_of_structure.get(structure_id)
        )
        if position is not None:
            shown_in_of.setdefault(appointment_id, []).append(position)
    appointments = _appointments(list(shown_in_of)[:5000]) if shown_in_of else []
    # One list of agendas (and one "who" line) per set of agendas, shared by its appointments.
    lists: dict[tuple[int, ...], tuple[list[Agenda], str]] = {}
    by_appointment: dict[int, tuple[Appointment, list[Agenda], str]] = {}
    for appointment in appointments:
        positions = tuple(sorted(shown_in_of[appointment.pk]))
        if positions not in lists:
            chosen = [agendas[n] for n in positions]
            lists[positions] = (chosen, ", ".join(agenda.label for agenda in chosen))
        by_appointment[appointment.pk] = (appointment, *lists[positions])
    patient_ids = {a.patient_id for a, _, _ in by_appointment.values() if a.patient_id is not None}
    seen_patients = visible_among(actor, patient_ids) if patient_ids else set()
    mine = {me}
    found = []
    for pk, (appointment, shown_in, who) in by_appointment.items():
        details = sees_details(actor, appointment, mine if pk in taking_part else set())
        patient_visible = appointment.patient_id in seen_patients
        if not appointment.repeat:  # `recurrence.occurrences` of a single one, inline
            if appointment.starts_at < end and appointment.ends_at > start:
                found.append(
                    Item(
                        appointment,
                        appointment.starts_at,
                        appointment.ends_at,
                        details,
                        patient_visible,
                        shown_in,
                        who=who,
                    )
                )
            continue
        for occurrence in recurrence.occurrences(appointment, start, end):
            found.append(
                Item(
                    appointment,
                    occurrence.starts_at,
                    occurrence.ends_at,
                    details,
                    patient_visible,
                    shown_in,
                    who=who,
                )
            )
    return sorted(found, key=lambda i: (i.starts_at, i.ends_at, i.appointment.pk))


# What the week shows of an appointment, its type and its patient (the rest stays deferred).
_APPOINTMENT_FIELDS = (
    *("id", "public_id", "title", "starts_at", "ends_at", "all_day", "is_private", "status"),
    *("created_by_id", "repeat", "repeat_until", "exdates", "version", "place_kind", "address"),
    *("series_id", "event_type_id", "patient_id"),
)
_TYPE_FIELDS = ("label", "colour")
_PATIENT_FIELDS = ("public_id", "birth_name", "used_name", "first_name", "used_first_name", "merged_into_id")


def _instance(model: type[_M], values: dict[str, object]) -> _M:
    """A model instance from a row already read, as `Model.from_db` makes it (fields not given
    stay deferred) without its per-field work: a few hundred appointments, their types and
    patients were a fifth of the week's Python."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def _appointments(ids: list[int]) -> list[Appointment]:
    """The appointments by key, with their type and patient (one query, a join), as model
    instances sharing one instance per type and per patient."""
    names = [
        *_APPOINTMENT_FIELDS,
        *(f"event_type__{name}" for name in _TYPE_FIELDS),
        *(f"patient__{name}" for name in _PATIENT_FIELDS),
    ]
    types: dict[int, EventType] = {}
    patients: dict[int, Patient] = {}
    found = []
    width = len(_APPOINTMENT_FIELDS)
    rows = Appointment.objects.filter(pk__among=ids).values_list(*names)  # type: ignore[misc]
    for row in rows:
        values = dict(zip(_APPOINTMENT_FIELDS, row[:width], strict=True))
        appointment = _instance(Appointment, values)
        type_id = values["event_type_id"]
        if type_id not in types:
            label, colour = row[width : width + 2]
            types[type_id] = _instance(EventType, {"id": type_id, "label": label, "colour": colour})
        cache: dict[str, models.Model | None] = {"event_type": types[type_id], "patient": None}
        patient_id = values["patient_id"]
        if patient_id is not None:
            if patient_id not in patients:
                patient_values = dict(zip(_PATIENT_FIELDS, row[width + 2 :], strict=True))
                patients[patient_id] = _instance(Patient, {"id": patient_id, **patient_values})
            cache["patient"] = patients[patient_id]
        appointment._state.fields_cache = cache
        found.append(appointment)
    return found


def _place(day: datetime.date, timed: list[Item]) -> list[Item]:
    """Rows and lanes within one day: overlapping appointments share the width (up to 4 lanes)."""
    midnight = clock.start_of_day(day)
    next_midnight = clock.start_of_day(day + datetime.timedelta(days=1))
    paris = clock.paris()
    placed: list[Item] = []
    for item in timed:
        start = max(item.starts_at, midnight)
        end = min(item.ends_at, next_midnight)
        # Quarters of wall-clock time, so 10:00 sits on the 10:00 row on the days the clocks change
        # (`astimezone`: what `clock.local` does, without its checks, twice per item and day).
        first = _quarter(start.astimezone(paris), day)
        last = _quarter(end.astimezone(paris), day, end_of_day=end >= next_midnight)
        # A copy per day (an appointment over midnight sits in two columns), its fields copied
        # directly: `dataclasses.replace`, then the constructor, were a tenth of the week's Python.
        copy = object.__new__(Item)
        copy.__dict__.update(item.__dict__)
        copy.row, copy.span = first, max(1, min(QUARTERS - first, last - first))
        copy.lane, copy.lanes = 0, 1
        placed.append(copy)
    clusters: list[list[Item]] = []
    cluster_end = -1
    for item in placed:
        if item.row >= cluster_end:
            clusters.append([])
        clusters[-1].append(item)
        cluster_end = max(cluster_end, item.row + item.span)
    for cluster in clusters:
        lane_ends: list[int] = []
        for item in cluster:
            lane = next((i for i, ends in enumerate(lane_ends) if ends <= item.row), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(0)
            lane_ends[lane] = item.row + item.span
            item.lane = min(lane, MAX_LANES - 1)
        for item in cluster:
            item.lanes = min(len(lane_ends), MAX_LANES)
    return placed


def _quarter(moment: datetime.datetime, day: datetime.date, *, end_of_day: bool = False) -> int:
    """`moment` is on the Paris clock already: its wall date is its Paris day (read from its
    fields: `clock.wall_date` would convert it to Paris again, twice per item and day)."""
    moment_day = datetime.date(moment.year, moment.month, moment.day)
    if end_of_day or moment_day > day:
        return QUARTERS
    if moment_day < day:
        return 0
    return moment.hour * 4 + moment.minute // 15


def columns(
    found: list[Item], days: list[datetime.date], agendas: list[Agenda] | None = None
) -> list[Column]:
    """One column per day (the week: every agenda together) or per agenda (the day, side by side)."""
    result = []
    starts = [clock.start_of_day(day) for day in days]
    ends = [clock.start_of_day(day + datetime.timedelta(days=1)) for day in days]
    # Each item into the days it touches, in one pass over the items (the days ascend: the
    # first it may touch found by bisection) — seven passes over all of them, one a day, were a
    # tenth of the week's Python. Each day keeps `found`'s order.
    assert days == sorted(set(days)), "columns() takes distinct days in ascending order"
    by_day: list[list[Item]] = [[] for _ in days]
    for item in found:
        n = max(bisect.bisect_right(starts, item.starts_at) - 1, 0)
        while n < len(days) and starts[n] < item.ends_at:
            if item.starts_at < ends[n]:
                by_day[n].append(item)
            n += 1
    for n, day in enumerate(days):
        todays = by_day[n]
        shown: list[Agenda | None] = list(agendas) if agendas else [None]
        for agenda in shown:
            mine = [i for i in todays if agenda is None or agenda in i.agendas]
            whole = [i for i in mine if i.appointment.all_day]
            timed = [i for i in mine if not i.appointment.all_day]
            result.append(Column(day, agenda, _place(day, timed), whole))
    return result


@dataclass
class MonthDay:
    day: datetime.date
    in_month: bool
    items: list[Item]

    @property
    def is_today(self) -> bool:
        return self.day == clock.today()

    @property
    def shown(self) -> list[Item]:
        return self.items[:3]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - 3)


def month_days(found: list[Item], first: datetime.date, last: datetime.date, month: int) -> list[MonthDay]:
    by_day: dict[datetime.date, list[Item]] = defaultdict(list)
    for item in found:
        day = clock.date_of(item.starts_at)
        final = clock.date_of(item.ends_at - datetime.timedelta(microseconds=1))
        while day <= final:
            by_day[day].append(item)
            day += datetime.timedelta(days=1)
    days = []
    day = first
    while day < last:
        days.append(MonthDay(day, day.month == month, by_day.get(day, [])))
        day += datetime.timedelta(days=1)
    return days


def hours() -> list[dict[str, object]]:
    return [{"hour": h, "row": h * 4, "label": f"{h:02d}:00"} for h in range(24)]


def title_of(view: str, day: datetime.date) -> str:
    if view == "jour":
        return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
    if view == "mois":
        return f"{MONTHS[day.month - 1].capitalize()} {day.year}"
    monday, following = week_of(day)
    sunday = following - datetime.timedelta(days=1)
    first, last = SHORT_MONTHS[monday.month - 1], SHORT_MONTHS[sunday.month - 1]
    return f"{monday.day} {first} – {sunday.day} {last} {sunday.year}"
