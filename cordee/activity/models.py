"""The dossier's story (ACT-1): every action on it, feed of the circle and source of notifications."""

from __future__ import annotations

from django.db import models

from cordee.core.models import BaseModel


class Event(BaseModel):
    class Kind(models.TextChoices):
        CREATED = "CREATED", "Dossier créé"
        IDENTITY_CHANGED = "IDENTITY_CHANGED", "Identité modifiée"
        IDENTITY_VALIDATED = "IDENTITY_VALIDATED", "Identité validée"
        STATUS_CHANGED = "STATUS_CHANGED", "Statut du dossier modifié"
        DEATH_DECLARED = "DEATH_DECLARED", "Décès déclaré"
        CONSENT_GIVEN = "CONSENT_GIVEN", "Consentement recueilli"
        CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN", "Consentement annulé"
        HOSPITALISATION_ADDED = "HOSPITALISATION_ADDED", "Hospitalisation ajoutée"
        HOSPITALISATION_CHANGED = "HOSPITALISATION_CHANGED", "Hospitalisation modifiée"
        LINK_ADDED = "LINK_ADDED", "Dossier lié"
        LINK_REMOVED = "LINK_REMOVED", "Lien entre dossiers retiré"
        MERGED = "MERGED", "Dossiers fusionnés"
        CIRCLE_CHANGED = "CIRCLE_CHANGED", "Cercle de soins modifié"
        TASK_CREATED = "TASK_CREATED", "Tâche ajoutée"
        TASK_CHANGED = "TASK_CHANGED", "Tâche modifiée"
        THEME_ADDED = "THEME_ADDED", "Thématique ajoutée au parcours"
        THEME_REMOVED = "THEME_REMOVED", "Thématique retirée du parcours"
        FORM_CREATED = "FORM_CREATED", "Formulaire créé"
        FORM_SAVED = "FORM_SAVED", "Formulaire enregistré"
        FORM_CLOSED = "FORM_CLOSED", "Formulaire clôturé"
        FORM_REOPENED = "FORM_REOPENED", "Formulaire rouvert"
        DOCUMENT_ADDED = "DOCUMENT_ADDED", "Document ajouté"
        COCON_INCLUDED = "COCON_INCLUDED", "Inclusion dans le parcours Cocon"
        COCON_CHANGED = "COCON_CHANGED", "Inclusion Cocon modifiée"
        COCON_ENDED = "COCON_ENDED", "Sortie du parcours Cocon"

    class Importance(models.TextChoices):
        NORMAL = "NORMAL", "Normale"
        IMPORTANT = "IMPORTANT", "Important"
        VERY_IMPORTANT = "VERY_IMPORTANT", "Très important"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    summary = models.CharField("résumé", max_length=300)
    data = models.JSONField("détails", default=dict, blank=True)
    importance = models.CharField(max_length=15, choices=Importance.choices, default=Importance.NORMAL)
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "événement"
        indexes = [models.Index(fields=["patient", "-created_at"], name="event_patient_idx")]

    def __str__(self) -> str:
        return self.summary
