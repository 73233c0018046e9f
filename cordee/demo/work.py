"""Demo data: every persona at work as their role implies (issue 23). The nurse and the
physiotherapist are in the circles of the DAC's elderly people and of Cocon children they
care for, with tasks addressed to them; the coordinator has tasks on her dossiers; the Cocon
calendars are refreshed and their reminders created as the nightly `cocon_schedule` would.
Everything goes through the services, as the application does, and is dated from today."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cordee.accounts.models import Membership, User
from cordee.careteam import services as careteam
from cordee.careteam.models import CircleMember
from cordee.cocon.models import Inclusion
from cordee.cocon.reminders import create_reminders
from cordee.cocon.services import refresh_schedule
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.tasks import services as tasks
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType


@dataclass(frozen=True)
class DemoTask:
    label: str
    task_type: str
    level: str
    due_in_days: int
    status: str
    for_whom: str  # "nurse", "physio" or "coordinator"


ELDERLY_TASKS = [
    DemoTask(
        "Organiser les passages infirmiers du soir", "Visite à domicile", "Important", 2, "TODO", "nurse"
    ),
    DemoTask(
        "Surveillance des plaies — compte rendu",
        "Visite à domicile",
        "Information",
        5,
        "IN_PROGRESS",
        "nurse",
    ),
    DemoTask("Bilan kinésithérapique après la chute", "Bilan à réaliser", "Important", 4, "TODO", "physio"),
    DemoTask(
        "Appeler la fille (aidante) pour le retour à domicile",
        "Appel téléphonique",
        "Urgent",
        -1,
        "TODO",
        "coordinator",
    ),
    DemoTask(
        "Demande d'APA à compléter",
        "Envoi ou demande de document",
        "Important",
        10,
        "IN_PROGRESS",
        "coordinator",
    ),
    DemoTask(
        "Point sur la situation avec le médecin traitant",
        "Rendez-vous à organiser",
        "Information",
        -20,
        "DONE",
        "coordinator",
    ),
]
COCON_TASKS = [
    DemoTask("Kinésithérapie motrice : premier bilan", "Bilan à réaliser", "Important", 6, "TODO", "physio"),
    DemoTask("Pesée hebdomadaire à domicile", "Visite à domicile", "Information", 3, "TODO", "nurse"),
]


def _actor(username: str, structure_name: str | None = None) -> Actor:
    if structure_name is None:
        return Actor(user=User.objects.get(username=username))
    membership = Membership.objects.get(user__username=username, structure__name=structure_name)
    return Actor(user=membership.user, membership=membership)


def _member(patient: Patient, user: User) -> CircleMember:
    return CircleMember.objects.get(patient=patient, user=user, structure=None, removed_at__isnull=True)


def _task(actor: Actor, patient: Patient, spec: DemoTask, recipient: CircleMember) -> None:
    task = Task(
        task_type=TaskType.objects.get(label=spec.task_type),
        level=TaskLevel.objects.get(label=spec.level),
        label=spec.label,
        status=TaskStatus(spec.status),
        due_at=clock.at(clock.today() + datetime.timedelta(days=spec.due_in_days), datetime.time(17, 0)),
    )
    tasks.create_task(actor, patient, task, [recipient])


def load_work() -> None:
    if Task.objects.filter(created_by__username__in=["coordinatrice", "pediatre"]).exists():
        return
    coordinator = _actor("coordinatrice", "DAC Azur Coordination")
    pediatrician = _actor("pediatre", "Réseau périnatal Sud")
    nurse = User.objects.get(username="infirmiere")
    physio = User.objects.get(username="kine")
    people = {"nurse": nurse, "physio": physio, "coordinator": coordinator.user}

    elderly = list(Patient.objects.filter(created_by=coordinator.user).order_by("pk")[:6])
    for index, patient in enumerate(elderly):
        careteam.add_professional(coordinator, patient, nurse, habilitated=True)
        if index % 2 == 0:
            careteam.add_professional(coordinator, patient, physio, habilitated=True)
        spec = ELDERLY_TASKS[index % len(ELDERLY_TASKS)]
        who = people[spec.for_whom]
        if who == physio and index % 2:
            who = nurse
        _task(coordinator, patient, spec, _member(patient, who))

    # Two preterm children followed at home: the physiotherapist (forfait kinésithérapie) and
    # the nurse (weighing) join their circles.
    children = list(
        Inclusion.objects.filter(ended_on__isnull=True, gestational_age_weeks__lt=32)
        .select_related("patient")
        .order_by("pk")[:2]
    )
    for inclusion, spec in zip(children, COCON_TASKS, strict=False):
        patient = inclusion.patient
        who = physio if spec.for_whom == "physio" else nurse
        careteam.add_professional(pediatrician, patient, who, habilitated=True)
        _task(pediatrician, patient, spec, _member(patient, who))


def load_cocon_calendar() -> int:
    """What the nightly `cocon_schedule` does, at demo load: calendars and reminders."""
    for inclusion in Inclusion.objects.filter(ended_on__isnull=True).select_related("patient"):
        refresh_schedule(inclusion)
    return create_reminders().created
