"""SRCH-1 at regional scale: the active file's default sort read from an index alone (PostgreSQL).

The active file fetches its first 1,001 ids in the order of `updated_at` (the capped count
and the page in one query). Walking `(updated_at, id)` then reading each dossier for
`merged_into_id` and `status` visited 21,000 heap pages for a 50,000-dossier structure
(22 ms); the same walk on live dossiers with the status included is an index-only scan
(9 ms, `make bench`). It replaces 0006's `patient_updated_idx`, which the active file — the
only list sorted by update date — no longer uses. SQLite keeps the models' indexes.
"""

from __future__ import annotations

from django.db import migrations

NEW = (
    "patient_live_updated_idx",
    "patients_patient (updated_at, id) INCLUDE (status) WHERE merged_into_id IS NULL",
)
OLD = ("patient_updated_idx", "patients_patient (updated_at, id)")


def _swap(schema_editor, create: tuple[str, str], drop: str) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {create[0]} ON {create[1]}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {drop}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, NEW, OLD[0])


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _swap(schema_editor, OLD, NEW[0])


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_search_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
