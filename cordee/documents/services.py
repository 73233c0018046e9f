"""Storing a checked upload as a document of the dossier (PAR-4 forms, TSK-1 tasks)."""

from __future__ import annotations

import hashlib
from typing import Any

from cordee.core.actor import Actor
from cordee.documents.checks import Checked
from cordee.documents.models import Document
from cordee.patients.models import Patient


def store(
    actor: Actor, patient: Patient, upload: Any, checked: Checked, source: Document.Source, **links: Any
) -> Document:
    """The file saved under a random name (never the user's: it may carry the patient's name),
    its digest kept to tell copies apart; `links` names what it belongs to (`form`, `task`).
    Called inside the caller's transaction, after `check_upload` accepted the file."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        patient=patient,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest.hexdigest(),
        source=source,
        created_by=actor.user,
        structure=actor.structure,
        **links,
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    return document
