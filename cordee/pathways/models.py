"""PAR: themes of the Parcours tab, versioned questionnaire definitions, filled forms and every
saved version of them."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cordee.core.models import BaseModel
from cordee.pathways.definition import Definition, DefinitionError, parse_definition


class Theme(BaseModel):
    """A thématique (``parent`` empty) or a sous-thématique. Reference data, edited in the admin."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name="thématique parente",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    # PAR-1: "Principal", "Fil d'actualité" and "RDV patient" are on every dossier.
    is_default = models.BooleanField("présente dans tous les dossiers", default=False)
    # CIR-2: a restricted theme is seen only by the professions / roles the rights matrix names
    # for it; the others follow the matrix's "Parcours" section alone.
    is_restricted = models.BooleanField("réservée (matrice des droits)", default=False)
    is_active = models.BooleanField("active", default=True)
    description = models.TextField("description", blank=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "thématique"
        verbose_name_plural = "thématiques"

    def __str__(self) -> str:
        return f"{self.parent.label} › {self.label}" if self.parent_id and self.parent else self.label

    @property
    def root(self) -> Theme:
        return self.parent if self.parent_id and self.parent else self


class Questionnaire(BaseModel):
    """A formulaire; its content lives in versions. ``theme`` is the (sub-)theme it belongs to."""

    code = models.SlugField("code", max_length=80, unique=True)
    title = models.CharField("titre", max_length=200)
    theme = models.ForeignKey(
        Theme, verbose_name="thématique", on_delete=models.PROTECT, related_name="questionnaires"
    )
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("proposé à la création", default=True)
    # e.g. the Cocon mobile-team follow-up: "jusqu'à 12 mois uniquement".
    max_age_months = models.PositiveSmallIntegerField(
        "créé jusqu'à l'âge de (mois)", null=True, blank=True, help_text="Vide : sans limite d'âge."
    )

    class Meta:
        ordering = ["ordering", "title"]
        verbose_name = "questionnaire"
        verbose_name_plural = "questionnaires"

    def __str__(self) -> str:
        return self.title

    def max_age_allows(self, birth_date: datetime.date, today: datetime.date) -> bool:
        if self.max_age_months is None:
            return True
        limit: datetime.date = birth_date + relativedelta(months=self.max_age_months)
        return today < limit

    def current_version(self) -> QuestionnaireVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


def definition_hash(definition: Any) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class QuestionnaireVersion(BaseModel):
    """PAR-2: one version of a questionnaire. Once published it never changes: forms filled
    against it stay readable whatever the later versions."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("version")
    definition = models.JSONField("définition")
    digest = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    notes = models.TextField("notes de version", blank=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = "version de questionnaire"
        verbose_name_plural = "versions de questionnaire"
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} — v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def parsed(self) -> Definition:
        cached: Definition | None = getattr(self, "_parsed", None)
        if cached is None:
            cached = parse_definition(self.definition)
            self._parsed = cached
        return cached

    def clean(self) -> None:
        try:
            parse_definition(self.definition)
        except DefinitionError as exc:
            raise ValidationError({"definition": exc.problems}) from exc

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = QuestionnaireVersion.objects.filter(pk=self.pk).values("published_at", "digest").first()
            if (
                stored
                and stored["published_at"] is not None
                and stored["digest"] != definition_hash(self.definition)
            ):
                raise ValidationError("Une version publiée ne se modifie pas : créez une nouvelle version.")
        self.digest = definition_hash(self.definition)
        super().save(*args, **kwargs)


class DossierTheme(BaseModel):
    """A theme added to a dossier's Parcours tab (the default themes need no row)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("position", default=0)
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "thématique du dossier"
        verbose_name_plural = "thématiques des dossiers"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "theme"],
                condition=Q(removed_at__isnull=True),
                name="dossier_theme_live_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.theme)


class FormStatus(models.TextChoices):
    DRAFT = "DRAFT", "En cours"
    CLOSED = "CLOSED", "Clôturé"


class FormResponse(BaseModel):
    """PAR-3: one filled form of a dossier, against the questionnaire version it was opened with."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="forms")
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("statut", max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    answers = models.JSONField("réponses", default=dict)
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("clôturé le", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SEC-4: every write checks and bumps it; a stale form never overwrites a newer one.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = "formulaire"
        verbose_name_plural = "formulaires"
        indexes = [models.Index(fields=["patient", "theme"], name="form_patient_theme_idx")]

    def __str__(self) -> str:
        return f"{self.questionnaire_version.questionnaire} ({self.get_status_display()})"

    @property
    def is_closed(self) -> bool:
        return self.status == FormStatus.CLOSED


class FormRevision(models.Model):
    """PAR-3: every save is kept — the answers exactly as they were after it."""

    class Action(models.TextChoices):
        CREATED = "CREATED", "Création"
        SAVED = "SAVED", "Enregistrement"
        CLOSED = "CLOSED", "Clôture"
        REOPENED = "REOPENED", "Réouverture"

    response = models.ForeignKey(FormResponse, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField("version")
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.CharField(max_length=10, choices=FormStatus.choices)
    answers = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["response", "-number"]
        verbose_name = "version de formulaire"
        verbose_name_plural = "versions de formulaire"
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="form_revision_unique")]

    def __str__(self) -> str:
        return f"v{self.number} — {self.get_action_display()}"
