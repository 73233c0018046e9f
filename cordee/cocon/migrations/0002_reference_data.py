"""Reference data: inclusion criteria (COC-1), the right to extract and to see the cohort held by
a group the administrators fill with the network's staff, and the Cocon mobile-team limit."""

from __future__ import annotations

from django.db import migrations

# HAS, février 2020, « Troubles du neurodéveloppement – repérage et orientation des enfants à
# risque » (has-sante.fr/jcms/p_3161334); the networks refine the list in the admin.
CRITERIA = [
    ("moins-32-sa", "Naissance avant 32 SA"),
    ("premature-rciu", "Prématurité < 37 SA avec retard de croissance (< 3e percentile ou < −2 DS)"),
    ("tres-faible-poids", "Poids de naissance inférieur à 1 500 g"),
    ("eai-hypothermie", "Encéphalopathie anoxo-ischémique traitée par hypothermie"),
    ("avc-perinatal", "Accident vasculaire cérébral artériel périnatal"),
    ("perimetre-cranien", "Microcéphalie (< −2 DS) ou macrocéphalie (> +3 DS)"),
    ("antecedent-familial", "Antécédent familial de trouble du neurodéveloppement sévère"),
    ("infection-congenitale", "Infection congénitale symptomatique"),
    ("meningo-encephalite", "Méningo-encéphalite bactérienne ou herpétique"),
    ("cardiopathie-operee", "Cardiopathie congénitale complexe opérée"),
    ("exposition-toxique", "Exposition prénatale à des toxiques (alcool, drogues, médicaments)"),
    ("chirurgie-majeure", "Chirurgie néonatale majeure"),
    ("environnement", "Environnement familial défavorable, vulnérabilité psychosociale"),
    ("autre", "Autre critère (préciser dans le dossier)"),
]
GROUP = "Réseau périnatal — évaluation Cocon"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Criterion = apps.get_model("cocon", "InclusionCriterion")
    for order, (code, label) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(code=code, defaults={"label": label, "ordering": order * 10})
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="cocon", model="inclusion")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for codename, name in (
        ("extract_notebooks", "Extraire les cahiers de suivi clôturés (évaluation)"),
        ("view_cohort", "Voir le tableau de bord de la cohorte Cocon"),
    ):
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("cocon", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
