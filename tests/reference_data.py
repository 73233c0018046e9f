"""The rows the data migrations write, written again after a transactional test's flush."""

from __future__ import annotations

import csv
import functools
import importlib

from django.apps import apps as django_apps

from cordee.accounts.models import Profession, TermsVersion
from cordee.careteam.models import CircleRole, RightsRule
from cordee.core.text import search_key
from cordee.pathways.loader import load_shipped
from cordee.territory.loader import DATA_DIR
from cordee.territory.models import Commune, Country, Departement, Region

# The communes of the test structures' territory (Nice is 06088); all the others only where a
# test searches the whole COG: inserting 35,000 rows before each test would cost ~1 s.
HOME_DEPARTEMENT = "06"


@functools.cache
def _cog(name: str) -> tuple[dict[str, str], ...]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def reload_reference_data() -> None:
    """Transactional tests end with a flush that also empties the tables filled by data
    migrations (professions, CGU, roles and rights, COG). Put them back."""
    if not Profession.objects.exists() or not TermsVersion.objects.exists():
        migration = importlib.import_module("cordee.accounts.migrations.0003_reference_data")
        migration.load(django_apps, None)
    # Relations ("Parent" / "Enfant") and discharge reasons: get_or_create, idempotent.
    importlib.import_module("cordee.patients.migrations.0002_reference_data").load(django_apps, None)
    # DEM-1: request steps, motifs and specialised services (update_or_create, idempotent).
    importlib.import_module("cordee.referrals.migrations.0002_reference_data").seed(django_apps, None)
    # Circle roles and the default rights matrix (CIR-2, CIR-5): without them nobody opens a dossier.
    if not CircleRole.objects.exists() or not RightsRule.objects.exists():
        migration = importlib.import_module("cordee.careteam.migrations.0004_roles_and_rights_matrix")
        migration.load(django_apps, None)
    # Task types, levels and the TASKS section of the matrix (get_or_create, idempotent).
    importlib.import_module("cordee.tasks.migrations.0002_reference_data").load(django_apps, None)
    # Parcours themes, the matrix's Parcours / documents sections and the shipped questionnaires.
    importlib.import_module("cordee.pathways.migrations.0002_reference_data").load(django_apps, None)
    load_shipped()
    # The matrix's "Mémo" section (ACT-2; get_or_create, idempotent).
    importlib.import_module("cordee.memos.migrations.0002_reference_data").load(django_apps, None)
    # ACT-4: the DMP's document categories and the matrix's rows for the restricted ones.
    importlib.import_module("cordee.documents.migrations.0005_reference_categories").load(django_apps, None)
    rights = importlib.import_module("cordee.careteam.migrations.0010_document_category_rights")
    rights.load(django_apps, None)
    # Cocon inclusion criteria and the network staff's group (extraction, cohort dashboard).
    importlib.import_module("cordee.cocon.migrations.0002_reference_data").load(django_apps, None)
    # DIR-2: the national profession codes (update_or_create, idempotent).
    importlib.import_module("cordee.directory.migrations.0003_national_professions").load(django_apps, None)
    # AGD-1: the agenda's event types (get_or_create, idempotent).
    importlib.import_module("cordee.agenda.migrations.0002_event_types").load(django_apps, None)
    if not Region.objects.exists():
        Region.objects.bulk_create(Region(code=r["code"], name=r["name"]) for r in _cog("regions.csv"))
        Departement.objects.bulk_create(
            Departement(code=d["code"], name=d["name"], region_id=d["region"])
            for d in _cog("departements.csv")
        )
        Country.objects.bulk_create(
            Country(code=c["code"], name=c["name"], iso2=c["iso2"]) for c in _cog("countries.csv")
        )
        Commune.objects.bulk_create(
            Commune(
                code=c["code"],
                name=c["name"],
                name_key=search_key(c["name"]),
                postal_codes=c["postal_codes"],
                departement_id=c["departement"] or None,
            )
            for c in _cog("communes.csv")
            if c["departement"] == HOME_DEPARTEMENT
        )
