"""Load the shipped COG files (data/, see data/SOURCES.md) into the reference tables.

Idempotent: rows are upserted by their INSEE code, so re-running after a new COG edition
updates names and postal codes without touching zones that point at communes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cordee.core.text import search_key

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_territory(
    region_model: Any, departement_model: Any, commune_model: Any, country_model: Any
) -> dict[str, int]:
    """Models are passed in so a data migration can hand over its historical models."""
    regions = [region_model(code=r["code"], name=r["name"]) for r in _rows("regions.csv")]
    region_model.objects.bulk_create(
        regions, update_conflicts=True, unique_fields=["code"], update_fields=["name"]
    )
    departements = [
        departement_model(code=d["code"], name=d["name"], region_id=d["region"])
        for d in _rows("departements.csv")
    ]
    departement_model.objects.bulk_create(
        departements, update_conflicts=True, unique_fields=["code"], update_fields=["name", "region"]
    )
    communes = [
        commune_model(
            code=c["code"],
            name=c["name"],
            name_key=search_key(c["name"]),
            postal_codes=c["postal_codes"],
            departement_id=c["departement"] or None,
        )
        for c in _rows("communes.csv")
    ]
    commune_model.objects.bulk_create(
        communes,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "name_key", "postal_codes", "departement"],
    )
    countries = [
        country_model(code=c["code"], name=c["name"], iso2=c["iso2"]) for c in _rows("countries.csv")
    ]
    country_model.objects.bulk_create(
        countries, update_conflicts=True, unique_fields=["code"], update_fields=["name", "iso2"]
    )
    return {
        "regions": len(regions),
        "departements": len(departements),
        "communes": len(communes),
        "countries": len(countries),
    }
