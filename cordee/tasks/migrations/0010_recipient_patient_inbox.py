"""TSK-4: the recipient's dossier NOT NULL, and the inbox indexes rebuilt with it (see 0009)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("tasks", "0009_recipient_patient")]

    operations = [
        migrations.AlterField(
            model_name="taskrecipient",
            name="patient",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="patients.patient",
            ),
        ),
        migrations.RemoveIndex(model_name="taskrecipient", name="task_inbox_user_idx"),
        migrations.RemoveIndex(model_name="taskrecipient", name="task_inbox_structure_idx"),
        migrations.AddIndex(
            model_name="taskrecipient",
            index=models.Index(
                condition=Q(task_open=True, user__isnull=False),
                fields=["user", "task_due_at", "task", "patient"],
                name="task_inbox_user_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="taskrecipient",
            index=models.Index(
                condition=Q(task_open=True, structure__isnull=False),
                fields=["structure", "task_due_at", "task", "patient"],
                name="task_inbox_structure_idx",
            ),
        ),
    ]
