"""COC-3: a notebook due (or late) creates a task for the referent pediatrician — once.

Run daily (`manage.py cocon_schedule`, from cron or the platform's scheduler). The step row
holds the task it created, and rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two
runs at once still create each reminder once. A child out of the pathway, discharged or
deceased gets none."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cordee.cocon.models import ScheduledStep
from cordee.cocon.schedule import BY_CODE
from cordee.core.actor import Actor
from cordee.patients.models import DossierStatus
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType
from cordee.tasks.services import create_task, recipient_choices

TASK_TYPE = "Consultation de suivi"
BATCH = 500


@dataclass
class Outcome:
    created: int = 0
    skipped_no_referent: int = 0


def pending(today: datetime.date) -> QuerySet[ScheduledStep]:
    return ScheduledStep.objects.filter(
        opens_on__lte=today,
        done_on__isnull=True,
        reminder__isnull=True,
        inclusion__ended_on__isnull=True,
        inclusion__patient__status=DossierStatus.ACTIVE,
        inclusion__patient__death_date__isnull=True,
        inclusion__patient__merged_into__isnull=True,
    )


def create_reminders(today: datetime.date | None = None) -> Outcome:
    today = today or timezone.localdate()
    outcome = Outcome()
    task_type = TaskType.objects.get(label=TASK_TYPE)
    levels = {level.label: level for level in TaskLevel.objects.all()}
    after = 0  # a cursor: rows skipped (no referent) are not claimed again in this run
    while True:
        with transaction.atomic():
            rows = list(
                pending(today)
                .filter(pk__gt=after)
                .select_related("inclusion__patient", "inclusion__referent_pediatrician")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:BATCH]
            )
            if not rows:
                return outcome
            for row in rows:
                _remind(row, today, task_type, levels, outcome)
            after = rows[-1].pk


def _remind(
    row: ScheduledStep,
    today: datetime.date,
    task_type: TaskType,
    levels: dict[str, TaskLevel],
    outcome: Outcome,
) -> None:
    inclusion = row.inclusion
    patient = inclusion.patient
    referent = inclusion.referent_pediatrician
    step = BY_CODE[row.step]
    members = [m for m in recipient_choices(patient) if m.user_id == referent.pk]
    if not members:
        # The referent left the circle: the coordination team sees it on the cohort dashboard.
        outcome.skipped_no_referent += 1
        return
    late = today > row.closes_on
    due = timezone.make_aware(datetime.datetime.combine(max(row.closes_on, today), datetime.time(18, 0)))
    task = Task(
        task_type=task_type,
        label=f"Cocon : {step.label.lower()} {'en retard' if late else 'à réaliser'}",
        level=levels.get("Urgent" if late else "Important") or next(iter(levels.values())),
        status=TaskStatus.TODO,
        due_at=due,
        comment=(
            f"Consultation attendue entre le {row.opens_on:%d/%m/%Y} et le {row.closes_on:%d/%m/%Y} "
            f"(date cible {row.target_on:%d/%m/%Y}). Tâche créée par le calendrier Cocon."
        ),
    )
    # The reminder is the referent's own to-do: created in their name, addressed to them.
    create_task(Actor(user=referent), patient, task, members)
    ScheduledStep.objects.filter(pk=row.pk).update(reminder=task)
    outcome.created += 1
