from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cordee.core.mail import deliver_due


class Command(BaseCommand):
    help = (
        "Envoie les courriels dus (NOT-2) : nouveaux essais, envois perdus, envois interrompus "
        "par l'arrêt d'un worker. À lancer chaque minute (cron), ou --boucle."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--boucle", type=float, metavar="SECONDES", help="recommencer toutes les N secondes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            done = deliver_due()
            if done.sent or done.left:
                self.stdout.write(f"Courriels envoyés : {done.sent} ; à réessayer : {done.left}.")
            if not options["boucle"]:
                return
            time.sleep(options["boucle"])
