"""Issue 24 in the directory import: the département list of every département fits its column
(a 500 on PostgreSQL when it did not), and a failed write removes the extract it stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from cordee.directory.models import DirectoryImport
from cordee.directory.tests.extract import SAMPLE
from cordee.territory.models import Departement

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_disk(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload() -> SimpleUploadedFile:
    name = "PS_LibreAcces_Personne_activite_202612010000.txt"
    return SimpleUploadedFile(name, SAMPLE.read_bytes(), content_type="text/plain")


def test_every_departement_at_once_is_accepted(admin_user, client_for, on_disk) -> None:
    codes = list(Departement.objects.values_list("code", flat=True))
    assert len(",".join(codes)) > 200
    response = client_for(admin_user).post(
        reverse("directory:import_list"), {"file": _upload(), "departements": " ".join(codes)}
    )
    assert response.status_code == 302
    assert DirectoryImport.objects.get().departements == ",".join(sorted(codes))


def test_a_failed_write_removes_the_extract_it_stored(admin_user, client_for, on_disk, monkeypatch) -> None:
    real_save = DirectoryImport.save

    def broken(self: DirectoryImport, *args: Any, **kwargs: Any) -> None:
        real_save(self, *args, **kwargs)  # the extract is stored, its row inserted…
        raise DatabaseError("connexion perdue")  # …and the commit never comes

    monkeypatch.setattr(DirectoryImport, "save", broken)
    with pytest.raises(DatabaseError):
        client_for(admin_user).post(reverse("directory:import_list"), {"file": _upload()})
    assert not DirectoryImport.objects.exists()
    assert [path for path in on_disk.rglob("*") if path.is_file()] == []
