"""DEM-1: requests ("demandes") from a professional to a resource team / DAC about a patient,
their steps, motifs and specialised services (reference data), and the history of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cordee.core.models import BaseModel
from cordee.patients.models import Sex


class Step(models.Model):
    """Reference data: Sollicitation → Réponse DAC → … → Clôture, in `ordering`."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)
    ordering = models.PositiveSmallIntegerField("ordre", unique=True)

    class Meta:
        ordering = ["ordering"]
        verbose_name = "étape de demande"
        verbose_name_plural = "étapes de demande"

    def __str__(self) -> str:
        return self.label


class Motif(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=150)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "motif de demande"
        verbose_name_plural = "motifs de demande"

    def __str__(self) -> str:
        return self.label


class SpecialisedService(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=150)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "service spécialisé"
        verbose_name_plural = "services spécialisés"

    def __str__(self) -> str:
        return self.label


class Counter(models.Model):
    """The last number given to a request: one row, locked while a number is taken, so numbers
    are sequential without gaps from races (the seed shows them to people: « demande 81025 »)."""

    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last)


class Referral(BaseModel):
    class Status(models.TextChoices):
        OPEN = "OPEN", "En cours"
        VALIDATED = "VALIDATED", "Validée"
        CANCELLED = "CANCELLED", "Annulée"

    number = models.PositiveIntegerField("identifiant", unique=True)
    team = models.ForeignKey(
        "accounts.Structure", verbose_name="équipe ressource", on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandeur", on_delete=models.PROTECT, related_name="+"
    )
    requester_structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="structure du demandeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The requester's dossier, when there is one; else the traits entered (identity carried) or
    # nothing (pseudonymous request).
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    birth_name = models.CharField("nom de naissance", max_length=150, blank=True)
    first_name = models.CharField("1er prénom de naissance", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune du patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    motif = models.ForeignKey(Motif, verbose_name="motif", on_delete=models.PROTECT, related_name="+")
    detail = models.TextField("détail de la demande")
    questionnaire_version = models.ForeignKey(
        "pathways.QuestionnaireVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField("réponses au formulaire", default=dict, blank=True)
    step = models.ForeignKey(Step, verbose_name="étape", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="affecté à",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external = models.BooleanField("externe au DAC", default=False)
    specialised_service = models.ForeignKey(
        SpecialisedService,
        verbose_name="service spécialisé",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField("réponse", blank=True)
    answered_at = models.DateTimeField("date réponse", null=True, blank=True)
    cancel_reason = models.CharField("motif d'annulation", max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-number"]
        verbose_name = "demande"
        indexes = [
            # The dashboard's order, covering its usual filters (zone through the commune, step,
            # status) on PostgreSQL: a date range is counted and paged from the index alone.
            models.Index(
                fields=["team", "-created_at", "-id"],
                include=["commune", "step", "status"],
                name="referral_team_idx",
            ),
            models.Index(fields=["requester", "-created_at", "-id"], name="referral_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"Demande {self.number}"

    @property
    def is_pseudonymous(self) -> bool:
        return self.patient_id is None and not self.birth_name

    @property
    def patient_label(self) -> str:
        if self.patient_id is not None and self.patient is not None:
            return str(self.patient.display_name)
        if self.birth_name:
            return f"{self.birth_name.upper()} {self.first_name}".strip()
        return "Demande anonymisée"


class Change(models.Model):
    """The history of a request: one row per change, whose `what` says it in French."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("le", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what = models.CharField("changement", max_length=300)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "changement de demande"

    def __str__(self) -> str:
        return self.what
