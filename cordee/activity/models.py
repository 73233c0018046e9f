"""The dossier's story (ACT-1): every action on it, feed of the circle and source of notifications."""

from __future__ import annotations

from django.db import models

from cordee.core.models import BaseModel

# Longest note a professional may write in the feed: a page of text, not a report (a report is
# a document or a form).
NOTE_MAX_LENGTH = 5000


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
        DOCUMENT_VERSIONED = "DOCUMENT_VERSIONED", "Nouvelle version d'un document"
        DOCUMENT_WITHDRAWN = "DOCUMENT_WITHDRAWN", "Document retiré"
        COCON_INCLUDED = "COCON_INCLUDED", "Inclusion dans le parcours Cocon"
        COCON_CHANGED = "COCON_CHANGED", "Inclusion Cocon modifiée"
        COCON_ENDED = "COCON_ENDED", "Sortie du parcours Cocon"
        NOTE = "NOTE", "Note"
        MEMO_ADDED = "MEMO_ADDED", "Mémo ajouté"
        MEMO_CHANGED = "MEMO_CHANGED", "Mémo modifié"
        MEMO_DELETED = "MEMO_DELETED", "Mémo supprimé"
        APPOINTMENT = "APPOINTMENT", "Rendez-vous"

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
    # CIR-2 in the feed: the section of the rights matrix the event tells of (a stay is read
    # under "Hospitalisations"), and the theme of a form, so a reserved theme's forms stay
    # hidden from who may not open them — filtered in SQL, page after page (`activity.feed`).
    section = models.CharField("rubrique", max_length=40, blank=True)
    theme = models.ForeignKey(
        "pathways.Theme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "événement"
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="event_patient_idx"),
            models.Index(fields=["patient", "importance", "-created_at"], name="event_importance_idx"),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_note(self) -> bool:
        return self.kind == self.Kind.NOTE

    @property
    def actor_label(self) -> str:
        """Who acted, named once: the person, and the structure they acted for (issue 23)."""
        person = self.created_by.display_name if self.created_by else "Cordée"
        if self.structure is not None:
            return f"{person} ({self.structure.name})"
        return person


class Note(BaseModel):
    """ACT-1: a note written by a circle member in the feed; its importance is its event's.

    Corrected by its author (the earlier text kept as a `NoteRevision`), withdrawn but never
    deleted (SEC-3)."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="note")
    text = models.TextField("note", max_length=NOTE_MAX_LENGTH)
    version = models.PositiveIntegerField(default=1)
    edited_at = models.DateTimeField("modifiée le", null=True, blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "note du fil d'actualité"
        verbose_name_plural = "notes du fil d'actualité"

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class NoteRevision(BaseModel):
    """A note's text and importance as they were before a correction (`created_by` corrected it)."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="revisions")
    text = models.TextField("texte antérieur")
    importance = models.CharField(max_length=15, choices=Event.Importance.choices)
    written_at = models.DateTimeField("écrit le")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "version antérieure d'une note"
        verbose_name_plural = "versions antérieures des notes"
