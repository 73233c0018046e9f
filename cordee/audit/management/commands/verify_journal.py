from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.audit.chain import heads, verify


class Command(BaseCommand):
    help = (
        "Vérifie que le journal des accès n'a été ni modifié, ni amputé, ni complété (chaîne d'empreintes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--heads", help="vérifier aussi le passage par les têtes enregistrées dans ce fichier"
        )
        parser.add_argument(
            "--save-heads", help="enregistrer les têtes actuelles dans ce fichier (à garder hors de la base)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = json.loads(Path(options["heads"]).read_text()) if options["heads"] else []
        report = verify(anchors)
        if report.intact:
            if options["save_heads"]:
                Path(options["save_heads"]).write_text(json.dumps(heads(), indent=1))
            self.stdout.write(f"Journal intact : {report.rows} accès vérifiés.")
            return
        for finding in report.findings:
            self.stdout.write(f"ANOMALIE {finding}")
        raise CommandError(
            f"Journal altéré : {len(report.findings)} anomalie(s) sur {report.rows} accès lus."
        )
