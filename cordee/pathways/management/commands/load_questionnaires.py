"""PAR-2: publish the questionnaires shipped with the project (new version only when changed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.pathways.definition import DefinitionError
from cordee.pathways.loader import SHIPPED, load_shipped


class Command(BaseCommand):
    help = (
        "Publie les questionnaires livrés (fichiers JSON) ; une nouvelle version seulement s'ils ont changé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory", type=Path, action="append", help="par défaut : les questionnaires livrés"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_shipped(options["directory"] or SHIPPED)
        except DefinitionError as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        for row in loaded:
            state = "nouvelle version" if row.created else "inchangé"
            self.stdout.write(f"{row.code} : v{row.version} ({state})")
