"""The dossier's documents — the minimal storage PAR-4 and TSK-1 need: files attached inside forms
or to tasks land here; the documents issue builds the full space (categories, upload page, versions) on it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from cordee.core.models import BaseModel


def storage_path(instance: Document, filename: str) -> str:
    # Never the user's file name on disk: it may carry the patient's name.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Document(BaseModel):
    class Source(models.TextChoices):
        FORM = "FORM", "Formulaire"
        UPLOAD = "UPLOAD", "Ajout direct"
        TASK = "TASK", "Tâche"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="documents")
    file = models.FileField("fichier", upload_to=storage_path, max_length=200)
    name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.UPLOAD)
    form = models.ForeignKey(
        "pathways.FormResponse", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # TSK-1: a file joined to a task lands in the dossier's documents too, read under the same
    # right ("Documents" of the rights matrix) wherever it is shown.
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # No hard delete of medical data: a document is withdrawn, its file kept.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "document"
        verbose_name_plural = "documents"
        indexes = [models.Index(fields=["patient", "-created_at"], name="document_patient_idx")]

    def __str__(self) -> str:
        return self.name
