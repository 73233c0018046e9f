"""Reference data (ACT-4, CIR-2): the restricted document categories (medical reports,
syntheses, imaging, prescriptions, dispensations, treatments, certificates) are read and written
by the health and coordination professions; social and administrative professions do not read
them by default. Administrators refine these rows in the admin (the matrix is data)."""

from __future__ import annotations

from django.db import migrations

HEALTH_AND_COORDINATION = ("MEDICAL", "PARAMEDICAL", "PSYCHO", "COORDINATION")


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    RightsRule = apps.get_model("careteam", "RightsRule")
    Profession = apps.get_model("accounts", "Profession")
    Category = apps.get_model("documents", "DocumentCategory")
    restricted = list(Category.objects.filter(is_restricted=True))
    for profession in Profession.objects.filter(category__in=HEALTH_AND_COORDINATION):
        for category in restricted:
            RightsRule.objects.get_or_create(
                profession=profession,
                role=None,
                section="DOCUMENTS",
                theme=None,
                document_category=category,
                defaults={"can_read": True, "can_write": True},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("careteam", "0009_rights_by_document_category"),
        ("documents", "0005_reference_categories"),
        ("accounts", "0003_reference_data"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
