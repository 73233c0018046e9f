"""NOT-2: the daily summary of notifications, for whoever chose it (cron, every day at 7:00 Paris)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.notifications.services import send_digests


class Command(BaseCommand):
    help = "Envoie le récapitulatif quotidien des notifications à qui l'a choisi (chaque jour à 7 h)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} récapitulatif(s) mis dans la file d'envoi.")
