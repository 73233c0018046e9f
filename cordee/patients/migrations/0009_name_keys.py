"""SRCH-2 at regional scale: the typo-tolerant name search from a table of the names themselves
(PostgreSQL).

A search with a typo ("lefevre", "dupomt") matched every dossier whose birth or used name is
similar, through the trigram indexes of the dossier table: 21,000 candidates for "lefevre" in
the benchmark region, each read from the table's pages to be checked (16,000 pages, most of
them from disk), for the 673 a DAC may see — 124 ms of SQL, 215 ms a page.

Names repeat: a million dossiers carry 42,000 different name keys. `patients_namekey` holds
each key once, with its trigram index: the similar keys are found there (744 for "lefevre",
~5 ms). The dossiers carrying them are then read from two btree indexes of the name keys that
include the id, the update date and the status — one place per name, read without the table
(`active_file._similar_named`). A trigger keeps the table: every key a dossier is given, on
creation or when its names change, is added; keys are never removed (a key nobody carries any
longer matches no dossier). SQLite (the demo) keeps the search on the dossiers' own keys.
"""

from __future__ import annotations

from django.db import migrations

CREATE = [
    "CREATE TABLE IF NOT EXISTS patients_namekey (key varchar(150) PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS namekey_trgm ON patients_namekey USING gin (key gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION patients_namekey_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO patients_namekey (key)
        SELECT key FROM (VALUES (NEW.birth_name_key), (NEW.used_name_key)) AS given (key)
        WHERE key <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    # The keys like what was typed. The planner prices a trigram comparison as a cheap
    # operator: it would compare all 42,000 keys one by one (110 ms), or walk the primary key
    # doing the same, rather than ask the trigram index (5-25 ms). The function leaves it the
    # index alone, for its own query only.
    """
    CREATE OR REPLACE FUNCTION patients_similar_name_keys(typed text, prefix text)
    RETURNS varchar[] LANGUAGE sql STABLE PARALLEL SAFE
    SET enable_seqscan = off SET enable_indexscan = off SET enable_indexonlyscan = off AS $$
        SELECT coalesce(array_agg(key), '{}') FROM patients_namekey WHERE key LIKE prefix OR key % typed
    $$
    """,
    "DROP TRIGGER IF EXISTS patients_namekey_keep ON patients_patient",
    """
    CREATE TRIGGER patients_namekey_keep
    AFTER INSERT OR UPDATE OF birth_name_key, used_name_key ON patients_patient
    FOR EACH ROW EXECUTE FUNCTION patients_namekey_keep()
    """,
    # The names already given (forward on real data).
    """
    INSERT INTO patients_namekey (key)
    SELECT birth_name_key FROM patients_patient WHERE birth_name_key <> ''
    UNION SELECT used_name_key FROM patients_patient WHERE used_name_key <> ''
    ON CONFLICT DO NOTHING
    """,
    """
    CREATE INDEX IF NOT EXISTS patient_birth_name_live_idx ON patients_patient (birth_name_key)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL
    """,
    """
    CREATE INDEX IF NOT EXISTS patient_used_name_live_idx ON patients_patient (used_name_key)
    INCLUDE (id, updated_at, status) WHERE merged_into_id IS NULL AND used_name_key <> ''
    """,
    "ANALYZE patients_namekey",
]
DROP = [
    "DROP INDEX IF EXISTS patient_used_name_live_idx",
    "DROP INDEX IF EXISTS patient_birth_name_live_idx",
    "DROP TRIGGER IF EXISTS patients_namekey_keep ON patients_patient",
    "DROP FUNCTION IF EXISTS patients_namekey_keep()",
    "DROP FUNCTION IF EXISTS patients_similar_name_keys(text, text)",
    "DROP TABLE IF EXISTS patients_namekey",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is the trigram operator


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is the trigram operator


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_commune_by_id_index")]
    operations = [migrations.RunPython(forwards, backwards)]
