"""Appointments where a dossier is read (AGD-1): the "RDV patient" theme, the active file's
"Prochain RDV" column, the life line. Each caller has the dossier from the access policy; what
the appointment says of itself follows the agenda's rule (a private one shows no title)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cordee.agenda import recurrence
from cordee.agenda.agendas import IdReach, sees_details
from cordee.agenda.models import Appointment, Participant
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Patient


def next_appointments(patient_ids: list[int]) -> dict[int, datetime.datetime]:
    """ "Prochain RDV" for a page of the active file: one query, whatever the page holds."""
    if not patient_ids:
        return {}
    now = clock.now()
    found: dict[int, datetime.datetime] = {}
    rows = (
        Appointment.objects.filter(
            patient_id__in=patient_ids,
            deleted_at__isnull=True,
            status=Appointment.Status.CONFIRMED,
            last_ends_at__gt=now,
        )
        .only("patient_id", "starts_at", "ends_at", "repeat", "repeat_until", "exdates")
        .order_by("starts_at")
    )
    for appointment in rows:
        pk = appointment.patient_id
        assert pk is not None
        if pk in found and found[pk] <= appointment.starts_at:
            continue  # later ones cannot come first (a series starting later neither)
        upcoming = [
            o.starts_at
            for o in recurrence.occurrences(appointment, now, now + datetime.timedelta(days=800), limit=3)
            if o.starts_at >= now
        ]
        if upcoming and (pk not in found or upcoming[0] < found[pk]):
            found[pk] = upcoming[0]
    return found


@dataclass(frozen=True)
class Line:
    appointment: Appointment
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    details: bool
    reachable: bool

    @property
    def title(self) -> str:
        return self.appointment.title if self.details else "Rendez-vous privé"

    @property
    def is_past(self) -> bool:
        return self.ends_at < clock.now()

    @property
    def who(self) -> str:
        return ", ".join(
            p.user.display_name if p.user is not None else p.structure.name
            for p in self.appointment.shown_participants  # type: ignore[attr-defined]
        )


def dossier_appointments(
    actor: Actor, patient: Patient, first: datetime.date, last: datetime.date, limit: int = 60
) -> list[Line]:
    """The dossier's appointments between two days (occurrences of series included)."""
    start, end = clock.start_of_day(first), clock.start_of_day(last)
    # Three queries whatever the dossier holds (none skipped when empty: the count is pinned).
    chosen = Appointment.objects.filter(
        patient=patient, deleted_at__isnull=True, starts_at__lt=end, last_ends_at__gt=start
    )
    appointments = list(chosen.select_related("event_type"))
    by_appointment: dict[int, list[Participant]] = {}
    for person in Participant.objects.filter(appointment__in=chosen.values("pk")).select_related(
        "user", "structure"
    ):
        by_appointment.setdefault(person.appointment_id, []).append(person)
    reach = IdReach(actor)
    reach.user_ids  # noqa: B018 - asked now, so that the count does not depend on the rows
    lines = []
    for appointment in appointments:
        people = by_appointment.get(appointment.pk, [])
        appointment.shown_participants = people  # type: ignore[attr-defined]
        users = {p.user_id for p in people if p.user_id}
        structures = {p.structure_id for p in people if p.structure_id}
        details = sees_details(actor, appointment, users)
        reachable = reach.reaches(appointment, users, structures)
        for occurrence in recurrence.occurrences(appointment, start, end, limit=limit):
            lines.append(Line(appointment, occurrence.starts_at, occurrence.ends_at, details, reachable))
    return sorted(lines, key=lambda line: line.starts_at)[:limit]


def upcoming_and_recent(actor: Actor, patient: Patient) -> tuple[list[Line], list[Line]]:
    """The "RDV patient" theme: the coming year, and the last three months."""
    today = clock.today()
    now = clock.now()
    lines = dossier_appointments(
        actor, patient, today - datetime.timedelta(days=92), today + datetime.timedelta(days=366), limit=200
    )
    upcoming = [line for line in lines if line.ends_at >= now][:20]
    recent = [line for line in lines if line.ends_at < now][-10:][::-1]
    return upcoming, recent
