from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde dans une base vide et vérifie qu'elle est complète."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="le dossier de la sauvegarde")
        parser.add_argument("--database-url", required=True, help="la base neuve où restaurer")
        parser.add_argument("--files-to", help="où déposer les fichiers (défaut : le stockage configuré)")

    def handle(self, *args: Any, **options: Any) -> None:
        files_to = Path(options["files_to"]) if options["files_to"] else None
        try:
            manifest = restore(Path(options["source"]), options["database_url"], files_to)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restauration vérifiée : {len(manifest.tables)} tables et {manifest.journal_rows} accès "
            f"au journal, identiques à la sauvegarde du {manifest.made_at}."
        )
