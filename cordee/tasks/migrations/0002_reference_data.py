"""Reference data: task types and levels (TSK-1), and the TASKS section of the rights matrix."""

from __future__ import annotations

from django.db import migrations

TYPES = [
    "Appel téléphonique",
    "Visite à domicile",
    "Rendez-vous à organiser",
    "Consultation de suivi",
    "Bilan à réaliser",
    "Orientation (CAMSP, PCO, CMPP…)",
    "Envoi ou demande de document",
    "Relance",
    "Démarche sociale",
    "Autre",
]
LEVELS = [("Information", 0), ("Important", 10), ("Urgent", 20)]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    TaskType = apps.get_model("tasks", "TaskType")
    for order, label in enumerate(TYPES, start=1):
        TaskType.objects.get_or_create(label=label, defaults={"ordering": order * 10})
    TaskLevel = apps.get_model("tasks", "TaskLevel")
    for label, rank in LEVELS:
        TaskLevel.objects.get_or_create(label=label, defaults={"rank": rank})
    RightsRule = apps.get_model("careteam", "RightsRule")
    RightsRule.objects.get_or_create(
        profession=None, role=None, section="TASKS", defaults={"can_read": True, "can_write": True}
    )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial"), ("careteam", "0006_alter_rightsrule_section")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
