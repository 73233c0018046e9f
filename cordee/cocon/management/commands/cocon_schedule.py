"""COC-3, daily: refresh every child's calendar and create the reminders due (once each)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.cocon.models import Inclusion
from cordee.cocon.reminders import create_reminders
from cordee.cocon.services import refresh_schedule


class Command(BaseCommand):
    help = (
        "Met à jour le calendrier Cocon de chaque enfant et crée les tâches de rappel dues (une seule fois)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        refreshed = 0
        for inclusion in (
            Inclusion.objects.filter(ended_on__isnull=True).select_related("patient").iterator(2000)
        ):
            refresh_schedule(inclusion)
            refreshed += 1
        outcome = create_reminders()
        self.stdout.write(
            f"Calendriers à jour : {refreshed} ; tâches créées : {outcome.created} ; "
            f"sans pédiatre référent habilité : {outcome.skipped_no_referent}"
        )
