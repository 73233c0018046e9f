"""TSK-3: the dossier's "4. Tâches" panel — its counts by status, refreshed after a status click,
and its size (fiche 25: enlarged, it takes the life line's place and the life line takes its own)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cordee.core.http import AuthedRequest, safe_next
from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskStatus

# How many open tasks each size lists (the enlarged panel is a table across the page).
OPEN_TASKS_SHOWN = {False: 10, True: 25}


def status_counts(patient: Patient) -> list[tuple[str, int]]:
    """Every status of the cycle with its number of tasks on the dossier, in one query.

    The same shape as the dossier page's `task_counts`, so `tasks/_panel_counts.html` serves both.
    """
    counts = dict(Task.objects.filter(patient=patient).values_list("status").annotate(n=Count("pk")))
    return [(status.label, counts.get(status.value, 0)) for status in TaskStatus]


@require_POST
def panel_size(request: AuthedRequest) -> HttpResponse:
    """Fiche 25: the enlarge / reduce button of the tasks panel, remembered for this user.

    The wanted size is explicit ("1" or "0"), not a toggle, so a form posted twice (a double
    click, a second tab) leaves what the person last saw asked for."""
    wanted = request.POST.get("agrandi", "")
    back = safe_next(request, fallback="/")
    if wanted not in {"0", "1"}:
        messages.error(request, "Taille de l'encart des tâches inconnue : choisissez agrandir ou réduire.")
        return redirect(back)
    user = request.user
    user.tasks_panel_enlarged = wanted == "1"
    user.save(update_fields=["tasks_panel_enlarged", "updated_at"])
    return redirect(f"{back.split('#')[0]}#s4")
