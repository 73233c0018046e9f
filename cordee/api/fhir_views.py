"""INT-2: `/fhir/` — FHIR R4 read and search over the same policy as the pages and the API.

Errors are OperationOutcome resources in French; authentication is the API's personal access
token. Served: Patient (FR Core), Practitioner, PractitionerRole, Organization, CareTeam, Task,
Appointment, DocumentReference, Questionnaire, QuestionnaireResponse; the Bulk Data export of a
structure's Group is `bulk_views`."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

from cordee.accounts.models import Structure, User
from cordee.api import fhir
from cordee.api.auth import token_of, via
from cordee.api.tokens import Refusal
from cordee.audit.services import journal_many
from cordee.careteam.access import Perm, get_dossier
from cordee.careteam.models import CircleMember
from cordee.core.http import parse_uuid
from cordee.patients.active_file import ActiveFileFilterForm, active_file_dossiers
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


def refused(refusal: Refusal) -> HttpResponse:
    """A token refused (401, 403, 429: missing, dead, wrong scope, over its rate) as the
    OperationOutcome every FHIR URL answers — the read and search views' and the bulk export's."""
    response = outcome(refusal.status, refusal.detail, "security" if refusal.status != 429 else "throttled")
    if refusal.retry_after is not None:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def _guarded(view: Any) -> Any:
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return outcome(405, "Ce serveur FHIR est en lecture seule.", "not-supported")
        try:
            token_of(request)
            if any("\x00" in value for values in request.GET.lists() for value in values[1]):
                # PostgreSQL refuses NUL in a query: such a search matches nothing, said so.
                return outcome(400, "Un paramètre contient un caractère invalide.", "invalid")
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        except Refusal as refusal:
            return refused(refusal)
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
    queryset = active_file_dossiers(actor, form.cleaned_data).order_by(
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


def _search(request: HttpRequest, kind: str, rows: Any, build: Any, prepare: Any = None) -> HttpResponse:
    """A searchset of `rows` (a queryset or a list), paged by `_count` and `page`; `prepare`
    reads what the page's rows need in one go, before each is built."""
    paging = _paging(request)
    if isinstance(paging, HttpResponse):
        return paging
    count, page = paging
    start = (page - 1) * count
    found = list(rows[start : start + count + 1])
    if prepare is not None:
        prepare(found[:count])
    return _answer(
        fhir.bundle(
            kind,
            [build(row) for row in found[:count]],
            _base(request),
            _links(request, kind, page, len(found) > count),
        )
    )


def _required_patient(request: HttpRequest) -> HttpResponse | None:
    if not request.GET.get("patient"):
        return outcome(400, "Le paramètre patient est obligatoire.", "required")
    return None


# --- Appointment: the dossier's appointments, read by whoever sees the dossier (the life line's
# rule); a private one is "Occupé" to whoever is neither its author nor taking part. -----------


def _appointment_rows(appointments: list[Any]) -> dict[int, set[int]]:
    from cordee.agenda.models import Participant

    people: dict[int, list[Any]] = {row.pk: [] for row in appointments}
    for person in Participant.objects.filter(appointment__in=[row.pk for row in appointments]).select_related(
        "user", "structure"
    ):
        people[person.appointment_id].append(person)
    users = {}
    for row in appointments:
        row.shown_participants = people[row.pk]
        users[row.pk] = {p.user_id for p in people[row.pk] if p.user_id}
    return users


@_guarded
def appointment_read(request: HttpRequest, public_id: str) -> HttpResponse:
    from cordee.agenda.agendas import sees_details
    from cordee.agenda.models import Appointment

    parsed = parse_uuid(public_id)
    row = (
        Appointment.objects.filter(public_id=parsed, deleted_at__isnull=True, patient__isnull=False)
        .select_related("event_type", "patient")
        .first()
        if parsed
        else None
    )
    if row is None or row.patient is None:
        raise Http404
    dossier = get_dossier(
        request.actor, row.patient.public_id, Perm.VIEW, what=f"FHIR Appointment — {via(request)}"
    )
    users = _appointment_rows([row])
    return _answer(fhir.appointment(row, dossier, sees_details(request.actor, row, users[row.pk])))


@_guarded
def appointment_search(request: HttpRequest) -> HttpResponse:
    """Appointment?patient=&date=geYYYY-MM-DD&date=leYYYY-MM-DD: the dossier's appointments
    (series by their first occurrence), by start."""
    from cordee.agenda.agendas import sees_details
    from cordee.agenda.models import Appointment
    from cordee.core import clock

    missing = _required_patient(request)
    if missing:
        return missing
    dossier = _patient_param(request, Perm.VIEW, "FHIR Appointment")
    rows = Appointment.objects.filter(patient=dossier, deleted_at__isnull=True)
    for value in request.GET.getlist("date"):
        prefix, day = (value[:2], value[2:]) if value[:2] in ("ge", "le", "gt", "lt") else ("eq", value)
        parsed_day = _day(day)
        if parsed_day is None:
            return outcome(400, f"Date invalide : {value} (format attendu : geAAAA-MM-JJ).", "invalid")
        start = clock.start_of_day(parsed_day)
        following = clock.start_of_day(parsed_day + datetime.timedelta(days=1))
        rows = {
            "ge": rows.filter(last_ends_at__gte=start),
            "gt": rows.filter(last_ends_at__gte=following),
            "le": rows.filter(starts_at__lt=following),
            "lt": rows.filter(starts_at__lt=start),
            "eq": rows.filter(starts_at__lt=following, last_ends_at__gt=start),
        }[prefix]
    rows = rows.select_related("event_type").order_by("starts_at", "pk")
    users: dict[int, set[int]] = {}

    def build(row: Any) -> Any:
        return fhir.appointment(row, dossier, sees_details(request.actor, row, users[row.pk]))

    # The page's participants in one query, whatever the page holds.
    return _search(request, "Appointment", rows, build, lambda page: users.update(_appointment_rows(page)))


def _day(value: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31) else None


# --- DocumentReference: the documents space's rule (`readable_documents`), current versions. --


@_guarded
def document_reference_read(request: HttpRequest, public_id: str) -> HttpResponse:
    from cordee.documents import services
    from cordee.documents.models import Document

    parsed = parse_uuid(public_id)
    row = Document.objects.filter(public_id=parsed).select_related("patient").first() if parsed else None
    if row is None:
        raise Http404
    dossier = get_dossier(
        request.actor,
        row.patient.public_id,
        Perm.VIEW_DOCUMENTS,
        what=f"FHIR DocumentReference document {public_id} — {via(request)}",
    )
    document = services.get_document(request.actor, dossier, parsed)
    return _answer(fhir.document_reference(document, _base(request)))


@_guarded
def document_reference_search(request: HttpRequest) -> HttpResponse:
    """DocumentReference?patient=&category=&type= (codes, optionally `system|code`)."""
    from cordee.documents import services

    missing = _required_patient(request)
    if missing:
        return missing
    dossier = _patient_param(request, Perm.VIEW_DOCUMENTS, "FHIR DocumentReference")
    rows = services.listed_documents(request.actor, dossier)
    for param, field in (("category", "category"), ("type", "doc_type")):
        value = request.GET.get(param, "")
        if value:
            system, _, code = value.rpartition("|")
            rows = rows.filter(**{f"{field}__code": code})
            if system:
                rows = rows.filter(**{f"{field}__system": system})
    rows = rows.select_related("category", "doc_type", "patient").order_by(
        "-document_date", "-created_at", "-pk"
    )
    return _search(
        request, "DocumentReference", rows, lambda row: fhir.document_reference(row, _base(request))
    )


# --- Questionnaire: the versioned definitions (reference data, open to every token). ---------


@_guarded
def questionnaire_read(request: HttpRequest, public_id: str) -> HttpResponse:
    from cordee.pathways.models import QuestionnaireVersion

    parsed = parse_uuid(public_id)
    version = (
        QuestionnaireVersion.objects.filter(public_id=parsed, published_at__isnull=False)
        .select_related("questionnaire")
        .first()
        if parsed
        else None
    )
    if version is None:
        raise Http404
    return _answer(fhir.questionnaire(version))


@_guarded
def questionnaire_search(request: HttpRequest) -> HttpResponse:
    """Questionnaire?url=urn:cordee:questionnaire:<code>: the published versions, latest first."""
    from cordee.pathways.models import QuestionnaireVersion

    rows = QuestionnaireVersion.objects.filter(published_at__isnull=False).select_related("questionnaire")
    url = request.GET.get("url", "")
    if url:
        system, _, code = url.rpartition(":")
        if system != fhir.QUESTIONNAIRE_SYSTEM:
            return _answer(
                fhir.bundle("Questionnaire", [], _base(request), _links(request, "Questionnaire", 1, False))
            )
        rows = rows.filter(questionnaire__code=code)
    rows = rows.order_by("questionnaire__code", "-number", "pk")
    return _search(request, "Questionnaire", rows, fhir.questionnaire)


# --- QuestionnaireResponse: a dossier's forms, only of themes the rights matrix opens. --------


@_guarded
def questionnaire_response_read(request: HttpRequest, public_id: str) -> HttpResponse:
    from cordee.careteam.access import theme_rights
    from cordee.pathways.models import FormResponse

    parsed = parse_uuid(public_id)
    form = (
        FormResponse.objects.filter(public_id=parsed)
        .select_related("questionnaire_version__questionnaire", "theme__parent", "patient")
        .first()
        if parsed
        else None
    )
    if form is None:
        raise Http404
    dossier = get_dossier(
        request.actor,
        form.patient.public_id,
        Perm.VIEW_PATHWAYS,
        what=f"FHIR QuestionnaireResponse formulaire {public_id} — {via(request)}",
    )
    if not theme_rights(request.actor, dossier, form.theme)[0]:
        raise Http404
    return _answer(fhir.questionnaire_response(form, dossier, _base(request)))


@_guarded
def questionnaire_response_search(request: HttpRequest) -> HttpResponse:
    from cordee.api.contents import readable_forms

    missing = _required_patient(request)
    if missing:
        return missing
    dossier = _patient_param(request, Perm.VIEW_PATHWAYS, "FHIR QuestionnaireResponse")
    rows = readable_forms(request.actor, dossier).order_by("-updated_at", "-pk")
    return _search(
        request,
        "QuestionnaireResponse",
        rows,
        lambda form: fhir.questionnaire_response(form, dossier, _base(request)),
    )


# --- PractitionerRole: the directory's memberships (open to every professional, DIR-1). ------


def _roles() -> Any:
    from cordee.accounts.models import Membership

    return Membership.objects.filter(
        is_active=True, user__is_active=True, structure__is_active=True
    ).select_related("user", "user__profession", "structure")


@_guarded
def practitioner_role_read(request: HttpRequest, public_id: str) -> HttpResponse:
    parsed = parse_uuid(public_id)
    membership = _roles().filter(public_id=parsed).first() if parsed else None
    if membership is None:
        raise Http404
    return _answer(fhir.practitioner_role(membership))


@_guarded
def practitioner_role_search(request: HttpRequest) -> HttpResponse:
    """PractitionerRole?practitioner=&organization=: one of them at least (the directory is
    searched on its own page, not listed whole here)."""
    rows = _roles()
    wanted = {
        "practitioner": ("Practitioner/", "user__public_id"),
        "organization": ("Organization/", "structure__public_id"),
    }
    asked = False
    for param, (prefix, field) in wanted.items():
        value = request.GET.get(param, "")
        if value:
            asked = True
            parsed = parse_uuid(value.removeprefix(prefix))
            if parsed is None:
                return outcome(400, f"Identifiant invalide : {param}.", "invalid")
            rows = rows.filter(**{field: parsed})
    if not asked:
        return outcome(400, "Le paramètre practitioner ou organization est obligatoire.", "required")
    return _search(request, "PractitionerRole", rows.order_by("pk"), fhir.practitioner_role)
