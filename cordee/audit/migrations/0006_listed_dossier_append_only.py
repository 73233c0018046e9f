"""SEC-2: the database refuses to rewrite or erase the lists of dossiers a journal row names, as
it refuses for the journal itself (0003); the retention purge lifts both for its transaction."""

from __future__ import annotations

from django.db import migrations

from cordee.audit.migrations._append_only_sql import (
    LISTED_PG_DOWN,
    LISTED_PG_UP,
    LISTED_SQLITE_DOWN,
    LISTED_SQLITE_UP,
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(LISTED_PG_UP)
    elif vendor == "sqlite":
        for statement in LISTED_SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(LISTED_PG_DOWN)
    elif vendor == "sqlite":
        for statement in LISTED_SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_listed_dossier")]
    operations = [migrations.RunPython(forwards, backwards)]
