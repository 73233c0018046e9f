"""Documents of the dossier (PAR-4 for now: files attached inside forms)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from cordee.careteam.access import Perm, get_dossier, theme_rights
from cordee.core.http import AuthedRequest
from cordee.documents.models import Document


def document(request: AuthedRequest, public_id: str, document_id: str) -> FileResponse:
    """PAR-4: a document of the dossier, downloaded through the policy and journaled."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_DOCUMENTS, what=f"document {document_id}")
    doc = get_object_or_404(
        Document.objects.select_related("form__theme__parent"),
        patient=patient,
        public_id=document_id,
        withdrawn_at__isnull=True,
    )
    if doc.form is not None and not theme_rights(request.actor, patient, doc.form.theme)[0]:
        raise Http404
    handle = doc.file.open("rb")
    return FileResponse(handle, as_attachment=True, filename=doc.name, content_type=doc.content_type)
