"""Issue 24: a failed write removes the files it stored. A task or a form that stored an uploaded
file and then failed (a database error, a failed commit) rolls its rows back; the file must not
stay orphaned on disk — `transaction.on_commit` never runs on a rollback, so the writes run
inside `documents.storage.removed_on_failure()`. Counted in MEDIA_ROOT before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from cordee.documents.checks import check_upload
from cordee.documents.models import Document
from cordee.documents.storage import remember
from cordee.pathways import services as pathways
from cordee.pathways.models import FormResponse
from cordee.pathways.testing import make_questionnaire
from cordee.tasks import services as tasks
from cordee.tasks.models import Task
from cordee.tasks.tests.helpers import actor_for, make_task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 compte rendu"


@pytest.fixture
def on_disk(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def actor(coordinator, structure):
    return actor_for(coordinator, structure)


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _joined(*names: str) -> list[tuple[Any, Any]]:
    joined = []
    for name in names:
        upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
        checked, _ = check_upload(upload)
        joined.append((upload, checked))
    return joined


def _fail(*args: Any, **kwargs: Any) -> None:
    raise DatabaseError("connexion perdue")


def _task() -> Task:
    from django.utils import timezone

    from cordee.tasks.models import TaskLevel, TaskType

    return Task(
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Important"),
        label="Transmettre le compte rendu",
        status="TODO",
        due_at=timezone.now(),
    )


def test_a_task_created_then_failing_leaves_no_file(actor, dossier, on_disk, monkeypatch) -> None:
    monkeypatch.setattr(tasks, "journal", _fail)  # after the files are stored
    with pytest.raises(DatabaseError):
        tasks.create_task(actor, dossier, _task(), [], _joined("a.pdf", "b.pdf"))
    assert not Task.objects.exists() and not Document.objects.exists()
    assert _files(on_disk) == []


def test_a_task_edited_then_failing_leaves_no_file(actor, dossier, on_disk, monkeypatch) -> None:
    task = make_task(actor, dossier, "Relancer la PMI")
    monkeypatch.setattr(tasks, "journal", _fail)
    with pytest.raises(DatabaseError):
        tasks.edit_task(actor, task, {"label": "Relancer la PMI"}, task.version, _joined("c.pdf"))
    assert not Document.objects.exists() and _files(on_disk) == []


def test_a_failure_on_the_second_dossier_of_a_common_task_removes_the_first_ones_files(
    actor, dossier, on_disk, monkeypatch
) -> None:
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(actor.user, actor.structure, birth_name="LIEN")
    real = tasks.create_task
    calls = []

    def second_fails(*args: Any, **kwargs: Any) -> Task:
        calls.append(args)
        if len(calls) == 2:
            raise DatabaseError("connexion perdue")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "create_task", second_fails)
    with pytest.raises(DatabaseError):
        tasks.create_common_task(actor, [dossier, other], _task(), {}, _joined("d.pdf"))
    assert not Task.objects.exists() and not Document.objects.exists()
    assert _files(on_disk) == []


def test_a_form_saved_then_failing_leaves_no_file(actor, dossier, on_disk, monkeypatch) -> None:
    version = make_questionnaire()
    data = {"q-date_consultation": "20/11/2026", "q-poids": "12,5", "q-taille": "90", "q-suivi": "non"}
    upload = SimpleUploadedFile("compte rendu.pdf", PDF, content_type="application/pdf")
    monkeypatch.setattr(pathways, "_revise", _fail)  # after the attachment is stored
    with pytest.raises(DatabaseError):
        pathways.save_form(actor, dossier, version, version.questionnaire.theme, data, {"q-piece": upload})
    assert not FormResponse.objects.exists() and not Document.objects.exists()
    assert _files(on_disk) == []


def test_the_same_writes_keep_their_files_when_they_succeed(actor, dossier, on_disk) -> None:
    tasks.create_task(actor, dossier, _task(), [], _joined("a.pdf"))
    assert len(_files(on_disk)) == 1 == Document.objects.count()


def test_a_file_stored_outside_the_guard_is_refused_and_removed(on_disk) -> None:
    storage = FileSystemStorage()
    name = storage.save("documents/orphelin.pdf", SimpleUploadedFile("x.pdf", PDF))
    with pytest.raises(RuntimeError, match="removed_on_failure"):
        remember(storage, name)
    assert _files(on_disk) == []
