"""Issue 24: a text that fits its field must not make a derived text too long (an event's
summary, a journal row's object, a task's history, a document's title made of a title and a
file name): on PostgreSQL an over-long value is an error, a 500, where SQLite stored it whole.
One helper (`core.text.clip`) cuts every derived text to its column, its end marked "…"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.text import clip
from cordee.documents.models import Document
from cordee.documents.tests.conftest import category, doc_type, pdf
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskType

PDF = b"%PDF-1.4 compte rendu"


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def test_clip_keeps_a_short_text_and_marks_a_cut_one() -> None:
    assert clip("Note : bonjour", 20) == "Note : bonjour"
    assert clip("x" * 20, 20) == "x" * 20
    assert clip("x" * 21, 20) == "x" * 19 + "…"
    assert clip("mot " * 10, 12) == "mot mot mot…"
    assert len(clip("é" * 500, 300)) == 300


@pytest.mark.django_db
def test_a_manual_member_with_150_and_150_characters_is_added(acting, dossier) -> None:
    response = acting.post(
        reverse("careteam:add_manual", kwargs={"public_id": dossier.public_id}),
        {
            "manual_last_name": "N" * 150,
            "manual_first_name": "P" * 150,
            "manual_relationship": "PARENT",
            "description": "D" * 500,
            "roles": [CircleRole.objects.get(label="Aidant principal").pk],
        },
    )
    assert response.status_code == 302
    assert CircleMember.objects.filter(patient=dossier, is_manual=True).count() == 1
    event = Event.objects.filter(patient=dossier, kind=Event.Kind.CIRCLE_CHANGED).latest("pk")
    assert len(event.summary) == 300 and event.summary.endswith("…")
    row = Access.objects.filter(patient=dossier, action="circle_added").latest("pk")
    assert len(row.what) == 200 and row.what.endswith("…")
    assert acting.get(reverse("careteam:circle", kwargs={"public_id": dossier.public_id})).status_code == 200


@pytest.mark.django_db
def test_a_200_character_task_label_with_a_200_character_file_name(acting, dossier) -> None:
    name = "F" * 196 + ".pdf"
    response = acting.post(
        reverse("tasks:create", kwargs={"public_id": dossier.public_id}),
        {
            "task_type": TaskType.objects.get(label="Relance").pk,
            "label": "L" * 200,
            "level": TaskLevel.objects.get(label="Important").pk,
            "status": "TODO",
            "due_at": "2026-12-01T09:30",
            "documents": [SimpleUploadedFile(name, PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.documents.get().name == name
    added = Event.objects.get(patient=dossier, kind=Event.Kind.DOCUMENT_ADDED)
    # The long label gives way to the file's name, which the feed is for.
    assert added.summary == f"Document ajouté (tâche « {'L' * 59}… ») : {name}"
    assert all(len(change.description) <= 300 for change in TaskChange.objects.filter(task=task))
    assert acting.get(reverse("tasks:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_200_character_title_for_two_200_character_file_names(acting, dossier) -> None:
    """Several files at once are titled "<title> — <file name>": 200 + 3 + 200 characters."""
    names = ["A" * 196 + ".pdf", "B" * 196 + ".pdf"]
    response = acting.post(
        reverse("documents:add", kwargs={"public_id": dossier.public_id}),
        {
            "uploads": [pdf(names[0]), pdf(names[1])],
            "category": category("COORDINATION").pk,
            "doc_type": doc_type("FICHE-ORIENTATION").pk,
            "title": "T" * 200,
            "document_date": "2026-03-02",
            "visibility": "PUBLIC",
        },
    )
    assert response.status_code == 302
    titles = sorted(Document.objects.filter(patient=dossier).values_list("title", flat=True))
    assert [len(title) for title in titles] == [200, 200]
    assert all(title.startswith("T" * 150) and title.endswith("…") for title in titles)


@pytest.mark.django_db
def test_a_saved_filter_too_long_for_its_column_is_refused_in_french(acting) -> None:
    """Each criterion fits its field (100 characters), the URL-encoded whole does not (a non-ASCII
    character takes up to 12): refused with a message, never a 500, nothing saved."""
    from urllib.parse import urlencode

    from cordee.patients.models import SavedFilter

    query = urlencode({"nom": "é" * 100, "prenom": "😀" * 100, "ville": "ü" * 100})
    assert len(query) > 2000
    response = acting.post(reverse("patients:filter_save"), {"name": "Long", "query": query}, follow=True)
    assert response.status_code == 200
    assert "trop longs pour être enregistrés" in response.content.decode()
    assert not SavedFilter.objects.exists()
