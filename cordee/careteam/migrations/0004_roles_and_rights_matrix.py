"""Reference data: the booklet's seven roles (CIR-5) and the default rights matrix (CIR-2).

Defaults: every habilitated professional reads the whole dossier and keeps it up to date,
except that hospital stays are health data that social and administrative professions read
but do not write, and the access journal is read-only by nature. Administrators refine the
matrix in the admin; later features add their sections (tasks, memos, document categories).
"""

from __future__ import annotations

from django.db import migrations

ROLES = [
    "Aidant principal",
    "Aidant secondaire",
    "Coordinateur / Gestionnaire de cas",
    "Intervenant",
    "Mandataire judiciaire",
    "Médecin traitant",
    "Personne à prévenir",
]

ALL_WRITE = ["IDENTITY", "STATUS", "CONSENT", "CIRCLE", "LINKS", "FEED", "HOSPITALISATIONS"]
READ_ONLY = ["ACCESS_JOURNAL"]
NON_CLINICAL = [
    "assistant-service-social",
    "educateur-specialise",
    "educateur-jeunes-enfants",
    "cesf",
    "secretaire-medical",
    "assistant-coordination",
]


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    CircleRole = apps.get_model("careteam", "CircleRole")
    for order, label in enumerate(ROLES, start=1):
        CircleRole.objects.get_or_create(label=label, defaults={"ordering": order * 10})
    RightsRule = apps.get_model("careteam", "RightsRule")
    Profession = apps.get_model("accounts", "Profession")
    clinical_write = ALL_WRITE
    for section in clinical_write:
        can_write = section != "HOSPITALISATIONS"
        RightsRule.objects.get_or_create(
            profession=None, role=None, section=section, defaults={"can_read": True, "can_write": can_write}
        )
    for section in READ_ONLY:
        RightsRule.objects.get_or_create(
            profession=None, role=None, section=section, defaults={"can_read": True, "can_write": False}
        )
    for profession in Profession.objects.exclude(code__in=NON_CLINICAL):
        RightsRule.objects.get_or_create(
            profession=profession,
            role=None,
            section="HOSPITALISATIONS",
            defaults={"can_read": True, "can_write": True},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("careteam", "0003_circle_details_and_rights_matrix"),
        ("accounts", "0003_reference_data"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
