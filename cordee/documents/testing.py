"""Helpers for tests that need a document added the way the documents space adds it (ACT-4)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cordee.core.actor import Actor
from cordee.documents import services as documents
from cordee.documents.checks import check_upload
from cordee.documents.models import Document, DocumentCategory, DocumentType
from cordee.patients.models import Patient

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu de consultation\n"


def add_test_document(
    actor: Actor,
    dossier: Patient,
    title: str,
    code: str = "10",
    type_code: str | None = "11488-4",
    *,
    recipients: Iterable[Any] | None = None,
    content: bytes = PDF,
    name: str = "compte-rendu.pdf",
) -> Document:
    """A PDF through the upload checks and `add_documents`: public, or shared with `recipients`
    (circle rows) when given; category and type by their codes (the DMP's, or COORDINATION)."""
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    checked, error = check_upload(upload)
    assert checked is not None, error
    (document,) = documents.add_documents(
        actor,
        dossier,
        [(upload, checked)],
        category=DocumentCategory.objects.get(code=code),
        doc_type=DocumentType.objects.get(code=type_code) if type_code else None,
        title=title,
        document_date=datetime.date(2026, 3, 2),
        visibility=Document.Visibility.PUBLIC if recipients is None else Document.Visibility.SHARED,
        recipients=recipients or (),
    )
    return document
