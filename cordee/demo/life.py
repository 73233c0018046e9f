"""Demo data for the dossier's life and the agenda (ACT-1, ACT-2, AGD-1): notes in the feeds, the
seed's memos, and a fortnight of appointments in the DAC's and the pediatrician's agendas — so
that `make run` shows them at work, as issue 23 asks of the demo. Everything goes through the
services (events, notifications, journal, access checks) and is dated from today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cordee.accounts.models import Structure
from cordee.activity.models import Event
from cordee.activity.services import write_note
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.services import Attendees, create_appointment
from cordee.careteam.access import Perm, can
from cordee.careteam.models import CircleMember
from cordee.cocon.models import Inclusion
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.demo.work import _actor
from cordee.memos.models import Memo, Visibility
from cordee.memos.services import MemoInput, create_memo
from cordee.patients.models import Patient

Importance = Event.Importance


@dataclass(frozen=True)
class DemoAppointment:
    title: str
    event_type: str
    weekday: int  # 0 = Monday of the current week
    week: int  # 0 this week, 1 next week
    start: datetime.time
    minutes: int
    with_patient: int | None = None  # index in the actor's dossiers
    repeat: str = Appointment.Repeat.NONE
    is_private: bool = False
    teleconsultation: bool = False


COORDINATOR_AGENDA = [
    DemoAppointment(
        "Réunion d'équipe du DAC", "RCP", 0, 0, datetime.time(9), 60, repeat=Appointment.Repeat.WEEKLY
    ),
    DemoAppointment("Visite à domicile — évaluation", "RCV Personnes âgées", 1, 0, datetime.time(10), 90, 1),
    DemoAppointment("Concertation pluriprofessionnelle", "RCP", 3, 0, datetime.time(14), 90, 0),
    DemoAppointment("Rendez-vous personnel", "Prévention", 4, 0, datetime.time(12, 30), 60, is_private=True),
    DemoAppointment(
        "Point avec l'aidante", "RCV Personnes âgées", 2, 1, datetime.time(11), 45, 2, teleconsultation=True
    ),
    DemoAppointment("Atelier prévention des chutes", "Prévention", 3, 1, datetime.time(15), 120),
]
PEDIATRICIAN_AGENDA = [
    DemoAppointment("Consultation Cocon", "RCV Enfants", 1, 0, datetime.time(16), 30, 0),
    DemoAppointment("Consultation Cocon", "RCV Enfants", 3, 0, datetime.time(17), 30, 1),
    DemoAppointment(
        "Staff du réseau périnatal", "RCP", 4, 0, datetime.time(13), 60, repeat=Appointment.Repeat.MONTHLY
    ),
    DemoAppointment("Consultation Cocon", "RCV Enfants", 1, 1, datetime.time(16, 30), 30, 2),
]


def load_life() -> None:
    """Idempotent: nothing is added once the coordinator has written a memo."""
    if Memo.objects.filter(created_by__username="coordinatrice").exists():
        return
    coordinator = _actor("coordinatrice", "DAC Azur Coordination")
    pediatrician = _actor("pediatre", "Réseau périnatal Sud")
    elderly = list(Patient.objects.filter(created_by=coordinator.user).order_by("pk")[:6])
    children = [
        inclusion.patient
        for inclusion in Inclusion.objects.filter(ended_on__isnull=True)
        .select_related("patient")
        .order_by("pk")[:6]
        if can(pediatrician, Perm.VIEW, inclusion.patient)
    ][:3]
    _notes(coordinator, elderly, pediatrician, children)
    _memos(coordinator, elderly, pediatrician, children)
    _agenda(coordinator, elderly, COORDINATOR_AGENDA)
    _agenda(pediatrician, children, PEDIATRICIAN_AGENDA)


def _notes(coordinator: Actor, elderly: list[Patient], pediatrician: Actor, children: list[Patient]) -> None:
    written = [
        (
            coordinator,
            elderly[0],
            "Chute au domicile signalée ce matin par l'infirmière : pas de fracture, surveillance "
            "renforcée et bilan kinésithérapique demandé.",
            Importance.VERY_IMPORTANT,
        ),
        (
            coordinator,
            elderly[1],
            "Retour à domicile prévu en fin de semaine ; l'aidante est informée et le portage des "
            "repas est organisé.",
            Importance.IMPORTANT,
        ),
        (
            coordinator,
            elderly[2],
            "Appel de la fille : la situation est stable cette semaine.",
            Importance.NORMAL,
        ),
    ]
    if children:
        written.append(
            (
                pediatrician,
                children[0],
                "Prise de poids régulière, allaitement mixte bien installé.",
                Importance.NORMAL,
            )
        )
    for actor, patient, text, importance in written:
        write_note(actor, patient, text, importance)


def _structure_row(patient: Patient, structure: Structure) -> CircleMember | None:
    return CircleMember.objects.filter(
        patient=patient, structure=structure, user=None, removed_at__isnull=True, is_habilitated=True
    ).first()


def _person_row(patient: Patient, username: str) -> CircleMember | None:
    return CircleMember.objects.filter(
        patient=patient, user__username=username, structure=None, removed_at__isnull=True, is_habilitated=True
    ).first()


def _memos(coordinator: Actor, elderly: list[Patient], pediatrician: Actor, children: list[Patient]) -> None:
    create_memo(
        coordinator,
        elderly[0],
        MemoInput(
            "Accès au domicile",
            "Patient résidant au 5e étage sans ascenseur. Clés chez la voisine du 4e (Mme Roux).",
            Visibility.PUBLIC,
        ),
    )
    nurse = _person_row(elderly[1], "infirmiere")
    if nurse is not None:
        create_memo(
            coordinator,
            elderly[1],
            MemoInput(
                "Passages infirmiers",
                "Préférer les passages avant 9 h : la patiente se rend à l'accueil de jour à 10 h.",
                Visibility.SHARED,
                shared_with=(nurse,),
            ),
        )
    create_memo(
        coordinator,
        elderly[2],
        MemoInput(
            "Situation familiale",
            "Désaccord entre les enfants au sujet d'une entrée en EHPAD : à aborder en concertation.",
            Visibility.PRIVATE,
        ),
    )
    if children:
        create_memo(
            pediatrician,
            children[0],
            MemoInput(
                "Coordonnées des parents", "Joindre la mère de préférence l'après-midi.", Visibility.PUBLIC
            ),
        )


def _agenda(actor: Actor, dossiers: list[Patient], planned: list[DemoAppointment]) -> None:
    monday = clock.today() - datetime.timedelta(days=clock.today().weekday())
    types = {kind.label: kind for kind in EventType.objects.all()}
    assert actor.structure is not None
    attendees = Attendees(users=[actor.user], structures=[actor.structure])
    for plan in planned:
        day = monday + datetime.timedelta(days=plan.weekday + 7 * plan.week)
        starts_at = clock.at(day, plan.start)
        patient = (
            dossiers[plan.with_patient]
            if plan.with_patient is not None and plan.with_patient < len(dossiers)
            else None
        )
        # The patient is the appointment's link, shown through the access policy — never in the
        # title, which every reader of the agenda sees.
        appointment = Appointment(
            title=plan.title,
            event_type=types[plan.event_type],
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=plan.minutes),
            place_kind=Appointment.Place.TELECONSULTATION
            if plan.teleconsultation
            else Appointment.Place.ADDRESS,
            address="" if plan.teleconsultation or patient is not None else _address(actor.structure),
            commune=None if plan.teleconsultation or patient is not None else actor.structure.commune,
            patient=patient,
            is_private=plan.is_private,
            repeat=plan.repeat,
            repeat_until=day + datetime.timedelta(days=90) if plan.repeat else None,
        )
        # A private appointment is one's own: in the person's agenda only.
        create_appointment(actor, appointment, Attendees([actor.user], []) if plan.is_private else attendees)


def _address(structure: Structure) -> str:
    return structure.address or structure.name
