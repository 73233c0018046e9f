"""Reference data: discharge reasons (DOS-2) and family relations (DOS-6), editable in the admin."""

from __future__ import annotations

from django.db import migrations

DISCHARGE_REASONS = [
    "Fin de prise en charge : objectifs atteints",
    "Relais vers une autre structure",
    "Déménagement hors du territoire",
    "Refus de la personne de poursuivre l'accompagnement",
    "Perdu de vue",
    "Entrée en établissement (EHPAD, structure médico-sociale)",
    "Fin du parcours (limite d'âge atteinte)",
    "Autre motif",
]

RELATIONS = [
    ("Parent", "Enfant"),
    ("Enfant", "Parent"),
    ("Frère / sœur", "Frère / sœur"),
    ("Jumeau / jumelle", "Jumeau / jumelle"),
    ("Conjoint(e)", "Conjoint(e)"),
    ("Grand-parent", "Petit-enfant"),
    ("Petit-enfant", "Grand-parent"),
    ("Aidant de", "Aidé par"),
    ("Autre lien familial", "Autre lien familial"),
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    DischargeReason = apps.get_model("patients", "DischargeReason")
    for order, label in enumerate(DISCHARGE_REASONS, start=1):
        DischargeReason.objects.get_or_create(label=label, defaults={"ordering": order * 10})
    RelationType = apps.get_model("patients", "RelationType")
    for order, (label, reverse) in enumerate(RELATIONS, start=1):
        RelationType.objects.get_or_create(
            label=label, defaults={"reverse_label": reverse, "ordering": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
