"""Writing the dossier's story (ACT-1): events recorded by every service, notes by the circle.

One function per action (`write_note`, `correct_note`, `withdraw_note`), each one transaction
with its event and its journal row: notifications (NOT) hook on these, nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cordee.activity.models import NOTE_MAX_LENGTH, Event, Note, NoteRevision
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.careteam.models import Section
from cordee.core.actor import Actor
from cordee.core.text import clip, clip_to
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce

if TYPE_CHECKING:
    from cordee.pathways.models import Theme
    from cordee.patients.models import Patient


class StaleNoteError(Exception):
    """SEC-4: the note changed (corrected or withdrawn) since this copy of it was opened."""

    message = (
        "Cette note a été modifiée ou retirée depuis que vous l'avez ouverte. "
        "Votre correction n'a pas été enregistrée : rechargez la page pour voir la version actuelle."
    )


K = Event.Kind
# CIR-2: the section of the rights matrix each kind of event is read under.
SECTION_OF_KIND: dict[str, str] = {
    K.CREATED: Section.IDENTITY,
    K.IDENTITY_CHANGED: Section.IDENTITY,
    K.IDENTITY_VALIDATED: Section.IDENTITY,
    K.MERGED: Section.IDENTITY,
    K.STATUS_CHANGED: Section.STATUS,
    K.DEATH_DECLARED: Section.STATUS,
    K.CONSENT_GIVEN: Section.CONSENT,
    K.CONSENT_WITHDRAWN: Section.CONSENT,
    K.HOSPITALISATION_ADDED: Section.HOSPITALISATIONS,
    K.HOSPITALISATION_CHANGED: Section.HOSPITALISATIONS,
    K.LINK_ADDED: Section.LINKS,
    K.LINK_REMOVED: Section.LINKS,
    K.CIRCLE_CHANGED: Section.CIRCLE,
    K.TASK_CREATED: Section.TASKS,
    K.TASK_CHANGED: Section.TASKS,
    K.THEME_ADDED: Section.PATHWAYS,
    K.THEME_REMOVED: Section.PATHWAYS,
    K.FORM_CREATED: Section.PATHWAYS,
    K.FORM_SAVED: Section.PATHWAYS,
    K.FORM_CLOSED: Section.PATHWAYS,
    K.FORM_REOPENED: Section.PATHWAYS,
    K.DOCUMENT_ADDED: Section.DOCUMENTS,
    K.DOCUMENT_VERSIONED: Section.DOCUMENTS,
    K.DOCUMENT_WITHDRAWN: Section.DOCUMENTS,
    K.COCON_INCLUDED: Section.PATHWAYS,
    K.COCON_CHANGED: Section.PATHWAYS,
    K.COCON_ENDED: Section.PATHWAYS,
    K.NOTE: Section.FEED,
    K.MEMO_ADDED: Section.MEMO,
    K.MEMO_CHANGED: Section.MEMO,
    K.MEMO_DELETED: Section.MEMO,
    # AGD-1: an appointment is read by whoever sees the dossier (its patient is named to them).
    K.APPOINTMENT: Section.IDENTITY,
}


def record_event(
    actor: Actor,
    patient: Any,
    kind: str,
    summary: str,
    *,
    importance: str = Event.Importance.NORMAL,
    theme: Theme | None = None,
    **data: Any,
) -> Event:
    """Called by services inside their transaction, so the story and the change land together.

    `summary` says what happened, never who: the feed names the actor from the event's own
    person and structure (issue 23: the actor was named twice). `theme`: the form's theme, when
    the event tells of a form (a reserved theme hides it from who may not open that theme)."""
    return Event.objects.create(
        patient=patient,
        kind=kind,
        summary=clip_to(Event, "summary", summary),
        data=data,
        importance=importance,
        created_by=actor.user,
        structure=actor.structure,
        section=SECTION_OF_KIND[kind],
        theme=theme,
    )


def _clean_note(text: str, importance: str) -> tuple[str, str]:
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Écrivez le texte de la note."
    elif len(text) > NOTE_MAX_LENGTH:
        errors["text"] = (
            f"La note ne peut dépasser {NOTE_MAX_LENGTH} caractères (elle en compte {len(text)})."
        )
    elif "\x00" in text:
        errors["text"] = "Le texte contient un caractère non autorisé."
    if importance not in Event.Importance.values:
        errors["importance"] = "Choisissez l'importance de la note."
    if errors:
        raise ValidationError(errors)
    return text, importance


def _summary(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    return clip(f"Note : {first_line}", 200)


def write_note(actor: Actor, patient: Patient, text: str, importance: str = Event.Importance.NORMAL) -> Note:
    """ACT-1: a circle member holding the feed's write right adds a note; a "très important" one
    is an alert for the circle (NOT hooks here)."""
    if not can(actor, Perm.WRITE_NOTES, patient):
        raise PermissionDenied
    text, importance = _clean_note(text, importance)
    with transaction.atomic():
        event = record_event(actor, patient, Event.Kind.NOTE, _summary(text), importance=importance)
        note = Note.objects.create(event=event, text=text, created_by=actor.user)
        journal(actor, patient, "note_written", what=str(event.public_id))
        # NOT-1: a "très important" note is an alert; the circle hears one or the other.
        alert = importance == Event.Importance.VERY_IMPORTANT
        kind = Notice.ALERT if alert else Notice.NOTE_WRITTEN
        announce(kind, actor, patient=patient, circle=True, data={"note": str(note.public_id)})
    return note


def _may_change(actor: Actor, note: Note) -> bool:
    event = note.event
    return (
        note.created_by_id == actor.user.pk
        and not note.is_withdrawn
        and can(actor, Perm.WRITE_NOTES, event.patient)
    )


def correct_note(actor: Actor, note: Note, text: str, importance: str, *, expected_version: int) -> Note:
    """ACT-1: only its author corrects a note; the earlier text stays in its history, and a
    correction made on a stale copy is refused (SEC-4), never silently written over."""
    if not _may_change(actor, note):
        raise PermissionDenied
    text, importance = _clean_note(text, importance)
    with transaction.atomic():
        locked = Note.objects.select_for_update().select_related("event").get(pk=note.pk)
        if locked.version != expected_version or locked.is_withdrawn:
            raise StaleNoteError
        event = locked.event
        if text == locked.text and importance == event.importance:
            return locked
        NoteRevision.objects.create(
            note=locked,
            text=locked.text,
            importance=event.importance,
            written_at=locked.edited_at or locked.created_at,
            created_by=actor.user,
        )
        now = timezone.now()
        Note.objects.filter(pk=locked.pk).update(
            text=text, version=locked.version + 1, edited_at=now, updated_at=now
        )
        Event.objects.filter(pk=event.pk).update(
            summary=clip_to(Event, "summary", _summary(text)), importance=importance, updated_at=now
        )
        journal(actor, event.patient, "note_corrected", what=str(event.public_id))
    locked.refresh_from_db()
    return locked


def withdraw_note(actor: Actor, note: Note, *, expected_version: int) -> None:
    """ACT-1: its author withdraws a note; it is kept (SEC-3) and shown as "note retirée"."""
    if not _may_change(actor, note):
        raise PermissionDenied
    with transaction.atomic():
        updated = Note.objects.filter(pk=note.pk, version=expected_version, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor.user, version=expected_version + 1
        )
        if not updated:
            raise StaleNoteError
        journal(actor, note.event.patient, "note_withdrawn", what=str(note.event.public_id))
