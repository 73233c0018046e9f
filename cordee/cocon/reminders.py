"""COC-3: a notebook due (or late) creates a task for the referent pediatrician — once.

Run daily (`manage.py cocon_schedule`, from cron or the platform's scheduler). The step row
holds the task it created, and rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two
runs at once still create each reminder once. A child out of the pathway, discharged or
deceased gets none.

Reminders do not pile up (issue 23): a child has at most one open reminder, for its current
step — the one whose window is open or just past, before the next step's window opens
(`missed_from`). A step already missed gets no reminder of its own (the cohort dashboard and
the calendar show it as "manquant"): a pediatrician with ten missed consultations of one child
would otherwise receive ten urgent tasks for a child now seen at another age. While a child's
previous reminder is still open ("À traiter" or "En cours"), no other is added."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from cordee.cocon.models import ScheduledStep
from cordee.cocon.schedule import BY_CODE
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import DossierStatus
from cordee.tasks.models import OPEN_STATUSES, Task, TaskLevel, TaskStatus, TaskType
from cordee.tasks.services import create_task, recipient_choices

TASK_TYPE = "Consultation de suivi"
BATCH = 500
LATE_DELAY = datetime.timedelta(days=7)


@dataclass
class Outcome:
    created: int = 0
    skipped_no_referent: int = 0


def pending(today: datetime.date) -> QuerySet[ScheduledStep]:
    """The current step of each child still followed, when it is not done, not yet reminded,
    and no reminder of the child is still open. One step at most per child: the windows
    [opens_on, missed_from) of a child's steps follow one another."""
    open_reminder = ScheduledStep.objects.filter(
        inclusion=OuterRef("inclusion"), reminder__status__in=OPEN_STATUSES
    )
    return ScheduledStep.objects.filter(
        ~Exists(open_reminder),
        opens_on__lte=today,
        missed_from__gt=today,
        done_on__isnull=True,
        reminder__isnull=True,
        inclusion__ended_on__isnull=True,
        inclusion__patient__status=DossierStatus.ACTIVE,
        inclusion__patient__death_date__isnull=True,
        inclusion__patient__merged_into__isnull=True,
    )


def create_reminders(today: datetime.date | None = None) -> Outcome:
    today = today or clock.today()
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
    # Late: a week to see the child, and before the consultation counts as missed; due: by the
    # end of its window. Never "due today at 18:00" for a step found late in the morning.
    last_day = row.missed_from - datetime.timedelta(days=1)
    day = min(today + LATE_DELAY, last_day) if late else row.closes_on
    due = clock.at(max(day, today), datetime.time(18, 0))
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
