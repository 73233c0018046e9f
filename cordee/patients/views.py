"""The active file, the dossier page and identity edition (IDV, DOS-1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cordee.activity.views import feed_context, lifeline_context
from cordee.audit.services import journal, journal_many
from cordee.careteam.access import Perm, get_dossier, permissions
from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.http import AuthedRequest, wants_partial
from cordee.memos.views import memo_panel
from cordee.notifications.services import dossier_read
from cordee.pathways.models import Theme
from cordee.patients.active_file import (
    COLUMNS,
    DEFAULT_SORT,
    PAGE_SIZES,
    ActiveFileFilterForm,
    CappedPaginator,
    Catalogue,
    active_file_dossiers,
    page_rows,
    sort,
)
from cordee.patients.filter_views import ACTIVE_FILE
from cordee.patients.forms import PatientIdentityForm
from cordee.patients.merge import open_duplicates
from cordee.patients.models import Favourite, Patient, PotentialDuplicate
from cordee.patients.programmes import PROGRAMMES, Enrolment, offered
from cordee.patients.services import ConcurrentEditError, update_identity
from cordee.tasks.models import OPEN_STATUSES, Task, TaskStatus
from cordee.tasks.panel import OPEN_TASKS_SHOWN

PAGE_SIZE = 20


# Parameters that are not filters: they do not make a search "filtered".
_NOT_FILTERS = {"page", "taille", "tri", "filtre", "tous"}


def active_file(request: AuthedRequest) -> HttpResponse:
    """SRCH-1..4: only the dossiers the actor is habilitated on, filtered, sorted, paginated."""
    params = request.GET
    # SRCH-4: the default search (★) applies on arrival, and the URL says so.
    default = ACTIVE_FILE.default(request)
    if default is not None:
        return default
    catalogue = Catalogue.read()
    form = ActiveFileFilterForm(params or None, catalogue=catalogue)
    # Field by field: a wrong or tampered value is dropped, its error shown beside it, and the
    # other criteria still apply (a stale saved filter keeps most of its use).
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    filtered = active_file_dossiers(request.actor, data)
    sort_key = data.get("tri") or DEFAULT_SORT
    size = data.get("taille") or PAGE_SIZES[0]
    page = CappedPaginator(sort(filtered, sort_key).values_list("pk", flat=True), size).get_page(
        params.get("page")
    )
    rows = page_rows(list(page.object_list), request.user, catalogue.programmes)
    # Issue 24: names and birth dates were shown — one journal row per dossier, one statement.
    journal_many(request.actor, rows, "list_active_file", what="file active")
    query = params.copy()
    for name in ("page", "filtre"):
        query.pop(name, None)
    sort_query = query.copy()
    sort_query.pop("tri", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort_key": sort_key,
        "filtered": any(key not in _NOT_FILTERS and any(query.getlist(key)) for key in query),
        "saved_filters": ACTIVE_FILE.mine(request),
        "current_filter": params.get("filtre", ""),
        "page_sizes": PAGE_SIZES,
        "columns": COLUMNS.shown(request.user),
        "column_choices": COLUMNS.columns,
    }
    template = "patients/_active_file_results.html" if wants_partial(request) else "patients/active_file.html"
    return render(request, template, context)


def _enrolments(patient: Patient) -> list[Enrolment]:
    """Where the dossier stands in each programme (Cocon…) whose theme is not reserved."""
    if not PROGRAMMES:
        return []
    codes = [programme.theme_code for programme in PROGRAMMES.values()]
    restricted = set(Theme.objects.filter(code__in=codes, is_restricted=True).values_list("code", flat=True))
    shown = []
    for programme in offered(restricted):
        enrolment = programme.summaries([patient.pk], clock.today()).get(patient.pk)
        if enrolment is not None:
            shown.append(enrolment)
    return shown


def detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """DOS-1: the dossier page, each section shown once its feature exists."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW, what="dossier")
    actor = request.actor
    # NOT-1 "Un professionnel accède à un dossier": the circle hears of the day's first read.
    dossier_read(actor, patient)
    rights = permissions(actor, patient)
    circle = (
        CircleMember.objects.filter(patient=patient, removed_at__isnull=True)
        .select_related("user", "user__profession", "structure")
        .order_by("-is_habilitated", "pk")
    )
    # CIR-2: a section the matrix does not open to the actor is neither queried nor shown.
    context = {
        "patient": patient,
        "rights": {perm.name: perm in rights for perm in Perm},
        "circle": circle if Perm.VIEW_CIRCLE in rights else None,
        "consents": patient.consents.select_related("structure", "created_by", "withdrawn_by")
        if Perm.VIEW_CONSENT in rights
        else None,
        "hospitalisations": patient.hospitalisations.filter(cancelled_at__isnull=True).select_related(
            "establishment"
        )
        if Perm.VIEW_HOSPITALISATIONS in rights
        else None,
        "links": _links(patient) if Perm.VIEW_LINKS in rights else None,
        "is_favourite": Favourite.objects.filter(user=request.user, patient=patient).exists(),
        "zones": list(patient.commune.zones.all()) if patient.commune else [],
        "can_edit_identity": Perm.EDIT_IDENTITY in rights,
        "can_edit_status": Perm.EDIT_STATUS in rights,
        "can_manage_stays": Perm.MANAGE_HOSPITALISATIONS in rights,
        "can_manage_links": Perm.MANAGE_LINKS in rights,
        "can_manage_consent": Perm.MANAGE_CONSENT in rights and actor.is_acting_as_structure,
        "today": clock.today(),
        "duplicates": _duplicates_shown(request, patient),
        "can_merge": Perm.MERGE in rights,
        **_tasks_panel(patient, rights, enlarged=request.user.tasks_panel_enlarged),
        # Issue 23: the programmes the child is followed in (Cocon: the next step), up front.
        "enrolments": _enrolments(patient) if Perm.VIEW_PATHWAYS in rights else [],
        # ACT-1: the feed's first page, as the viewer may read it (its own filters and "voir plus").
        **(feed_context(request, patient) if Perm.VIEW_FEED in rights else {"feed": None}),
        # ACT-3: "6. La ligne de vie", the last quarter and what is planned.
        "lifeline": lifeline_context(request, patient),
        # ACT-2: "7. Mémo", the latest memos the viewer may read.
        **(memo_panel(request, patient, on_dossier=True) if Perm.VIEW_MEMOS in rights else {"memos": None}),
    }
    return render(request, "patients/detail.html", context)


def _duplicates_shown(request: AuthedRequest, patient: Patient) -> list[tuple[PotentialDuplicate, Patient]]:
    """IDV-8: the other dossier's traits are shown for identity vigilance, even when the actor may
    not open it — like the search before creation, that display is an access and is journaled."""
    shown = [(flag, flag.other(patient)) for flag in open_duplicates(patient)]
    for _, other in shown:
        journal(request.actor, other, "identity_duplicate", what=f"doublon potentiel de {patient.public_id}")
    return shown


def _tasks_panel(patient: Patient, rights: frozenset[Perm], *, enlarged: bool) -> dict[str, object]:
    """TSK-3: counts by status and the open tasks, soonest due first. Fiche 25: enlarged, the
    panel takes the life line's place across the page and lists more of them as a table."""
    if Perm.VIEW_TASKS not in rights:
        return {"task_counts": None, "tasks_enlarged": False}
    counts = dict(Task.objects.filter(patient=patient).values_list("status").annotate(n=Count("pk")))
    return {
        "task_counts": [(status.label, counts.get(status.value, 0)) for status in TaskStatus],
        "open_tasks": Task.objects.filter(patient=patient, status__in=OPEN_STATUSES)
        .select_related("level", "task_type")
        .order_by("due_at")[: OPEN_TASKS_SHOWN[enlarged]],
        "can_manage_tasks": Perm.MANAGE_TASKS in rights,
        "tasks_enlarged": enlarged,
    }


def _links(patient: Patient) -> list[dict[str, object]]:
    rows = []
    for link in patient.links_out.filter(removed_at__isnull=True).select_related("relation", "to_patient"):
        # What the other dossier is to this one: "Enfant : …" on the parent's page.
        rows.append({"link": link, "other": link.to_patient, "label": link.relation.reverse_label})
    for link in patient.links_in.filter(removed_at__isnull=True).select_related("relation", "from_patient"):
        rows.append({"link": link, "other": link.from_patient, "label": link.relation.label})
    return rows


def identity_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    """IDV-3..7 with SEC-4: a stale form never overwrites a newer identity."""
    patient = get_dossier(request.actor, public_id, Perm.EDIT_IDENTITY, what="identité")
    form = PatientIdentityForm(request.POST if request.method == "POST" else None, instance=patient)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        changes = {name: form.cleaned_data[name] for name in form.cleaned_data if name != "version"}
        fresh = Patient.objects.get(pk=patient.pk)
        try:
            update_identity(request.actor, fresh, changes, expected_version=expected)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "L'identité du patient a été mise à jour.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/identity_edit.html", {"patient": patient, "form": form}, status=200)
