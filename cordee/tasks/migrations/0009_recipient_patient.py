"""TSK-4 at regional scale: each recipient row carries its task's dossier (a task never changes
dossier), so that the inboxes test visibility and zone on their own index. Filled from the task
here; NOT NULL and the inbox indexes in 0010 (a separate transaction, see 0006)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Task = apps.get_model("tasks", "Task")
    TaskRecipient = apps.get_model("tasks", "TaskRecipient")
    TaskRecipient.objects.update(
        patient_id=Subquery(Task.objects.filter(pk=OuterRef("task_id")).values("patient_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_commune_by_id_index"), ("tasks", "0008_open_patient_index")]

    operations = [
        migrations.AddField(
            model_name="taskrecipient",
            name="patient",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="patients.patient",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
