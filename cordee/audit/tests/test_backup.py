"""Issue 22: a backup restores whole into a fresh database — the same rows in every table, the
same journal, the same files — and a restore never merges into a database already in use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from cordee.accounts.models import User
from cordee.audit.backup import MANIFEST, BackupError, _census, backup, restore
from cordee.audit.services import journal
from cordee.core.actor import Actor

# Committed rows, so pg_dump (another connection) sees them; the conftest empties the journal
# before the flush that ends such tests.
pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the same kind as the suite's."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"{params['NAME']}_restore"
    server: dict[str, Any] = {key.lower(): params[key] for key in ("HOST", "PORT", "USER") if params[key]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = f"{params['USER']}@" if params["USER"] else ""
    yield f"postgres://{user}{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def on_disk(tmp_path: Path, settings: Any) -> Path:
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    return media


def test_a_backup_restores_whole_into_a_fresh_database(
    tmp_path: Path, fresh_database: str, on_disk: Path
) -> None:
    # No reference data (professions, communes): a flush ends this test and may have ended another.
    actor = Actor(user=User.objects.create(username="sauvegarde"))
    for n in range(3):
        journal(actor, None, "view", what=f"consultation {n}")
    stored = default_storage.save("documents/2026/12/compte-rendu", ContentFile(b"%PDF-1.4 compte rendu"))

    made = backup(tmp_path / "sauvegarde")
    with connection.cursor() as cursor:
        live_tables, live_rows, live_last = _census(cursor)
    assert (made.tables, made.journal_rows, made.journal_last_id) == (live_tables, live_rows, live_last)
    assert made.journal_rows == 3 and made.tables["accounts_user"] == 1 and made.files == 1

    restored = restore(tmp_path / "sauvegarde", fresh_database, files_to=tmp_path / "restaures")
    assert restored == made  # restore checked the census of the new database against it
    assert (tmp_path / "restaures" / stored).read_bytes() == b"%PDF-1.4 compte rendu"


def test_a_restore_never_merges_into_a_database_in_use(
    tmp_path: Path, fresh_database: str, on_disk: Path
) -> None:
    backup(tmp_path / "sauvegarde")
    restore(tmp_path / "sauvegarde", fresh_database)
    with pytest.raises(BackupError, match="pas vide"):
        restore(tmp_path / "sauvegarde", fresh_database)


def test_an_interrupted_or_altered_backup_is_refused(
    tmp_path: Path, fresh_database: str, on_disk: Path
) -> None:
    made = backup(tmp_path / "sauvegarde")
    with pytest.raises(BackupError, match="pas une sauvegarde complète"):
        restore(tmp_path / "ailleurs", fresh_database)
    with pytest.raises(BackupError, match="pas vide"):
        backup(tmp_path / "sauvegarde")  # never over an earlier backup
    manifest = json.loads((tmp_path / "sauvegarde" / MANIFEST).read_text())
    manifest["journal_rows"] = made.journal_rows + 1  # a journal row the restored base lacks
    (tmp_path / "sauvegarde" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="ne correspond pas"):
        restore(tmp_path / "sauvegarde", fresh_database)
