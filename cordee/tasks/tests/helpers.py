"""Tasks made by the service, the way the application makes them, for the dashboard tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.tasks import services
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType


def actor_for(user: User, structure: Structure) -> Actor:
    return Actor(user=user, membership=Membership.objects.get(user=user, structure=structure))


def member_row(
    patient: Patient, *, user: User | None = None, structure: Structure | None = None
) -> CircleMember:
    return CircleMember.objects.get(patient=patient, user=user, structure=structure, removed_at__isnull=True)


def make_task(
    actor: Actor,
    patient: Patient,
    label: str,
    *,
    recipients: Iterable[CircleMember] = (),
    status: TaskStatus = TaskStatus.TODO,
    level: str = "Important",
    due_in: datetime.timedelta = datetime.timedelta(days=7),
    action: str = "",
) -> Task:
    task = Task(
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label=level),
        label=label,
        status=status,
        due_at=timezone.now() + due_in,
        action=action,
    )
    return services.create_task(actor, patient, task, list(recipients))
