"""TSK-1 "Documents": files joined to a task land in the dossier's documents, are checked like every
upload, are read under the dossier's "Documents" right, and a refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cordee.activity.models import Event
from cordee.careteam.models import CircleMember, CircleRole, RightsRule, Section
from cordee.documents.forms import MAX_FILES
from cordee.documents.models import Document
from cordee.patients.models import PatientLink, RelationType
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskStatus, TaskType
from cordee.tasks.tests.helpers import actor_for, make_task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 ordonnance de kinesitherapie"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _pdf(name: str = "Ordonnance kiné.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "task_type": TaskType.objects.get(label="Relance").pk,
        "label": "Transmettre l'ordonnance",
        "level": TaskLevel.objects.get(label="Important").pk,
        "status": "TODO",
        "due_at": "2026-12-01T09:30",
    }
    data.update(overrides)
    return data


def _create_url(patient: Any) -> str:
    return reverse("tasks:create", kwargs={"public_id": patient.public_id})


def _task_url(task: Task) -> str:
    return reverse("tasks:edit", kwargs={"public_id": task.patient.public_id, "task_id": task.public_id})


def _download_url(document: Document) -> str:
    return reverse(
        "documents:download",
        kwargs={"public_id": document.patient.public_id, "document_id": document.public_id},
    )


def test_files_joined_at_creation_land_in_the_dossiers_documents(acting, coordinator, dossier) -> None:
    page = acting.get(_create_url(dossier)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="documents"' in page and "multiple" in page
    png = SimpleUploadedFile("Courbe de poids.png", PNG, content_type="image/png")
    response = acting.post(_create_url(dossier), {**_form(), "documents": [_pdf(), png]})
    assert response.status_code == 302
    task = Task.objects.get()
    joined = list(task.documents.order_by("name"))
    assert [(d.name, d.content_type, d.size) for d in joined] == [
        ("Courbe de poids.png", "image/png", len(PNG)),
        ("Ordonnance kiné.pdf", "application/pdf", len(PDF)),
    ]
    assert all(d.patient == dossier and d.source == Document.Source.TASK for d in joined)
    assert all(d.created_by == coordinator and len(d.sha256) == 64 for d in joined)
    assert joined[1].file.read() == PDF
    # Never the user's file name on disk: it may carry the patient's name.
    assert all("Ordonnance" not in d.file.name and "Courbe" not in d.file.name for d in joined)
    history = list(TaskChange.objects.filter(task=task).values_list("description", flat=True))
    # Counted, not named: the history is read under "Tâches", a file's name under "Documents".
    assert sorted(history) == ["2 documents joints", "Tâche créée (À traiter)"]
    events = Event.objects.filter(patient=dossier, kind=Event.Kind.DOCUMENT_ADDED)
    assert events.count() == 2
    assert "Document ajouté (tâche « Transmettre l'ordonnance ») : Ordonnance kiné.pdf" in {
        e.summary for e in events
    }


def test_the_tasks_page_lists_its_documents_and_they_download(acting, dossier) -> None:
    acting.post(_create_url(dossier), {**_form(), "documents": [_pdf()]})
    task = Task.objects.get()
    document = task.documents.get()
    page = acting.get(_task_url(task)).content.decode()
    assert "Ordonnance kiné.pdf" in page
    assert _download_url(document) in page
    download = acting.get(_download_url(document))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("virus.exe", b"MZ\x90\x00binary", content_type="application/pdf"),
            "virus.exe : Type",
        ),
        (
            SimpleUploadedFile("faux.pdf", b"MZ\x90\x00\x00binary", content_type="application/pdf"),
            "faux.pdf : Type",
        ),
        (SimpleUploadedFile("vide.pdf", b"", content_type="application/pdf"), "Le fichier est vide"),
    ],
)
def test_a_refused_file_refuses_the_task_with_a_french_message(acting, dossier, upload, message) -> None:
    response = acting.post(_create_url(dossier), {**_form(), "documents": [_pdf(), upload]})
    assert response.status_code == 200
    page = response.content.decode()
    # Next to the field, linked to it for screen readers.
    assert 'id="id_documents_erreur"' in page and message in page
    assert 'aria-describedby="id_documents_aide id_documents_erreur"' in page
    assert not Task.objects.exists()
    assert not Document.objects.exists()


@override_settings(CORDEE_MAX_UPLOAD_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(acting, dossier) -> None:
    response = acting.post(_create_url(dossier), {**_form(), "documents": [_pdf(content=PDF + b"x" * 2000)]})
    assert "dépasse la taille maximale de 1 Ko" in response.content.decode()
    assert not Task.objects.exists() and not Document.objects.exists()


def test_too_many_files_at_once_are_refused(acting, dossier) -> None:
    files = [_pdf(f"piece-{n}.pdf") for n in range(MAX_FILES + 1)]
    response = acting.post(_create_url(dossier), {**_form(), "documents": files})
    assert f"Joignez au plus {MAX_FILES} documents à la fois." in response.content.decode()
    assert not Task.objects.exists() and not Document.objects.exists()


def test_without_the_right_to_add_documents_the_field_is_not_offered_and_a_file_is_ignored(
    acting, dossier
) -> None:
    RightsRule.objects.filter(section=Section.DOCUMENTS).update(can_write=False)
    assert 'name="documents"' not in acting.get(_create_url(dossier)).content.decode()
    response = acting.post(_create_url(dossier), {**_form(), "documents": [_pdf()]})
    assert response.status_code == 302
    assert Task.objects.count() == 1
    assert not Document.objects.exists()


def test_without_the_right_to_read_documents_only_their_number_is_told(acting, dossier) -> None:
    acting.post(_create_url(dossier), {**_form(), "documents": [_pdf(), _pdf("Bilan.pdf")]})
    task = Task.objects.get()
    RightsRule.objects.filter(section=Section.DOCUMENTS).delete()
    page = acting.get(_task_url(task)).content.decode()
    assert "2 documents joints : vos droits sur ce dossier ne donnent pas accès aux documents." in page
    assert "Ordonnance kiné.pdf" not in page and "Bilan.pdf" not in page
    assert acting.get(_download_url(task.documents.get(name="Bilan.pdf"))).status_code == 403


def test_a_stranger_reaches_neither_the_task_nor_its_documents(acting, dossier, stranger, client_for) -> None:
    acting.post(_create_url(dossier), {**_form(), "documents": [_pdf()]})
    task = Task.objects.get()
    other = client_for(stranger)
    assert other.get(_task_url(task)).status_code == 404
    assert other.get(_download_url(task.documents.get())).status_code == 404
    assert (
        other.post(_task_url(task), {**_form(), "version": 1, "documents": [_pdf("Autre.pdf")]}).status_code
        == 404
    )
    assert Document.objects.count() == 1


def test_documents_are_added_when_editing_but_not_to_a_done_task(
    acting, coordinator, structure, dossier
) -> None:
    task = make_task(actor_for(coordinator, structure), dossier, "Bilan")
    response = acting.post(
        _task_url(task), {**_form(label="Bilan"), "version": task.version, "documents": [_pdf()]}
    )
    assert response.status_code == 302
    assert [d.name for d in task.documents.all()] == ["Ordonnance kiné.pdf"]
    assert TaskChange.objects.filter(task=task, description="1 document joint").exists()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    task.refresh_from_db()
    page = acting.get(_task_url(task)).content.decode()
    assert 'name="documents"' not in page  # read-only: no form
    response = acting.post(
        _task_url(task), {**_form(label="Bilan"), "version": task.version, "documents": [_pdf("Autre.pdf")]}
    )
    assert "Cette tâche est traitée" in response.content.decode()
    assert task.documents.count() == 1


def test_a_stale_edit_joins_no_document(acting, coordinator, structure, dossier) -> None:
    task = make_task(actor_for(coordinator, structure), dossier, "Bilan")
    Task.objects.filter(pk=task.pk).update(version=task.version + 1)
    response = acting.post(
        _task_url(task), {**_form(label="Bilan"), "version": task.version, "documents": [_pdf()]}
    )
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    assert not Document.objects.exists()


@pytest.fixture
def sibling(coordinator, structure, dossier):
    """A dossier linked to `dossier` (DOS-6), which a common task reaches too."""
    sibling = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    PatientLink.objects.create(
        from_patient=dossier, to_patient=sibling, relation=RelationType.objects.get(label="Frère / sœur")
    )
    return sibling


def test_a_common_task_gives_each_linked_dossier_its_own_copy(acting, dossier, sibling) -> None:
    acting.post(_create_url(dossier), {**_form(linked="on"), "documents": [_pdf()]})
    documents = list(Document.objects.select_related("task"))
    assert {d.patient_id for d in documents} == {dossier.pk, sibling.pk}
    assert {(d.task.patient_id if d.task else None) for d in documents} == {dossier.pk, sibling.pk}
    assert all(d.task and d.task.patient_id == d.patient_id for d in documents)
    assert all(d.file.read() == PDF for d in documents)
    assert {d.file.name for d in documents} <= set(stored_files())


def stored_files(path: str = "documents") -> list[str]:
    """Every file the documents' storage holds (the tests' in-memory storage lives on)."""
    storage = Document._meta.get_field("file").storage
    if not storage.exists(path):
        return []
    folders, files = storage.listdir(path)
    return [f"{path}/{name}" for name in files] + [
        stored for folder in folders for stored in stored_files(f"{path}/{folder}")
    ]


def test_a_common_task_is_refused_whole_when_a_linked_dossier_forbids_documents(
    acting, dossier, sibling
) -> None:
    # Documents are opened to one role only, which the coordinator holds on the first dossier
    # and not on the sibling's.
    RightsRule.objects.filter(section=Section.DOCUMENTS).delete()
    role = CircleRole.objects.filter(is_active=True).earliest("pk")
    RightsRule.objects.create(role=role, section=Section.DOCUMENTS, can_read=True, can_write=True)
    for row in CircleMember.objects.filter(patient=dossier, removed_at__isnull=True):
        row.roles.add(role)
    assert 'name="documents"' in acting.get(_create_url(dossier)).content.decode()
    before = stored_files()
    response = acting.post(_create_url(dossier), {**_form(linked="on"), "documents": [_pdf()]})
    assert response.status_code == 200
    assert "Vous ne pouvez pas ajouter de documents au dossier de" in response.content.decode()
    assert not Task.objects.exists() and not Document.objects.exists()
    # Refused before any file was written, not only rolled back.
    assert stored_files() == before


def test_the_dashboard_counts_each_tasks_documents(acting, coordinator, structure, dossier) -> None:
    acting.post(
        _create_url(dossier), {**_form(label="Avec pièces"), "documents": [_pdf(), _pdf("Bilan.pdf")]}
    )
    make_task(actor_for(coordinator, structure), dossier, "Sans pièce")
    page = acting.get(reverse("tasks:dashboard")).content.decode()
    assert '<th scope="col">Documents</th>' in page
    task = Task.objects.get(label="Avec pièces")
    assert (
        f'{_task_url(task)}#documents"><i class="bi bi-paperclip" aria-hidden="true"></i> 2 documents</a>'
        in page
    )
    assert page.count("bi-paperclip") == 1
