"""SRCH-1/SRCH-2 at regional scale: the indexes the active file and the search need, on PostgreSQL.

Chosen from EXPLAIN ANALYZE on the benchmark region (`make bench`: 1,000,000 dossiers,
3,000,000 circle rows); README "Performance" gives the figures. SQLite (the demo) keeps the
plain indexes of the models: nothing here runs there.

- trigram GIN indexes on the three name keys: `%` (typos) and LIKE 'KEY%' (prefix) on them;
- the default sort (-maj) and its reverse walk one btree instead of sorting a million rows;
- the actor's circle rows, live and habilitated, as (user|structure, patient) pairs and per
  patient with both ids included: visible_dossiers() is answered from indexes alone;
- the few rows a patient refused sharing with (the NOT EXISTS of every list);
- live dossiers (not merged) by id with their status, and by commune with status and update
  date: counting and filtering by zone without reading the dossiers themselves.
"""

from __future__ import annotations

from django.db import migrations

INDEXES = {
    "patient_birth_name_trgm": "patients_patient USING gin (birth_name_key gin_trgm_ops)",
    "patient_used_name_trgm": "patients_patient USING gin (used_name_key gin_trgm_ops)",
    "patient_first_name_trgm": "patients_patient USING gin (first_name_key gin_trgm_ops)",
    "patient_updated_idx": "patients_patient (updated_at, id)",
    "patient_live_idx": "patients_patient (id) INCLUDE (status) WHERE merged_into_id IS NULL",
    "patient_commune_live_idx": (
        "patients_patient (commune_id, status) INCLUDE (id, updated_at) WHERE merged_into_id IS NULL"
    ),
    "circle_user_live_idx": (
        "careteam_circlemember (user_id, patient_id) WHERE removed_at IS NULL AND is_habilitated"
    ),
    "circle_structure_live_idx": (
        "careteam_circlemember (structure_id, patient_id) WHERE removed_at IS NULL AND is_habilitated"
    ),
    "circle_patient_live_idx": (
        "careteam_circlemember (patient_id) INCLUDE (user_id, structure_id) "
        "WHERE removed_at IS NULL AND is_habilitated"
    ),
    "circle_refused_idx": (
        "careteam_circlemember (user_id, patient_id) WHERE removed_at IS NULL AND sharing_refused"
    ),
}


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_pg_trgm"),
        ("careteam", "0005_favourite_groups"),
    ]
    operations = [migrations.RunPython(create, drop)]
