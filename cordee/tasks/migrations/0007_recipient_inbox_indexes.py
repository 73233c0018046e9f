"""TSK-4: the inboxes' due date NOT NULL, and their partial indexes (see 0006)."""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("tasks", "0006_recipient_inbox")]

    operations = [
        migrations.AlterField(
            model_name="taskrecipient",
            name="task_due_at",
            field=models.DateTimeField(editable=False, verbose_name="échéance de la tâche"),
        ),
        migrations.AddIndex(
            model_name="taskrecipient",
            index=models.Index(
                condition=Q(task_open=True, user__isnull=False),
                fields=["user", "task_due_at", "task"],
                name="task_inbox_user_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="taskrecipient",
            index=models.Index(
                condition=Q(task_open=True, structure__isnull=False),
                fields=["structure", "task_due_at", "task"],
                name="task_inbox_structure_idx",
            ),
        ),
    ]
