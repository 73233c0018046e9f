"""SRCH-2: a name prefix answered from the indexes of the name keys (PostgreSQL).

A structure typing two letters in the active file ("ma": 64,000 dossiers of the region, 3,200
of the DAC's 50,000) took 0.6 s: the planner expected 46,000 matches among what the structure
sees and walked the dossiers by update date, filtering 330,000 of them for the first 1,001.

The btree indexes of the birth and used name keys that include the id (migration 0009) are
rebuilt with the pattern operator class, whatever the database's collation: a prefix
(`LIKE 'MA%'`) is then a range of them, read without the table, and equality — what the
similar-names search asks of them — is still answered. The active file takes the ids of the
dossiers named so from there, keeps those the actor may see (`careteam.access.visible_among`),
then reads only those dossiers (`patients.name_keys.prefixed`).
"""

from __future__ import annotations

from django.db import migrations

CREATE = [
    "DROP INDEX IF EXISTS patient_birth_name_live_idx",
    """
    CREATE INDEX patient_birth_name_live_idx ON patients_patient (birth_name_key varchar_pattern_ops)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL
    """,
    "DROP INDEX IF EXISTS patient_used_name_live_idx",
    """
    CREATE INDEX patient_used_name_live_idx ON patients_patient (used_name_key varchar_pattern_ops)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL AND used_name_key <> ''
    """,
]
# Back to migration 0009's indexes (the default operator class).
DROP = [
    "DROP INDEX IF EXISTS patient_birth_name_live_idx",
    """
    CREATE INDEX patient_birth_name_live_idx ON patients_patient (birth_name_key)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL
    """,
    "DROP INDEX IF EXISTS patient_used_name_live_idx",
    """
    CREATE INDEX patient_used_name_live_idx ON patients_patient (used_name_key)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL AND used_name_key <> ''
    """,
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("patients", "0009_name_keys")]
    operations = [migrations.RunPython(forwards, backwards)]
