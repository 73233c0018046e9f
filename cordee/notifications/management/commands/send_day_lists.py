"""AGD-2, NOT-2: the day's list of appointments (from cron: daily at 7:00 Paris time, or every
few minutes in any time zone — before 7:00 Paris it sends nothing, and it sends once a day)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.notifications.day_list import send_day_lists


class Command(BaseCommand):
    help = (
        "Envoie à chaque professionnel qui a des rendez-vous aujourd'hui la liste de ses rendez-vous "
        "de la journée (à partir de 7 h, heure de Paris ; une fois par jour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_day_lists()
        if run.early:
            self.stdout.write(f"Avant 7 h (heure de Paris) : rien n'est envoyé pour le {run.day:%d/%m/%Y}.")
            return
        self.stdout.write(
            f"{run.day:%d/%m/%Y} : {run.told} professionnel(s) prévenu(s), {run.mailed} e-mail(s) mis dans "
            f"la file d'envoi, {run.already} déjà prévenu(s) aujourd'hui."
        )
