"""DEM-1 reference data: the steps (the seed's Sollicitation → Réponse DAC → … → Clôture), the
motifs and the specialised services; administrators edit them in the admin."""

from django.db import migrations

STEPS = [
    ("sollicitation", "Sollicitation", 10),
    ("reponse-dac", "Réponse DAC", 20),
    ("evaluation", "Évaluation", 30),
    ("accompagnement", "Accompagnement", 40),
    ("cloture", "Clôture", 50),
]
MOTIFS = [
    ("situation-complexe", "Situation complexe : appui à la coordination du parcours", 10),
    ("information-orientation", "Information et orientation", 20),
    ("evaluation", "Évaluation multidimensionnelle à domicile", 30),
    ("sortie-hospitalisation", "Retour à domicile après hospitalisation", 40),
    ("soutien-aidants", "Soutien aux aidants", 50),
    ("autre", "Autre motif", 90),
]
SERVICES = [
    ("em-geriatrie", "Équipe mobile de gériatrie"),
    ("em-soins-palliatifs", "Équipe mobile de soins palliatifs"),
    ("em-psychiatrie", "Équipe mobile de psychiatrie"),
    ("plateforme-repit", "Plateforme de répit"),
    ("em-perinatalite", "Équipe mobile de périnatalité"),
]


def seed(apps, schema_editor):
    Step = apps.get_model("referrals", "Step")
    Motif = apps.get_model("referrals", "Motif")
    Service = apps.get_model("referrals", "SpecialisedService")
    for code, label, ordering in STEPS:
        Step.objects.update_or_create(code=code, defaults={"label": label, "ordering": ordering})
    for code, label, ordering in MOTIFS:
        Motif.objects.update_or_create(code=code, defaults={"label": label, "ordering": ordering})
    for code, label in SERVICES:
        Service.objects.update_or_create(code=code, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
