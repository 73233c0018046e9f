"""How other apps name this app's tasks: DOS-2's closing checklist (tasks neither "Traité"
nor "Annulé") and the access journal (a task's label where an entry gives its id)."""

from __future__ import annotations

import uuid

from cordee.core import clock
from cordee.patients.models import Patient
from cordee.tasks.models import OPEN_STATUSES, Task


def open_tasks(patient: Patient) -> list[str]:
    tasks = Task.objects.filter(patient=patient, status__in=OPEN_STATUSES).order_by("due_at", "pk")
    return [
        f"Tâche « {task.label} » — {task.get_status_display()}, échéance le "
        f"{clock.date_of(task.due_at):%d/%m/%Y}"
        for task in tasks
    ]


def task_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return {task.public_id: f"« {task.label} »" for task in Task.objects.filter(public_id__in=ids)}
