"""NOT-1 for the feed's notes, its alerts and the documents space: told to whoever may read them,
under the feed's and the documents space's own rules."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cordee.activity import services as feed
from cordee.activity.models import Event
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.documents import services as documents
from cordee.documents.checks import check_upload
from cordee.documents.models import Document, DocumentCategory
from cordee.notifications.kinds import Kind
from cordee.notifications.models import Notification
from cordee.notifications.tests.conftest import Circle
from cordee.notifications.tests.test_recipients import told

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ncompte rendu\n"


@pytest.fixture
def add_document(circle: Circle, django_capture_on_commit_callbacks: Any) -> Any:
    def add(code: str, visibility: str = "PUBLIC", recipients: tuple[CircleMember, ...] = ()) -> Document:
        upload = SimpleUploadedFile("cr.pdf", PDF, content_type="application/pdf")
        checked, error = check_upload(upload)
        assert checked is not None, error
        with django_capture_on_commit_callbacks(execute=True):
            (document,) = documents.add_documents(
                circle.actor(circle.coordinator, circle.structure),
                circle.dossier,
                [(upload, checked)],
                category=DocumentCategory.objects.get(code=code),
                doc_type=None,
                title="Compte rendu IRM cérébrale",
                document_date=datetime.date(2026, 3, 2),
                visibility=visibility,
                recipients=recipients,
            )
        return document

    return add


def test_a_public_document_of_an_open_category_is_told_to_the_readers_of_documents(
    circle: Circle, add_document: Any
) -> None:
    add_document("COORDINATION")
    assert told(Kind.DOCUMENT_ADDED) == {"membre": "DAC Test Azur", "pediatre": None, "secretaire": None}


def test_a_shared_document_is_told_to_its_recipients_and_its_author_s_structure_only(
    circle: Circle, add_document: Any
) -> None:
    add_document("COORDINATION", "SHARED", (circle.row(circle.pediatrician),))
    assert told(Kind.DOCUMENT_ADDED) == {"membre": "DAC Test Azur", "pediatre": None}


def test_a_document_of_a_restricted_category_is_told_as_the_documents_space_opens_it(
    circle: Circle, add_document: Any
) -> None:
    document = add_document("10")
    assert document.category.is_restricted
    readers = {
        user.username
        for user in (circle.member, circle.pediatrician, circle.secretary)
        if documents.readable_documents(
            Actor(user, user.memberships.first() if user == circle.member else None), circle.dossier
        )
        .filter(pk=document.pk)
        .exists()
    }
    assert set(told(Kind.DOCUMENT_ADDED)) == readers
    assert "pediatre" in readers


def test_a_document_s_entry_and_mail_name_its_category_never_its_title(
    circle: Circle, add_document: Any, client_for: Any
) -> None:
    mail.outbox.clear()
    document = add_document("COORDINATION")
    text = client_for(circle.pediatrician).get(reverse("notifications:centre")).content.decode()
    assert "a ajouté un document (Coordination) au dossier de MARTIN Léa." in text
    assert "IRM" not in text
    notification = Notification.objects.get(recipient=circle.pediatrician, kind=Kind.DOCUMENT_ADDED)
    opened = client_for(circle.pediatrician).get(
        reverse("notifications:open", kwargs={"public_id": notification.public_id})
    )
    assert opened["Location"] == reverse(
        "documents:detail", kwargs={"public_id": circle.dossier.public_id, "document_id": document.public_id}
    )
    assert mail.outbox and all("IRM" not in m.body and "MARTIN" not in m.body for m in mail.outbox)


def test_a_note_is_told_to_the_circle_and_a_very_important_one_as_an_alert(
    circle: Circle, django_capture_on_commit_callbacks: Any, client_for: Any
) -> None:
    author = circle.actor(circle.pediatrician)
    with django_capture_on_commit_callbacks(execute=True):
        feed.write_note(author, circle.dossier, "Vu en consultation, poids en hausse.")
    expected = {"coordinatrice": None, "membre": "DAC Test Azur", "secretaire": None}
    assert told(Kind.NOTE_WRITTEN) == expected
    assert told(Kind.ALERT) == {}

    with django_capture_on_commit_callbacks(execute=True):
        feed.write_note(author, circle.dossier, "Suspicion de maltraitance.", Event.Importance.VERY_IMPORTANT)
    assert told(Kind.ALERT) == expected
    assert Notification.objects.filter(kind=Kind.NOTE_WRITTEN).count() == 3

    text = client_for(circle.member).get(reverse("notifications:centre")).content.decode()
    assert "Nouvelle alerte de PEDIATRE Test sur le dossier de MARTIN Léa" in text
    assert "maltraitance" not in text and "poids" not in text
