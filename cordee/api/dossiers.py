"""INT-1: dossiers (search with the active file's filters, read, create through the search
before creation), their circle and their tasks — the same policy and services as the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, QueryDict
from ninja import Query, Router, Status

from cordee.api.auth import via
from cordee.api.paging import PageParams, page_of
from cordee.api.problems import lookable, problem
from cordee.api.schemas import (
    CircleMemberOut,
    DossierIn,
    DossierOut,
    DossierPage,
    DuplicateProblem,
    InvalidProblem,
    Problem,
    StatusChange,
    TaskIn,
    TaskOut,
    TaskPage,
)
from cordee.audit.services import journal_many
from cordee.careteam.access import Perm, get_dossier, visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.patients.active_file import ActiveFileFilterForm, active_file_dossiers, sort
from cordee.patients.forms import ConsentForm, PatientIdentityForm
from cordee.patients.matching import Traits, find_candidates
from cordee.patients.models import Patient
from cordee.patients.services import ConsentInput, create_patient
from cordee.tasks import services as task_services
from cordee.tasks.models import NEXT_STATUS, Task, TaskLevel, TaskStatus, TaskType

router = Router(tags=["dossiers"])
REFUSALS: dict[int | tuple[int, ...], Any] = {(401, 403, 404, 429): Problem}


def _errors(
    form_errors: Mapping[str, Iterable[Any]], rename: dict[str, str] | None = None
) -> list[dict[str, str]]:
    rename = rename or {}
    return [
        {"field": rename.get(field, field) if field != "__all__" else "(corps)", "message": str(message)}
        for field, messages in form_errors.items()
        for message in messages
    ]


def invalid(form_errors: Mapping[str, Iterable[Any]], rename: dict[str, str] | None = None) -> HttpResponse:
    return problem(422, "Certaines données sont invalides.", errors=_errors(form_errors, rename))


def dossier_out(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.public_id,
        "birth_name": patient.birth_name,
        "used_name": patient.used_name,
        "first_name": patient.first_name,
        "used_first_name": patient.used_first_name,
        "birth_date": patient.birth_date,
        "sex": patient.sex,
        "identity_status": patient.identity_status,
        "status": patient.status,
        "birth_commune": patient.birth_commune_id,
        "birth_country": patient.birth_country_id,
        "commune": patient.commune_id,
    }


class SearchParams(PageParams):
    """The active file's filters (same names, same rules), and the page."""

    nom: str = ""
    prenom: str = ""
    naissance: str = ""
    sexe: list[str] = []
    statut: list[str] = []
    ville: str = ""
    professionnel: str = ""
    structure: str = ""
    favoris: str = ""
    decedes: str = ""
    archives: str = ""
    taches: str = ""
    hospitalisation: str = ""
    tri: str = ""


@router.get(
    "/dossiers",
    response={200: DossierPage, 422: InvalidProblem, **REFUSALS},
    summary="Rechercher dans la file active",
)
def search(request: AuthedRequest, params: Query[SearchParams]) -> Any:
    data = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in ("page", "taille"):
            data.setlist(key, values)
    form = ActiveFileFilterForm(data)
    if not form.is_valid():
        return invalid(form.errors)
    queryset = active_file_dossiers(request.actor, form.cleaned_data)
    rows = list(
        sort(queryset, form.cleaned_data.get("tri") or "").select_related(None)[params.start : params.stop]
    )
    journal_many(request.actor, rows[: params.taille], "view", what=f"recherche — {via(request)}")
    return page_of(request, params, rows, dossier_out)


@router.get("/dossiers/{dossier_id}", response={200: DossierOut, **REFUSALS}, summary="Lire un dossier")
def read(request: AuthedRequest, dossier_id: str) -> Any:
    return dossier_out(_dossier(request, dossier_id, Perm.VIEW, "identité"))


def _dossier(request: AuthedRequest, dossier_id: str, perm: Perm, what: str) -> Patient:
    parsed = parse_uuid(dossier_id)
    if parsed is None:
        from django.http import Http404

        raise Http404
    return get_dossier(request.actor, parsed, perm, what=f"{what} — {via(request)}")


_IDENTITY_NAMES = {
    "consentement-given_by": "consent_given_by",
    "consentement-attestation": "consent_attested",
}


@router.post(
    "/dossiers",
    response={201: DossierOut, 409: DuplicateProblem, 422: InvalidProblem, **REFUSALS},
    summary="Créer un dossier (recherche avant création)",
)
def create(request: AuthedRequest, payload: DossierIn) -> Any:
    """IDV-1, IDV-2, CON-1: the identity is checked by the creation form's rules, the five traits
    searched first; a probable duplicate is answered 409 with the candidates (their ids only
    when the token may open them), never created silently."""
    if request.actor.structure is None:
        return problem(
            403, "Un dossier se crée en agissant en tant que structure : utilisez un jeton de structure."
        )
    fields = payload.dict()
    data = {k: v for k, v in fields.items() if not k.startswith("consent") and k != "reviewed_candidates"}
    data["birth_date"] = payload.birth_date.isoformat()
    data["identity_status"] = "PROV"
    data["is_fictitious"] = "on" if payload.is_fictitious else ""
    if not data["is_fictitious"]:
        data.pop("is_fictitious")
    form = PatientIdentityForm(data)
    consent = ConsentForm(
        {
            "consentement-attestation": "on" if payload.consent_attested else "",
            "consentement-given_by": payload.consent_given_by,
            "consentement-given_by_detail": payload.consent_given_by_detail,
        },
        prefix="consentement",
    )
    if not (form.is_valid() and consent.is_valid()):
        errors = {**form.errors, **{f"consent_{k}": v for k, v in consent.errors.items()}}
        return invalid(errors, {"consent_attestation": "consent_attested"})
    cleaned = form.cleaned_data
    commune = cleaned.get("birth_commune")
    traits = Traits(
        birth_name=cleaned["birth_name"],
        first_name=cleaned["first_name"],
        birth_date=cleaned["birth_date"],
        sex=cleaned["sex"],
        birth_commune_code=getattr(commune, "code", None),
    )
    candidates = find_candidates(traits)
    if candidates:
        journal_many(
            request.actor,
            [c.patient for c in candidates],
            "identity_search",
            what=f"recherche avant création — {via(request)}",
        )
    reviewed = set(payload.reviewed_candidates)
    if any(c.patient.public_id not in reviewed for c in candidates):
        visible = set(
            visible_dossiers(request.actor)
            .filter(pk__in=[c.patient.pk for c in candidates])
            .values_list("pk", flat=True)
        )
        return problem(
            409,
            "Un ou plusieurs dossiers existants ressemblent à cette identité : vérifiez qu'il ne s'agit "
            "pas du même patient. Pour créer malgré tout, renvoyez la demande avec leurs identifiants "
            "dans « reviewed_candidates ».",
            title="Doublon probable",
            candidates=[
                {
                    "id": str(c.patient.public_id),
                    "birth_name": c.patient.birth_name,
                    "first_name": c.patient.first_name,
                    "birth_date": c.patient.birth_date.isoformat(),
                    "score": c.score,
                    "reasons": c.reasons,
                    "may_open": c.patient.pk in visible,
                }
                for c in candidates
            ],
        )
    patient = form.save(commit=False)
    try:
        create_patient(
            request.actor,
            patient,
            ConsentInput(
                given_by=consent.cleaned_data["given_by"],
                given_by_detail=consent.cleaned_data.get("given_by_detail", ""),
            ),
        )
    except DjangoValidationError as exc:
        return invalid(exc.message_dict)
    return Status(201, dossier_out(patient))


@router.get(
    "/dossiers/{dossier_id}/cercle",
    response={200: list[CircleMemberOut], **REFUSALS},
    summary="Le cercle de soins d'un dossier",
    tags=["cercle"],
)
def circle(request: AuthedRequest, dossier_id: str) -> Any:
    patient = _dossier(request, dossier_id, Perm.VIEW_CIRCLE, "cercle de soins")
    members = (
        CircleMember.objects.filter(patient=patient, removed_at__isnull=True)
        .select_related("user", "structure")
        .prefetch_related("roles")
        .order_by("-is_habilitated", "created_at", "pk")
    )
    return [
        {
            "id": m.public_id,
            "name": m.display_name,
            "is_structure": m.is_structure,
            "is_habilitated": m.is_habilitated,
            "roles": [role.label for role in m.roles.all()],
            "professional_id": m.user.public_id if m.user else None,
            "structure_id": m.structure.public_id if m.structure else None,
        }
        for m in members
    ]


def task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.public_id,
        "label": task.label,
        "type": task.task_type.label,
        "level": task.level.label,
        "status": task.status,
        "due_at": task.due_at,
        "comment": task.comment,
        "version": task.version,
    }


@router.get(
    "/dossiers/{dossier_id}/taches",
    response={200: TaskPage, 422: InvalidProblem, **REFUSALS},
    summary="Les tâches d'un dossier, page par page",
    tags=["tâches"],
)
def tasks(request: AuthedRequest, dossier_id: str, paging: Query[PageParams]) -> Any:
    patient = _dossier(request, dossier_id, Perm.VIEW_TASKS, "tâches")
    rows = Task.objects.filter(patient=patient).select_related("task_type", "level").order_by("due_at", "pk")
    return page_of(request, paging, list(rows[paging.start : paging.stop]), task_out)


@router.post(
    "/dossiers/{dossier_id}/taches",
    response={201: TaskOut, 422: InvalidProblem, **REFUSALS},
    summary="Créer une tâche",
    tags=["tâches"],
)
def create_task(request: AuthedRequest, dossier_id: str, payload: TaskIn) -> Any:
    patient = _dossier(request, dossier_id, Perm.MANAGE_TASKS, "tâches")
    from cordee.tasks.forms import TaskForm

    # Issue 24: a label PostgreSQL cannot compare (a NUL byte) is "no such type", not an error;
    # the moment goes to the form as sent, its offset included: the form bounds the day before
    # any conversion (year 1 at +01:00 overflowed into a 500).
    task_type = TaskType.objects.filter(label=payload.type).first() if lookable(payload.type) else None
    level = TaskLevel.objects.filter(label=payload.level).first() if lookable(payload.level) else None
    form = TaskForm(
        {
            "task_type": task_type.pk if task_type else "",
            "level": level.pk if level else "",
            "label": payload.label,
            "status": payload.status,
            "due_at": payload.due_at.isoformat(),
            "comment": payload.comment,
        },
        choices=task_services.recipient_choices(patient),
        questionnaires=[],
        may_join=False,
    )
    if not form.is_valid():
        return invalid(form.errors, {"task_type": "type", "level": "level"})
    task = form.save(commit=False)
    try:
        task_services.create_task(request.actor, patient, task, [])
    except DjangoValidationError as exc:
        return invalid(exc.message_dict)
    return Status(201, task_out(task))


@router.post(
    "/dossiers/{dossier_id}/taches/{task_id}/statut",
    response={200: TaskOut, 409: Problem, 422: InvalidProblem, **REFUSALS},
    summary="Passer une tâche au statut suivant (avec contrôle de version)",
    tags=["tâches"],
)
def change_status(request: AuthedRequest, dossier_id: str, task_id: str, payload: StatusChange) -> Any:
    patient = _dossier(request, dossier_id, Perm.MANAGE_TASKS, "tâches")
    parsed = parse_uuid(task_id)
    task = (
        Task.objects.select_related("task_type", "level", "patient")
        .filter(patient=patient, public_id=parsed)
        .first()
        if parsed
        else None
    )
    if task is None:
        return problem(404, "Tâche introuvable dans ce dossier.")
    expected = NEXT_STATUS[TaskStatus(task.status)]
    if payload.version != task.version:
        return problem(
            409,
            "Cette tâche a été modifiée entre-temps : relisez-la avant de changer son statut.",
            title="Modification concurrente",
        )
    if payload.status != expected:
        return problem(
            422,
            "Statut non permis.",
            errors=[
                {
                    "field": "status",
                    "message": f"Depuis « {TaskStatus(task.status).label} », le statut suivant est "
                    f"« {expected.label} » ({expected.value}).",
                }
            ],
        )
    try:
        task_services.advance_status(request.actor, task, payload.version)
    except task_services.StaleTaskError:
        return problem(
            409,
            "Cette tâche a été modifiée entre-temps : relisez-la avant de changer son statut.",
            title="Modification concurrente",
        )
    return task_out(task)
