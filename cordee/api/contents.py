"""INT-1: what a dossier holds beyond its identity, circle and tasks — questionnaire responses
(read), documents (list, download, upload) and appointments (read).

Each operation opens the dossier through the one door (`get_dossier`, journaled) and then asks
the same questions as the pages: `theme_rights` / `hidden_themes` for forms (a reserved theme
the rights matrix does not open is absent), the documents app's `listed_documents`,
`get_document`, `DocumentForm`, `add_documents` and download response for documents, the
agenda's `dossier_appointments` (and its private-appointment rule) for appointments."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from cordee.agenda.patients import dossier_appointments
from cordee.api.auth import via
from cordee.api.dossiers import REFUSALS, invalid
from cordee.api.paging import PageParams, page_of
from cordee.api.problems import lookable, problem
from cordee.api.schemas import (
    AppointmentPage,
    DocumentOut,
    DocumentPage,
    DocumentUploadIn,
    FormResponseDetail,
    FormResponsePage,
    InvalidProblem,
)
from cordee.careteam.access import Perm, document_categories, get_dossier, hidden_themes, theme_rights
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.documents import services as documents
from cordee.documents.forms import DocumentForm
from cordee.documents.models import Document, DocumentCategory, DocumentType
from cordee.documents.views import file_response
from cordee.pathways.models import FormResponse
from cordee.patients.models import Patient

router = Router()
# The window of appointments read at once (the life line reads about as much), and how far into
# it pages go: occurrences of series are computed, not stored, so a page reads the window's
# appointments and computes up to its own last line.
MAX_DAYS = 800
MAX_APPOINTMENT_LINES = 1000


def _dossier(request: AuthedRequest, dossier_id: str, perm: Perm, what: str) -> Patient:
    parsed = parse_uuid(dossier_id)
    if parsed is None:
        raise Http404
    return get_dossier(request.actor, parsed, perm, what=f"{what} — {via(request)}")


# --- questionnaire responses (PAR-3) ---------------------------------------------------------


def form_out(form: FormResponse, *, answers: bool = False) -> dict[str, Any]:
    version = form.questionnaire_version
    row: dict[str, Any] = {
        "id": form.public_id,
        "questionnaire": {
            "id": version.questionnaire.public_id,
            "code": version.questionnaire.code,
            "title": version.questionnaire.title,
            "version": version.number,
            "version_id": version.public_id,
        },
        "theme": {"code": form.theme.code, "label": form.theme.label},
        "status": form.status,
        "created_at": form.created_at,
        "updated_at": form.updated_at,
        "closed_at": form.closed_at,
        "version": form.version,
    }
    if answers:
        row["answers"] = form.answers
    return row


def readable_forms(actor: Actor, patient: Patient) -> QuerySet[FormResponse]:
    """The dossier's forms whose theme the rights matrix opens to the actor (the Parcours tab's
    rule, as the feed and the life line ask it)."""
    return (
        FormResponse.objects.filter(patient=patient)
        .exclude(theme_id__in=hidden_themes(actor, patient).values("pk"))
        .select_related("questionnaire_version__questionnaire", "theme")
    )


@router.get(
    "/dossiers/{dossier_id}/formulaires",
    response={200: FormResponsePage, 422: InvalidProblem, **REFUSALS},
    summary="Les formulaires remplis d'un dossier (thématiques ouvertes à l'appelant), page par page",
    tags=["formulaires"],
)
def forms_list(request: AuthedRequest, dossier_id: str, paging: Query[PageParams]) -> Any:
    patient = _dossier(request, dossier_id, Perm.VIEW_PATHWAYS, "formulaires")
    rows = readable_forms(request.actor, patient).order_by("-updated_at", "-pk")
    return page_of(request, paging, list(rows[paging.start : paging.stop]), form_out)


@router.get(
    "/dossiers/{dossier_id}/formulaires/{form_id}",
    response={200: FormResponseDetail, **REFUSALS},
    summary="Un formulaire et ses réponses",
    tags=["formulaires"],
)
def form_read(request: AuthedRequest, dossier_id: str, form_id: str) -> Any:
    patient = _dossier(request, dossier_id, Perm.VIEW_PATHWAYS, f"formulaire {form_id}")
    parsed = parse_uuid(form_id)
    form = (
        FormResponse.objects.filter(patient=patient, public_id=parsed)
        .select_related("questionnaire_version__questionnaire", "theme__parent")
        .first()
        if parsed
        else None
    )
    # A form of a theme closed to the actor does not exist for them (the page's 404).
    if form is None or not theme_rights(request.actor, patient, form.theme)[0]:
        raise Http404
    return form_out(form, answers=True)


# --- documents (ACT-4) -----------------------------------------------------------------------


def _coding(row: DocumentCategory | DocumentType) -> dict[str, str]:
    return {"system": row.system, "code": row.code, "label": row.label}


def document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.public_id,
        "title": document.title,
        "file_name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "category": _coding(document.category),
        "type": _coding(document.doc_type) if document.doc_type else None,
        "document_date": document.document_date,
        "visibility": document.visibility,
        "version": document.version,
        "source": document.source,
        "created_at": document.created_at,
        "download": reverse(
            "api_v1:document_download",
            kwargs={"dossier_id": document.patient.public_id, "document_id": document.public_id},
        ),
    }


class DocumentFilters(PageParams):
    """The documents space's filters: a category (its code), a type (its code), words of the
    title; and the page."""

    categorie: str = ""
    type: str = ""
    q: str = ""


@router.get(
    "/dossiers/{dossier_id}/documents",
    response={200: DocumentPage, 422: InvalidProblem, **REFUSALS},
    summary="Les documents d'un dossier (versions courantes que l'appelant peut lire), page par page",
    tags=["documents"],
)
def documents_list(request: AuthedRequest, dossier_id: str, filters: Query[DocumentFilters]) -> Any:
    patient = _dossier(request, dossier_id, Perm.VIEW_DOCUMENTS, "documents")
    readable, _ = document_categories(request.actor, patient)
    rows = documents.listed_documents(request.actor, patient)
    errors = [
        {"field": name, "message": "Ce texte contient un caractère invalide."}
        for name in ("categorie", "type", "q")
        if not lookable(getattr(filters, name))
    ]
    if errors:
        return problem(422, "Certaines données sont invalides.", errors=errors)
    if filters.categorie:
        category = DocumentCategory.objects.filter(code=filters.categorie, pk__in=readable).first()
        if category is None:
            errors.append({"field": "categorie", "message": "Choisissez une catégorie de la liste."})
        rows = rows.filter(category=category)
    if filters.type:
        kinds = DocumentType.objects.filter(code=filters.type, category_id__in=readable)
        if not kinds.exists():
            errors.append({"field": "type", "message": "Choisissez un type de la liste."})
        rows = rows.filter(doc_type__in=kinds)
    if len(filters.q) > 100:
        errors.append({"field": "q", "message": "Ce texte est trop long."})
    if errors:
        return problem(422, "Certaines données sont invalides.", errors=errors)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    rows = rows.order_by("-document_date", "-created_at", "-pk").select_related(
        "category", "doc_type", "patient"
    )
    return page_of(request, filters, list(rows[filters.start : filters.stop]), document_out)


@router.get(
    "/dossiers/{dossier_id}/documents/{document_id}/fichier",
    response={200: None, **REFUSALS},
    summary="Télécharger un document",
    tags=["documents"],
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le fichier, en pièce jointe (type déterminé à l'ajout, d'après son contenu).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_download(request: AuthedRequest, dossier_id: str, document_id: str) -> FileResponse:
    """The page's download: the same policy, the same journal line, the same response headers."""
    patient = _dossier(request, dossier_id, Perm.VIEW_DOCUMENTS, f"document {document_id}")
    document = documents.get_document(request.actor, patient, parse_uuid(document_id))
    return file_response(document, inline=False)


_UPLOAD_FIELDS = {"uploads": "files", "doc_type": "type"}


@router.post(
    "/dossiers/{dossier_id}/documents",
    response={201: list[DocumentOut], 422: InvalidProblem, **REFUSALS},
    summary="Ajouter un ou plusieurs documents (mêmes contrôles que la page)",
    tags=["documents"],
)
def document_upload(
    request: AuthedRequest,
    dossier_id: str,
    payload: Form[DocumentUploadIn],
    files: File[list[UploadedFile]],
) -> Any:
    """ACT-4 through software: the page's form (size, type read from the content, extension,
    number of files, category the actor may write, type of that category, date, visibility,
    recipients who can open the dossier) and the page's service; refused, nothing is written."""
    patient = _dossier(request, dossier_id, Perm.ADD_DOCUMENTS, "ajout de document")
    _, writable = document_categories(request.actor, patient)
    categories = list(DocumentCategory.objects.filter(pk__in=writable, is_active=True))
    choices = documents.share_choices(patient)
    category = next((c for c in categories if c.code == payload.category), None)
    kind = (
        DocumentType.objects.filter(category=category, code=payload.type, is_active=True).first()
        if payload.type and category is not None and lookable(payload.type)
        else None
    )
    members = {member.public_id: member.pk for member in choices}
    data = QueryDict(mutable=True)
    # A code the actor may not write, or an unknown one, is sent as a value out of the list:
    # the form answers with its own message.
    data["category"] = str(category.pk) if category else "0"
    data["doc_type"] = str(kind.pk) if kind else ("0" if payload.type else "")
    data["title"] = payload.title
    data["document_date"] = payload.document_date.isoformat()
    data["visibility"] = payload.visibility
    data.setlist("recipients", [str(members.get(member, 0)) for member in payload.recipients])
    uploads = MultiValueDict({"uploads": list(files)})
    form = DocumentForm(data, uploads, categories=categories, choices=choices)
    if not form.is_valid():
        return invalid(form.errors, _UPLOAD_FIELDS)
    cleaned = form.cleaned_data
    try:
        added = documents.add_documents(
            request.actor,
            patient,
            cleaned["uploads"],
            category=cleaned["category"],
            doc_type=cleaned["doc_type"],
            title=cleaned["title"],
            document_date=cleaned["document_date"],
            visibility=cleaned["visibility"],
            recipients=cleaned["recipients"],
        )
    except DjangoValidationError as exc:
        return invalid(exc.message_dict, _UPLOAD_FIELDS)
    return Status(201, [document_out(document) for document in added])


# --- appointments (AGD-1) --------------------------------------------------------------------


class Window(PageParams):
    """From `debut` to `fin` (days, Europe/Paris), by default the "RDV patient" theme's: the last
    three months and the coming year; and the page (at most MAX_APPOINTMENT_LINES lines in)."""

    debut: datetime.date | None = None
    fin: datetime.date | None = None


def _place(line: Any) -> str | None:
    appointment = line.appointment
    if appointment.place_kind == appointment.Place.TELECONSULTATION:
        return str(appointment.Place.TELECONSULTATION.label)
    where = ", ".join(part for part in (appointment.address, str(appointment.commune or "")) if part)
    return where or None


def appointment_out(line: Any) -> dict[str, Any]:
    appointment = line.appointment
    shown = line.details
    return {
        "id": appointment.public_id,
        # The agenda's word for what a private appointment shows to the others.
        "title": appointment.title if shown else "Occupé",
        "private": appointment.is_private,
        "details": shown,
        "starts_at": line.starts_at,
        "ends_at": line.ends_at,
        "all_day": appointment.all_day,
        "status": appointment.status,
        "type": appointment.event_type.label if shown else None,
        "place": _place(line) if shown else None,
        "participants": [
            p.user.display_name if p.user is not None else p.structure.name
            for p in appointment.shown_participants
        ]
        if shown
        else None,
    }


@router.get(
    "/dossiers/{dossier_id}/rendez-vous",
    response={200: AppointmentPage, 422: InvalidProblem, **REFUSALS},
    summary="Les rendez-vous d'un dossier (les privés : « Occupé »), page par page",
    tags=["rendez-vous"],
)
def appointments_list(request: AuthedRequest, dossier_id: str, window: Query[Window]) -> Any:
    """AGD-1: read by whoever sees the dossier (the life line's rule); occurrences of series
    included; a private appointment shows "Occupé" only, but to its author and participants."""
    patient = _dossier(request, dossier_id, Perm.VIEW, "rendez-vous")
    today = clock.today()
    first = window.debut or today - datetime.timedelta(days=92)
    last = window.fin or today + datetime.timedelta(days=366)
    if not (datetime.date(1900, 1, 1) <= first < last <= datetime.date(2100, 12, 31)) or (
        (last - first).days > MAX_DAYS
    ):
        return problem(
            422,
            "Période invalide.",
            errors=[
                {
                    "field": "fin",
                    "message": f"La fin suit le début, au plus {MAX_DAYS} jours après, entre 1900 et 2100.",
                }
            ],
        )
    if window.stop - 1 > MAX_APPOINTMENT_LINES:
        return problem(
            422,
            "Page trop lointaine.",
            errors=[
                {
                    "field": "page",
                    "message": f"Au-delà de {MAX_APPOINTMENT_LINES} rendez-vous, resserrez la période "
                    "(debut, fin).",
                }
            ],
        )
    lines = dossier_appointments(
        request.actor, patient, first, last + datetime.timedelta(days=1), limit=window.stop
    )
    return page_of(request, window, lines[window.start :], appointment_out)
