"""TSK-4 at regional scale: the dashboard's open tasks walked in due order from an index alone.

The dashboard lists the open tasks (TODO, IN_PROGRESS) addressed to the actor or their
structure, soonest due first, and counts up to 1,001 of them. With 3,000,000 tasks
(`make bench`), this partial index on open tasks by `(due_at, id)`, the dossier included, lets
PostgreSQL walk them in order and test the addressee and the dossier's visibility against
hashes built once, reading no task row, and stop at the 1,001st: 20-40 ms for a structure
receiving 20,000 open tasks, instead of filtering every open task of the region (1.4 s for the
exact count, 2 s for the page). Due-date ranges ("Échéance début/fin") are ranges of this index.
SQLite (the demo) keeps the models' indexes.
"""

from __future__ import annotations

from django.db import migrations

NAME = "task_open_due_idx"
DEFINITION = "tasks_task (due_at, id) INCLUDE (patient_id) WHERE status IN ('TODO', 'IN_PROGRESS')"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {DEFINITION}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_task_form")]
    operations = [migrations.RunPython(create, drop)]
