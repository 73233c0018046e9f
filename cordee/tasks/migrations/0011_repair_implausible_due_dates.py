"""Issue 24: a due moment stored outside 1900 → 2100 (year 1 was a BC timestamp on PostgreSQL,
unreadable) is set to the nearest bound, so the dossier and the dashboard open again.
The values are compared in the database, never read; `manage.py check_dates` does the same
for every date of every app."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from cordee.core.date_repair import find_and_repair


def repair(apps: Any, schema_editor: Any) -> None:
    find_and_repair([apps.get_model("tasks", "Task"), apps.get_model("tasks", "TaskRecipient")], repair=True)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0010_recipient_patient_inbox")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
