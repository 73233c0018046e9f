"""TER-1: load the shipped COG communes and INSEE countries (data/, see data/SOURCES.md)."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cordee.territory.loader import load_territory

    load_territory(
        apps.get_model("territory", "Region"),
        apps.get_model("territory", "Departement"),
        apps.get_model("territory", "Commune"),
        apps.get_model("territory", "Country"),
    )


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
