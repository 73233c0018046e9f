"""Tasks on the dossier (TSK-1..3) and the dashboard "Consulter les tâches" (TSK-4)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from cordee.accounts.models import display_name_of
from cordee.audit.services import journal_many, journal_shown
from cordee.careteam.access import Perm, can, get_dossier, permissions, visible_dossiers, visible_through
from cordee.core.http import AuthedRequest, parse_uuid, safe_next, typed_text, wants_partial
from cordee.core.text import search_key
from cordee.documents.models import Document
from cordee.pathways.services import readable_forms
from cordee.patients.active_file import COUNT_CAP, PAGE_SIZES, CappedPaginator, named, visible_named
from cordee.patients.models import Patient, PatientLink, patient_name
from cordee.tasks import filters, panel, services
from cordee.tasks.forms import TaskDashboardForm, TaskForm, now_rounded
from cordee.tasks.models import OPEN_STATUSES, Task, TaskRecipient, TaskStatus


def _linked_patients(request: AuthedRequest, patient: Patient) -> list[Patient]:
    links = PatientLink.objects.filter(removed_at__isnull=True).filter(
        Q(from_patient=patient) | Q(to_patient=patient)
    )
    ids = {pk for link in links for pk in (link.from_patient_id, link.to_patient_id)} - {patient.pk}
    return list(visible_dossiers(request.actor).filter(pk__in=ids))


def create(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_TASKS, what="tâches")
    choices = services.recipient_choices(patient)
    mine = [m.pk for m in choices if m.user_id == request.user.pk]
    initial = {"due_at": now_rounded(), "status": TaskStatus.TODO, "recipients": mine}
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        choices=choices,
        questionnaires=readable_forms(request.actor, patient),
        may_join=can(request.actor, Perm.ADD_DOCUMENTS, patient),
    )
    linked = _linked_patients(request, patient)
    if request.method == "POST" and form.is_valid():
        task = form.save(commit=False)
        recipients = list(form.cleaned_data["recipients"])
        joined = form.cleaned_data.get("documents") or []
        try:
            if form.cleaned_data.get("linked") and linked:
                others = [
                    get_dossier(request.actor, p.public_id, Perm.MANAGE_TASKS, what="tâche commune")
                    for p in linked
                ]
                by_patient = {patient.pk: recipients}
                services.create_common_task(request.actor, [patient, *others], task, by_patient, joined)
            else:
                services.create_task(request.actor, patient, task, recipients, joined)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"La tâche « {task.label} » est créée.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "tasks/task_form.html", {"patient": patient, "form": form, "linked": linked})


def _task(patient: Patient, task_id: str) -> Task:
    return get_object_or_404(
        Task.objects.select_related(
            "task_type", "level", "patient", "created_by", "form__questionnaire_version__questionnaire"
        ),
        patient=patient,
        public_id=task_id,
    )


def edit(request: AuthedRequest, public_id: str, task_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_TASKS, what="tâche")
    task = _task(patient, task_id)
    can_write = request.method == "GET" or get_dossier(
        request.actor, public_id, Perm.MANAGE_TASKS, what="tâche"
    )
    rights = permissions(request.actor, patient)
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=task,
        questionnaires=readable_forms(request.actor, patient),
        may_join=Perm.ADD_DOCUMENTS in rights,
    )
    if request.method == "POST" and can_write and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE if name in form.cleaned_data}
        fresh = Task.objects.get(pk=task.pk)
        try:
            services.edit_task(
                request.actor,
                fresh,
                changes,
                form.cleaned_data.get("version") or 0,
                form.cleaned_data.get("documents") or [],
            )
        except services.StaleTaskError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La tâche est mise à jour.")
            return redirect("patients:detail", public_id=patient.public_id)
    context = {
        "patient": patient,
        "task": task,
        "form": form,
        "recipients": task.recipients.select_related("user", "structure"),
        "history": task.changes.select_related("user", "structure"),
        # Read under the dossier's "Documents" right, like every document; without it, only
        # their number is told.
        "documents": list(task.documents.filter(withdrawn_at__isnull=True).order_by("created_at", "pk")),
        "can_view_documents": Perm.VIEW_DOCUMENTS in rights,
    }
    return render(request, "tasks/task_detail.html", context)


@require_POST
def advance(request: AuthedRequest, public_id: str, task_id: str) -> HttpResponse:
    """TSK-2: a click on the status moves it along the cycle (htmx swaps the button).

    From the dossier's panel (TSK-3) the button posts `panneau`: the answer then also carries the
    panel's counts by status, swapped out of band — one more query, no second request.
    """
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_TASKS, what="statut de tâche")
    task = _task(patient, task_id)
    error = ""
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    try:
        services.advance_status(request.actor, task, expected)
    except services.StaleTaskError as exc:
        error = exc.message
        task.refresh_from_db()
    if request.htmx:
        context: dict[str, object] = {"task": task, "patient": patient, "error": error}
        if request.POST.get("panneau") and can(request.actor, Perm.VIEW_TASKS, patient):
            context["task_counts"] = panel.status_counts(patient)
        return render(request, "tasks/_status_changed.html", context)
    if error:
        messages.error(request, error)
    return redirect(safe_next(request, fallback=f"/patients/{patient.public_id}/"))


class _Scope:
    """What the dashboard and its pickers look at: the tasks on dossiers the actor may see, and
    among them those addressed to them or their structure — or, opened from a dossier, that
    dossier's tasks (through the policy, journaled).

    The querysets are built when first used: the default list walks the inboxes instead, and
    building them cost ~5 ms of a page on the benchmark machine."""

    def __init__(self, request: AuthedRequest) -> None:
        self.actor = request.actor
        self.patient: Patient | None = None
        if parse_uuid(request.GET.get("patient")) is not None:
            self.patient = get_dossier(request.actor, request.GET["patient"], Perm.VIEW_TASKS, what="tâches")

    @cached_property
    def visible(self) -> QuerySet[Task]:
        return Task.objects.filter(visible_through(self.actor))

    @cached_property
    def tasks(self) -> QuerySet[Task]:
        if self.patient is not None:
            return self.visible.filter(patient=self.patient)
        return self.visible.filter(filters.assigned_to(self.actor, ""))


# A row of the dashboard reads these values only, not model instances: a page of tasks and their
# related objects otherwise builds a dozen instances per row, and the template looked each value
# up through them. Rendered by `{% task_rows %}` (tasks/templatetags/tasks.py).
ROW_VALUES = (
    *("pk", "public_id", "label", "status", "due_at", "comment", "action", "version"),
    *("task_type__label", "level__label"),
    *("patient__public_id", "patient__birth_name", "patient__used_name"),
    *("patient__first_name", "patient__used_first_name"),
    *("form__public_id", "form__theme__is_restricted", "form__theme__parent__is_restricted"),
    "form__questionnaire_version__questionnaire__title",
)
# "Documents": how many files the task joins; named on the task's page, under the dossier's
# "Documents" right (a count here, in the rows' own query).
ROW_DOCUMENTS = Coalesce(
    Subquery(
        Document.objects.filter(task=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by()
        .values("task")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    0,
)
# "Destinataires": each recipient's name (a person, or a structure), in the rows' second query.
ROW_RECIPIENTS = (
    *("task_id", "user_id", "user__last_name", "user__first_name", "user__username", "structure__name"),
)


# Built once: each page only adds its ids (the columns' joins are not resolved again).
_ROW_QUERY = Task.objects.values(*ROW_VALUES, joined_documents=ROW_DOCUMENTS)
_RECIPIENTS_QUERY = TaskRecipient.objects.values_list(*ROW_RECIPIENTS)


@dataclass(slots=True)
class Row:
    """A task of the dashboard's page, as its row shows it."""

    pk: int
    public_id: uuid.UUID
    label: str
    status: str
    due_at: datetime.datetime
    comment: str
    action: str
    version: int
    type_label: str
    level_label: str
    patient_public_id: uuid.UUID
    patient_name: str
    form_public_id: uuid.UUID | None
    form_restricted: bool
    questionnaire_title: str
    joined_documents: int
    recipients: list[str]


def _rows(ids: list[int]) -> list[Row]:
    """The page's tasks, in the order of `ids`: two queries (the tasks, their recipients)."""
    if not ids:
        return []
    by_id: dict[int, Row] = {}
    for v in _ROW_QUERY.filter(pk__in=ids):
        pk = v["pk"]
        by_id[pk] = Row(
            pk=pk,
            public_id=v["public_id"],
            label=v["label"],
            status=v["status"],
            due_at=v["due_at"],
            comment=v["comment"],
            action=v["action"],
            version=v["version"],
            type_label=v["task_type__label"],
            level_label=v["level__label"],
            patient_public_id=v["patient__public_id"],
            patient_name=patient_name(
                v["patient__used_name"],
                v["patient__birth_name"],
                v["patient__first_name"],
                v["patient__used_first_name"],
            ),
            form_public_id=v["form__public_id"],
            form_restricted=bool(v["form__theme__is_restricted"] or v["form__theme__parent__is_restricted"]),
            questionnaire_title=v["form__questionnaire_version__questionnaire__title"] or "",
            joined_documents=v["joined_documents"],
            recipients=[],
        )
    recipients = _RECIPIENTS_QUERY.filter(task__in=ids)
    for task_id, user_id, last_name, first_name, username, structure_name in recipients:
        if task_id in by_id:
            name = display_name_of(last_name, first_name, username) if user_id is not None else structure_name
            by_id[task_id].recipients.append(name)
    return [by_id[pk] for pk in ids if pk in by_id]


def dashboard(request: AuthedRequest) -> HttpResponse:
    """TSK-4: tasks assigned to me or to the structure I act for, on dossiers I may see."""
    scope = _Scope(request)
    patient = scope.patient
    # The pickers' options are searched as one types (`picker`); the page only names the
    # values chosen in the URL, once checked against the scope.
    form = TaskDashboardForm(
        request.GET or None,
        recipients=lambda: filters.chosen_recipients(scope.tasks, request.GET.getlist("destinataire")),
        actions=lambda: filters.chosen_actions(scope.tasks, request.GET.getlist("action")),
        patients=lambda: filters.chosen_patients(scope.tasks, request.GET.getlist("patients")),
    )
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # field by field: a tampered value is dropped (its error shown), the rest applies
        data = form.cleaned_data
    statuses = data.get("statut") or ([] if patient else list(OPEN_STATUSES))
    sort_key = filters.sort_key(request.GET.get("tri"))
    # The first 1,001 ids in order give the capped count and the page ("Plus de 1 000 tâches"
    # beyond, as in the active file); then the page's rows are read by id.
    ids: Any
    if patient is None and filters.inbox_applies(statuses, sort_key):
        # Open tasks by due date: walked in the addressees' inboxes (an index each).
        ids = filters.inbox_ids(
            request.actor, data.get("contexte", ""), statuses, data, sort_key, COUNT_CAP + 1
        )
    else:
        # Every filter, on the tasks one may see (or the dossier's), then the addressee.
        tasks = scope.visible if patient is None else scope.tasks
        if statuses:
            tasks = tasks.filter(status__in=statuses)
        tasks = filters.apply_filters(tasks, data, visible_dossiers(request.actor))
        if patient is None:
            tasks = tasks.filter(
                filters.assigned_to(
                    request.actor, data.get("contexte", ""), open_only=filters.only_open(statuses)
                )
            )
        ids = tasks.order_by(*filters.SORTS[sort_key]).values_list("pk", flat=True)
    # "Nombre d'items par page", 10 by default as in the seed.
    page = CappedPaginator(ids, data.get("taille") or PAGE_SIZES[0]).get_page(request.GET.get("page"))
    page.object_list = _rows(list(page.object_list))
    chosen = {name: _chosen(form, data, name) for name in PICKERS}
    # Issue 24: the dossiers named on the page (rows and the chosen "Patient(s)"), journaled in
    # one statement.
    journal_shown(
        request.actor,
        [task.patient_public_id for task in page.object_list] + [value for value, _ in chosen["patients"]],
        "list_tasks",
        what="tableau des tâches",
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("tri", None)
    context = {
        "form": form,
        "page": page,
        "patient": patient,
        "now": timezone.now(),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort_key": sort_key,
        "default_sort": filters.DEFAULT_SORT,
        "sort_columns": filters.SORT_LABELS,
        "statuses": statuses,
        "page_sizes": PAGE_SIZES,
        "chosen": chosen,
    }
    template = "tasks/_dashboard_results.html" if wants_partial(request) else "tasks/dashboard.html"
    return render(request, template, context)


Options = list[tuple[str, str]]


def _in_options(options: Callable[[QuerySet[Task]], Options]) -> Callable[[_Scope, str, int], Options]:
    """A picker searching what the scope's tasks hold (recipients, actions): one dossier's tasks
    whole, otherwise the soonest open ones (`filters.option_scope`), filtered by what was typed."""

    def search(scope: _Scope, typed: str, limit: int) -> Options:
        held = options(filters.option_scope(scope.tasks, whole=scope.patient is not None))
        return filters.search_options(held, typed)[:limit]

    return search


def _patients(scope: _Scope, typed: str, limit: int) -> Options:
    if scope.patient is not None:  # opened from a dossier: that dossier only
        return filters.patient_options(
            named(Patient.objects.filter(pk=scope.patient.pk), typed), scope.tasks, limit
        )
    assigned = Task.objects.filter(filters.assigned_to(scope.actor, ""))
    return filters.patient_options(visible_named(scope.actor, typed), assigned, limit)


# The dashboard's searchable pickers: how each searches, and how the values chosen in the URL
# are checked against the scope.
PICKERS: dict[str, tuple[Callable[[_Scope, str, int], Options], Callable[..., Options]]] = {
    "destinataire": (_in_options(filters.recipient_options), filters.chosen_recipients),
    "action": (_in_options(filters.action_options), filters.chosen_actions),
    "patients": (_patients, filters.chosen_patients),
}
# "Patient(s)" is searched by name: from two letters on (`named`).
NAME_PICKERS = {"patients"}


def _chosen(form: TaskDashboardForm, data: dict[str, Any], name: str) -> list[tuple[str, str]]:
    picked = data.get(name) or []
    if not picked:
        return []
    return [(value, label) for value, label in form.fields[name].choices if value in picked]  # type: ignore[attr-defined]


def picker(request: AuthedRequest, field: str) -> HttpResponse:
    """TSK-4 "Patient(s)", "Destinataire(s)" and "Action(s)": what the actor's tasks hold,
    searched as one types; the values already chosen stay first, checked."""
    if field not in PICKERS:
        raise Http404
    search, chosen_in = PICKERS[field]
    scope = _Scope(request)
    chosen = chosen_in(scope.tasks, request.GET.getlist(field))
    typed = typed_text(request.GET.get("q"))
    too_short = field in NAME_PICKERS and len(search_key(typed)) < 2
    # One more than shown tells whether to say "précisez la recherche"; the chosen ones may be among them.
    found = [] if too_short else search(scope, typed, filters.PICKER_SIZE + 1 + len(chosen))
    found = [option for option in found if option not in chosen]
    if field in NAME_PICKERS:
        shown = chosen + found[: filters.PICKER_SIZE]
        journal_shown(request.actor, [value for value, _ in shown], "list_picker", what="tableau des tâches")
    context = {
        "field": field,
        "chosen": chosen,
        "found": found[: filters.PICKER_SIZE],
        "more": len(found) > filters.PICKER_SIZE,
        "typed": typed,
        "too_short": too_short,
        "searched": True,
    }
    return render(request, "tasks/_picker_options.html", context)


def choose_patient(request: AuthedRequest) -> HttpResponse:
    """TSK-1 from the dashboard: one patient only, found among the dossiers one may see."""
    query = typed_text(request.GET.get("nom"))
    patients = list(visible_named(request.actor, query).order_by("birth_name_key", "first_name_key")[:20])
    journal_many(request.actor, patients, "list_picker", what="nouvelle tâche : choix du patient")
    return render(request, "tasks/choose_patient.html", {"patients": patients, "nom": query})
