"""Reference data (AGD-1): the seed's event types, each with a colour of the accessible palette."""

from __future__ import annotations

from django.db import migrations

TYPES = [
    ("Prévention", "vert"),
    ("RCP", "violet"),
    ("RCV Adulte", "bleu"),
    ("RCV Enfants", "orange"),
    ("RCV Personnes âgées", "turquoise"),
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    EventType = apps.get_model("agenda", "EventType")
    for order, (label, colour) in enumerate(TYPES, start=1):
        EventType.objects.get_or_create(label=label, defaults={"colour": colour, "ordering": order * 10})


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
