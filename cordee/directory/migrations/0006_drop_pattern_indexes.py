"""DIR-2: PostgreSQL's `varchar_pattern_ops` twins of identifier and code indexes, never used.

Django adds one beside the index of each indexed CharField for `LIKE 'x%'`; identifiers, digests,
codes and départements are only ever compared whole, and each costs the import an index write a
row (a fifth of the writes of a first import). The search key's stays (prefix search).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

UNUSED = {
    "directory_directoryprofessional": (
        "national_id",
        "rpps",
        "adeli",
        "national_profession_id",
        "specialty_id",
    ),
    "directory_activity": ("digest", "departement", "commune_id"),
}


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, columns in UNUSED.items():
            for column in columns:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = %s AND indexdef LIKE %s",
                    [table, f"%({column} varchar_pattern_ops)"],
                )
                for (name,) in cursor.fetchall():
                    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def recreate(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in UNUSED.items():
        for column in columns:
            name = schema_editor.quote_name(f"{table[:40]}_{column[:20]}_like")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {schema_editor.quote_name(table)} "
                f"({schema_editor.quote_name(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_import_departements_sized")]

    operations = [migrations.RunPython(drop, recreate, elidable=False)]
