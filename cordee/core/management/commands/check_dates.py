from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.core.date_repair import find_and_repair


class Command(BaseCommand):
    help = (
        "Cherche les dates enregistrées hors de 1900 → 2100 (illisibles ou absurdes) ; "
        "--repair les ramène à la borne la plus proche."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="ramener ces dates à la borne la plus proche"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The journal is append-only and dated by the database itself: never touched here.
        models = [
            model
            for model in apps.get_models()
            if model.__module__.startswith("cordee.") and model._meta.app_label != "audit"
        ]
        findings = find_and_repair(models, repair=options["repair"])
        for finding in findings:
            ids = ", ".join(str(pk) for pk in finding.pks[:20])
            more = f" (et {len(finding.pks) - 20} autres)" if len(finding.pks) > 20 else ""
            self.stdout.write(f"{finding.model}.{finding.field} : {len(finding.pks)} ligne(s) — {ids}{more}")
        if not findings:
            self.stdout.write("Aucune date hors de 1900 → 2100.")
        elif options["repair"]:
            self.stdout.write(f"Réparé : {sum(len(f.pks) for f in findings)} date(s) ramenée(s) aux bornes.")
        else:
            raise CommandError("Des dates sont hors de 1900 → 2100 : relancer avec --repair.")
