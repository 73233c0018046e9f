"""The dossier's documents space (ACT-4): the tab (list, filters, search, sort), adding
documents, a document's page with its preview, and the download — every one through the access
policy, every file served by a view that asks it and journals the read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from cordee.audit.models import Access
from cordee.audit.services import journal
from cordee.careteam.access import Perm, document_categories, get_dossier, permissions
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.documents import services
from cordee.documents.forms import DocumentForm, VersionForm, WithdrawForm
from cordee.documents.models import INLINE_TYPES, Document, DocumentCategory, DocumentType
from cordee.patients.models import Patient

PAGE_SIZE = 20
SORTS = {
    "-date": ("-document_date", "-created_at", "-pk"),
    "date": ("document_date", "created_at", "pk"),
    "-ajout": ("-created_at", "-pk"),
    "titre": ("title", "-document_date", "pk"),
}
SORT_LABELS = {
    "-date": "Date du document (récents d'abord)",
    "date": "Date du document (anciens d'abord)",
    "-ajout": "Date d'ajout (récents d'abord)",
    "titre": "Titre (A → Z)",
}
# The file response runs nothing and loads nothing: a PDF or an image shown in the page cannot
# reach the rest of the site even if a crafted file slipped through the checks.
FILE_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; base-uri 'none'; form-action 'none'"


class ListFilters(forms.Form):
    """The booklet's filters of the documents space, read from the query string: a value that is
    not one of the choices is dropped with its error, never a 500."""

    categorie = forms.ChoiceField(label="Catégorie", required=False)
    type = forms.ChoiceField(label="Type", required=False)
    q = forms.CharField(label="Rechercher dans les titres", required=False, max_length=100)
    tri = forms.ChoiceField(label="Trier par", required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, data: Any, categories: list[DocumentCategory], types: list[DocumentType]) -> None:
        super().__init__(data)
        self.fields["categorie"].choices = [("", "Toutes")] + [(c.code, c.label) for c in categories]  # type: ignore[attr-defined]
        self.fields["type"].choices = [("", "Tous")] + [  # type: ignore[attr-defined]
            (str(t.pk), f"{t.category.label} › {t.label}") for t in types
        ]


def tab(request: AuthedRequest, public_id: str) -> HttpResponse:
    """ACT-4: the documents the actor may see, current versions, filtered, sorted, paginated."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_DOCUMENTS, what="documents")
    readable, writable = document_categories(request.actor, patient)
    rights = permissions(request.actor, patient)
    categories = [c for c in DocumentCategory.objects.all() if c.pk in readable]
    types = list(DocumentType.objects.filter(category_id__in=readable).select_related("category"))
    filters = ListFilters(request.GET, categories, types)
    filters.is_valid()
    clean = {
        name: str(filters.cleaned_data.get(name) or "")
        for name in filters.fields
        if name not in filters.errors
    }
    documents = services.listed_documents(request.actor, patient)
    if clean.get("categorie"):
        documents = documents.filter(category__code=clean["categorie"])
    if clean.get("type"):
        documents = documents.filter(doc_type_id=int(clean["type"]))
    if clean.get("q"):
        documents = documents.filter(title__icontains=clean["q"])
    sort = clean.get("tri") or "-date"
    documents = documents.order_by(*SORTS[sort]).select_related(
        "category", "doc_type", "created_by", "structure"
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in clean.items() if v})
    context = {
        "patient": patient,
        "page": page,
        "filters": filters,
        "query": query,
        "can_add": bool(writable),
        "rights": {perm.name: perm in rights for perm in Perm},
        "filtered": any(clean.get(name) for name in ("categorie", "type", "q")),
    }
    return render(request, "documents/tab.html", context)


def add(request: AuthedRequest, public_id: str) -> HttpResponse:
    """ACT-4 "Ajouter un document": only in categories the actor may write."""
    patient = get_dossier(request.actor, public_id, Perm.ADD_DOCUMENTS, what="ajout de document")
    _, writable = document_categories(request.actor, patient)
    categories = list(DocumentCategory.objects.filter(pk__in=writable, is_active=True))
    choices = services.share_choices(patient)
    posted = request.method == "POST"
    form = DocumentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        categories=categories,
        choices=choices,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            added = services.add_documents(
                request.actor,
                patient,
                data["uploads"],
                category=data["category"],
                doc_type=data["doc_type"],
                title=data["title"],
                document_date=data["document_date"],
                visibility=data["visibility"],
                recipients=data["recipients"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            count = len(added)
            messages.success(
                request, f"{count} document{'s' if count > 1 else ''} ajouté{'s' if count > 1 else ''}."
            )
            return redirect("documents:tab", public_id=patient.public_id)
    types_by_category: dict[str, list[str]] = {}
    for doc_type in form.fields["doc_type"].queryset:  # type: ignore[attr-defined]
        types_by_category.setdefault(str(doc_type.category_id), []).append(str(doc_type.pk))
    context = {"patient": patient, "form": form, "types_by_category": types_by_category}
    return render(request, "documents/add.html", context)


def detail(request: AuthedRequest, public_id: str, document_id: str) -> HttpResponse:
    """A document's page: its description, the preview of a PDF or an image, its versions, and
    for its author a new version or its withdrawal."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_DOCUMENTS, what=f"fiche document {document_id}")
    document = services.get_document(request.actor, patient, parse_uuid(document_id))
    return _render_detail(request, patient, document)


def _render_detail(
    request: AuthedRequest,
    patient: Patient,
    document: Document,
    *,
    version_form: VersionForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manageable = document.is_current and services.may_manage(request.actor, patient, document)
    initial = {"version": document.version}
    context = {
        "patient": patient,
        "document": document,
        "shares": list(document.shares.select_related("user", "structure")),
        "versions": services.history(request.actor, patient, document),
        "manageable": manageable,
        "version_form": version_form or VersionForm(initial=initial),
        "withdraw_form": withdraw_form or WithdrawForm(initial=initial),
    }
    return render(request, "documents/detail.html", context, status=status)


def _managed(request: AuthedRequest, public_id: str, document_id: str, what: str) -> tuple[Patient, Document]:
    patient = get_dossier(request.actor, public_id, Perm.ADD_DOCUMENTS, what=f"{what} {document_id}")
    document = services.get_document(request.actor, patient, parse_uuid(document_id))
    if not services.may_manage(request.actor, patient, document):
        journal(request.actor, patient, what, Access.Outcome.FORBIDDEN, what=f"document {document.public_id}")
        raise PermissionDenied
    return patient, document


@require_POST
def new_version(request: AuthedRequest, public_id: str, document_id: str) -> HttpResponse:
    """ACT-4 "Nouvelle version": replaces the document in the list, keeps the earlier ones."""
    patient, document = _managed(request, public_id, document_id, "version_document")
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        upload, checked = form.cleaned_data["upload"]
        try:
            new = services.add_version(
                request.actor,
                patient,
                document,
                upload,
                checked,
                expected_version=form.cleaned_data["version"],
                document_date=form.cleaned_data["document_date"],
            )
        except services.StaleDocumentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"La version {new.version} du document est enregistrée.")
            return redirect("documents:detail", public_id=patient.public_id, document_id=new.public_id)
    return _render_detail(request, patient, document, version_form=form, status=400)


@require_POST
def withdraw(request: AuthedRequest, public_id: str, document_id: str) -> HttpResponse:
    """ACT-4: a document added by mistake is withdrawn (never deleted), the reason asked."""
    patient, document = _managed(request, public_id, document_id, "withdraw_document")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw(
                request.actor,
                patient,
                document,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleDocumentError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            messages.success(request, f"Le document « {document.title} » est retiré.")
            return redirect("documents:tab", public_id=patient.public_id)
    return _render_detail(request, patient, document, withdraw_form=form, status=400)


def file_response(document: Document, *, inline: bool) -> FileResponse:
    handle = document.file.open("rb")
    response = FileResponse(
        handle, as_attachment=not inline, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Only the preview is framed, and only by our own document page.
    ancestors = "'self'" if inline else "'none'"
    response["Content-Security-Policy"] = f"{FILE_CSP}; frame-ancestors {ancestors}"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def document(request: AuthedRequest, public_id: str, document_id: str) -> FileResponse:
    """PAR-4, ACT-4: a document downloaded through the policy and journaled, as an attachment."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_DOCUMENTS, what=f"document {document_id}")
    doc = services.get_document(request.actor, patient, parse_uuid(document_id))
    return file_response(doc, inline=False)


@xframe_options_sameorigin
def preview(request: AuthedRequest, public_id: str, document_id: str) -> FileResponse:
    """The same file shown in the page — only PDF and images; anything else is downloaded."""
    patient = get_dossier(
        request.actor, public_id, Perm.VIEW_DOCUMENTS, what=f"aperçu document {document_id}"
    )
    doc = services.get_document(request.actor, patient, parse_uuid(document_id))
    return file_response(doc, inline=doc.content_type in INLINE_TYPES)
