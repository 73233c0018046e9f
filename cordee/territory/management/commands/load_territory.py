from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.territory.loader import load_territory
from cordee.territory.models import Commune, Country, Departement, Region


class Command(BaseCommand):
    help = "Charge ou met à jour les communes, départements, régions et pays (COG INSEE) depuis data/."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_territory(Region, Departement, Commune, Country)
        self.stdout.write(", ".join(f"{name} : {count}" for name, count in counts.items()))
