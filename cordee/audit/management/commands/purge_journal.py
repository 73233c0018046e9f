from __future__ import annotations

import datetime
import re
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cordee.audit.chain import purge

MINIMUM_MONTHS = 12  # SEC-2: the journal is kept at least twelve months


def age(text: str) -> relativedelta:
    """'12m' (months) or '400d' (days), at least twelve months."""
    match = re.fullmatch(r"(\d{1,4})([md])", text.strip())
    if match is None:
        raise CommandError("Durée attendue : un nombre de mois (12m) ou de jours (400d).")
    number, unit = int(match.group(1)), match.group(2)
    kept = relativedelta(months=number) if unit == "m" else relativedelta(days=number)
    today = timezone.now()
    if today - kept > today - relativedelta(months=MINIMUM_MONTHS):
        raise CommandError(f"Le journal est conservé au moins {MINIMUM_MONTHS} mois.")
    return kept


class Command(BaseCommand):
    help = (
        "Supprime du journal des accès les lignes plus anciennes que la durée de conservation "
        "(au moins 12 mois), en laissant la chaîne vérifiable. Avec le rôle propriétaire de la table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, help="durée de conservation : 12m, 18m, 400d…")

    def handle(self, *args: Any, **options: Any) -> None:
        before: datetime.datetime = timezone.now() - age(options["older_than"])
        removed = purge(before)
        self.stdout.write(f"Journal : {removed} accès antérieurs au {before:%d/%m/%Y} supprimés.")
