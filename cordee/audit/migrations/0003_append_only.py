"""SEC-2: the database itself refuses to rewrite or erase the access journal.

TRUNCATE is left to privileges: the application's database role must not own the table nor hold
the TRUNCATE privilege (README, deployment), while the test suite's flush between browser
tests, which runs as the owner, keeps working.
"""

from __future__ import annotations

from django.db import migrations

from cordee.audit.migrations._append_only_sql import PG_DOWN, PG_UP, SQLITE_DOWN, SQLITE_UP


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
