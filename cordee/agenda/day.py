"""The day's appointments of every professional (AGD-2, "la liste des rdv de la journée").

Whose agendas count are the agenda's own: a person's own agenda, and the agendas of the
structures they are an active member of (an active structure, as `agendas.Reach` opens them).
What is listed is what these agendas show that day (Paris): an occurrence touching the day —
a recurring series' occurrence included, an occurrence taken out of its series not —, never a
cancelled nor a deleted appointment. A private appointment is "Occupé" to whoever is neither its
author nor a person taking part (`agendas.sees_details`).

A line carries what may leave the platform by e-mail: the times, the type (reference data) and
the agenda it sits in — never the title (free text, which may name a patient or a diagnosis),
the place, the notes nor the patient.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from cordee.accounts.models import Membership
from cordee.agenda import recurrence
from cordee.agenda.models import Appointment, Participant
from cordee.core import clock

MINE = "votre agenda"


@dataclass(frozen=True)
class DayLine:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool
    label: str  # the type, or "Occupé"
    agendas: tuple[str, ...]  # "votre agenda", structures' names

    def when(self, day: datetime.date) -> str:
        """ "09:00–10:00" on the Paris clock; an occurrence running over midnight says so."""
        if self.all_day:
            return "Toute la journée"
        start, end = clock.local(self.starts_at), clock.local(self.ends_at)
        began, ends = clock.date_of(self.starts_at) < day, clock.date_of(self.ends_at) > day
        if began and ends:
            return "Toute la journée"
        if began:
            return f"Jusqu'à {end:%H:%M}"
        if ends:
            return f"À partir de {start:%H:%M}"
        return f"{start:%H:%M}–{end:%H:%M}"


@dataclass
class _Found:
    appointment: Appointment
    users: set[int] = field(default_factory=set)
    structures: set[int] = field(default_factory=set)


def day_lists(day: datetime.date) -> dict[int, list[DayLine]]:
    """Each professional with at least one appointment on `day`, and their lines by time —
    three queries whatever the region: the participant rows touching the day (with their
    appointments), the members of the structures among them, and nothing per person."""
    start, end = clock.start_of_day(day), clock.start_of_day(day + datetime.timedelta(days=1))
    rows = (
        Participant.objects.filter(is_live=True, starts_at__lt=end, last_ends_at__gt=start)
        .exclude(appointment__status=Appointment.Status.CANCELLED)
        .select_related("appointment__event_type", "structure")
        .only(
            *("user_id", "structure_id", "structure__name", "appointment__starts_at"),
            *("appointment__ends_at", "appointment__all_day", "appointment__is_private"),
            *("appointment__created_by_id", "appointment__repeat", "appointment__repeat_until"),
            *("appointment__exdates", "appointment__event_type__label", "appointment__deleted_at"),
        )
        .order_by("appointment_id", "pk")
    )
    found: dict[int, _Found] = {}
    names: dict[int, str] = {}
    for row in rows:
        entry = found.setdefault(row.appointment_id, _Found(row.appointment))
        if row.user_id is not None:
            entry.users.add(row.user_id)
        elif row.structure_id is not None and row.structure is not None:
            entry.structures.add(row.structure_id)
            names[row.structure_id] = row.structure.name
    members: dict[int, set[int]] = defaultdict(set)
    if names:
        for user_id, structure_id in Membership.objects.filter(
            structure_id__in=list(names), is_active=True, structure__is_active=True, user__is_active=True
        ).values_list("user_id", "structure_id"):
            members[structure_id].add(user_id)
    lists: dict[int, list[DayLine]] = defaultdict(list)
    for entry in found.values():
        appointment = entry.appointment
        if appointment.deleted_at is not None:
            continue
        occurrences = recurrence.occurrences(appointment, start, end)
        if not occurrences:
            continue
        reached: dict[int, list[str]] = defaultdict(list)
        for user_id in entry.users:
            reached[user_id].append(MINE)
        for structure_id in sorted(entry.structures, key=lambda pk: names[pk]):
            for user_id in members[structure_id]:
                reached[user_id].append(names[structure_id])
        for user_id, agendas in reached.items():
            details = (
                not appointment.is_private or user_id == appointment.created_by_id or user_id in entry.users
            )
            label = appointment.event_type.label if details else "Occupé"
            for occurrence in occurrences:
                lists[user_id].append(
                    DayLine(
                        occurrence.starts_at, occurrence.ends_at, appointment.all_day, label, tuple(agendas)
                    )
                )
    for lines in lists.values():
        lines.sort(key=lambda line: (not line.all_day, line.starts_at, line.ends_at, line.label))
    return dict(lists)
