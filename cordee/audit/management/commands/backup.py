from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.audit.backup import BackupError, backup, stamp


class Command(BaseCommand):
    help = "Sauvegarde la base et les fichiers des dossiers dans un dossier neuf (README « Sauvegarde »)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", nargs="?", help="dossier neuf (défaut : var/backups/<date>)")

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["destination"] or Path(settings.BASE_DIR) / "var" / "backups" / stamp())
        try:
            manifest = backup(destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = "fichiers en stockage objet" if manifest.files is None else f"{manifest.files} fichiers"
        self.stdout.write(
            f"Sauvegarde faite dans {destination} : {sum(manifest.tables.values())} lignes, "
            f"{manifest.journal_rows} accès au journal, {files}."
        )
