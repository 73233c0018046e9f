"""INT-1: personal access tokens — how software acts for a professional (or one of their
structures) through the API, under the same access policy as the pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Value

from cordee.core.models import BaseModel


class ApiToken(BaseModel):
    """A named secret a professional gives their software. Only its SHA-256 is stored: the
    secret (256 random bits) is shown once, at creation; a leaked table gives no usable token.

    A token acts as its owner alone, or as one of their structures (`membership`), exactly as
    the acting-as switch does for a session; it dies when revoked, expired, when the account is
    suspended (`User.is_active`) or when the membership it acts through ends.
    """

    class Scope(models.TextChoices):
        READ = "READ", "Lecture seule"
        WRITE = "WRITE", "Lecture et écriture"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="titulaire",
    )
    membership = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="agit en tant que",
    )
    name = models.CharField("nom", max_length=80)
    scope = models.CharField("portée", max_length=5, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField("début du jeton", max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernier usage", null=True, blank=True)
    # Per-token rate limit (a fixed window): the window's start and the calls made in it.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_calls = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "jeton d'accès personnel"
        verbose_name_plural = "jetons d'accès personnels"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class BulkExport(BaseModel):
    """INT-2, FHIR Bulk Data: one `Group/<structure>/$export` asked by a token — its request, its
    progress (the task worker writes it), and once done its NDJSON files (storage keys that
    cannot be guessed), served to that token alone until `expires_at`, then removed.

    The row outlives its files: who exported which structure's dossiers, when, stays known."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "En attente"
        RUNNING = "RUNNING", "En cours"
        DONE = "DONE", "Terminé"
        FAILED = "FAILED", "Échec"
        CANCELLED = "CANCELLED", "Annulé"
        EXPIRED = "EXPIRED", "Expiré (fichiers supprimés)"

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="bulk_exports")
    structure = models.ForeignKey(
        "accounts.Structure", on_delete=models.CASCADE, related_name="+", verbose_name="groupe (structure)"
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    # The resource types asked (`_type`), in the order their files are listed.
    types = models.JSONField("types", default=list)
    since = models.DateTimeField("_since", null=True, blank=True)
    # `_typeFilter`: {"Task": [{"status": ["requested", …]}, …]}: a type's queries, OR'ed.
    type_filters = models.JSONField(
        "_typeFilter", default=dict, db_default=Value({}, output_field=models.JSONField()), blank=True
    )
    request_url = models.CharField("requête", max_length=2000)
    # Where the FHIR server answers (https://…/fhir/), for the references inside the resources.
    base_url = models.CharField(max_length=500)
    transaction_time = models.DateTimeField("lu à", null=True, blank=True)
    dossiers_total = models.PositiveIntegerField(default=0)
    dossiers_done = models.PositiveIntegerField(default=0)
    # [{"type": "Patient", "name": <storage key>, "count": n}], once done.
    outputs = models.JSONField(default=list)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "export FHIR en masse"
        verbose_name_plural = "exports FHIR en masse"
        indexes = [models.Index(fields=["status", "expires_at"], name="bulk_export_expiry_idx")]

    def __str__(self) -> str:
        return f"$export {self.structure_id} ({self.get_status_display()})"
