"""TSK-4 at regional scale: each recipient row carries its task's openness and due date, so that
an addressee's open tasks in due order are an index of their own (the dashboard's first page).

Existing rows are filled from their task here; the next migration makes the due date NOT NULL
and adds the indexes (a separate transaction: PostgreSQL refuses to ALTER a table with pending
deferred-constraint events from the UPDATE). The copies are kept by `tasks.services` on every write.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Task = apps.get_model("tasks", "Task")
    TaskRecipient = apps.get_model("tasks", "TaskRecipient")
    own = Task.objects.filter(pk=OuterRef("task_id"))
    TaskRecipient.objects.update(
        task_due_at=Subquery(own.values("due_at")[:1]),
        task_open=Exists(own.filter(status__in=["TODO", "IN_PROGRESS"])),
    )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0005_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="taskrecipient",
            name="task_open",
            field=models.BooleanField(default=True, editable=False, verbose_name="tâche ouverte"),
        ),
        migrations.AddField(
            model_name="taskrecipient",
            name="task_due_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="échéance de la tâche"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
