"""TSK-4: the open tasks of each dossier by due date, for the dashboard filtered by zone and due
range (the zone's dossiers first, then their open tasks in the range)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tasks", "0007_recipient_inbox_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("status__in", ["TODO", "IN_PROGRESS"])),
                fields=["patient", "due_at"],
                name="task_open_patient_idx",
            ),
        ),
    ]
