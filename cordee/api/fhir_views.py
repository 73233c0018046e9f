"""INT-2: `/fhir/` — FHIR R4 read and search over the same policy as the pages and the API.

Errors are OperationOutcome resources in French; authentication is the API's personal access
token. Served: Patient (FR Core), Practitioner, Organization, CareTeam, Task; the other resources of
the issue (PractitionerRole, Questionnaire, QuestionnaireResponse, Appointment,
DocumentReference, bulk $export) are left out for now."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

from cordee.accounts.models import Structure, User
from cordee.api import fhir
from cordee.api.auth import token_of, via
from cordee.api.tokens import Refusal
from cordee.audit.services import journal_many
from cordee.careteam.access import Perm, get_dossier, visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.http import parse_uuid
from cordee.patients.active_file import ActiveFileFilterForm, apply_filters
from cordee.tasks.models import Task

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 100


def _answer(resource: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON)


def outcome(status: int, text: str, code: str = "processing") -> HttpResponse:
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    return _answer(
        OperationOutcome(issue=[{"severity": "error", "code": code, "diagnostics": text}]), status=status
    )


def _guarded(view: Any) -> Any:
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return outcome(405, "Ce serveur FHIR est en lecture seule.", "not-supported")
        try:
            token_of(request)
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        except Refusal as refusal:
            response = outcome(
                refusal.status, refusal.detail, "security" if refusal.status != 429 else "throttled"
            )
            if refusal.retry_after is not None:
                response["Retry-After"] = str(refusal.retry_after)
            return response
        except Http404:
            return outcome(404, "Ressource introuvable, ou hors de vos cercles de soins.", "not-found")
        except PermissionDenied:
            return outcome(403, "Vous n'avez pas le droit d'accéder à cette ressource.", "forbidden")

    run.__name__ = view.__name__
    # Read-only and authenticated by a bearer token, never by the session cookie: there is no
    # forgery to guard against, and a FHIR client that writes must read an OperationOutcome 405
    # rather than Django's HTML "CSRF verification failed" page.
    run.csrf_exempt = True
    return run


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: public, as FHIR clients read it before authenticating."""
    return _answer(fhir.capability_statement(_base(request)))


@_guarded
def patient_read(request: HttpRequest, public_id: str) -> HttpResponse:
    parsed = parse_uuid(public_id)
    if parsed is None:
        raise Http404
    dossier = get_dossier(request.actor, parsed, Perm.VIEW, what=f"FHIR Patient — {via(request)}")
    return _answer(fhir.patient(dossier))


@_guarded
def patient_search(request: HttpRequest) -> HttpResponse:
    """Patient?family=&given=&birthdate=&_count=&page= — the active file's name and birth-date
    rules (the same form), on the dossiers the token's actor may see."""
    form = ActiveFileFilterForm(
        QueryDict(
            urlencode(
                {
                    "nom": request.GET.get("family", ""),
                    "prenom": request.GET.get("given", ""),
                    "naissance": request.GET.get("birthdate", ""),
                }
            )
        )
    )
    if not form.is_valid():
        return outcome(400, " ".join(str(e) for errors in form.errors.values() for e in errors), "invalid")
    try:
        count = int(request.GET.get("_count", 20))
        page = int(request.GET.get("page", 1))
    except ValueError:
        return outcome(400, "_count et page sont des nombres entiers.", "invalid")
    if not 1 <= count <= MAX_COUNT or not 1 <= page <= 10_000:
        return outcome(400, f"_count va de 1 à {MAX_COUNT}.", "invalid")
    actor = request.actor
    queryset = apply_filters(visible_dossiers(actor), form.cleaned_data, actor).order_by(
        "birth_name_key", "first_name_key", "pk"
    )
    start = (page - 1) * count
    rows = list(queryset.select_related("birth_commune")[start : start + count + 1])
    shown = rows[:count]
    journal_many(actor, shown, "view", what=f"FHIR Patient?… — {via(request)}")
    query = {k: v for k, v in request.GET.items() if k != "page"}
    url = f"{_base(request)}Patient?"
    links = {"self": url + urlencode({**query, "page": page})}
    if len(rows) > count:
        links["next"] = url + urlencode({**query, "page": page + 1})
    if page > 1:
        links["previous"] = url + urlencode({**query, "page": page - 1})
    return _answer(fhir.searchset([fhir.patient(p) for p in shown], _base(request), links))


def _paging(request: HttpRequest) -> tuple[int, int] | HttpResponse:
    try:
        count = int(request.GET.get("_count", 20))
        page = int(request.GET.get("page", 1))
    except ValueError:
        return outcome(400, "_count et page sont des nombres entiers.", "invalid")
    if not 1 <= count <= MAX_COUNT or not 1 <= page <= 10_000:
        return outcome(400, f"_count va de 1 à {MAX_COUNT}.", "invalid")
    return count, page


def _links(request: HttpRequest, kind: str, page: int, more: bool) -> dict[str, str]:
    query = {k: v for k, v in request.GET.items() if k != "page"}
    url = f"{_base(request)}{kind}?"
    links = {"self": url + urlencode({**query, "page": page})}
    if more:
        links["next"] = url + urlencode({**query, "page": page + 1})
    if page > 1:
        links["previous"] = url + urlencode({**query, "page": page - 1})
    return links


def _patient_param(request: HttpRequest, perm: Perm, what: str) -> Any:
    """`patient=Patient/<id>` (or the bare id): the dossier through the policy, or 404."""
    value = request.GET.get("patient", "").removeprefix("Patient/")
    parsed = parse_uuid(value)
    if parsed is None:
        raise Http404
    return get_dossier(request.actor, parsed, perm, what=f"{what} — {via(request)}")


@_guarded
def task_search(request: HttpRequest) -> HttpResponse:
    """Task?patient=&status=: a dossier's tasks, the patient required (a search across dossiers
    would bypass the one door to them)."""
    if not request.GET.get("patient"):
        return outcome(400, "Le paramètre patient est obligatoire.", "required")
    paging = _paging(request)
    if isinstance(paging, HttpResponse):
        return paging
    count, page = paging
    dossier = _patient_param(request, Perm.VIEW_TASKS, "FHIR Task")
    rows = Task.objects.filter(patient=dossier).select_related("task_type", "level", "patient")
    statuses = [s for s in request.GET.get("status", "").split(",") if s]
    if statuses:
        unknown = [s for s in statuses if s not in fhir.TASK_STATUS_BACK]
        if unknown:
            return outcome(400, f"Statut inconnu : {', '.join(unknown)}.", "invalid")
        rows = rows.filter(status__in=[fhir.TASK_STATUS_BACK[s] for s in statuses])
    start = (page - 1) * count
    found = list(rows.order_by("due_at", "pk")[start : start + count + 1])
    return _answer(
        fhir.bundle(
            "Task",
            [fhir.task(t) for t in found[:count]],
            _base(request),
            _links(request, "Task", page, len(found) > count),
        )
    )


@_guarded
def task_read(request: HttpRequest, public_id: str) -> HttpResponse:
    parsed = parse_uuid(public_id)
    row = (
        Task.objects.select_related("task_type", "level", "patient").filter(public_id=parsed).first()
        if parsed
        else None
    )
    if row is None:
        raise Http404
    # Through the one door: the task's dossier, with the right to read tasks.
    get_dossier(request.actor, row.patient.public_id, Perm.VIEW_TASKS, what=f"FHIR Task — {via(request)}")
    return _answer(fhir.task(row))


def _circle(dossier: Any) -> Any:
    members = list(
        CircleMember.objects.filter(patient=dossier, removed_at__isnull=True)
        .select_related("user", "structure")
        .prefetch_related("roles")
        .order_by("-is_habilitated", "created_at", "pk")
    )
    return fhir.care_team(dossier, members)


@_guarded
def care_team_read(request: HttpRequest, public_id: str) -> HttpResponse:
    parsed = parse_uuid(public_id)
    if parsed is None:
        raise Http404
    dossier = get_dossier(request.actor, parsed, Perm.VIEW_CIRCLE, what=f"FHIR CareTeam — {via(request)}")
    return _answer(_circle(dossier))


@_guarded
def care_team_search(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("patient"):
        return outcome(400, "Le paramètre patient est obligatoire.", "required")
    dossier = _patient_param(request, Perm.VIEW_CIRCLE, "FHIR CareTeam")
    return _answer(
        fhir.bundle("CareTeam", [_circle(dossier)], _base(request), _links(request, "CareTeam", 1, False))
    )


@_guarded
def practitioner_read(request: HttpRequest, public_id: str) -> HttpResponse:
    """The directory (DIR-1) is open to every professional of the platform: so is this."""
    parsed = parse_uuid(public_id)
    user = User.objects.filter(public_id=parsed, is_active=True).first() if parsed else None
    if user is None:
        raise Http404
    return _answer(fhir.practitioner(user))


@_guarded
def organization_read(request: HttpRequest, public_id: str) -> HttpResponse:
    parsed = parse_uuid(public_id)
    structure = Structure.objects.filter(public_id=parsed, is_active=True).first() if parsed else None
    if structure is None:
        raise Http404
    return _answer(fhir.organization(structure))
