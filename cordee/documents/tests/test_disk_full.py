"""Issue 22, FAULT disk_full at the unit level: the documents' disk refusing a file (here a real
file-size limit of the process, RLIMIT_FSIZE: the kernel answers EFBIG as a full disk answers
ENOSPC) gives a French message above the form, writes no document, leaves no partial file, and
the next upload, space back, goes through."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cordee.activity.models import Event
from cordee.documents.models import Document
from cordee.documents.storage import STORAGE_FULL
from cordee.documents.tests.conftest import PDF, category, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_disk(settings, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "cordee.documents.storage.DocumentFileStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@contextmanager
def disk_refusing_beyond(limit: int) -> Iterator[None]:
    # Python ignores SIGXFSZ: a write past the limit fails with EFBIG instead of killing us.
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _post(client: Any, dossier: Any) -> Any:
    return client.post(
        reverse("documents:add", kwargs={"public_id": dossier.public_id}),
        {
            "uploads": pdf("Compte rendu.pdf", PDF + b"0" * 300_000),
            "category": category("COORDINATION").pk,
            "title": "Compte rendu de synthèse",
            "document_date": "2026-03-02",
            "visibility": "PUBLIC",
        },
    )


def test_a_full_disk_is_told_in_french_and_leaves_nothing(
    coordinator, structure, client_for, dossier, on_disk
) -> None:
    client = client_for(coordinator, acting_as=structure)
    with disk_refusing_beyond(64 * 1024):
        response = _post(client, dossier)
    assert response.status_code == 200
    assert STORAGE_FULL in response.context["form"].non_field_errors()
    assert "espace de stockage de Cordée est plein" in response.content.decode()
    assert not Document.objects.exists()
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.DOCUMENT_ADDED).exists()
    assert _files(on_disk) == [], "the half-written file is removed"

    response = _post(client, dossier)  # space is back
    assert response.status_code == 302
    (stored,) = _files(on_disk)
    assert stored.stat().st_size == len(PDF) + 300_000


def test_a_full_disk_elsewhere_answers_the_french_503_page(rf, settings) -> None:
    from cordee.core.views import server_error
    from cordee.documents.storage import StorageFullError

    try:
        raise StorageFullError()
    except StorageFullError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "espace de stockage des documents de Cordée est plein" in response.content.decode()
