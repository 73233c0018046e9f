"""The dossier's documents space (ACT-4): files classified as the DMP expects, public to the
circle by category or shared with chosen members, versioned, withdrawn but never deleted.

Files attached inside forms (PAR-4) or to tasks (TSK-1) land here too, with a category."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cordee.core.models import BaseModel


def storage_path(instance: Document, filename: str) -> str:
    # Never the user's file name on disk: it may carry the patient's name. The key is random
    # (unguessable) and lives under the storage's root, never under a static root.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class DocumentCategory(models.Model):
    """A document class of the DMP (JDV_J57-ClassCode-DMP, codes of TRE_A03-ClasseDocument), or
    a category of our own ("Coordination", the seed's rubric for the DAC's documents).

    A restricted category is read only by whom a rule of the rights matrix names for it (CIR-2:
    social professions do not read medical reports by default); the others follow the
    "Documents" rights of the matrix."""

    code = models.CharField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=150)
    system = models.CharField("système de codage", max_length=200)
    source = models.CharField("source", max_length=200)
    source_version = models.CharField("version de la source", max_length=40, blank=True)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_restricted = models.BooleanField(
        "réservée",
        default=False,
        help_text="Lue seulement par les professions qu'une règle de la matrice des droits nomme.",
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "catégorie de document"
        verbose_name_plural = "catégories de document"

    def __str__(self) -> str:
        return self.label


class DocumentType(models.Model):
    """A document type within a category: LOINC codes the DMP uses (JDV_J66-TypeCode-DMP), or a
    code of our own where the DMP has none (the seed's "fiche d'orientation")."""

    category = models.ForeignKey(DocumentCategory, on_delete=models.PROTECT, related_name="types")
    code = models.CharField("code", max_length=40)
    system = models.CharField("système de codage", max_length=200)
    label = models.CharField("libellé", max_length=150)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["category__ordering", "ordering", "label"]
        verbose_name = "type de document"
        verbose_name_plural = "types de document"
        constraints = [
            models.UniqueConstraint(fields=["category", "system", "code"], name="document_type_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class Document(BaseModel):
    class Source(models.TextChoices):
        FORM = "FORM", "Formulaire"
        UPLOAD = "UPLOAD", "Ajout direct"
        TASK = "TASK", "Tâche"

    class Visibility(models.TextChoices):
        PUBLIC = "PUBLIC", "Public"
        SHARED = "SHARED", "Partagé"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="documents")
    file = models.FileField("fichier", upload_to=storage_path, max_length=200)
    name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.UPLOAD)
    category = models.ForeignKey(
        DocumentCategory, verbose_name="catégorie", on_delete=models.PROTECT, related_name="documents"
    )
    doc_type = models.ForeignKey(
        DocumentType,
        verbose_name="type de document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField("titre", max_length=200)
    # The document's own date (a report's, a prescription's), not the day it was added.
    document_date = models.DateField("date du document")
    visibility = models.CharField(
        "visibilité", max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    form = models.ForeignKey(
        "pathways.FormResponse", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # TSK-1: a file joined to a task lands in the dossier's documents too, read under the same
    # rights (its category's) wherever it is shown.
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Versions: every version is a row; `lineage` is the first version's id (shared by all), the
    # list shows the current one, the history every one, each downloadable.
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    version = models.PositiveIntegerField("version", default=1)
    is_current = models.BooleanField("version courante", default=True)
    # No hard delete of medical data: a document is withdrawn (reason kept), its file kept.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.CharField("motif du retrait", max_length=500, blank=True)

    class Meta:
        ordering = ["-document_date", "-created_at", "-pk"]
        verbose_name = "document"
        verbose_name_plural = "documents"
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="document_patient_idx"),
            models.Index(
                fields=["patient", "-document_date", "-created_at"],
                condition=Q(is_current=True, withdrawn_at__isnull=True),
                name="document_listed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="document_unique_version"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="document_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.name

    @property
    def previewable(self) -> bool:
        """PDF and images are shown in the page; other types are only downloaded."""
        return self.content_type in INLINE_TYPES


# Types a browser shows safely in the page (never HTML, SVG or anything that runs script).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})


class DocumentShare(models.Model):
    """ACT-4 "Partagé": a person of the circle, or a structure whose members acting for it (its
    delegates) see the document too."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "partage de document"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, structure__isnull=True)
                | Q(user__isnull=True, structure__isnull=False),
                name="document_share_user_or_structure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.user or self.structure}"
