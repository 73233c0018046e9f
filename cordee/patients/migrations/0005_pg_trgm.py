"""SRCH-2: the trigram extension behind the fuzzy name search, on PostgreSQL only."""

from __future__ import annotations

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_saved_filters")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
