"""TSK-3: the dossier's "4. Tâches" panel — its counts by status, refreshed after a status click."""

from __future__ import annotations

from django.db.models import Count

from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskStatus


def status_counts(patient: Patient) -> list[tuple[str, int]]:
    """Every status of the cycle with its number of tasks on the dossier, in one query.

    The same shape as the dossier page's `task_counts`, so `tasks/_panel_counts.html` serves both.
    """
    counts = dict(Task.objects.filter(patient=patient).values_list("status").annotate(n=Count("pk")))
    return [(status.label, counts.get(status.value, 0)) for status in TaskStatus]
