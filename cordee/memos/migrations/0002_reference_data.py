"""ACT-2: the rights matrix's new "Mémo" section — by default every habilitated professional
reads the circle's public memos and writes memos; administrators refine it in the admin."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    RightsRule = apps.get_model("careteam", "RightsRule")
    RightsRule.objects.get_or_create(
        profession=None, role=None, section="MEMO", theme=None, defaults={"can_read": True, "can_write": True}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0001_initial"),
        ("careteam", "0011_memo_section"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
