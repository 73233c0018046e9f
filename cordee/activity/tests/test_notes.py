"""ACT-1 notes: written by who holds the feed's write right, corrected and withdrawn by their
author only, their earlier text kept, never deleted; refused writes change nothing."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.activity.models import NOTE_MAX_LENGTH, Event, Note, NoteRevision
from cordee.activity.services import write_note
from cordee.audit.models import Access
from cordee.careteam.models import RightsRule, Section
from cordee.core.actor import Actor
from cordee.patients.models import Patient


def url(name: str, patient: Patient, note: Note | None = None) -> str:
    args = [patient.public_id] + ([note.public_id] if note else [])
    return reverse(f"activity:{name}", args=args)


def test_a_member_writes_a_very_important_note(
    dossier: Patient, coordinator_client: Client, coordinator: User, structure: Structure
) -> None:
    response = coordinator_client.post(
        url("note_add", dossier), {"text": "Maman injoignable depuis 3 jours", "importance": "VERY_IMPORTANT"}
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert note.text == "Maman injoignable depuis 3 jours" and note.created_by == coordinator
    event = note.event
    assert (event.patient, event.kind, event.importance) == (dossier, Event.Kind.NOTE, "VERY_IMPORTANT")
    assert event.structure == structure and event.section == Section.FEED
    assert Access.objects.filter(action="note_written", patient=dossier, what=str(event.public_id)).exists()
    page = coordinator_client.get(url("feed", dossier)).content.decode()
    assert "Maman injoignable depuis 3 jours" in page and "Très important" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "", "importance": "NORMAL"}, "text", "Écrivez le texte de la note."),
        ({"text": "   \n  ", "importance": "NORMAL"}, "text", "Écrivez le texte de la note."),
        (
            {"text": "x" * (NOTE_MAX_LENGTH + 1), "importance": "NORMAL"},
            "text",
            "ne peut dépasser 5000 caractères",
        ),
        ({"text": "avec\x00nul", "importance": "NORMAL"}, "text", "caractère nul"),
        (
            {"text": "Bonjour", "importance": "URGENTISSIME"},
            "importance",
            "Choisissez l'importance de la note.",
        ),
        ({"text": "Bonjour"}, "importance", "Choisissez l'importance de la note."),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(
    dossier: Patient, coordinator_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    events = Event.objects.count()
    response = coordinator_client.post(url("note_add", dossier), data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["note_form"].errors[field]
    assert not Note.objects.exists() and Event.objects.count() == events


def test_without_the_write_right_no_note_is_written(
    dossier: Patient, colleague: User, client_for: Callable[..., Client]
) -> None:
    RightsRule.objects.filter(section=Section.FEED).update(can_write=False)
    client = client_for(colleague)
    response = client.post(url("note_add", dossier), {"text": "Tentative", "importance": "NORMAL"})
    assert response.status_code == 403
    assert not Note.objects.exists()
    page = client.get(url("feed", dossier)).content.decode()
    assert "Ajouter une note" not in page and url("note_add", dossier) not in page
    with pytest.raises(PermissionDenied):
        write_note(Actor(colleague), dossier, "Par le service")
    assert not Note.objects.exists()


def test_a_stranger_cannot_write_in_a_dossier_he_does_not_see(
    dossier: Patient, stranger: User, client_for: Callable[..., Client]
) -> None:
    response = client_for(stranger).post(url("note_add", dossier), {"text": "Intrus", "importance": "NORMAL"})
    assert response.status_code == 404 and not Note.objects.exists()


@pytest.fixture
def note(dossier: Patient, acting: Actor) -> Note:
    return write_note(acting, dossier, "RDV PMI le 12", Event.Importance.NORMAL)


def test_the_author_corrects_a_note_and_its_history_keeps_the_earlier_text(
    note: Note,
    dossier: Patient,
    coordinator_client: Client,
    colleague: User,
    client_for: Callable[..., Client],
) -> None:
    form = coordinator_client.get(url("note_edit", dossier, note))
    assert form.status_code == 200 and "RDV PMI le 12" in form.content.decode()
    response = coordinator_client.post(
        url("note_edit", dossier, note), {"text": "RDV PMI le 13", "importance": "IMPORTANT", "version": "1"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    note.event.refresh_from_db()
    assert note.text == "RDV PMI le 13" and note.version == 2 and note.edited_at is not None
    assert note.event.importance == "IMPORTANT"
    revision = NoteRevision.objects.get(note=note)
    assert revision.text == "RDV PMI le 12" and revision.importance == "NORMAL"
    assert Access.objects.filter(action="note_corrected", patient=dossier).exists()
    page = coordinator_client.get(url("feed", dossier)).content.decode()
    assert "RDV PMI le 13" in page and "modifiée le" in page and "RDV PMI le 12" not in page
    # Every reader of the feed may read the history.
    history = client_for(colleague).get(url("note_history", dossier, note)).content.decode()
    assert "RDV PMI le 12" in history and "RDV PMI le 13" in history


def test_a_correction_on_a_stale_copy_is_refused_and_changes_nothing(
    note: Note, dossier: Patient, coordinator_client: Client
) -> None:
    first = {"text": "Première correction", "importance": "NORMAL", "version": "1"}
    assert coordinator_client.post(url("note_edit", dossier, note), first).status_code == 302
    stale = {"text": "Correction d'un onglet resté ouvert", "importance": "NORMAL", "version": "1"}
    response = coordinator_client.post(url("note_edit", dossier, note), stale)
    assert response.status_code == 200
    assert "modifiée ou retirée depuis que vous l'avez ouverte" in html.unescape(response.content.decode())
    note.refresh_from_db()
    assert note.text == "Première correction" and note.version == 2
    assert NoteRevision.objects.filter(note=note).count() == 1


@pytest.mark.parametrize("version", ["", "abc", "0", str(2**70)])
def test_a_tampered_version_is_a_french_message_not_a_500(
    note: Note, dossier: Patient, coordinator_client: Client, version: str
) -> None:
    response = coordinator_client.post(
        url("note_edit", dossier, note), {"text": "Autre", "importance": "NORMAL", "version": version}
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.text == "RDV PMI le 12"
    response = coordinator_client.post(url("note_withdraw", dossier, note), {"version": version})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.withdrawn_at is None


def test_only_the_author_corrects_or_withdraws(
    note: Note, dossier: Patient, colleague: User, client_for: Callable[..., Client]
) -> None:
    client = client_for(colleague)
    assert client.get(url("note_edit", dossier, note)).status_code == 403
    edit = {"text": "Réécrite", "importance": "NORMAL", "version": "1"}
    assert client.post(url("note_edit", dossier, note), edit).status_code == 403
    assert client.post(url("note_withdraw", dossier, note), {"version": "1"}).status_code == 403
    note.refresh_from_db()
    assert note.text == "RDV PMI le 12" and note.withdrawn_at is None and note.version == 1
    page = client.get(url("feed", dossier)).content.decode()
    assert url("note_edit", dossier, note) not in page and url("note_withdraw", dossier, note) not in page


def test_a_note_of_another_dossier_does_not_exist_here(
    note: Note, coordinator: User, structure: Structure, coordinator_client: Client
) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    assert coordinator_client.get(url("note_edit", other, note)).status_code == 404
    assert coordinator_client.post(url("note_withdraw", other, note), {"version": "1"}).status_code == 404
    assert coordinator_client.get(url("note_history", other, note)).status_code == 404
    note.refresh_from_db()
    assert note.withdrawn_at is None


def test_a_withdrawn_note_is_kept_shown_as_withdrawn_and_frozen(
    note: Note, dossier: Patient, coordinator_client: Client
) -> None:
    response = coordinator_client.post(url("note_withdraw", dossier, note), {"version": "1"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.withdrawn_at is not None and note.text == "RDV PMI le 12"  # kept, never deleted
    assert Access.objects.filter(action="note_withdrawn", patient=dossier).exists()
    page = coordinator_client.get(url("feed", dossier)).content.decode()
    assert "Note retirée" in page and "RDV PMI le 12" not in page
    assert coordinator_client.get(url("note_edit", dossier, note)).status_code == 403
    assert "RDV PMI le 12" not in coordinator_client.get(url("note_history", dossier, note)).content.decode()
    # A withdrawn note is frozen: withdrawing it again is refused, nothing changes.
    when = note.withdrawn_at
    assert coordinator_client.post(url("note_withdraw", dossier, note), {"version": "2"}).status_code == 403
    note.refresh_from_db()
    assert note.withdrawn_at == when and note.version == 2
