"""Reference data: the themes of the Parcours tab (PAR-1) and the rights matrix's new sections.

Defaults: every habilitated professional reads and fills the Parcours forms and the documents;
removing a theme from a dossier and reopening a closed form are specific rights, given to the
circle's coordinator ("Coordinateur / Gestionnaire de cas"). Administrators refine them.
"""

from __future__ import annotations

from django.db import migrations

# (code, label, ordering, is_default, parent code)
THEMES = [
    ("principal", "Principal", 10, True, None),
    ("fil-actualite", "Fil d'actualité", 20, True, None),
    ("rdv-patient", "RDV patient", 30, True, None),
    ("coordination-dac", "Coordination DAC", 40, False, None),
    ("dac-evaluation", "Évaluation", 10, False, "coordination-dac"),
    ("dac-plan", "Plan personnalisé de coordination en santé", 20, False, "coordination-dac"),
    ("cocon", "Cocon", 50, False, None),
    ("cocon-inclusion", "Inclusion", 10, False, "cocon"),
    ("cocon-cahiers", "Cahiers de suivi", 20, False, "cocon"),
    ("cocon-equipe-mobile", "Équipe mobile", 30, False, "cocon"),
    ("perinatalite", "Périnatalité", 60, False, None),
    ("gerontologie", "Gérontologie", 70, False, None),
    ("handicap", "Handicap", 80, False, None),
    ("sante-mentale", "Santé mentale", 90, False, None),
    ("soins-palliatifs", "Soins palliatifs", 100, False, None),
    ("oncologie", "Oncologie", 110, False, None),
]
COORDINATOR = "Coordinateur / Gestionnaire de cas"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Theme = apps.get_model("pathways", "Theme")
    for code, label, ordering, is_default, parent in THEMES:
        Theme.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "ordering": ordering,
                "is_default": is_default,
                "parent": Theme.objects.get(code=parent) if parent else None,
            },
        )
    RightsRule = apps.get_model("careteam", "RightsRule")
    for section in ("PATHWAYS", "DOCUMENTS"):
        RightsRule.objects.get_or_create(
            profession=None,
            role=None,
            section=section,
            theme=None,
            defaults={"can_read": True, "can_write": True},
        )
    CircleRole = apps.get_model("careteam", "CircleRole")
    coordinator = CircleRole.objects.filter(label=COORDINATOR).first()
    if coordinator is not None:
        for section in ("THEME_REMOVAL", "FORM_REOPENING"):
            RightsRule.objects.get_or_create(
                profession=None,
                role=coordinator,
                section=section,
                theme=None,
                defaults={"can_read": True, "can_write": True},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0001_initial"),
        ("careteam", "0008_rightsrule_theme_alter_rightsrule_section_and_more"),
        ("careteam", "0004_roles_and_rights_matrix"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
