from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cordee.directory.annuaire import ExtractError
from cordee.directory.importer import Importer, ImportReport
from cordee.directory.runs import parse_departements, report_lines


class Command(BaseCommand):
    help = (
        "DIR-2 : importe l'extraction en libre accès de l'Annuaire Santé (fichier "
        "PS_LibreAcces_Personne_activite_*.txt, ou l'archive zip publiée)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="le fichier de l'extraction (txt ou zip)")
        parser.add_argument(
            "--departements",
            default="",
            help="limiter aux départements listés, séparés par des virgules (ex. 04,05,06,13,83,84)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            departements = parse_departements(options["departements"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        importer = Importer(lambda: path.open("rb"), departements=departements, progress=self._progress)
        try:
            report: ImportReport = importer.run()
        except ExtractError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        seconds = time.monotonic() - started
        for text in report_lines(report):
            self.stdout.write(text)
        self.stdout.write(
            f"Durée : {seconds:.1f} s ({report.lines / max(seconds, 0.001):,.0f} lignes/s)".replace(",", " ")
        )

    def _progress(self, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        bar = "#" * (percent // 4) + "." * (25 - percent // 4)
        end = "\r" if sys.stderr.isatty() else "\n"
        self.stderr.write(f"[{bar}] {percent:3d} % — {done} / {total} lignes", ending=end)
        self.stderr.flush()
