"""Occurrences changed on their own (RECURRENCE-ID) left past their series' end by "annuler cette
occurrence et les suivantes" before issue 18's fix: they become appointments of their own, where
they are, as the cut now leaves them — no feed names an occurrence its series no longer has."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations
from django.utils import timezone


def detach(apps: Any, schema_editor: Any) -> None:
    appointment = apps.get_model("agenda", "Appointment")
    paris = timezone.get_default_timezone()
    stranded = []
    overrides = appointment.objects.filter(series__repeat_until__isnull=False).select_related("series")
    for override in overrides.only("pk", "recurrence_id", "series__repeat_until"):
        last = override.series.repeat_until
        after = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
        if override.recurrence_id >= timezone.make_aware(after, paris):
            stranded.append(override.pk)
    appointment.objects.filter(pk__in=stranded).update(
        series=None, recurrence_id=None, cancelled_with_series=False, updated_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0004_override_cancelled_with_series"),
    ]

    operations = [
        migrations.RunPython(detach, migrations.RunPython.noop),
    ]
