"""SEC-2: the database itself refuses to rewrite or erase the access journal."""

from __future__ import annotations

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_access_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_access is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_access_no_update BEFORE UPDATE OR DELETE ON audit_access
    FOR EACH ROW EXECUTE FUNCTION audit_access_append_only();
CREATE TRIGGER audit_access_no_truncate BEFORE TRUNCATE ON audit_access
    FOR EACH STATEMENT EXECUTE FUNCTION audit_access_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_access_no_update ON audit_access;
DROP TRIGGER IF EXISTS audit_access_no_truncate ON audit_access;
DROP FUNCTION IF EXISTS audit_access_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER audit_access_no_update BEFORE UPDATE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
    "CREATE TRIGGER audit_access_no_delete BEFORE DELETE ON audit_access "
    "BEGIN SELECT RAISE(ABORT, 'audit_access is append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_access_no_update;",
    "DROP TRIGGER IF EXISTS audit_access_no_delete;",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
