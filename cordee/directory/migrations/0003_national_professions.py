"""Reference data: the national profession codes (NOS TRE_G15) Cordée maps to its professions.

Codes met in an extract and not listed here are added by the import with the label the
extract publishes (data/SOURCES.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[3] / "data" / "professions_sante.csv"
SOURCE = "ANS, nomenclature NOS TRE_G15 « Profession de santé » (data/professions_sante.csv)"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    NationalProfession = apps.get_model("directory", "NationalProfession")
    Profession = apps.get_model("accounts", "Profession")
    professions = {p.code: p for p in Profession.objects.all()}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            NationalProfession.objects.update_or_create(
                code=row["code"],
                defaults={
                    "label": row["label"],
                    "profession": professions.get(row["profession"]),
                    "source": SOURCE,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_annuaire"), ("accounts", "0003_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
