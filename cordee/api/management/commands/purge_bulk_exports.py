from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.api.bulk import purge_expired


class Command(BaseCommand):
    help = (
        "Supprime les fichiers des exports FHIR en masse expirés (CORDEE_BULK_EXPORT_HOURS) ; "
        "le worker le fait aussi avant chaque export. À lancer chaque heure (cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired()
        self.stdout.write(f"{purged} export(s) expiré(s) supprimé(s).")
