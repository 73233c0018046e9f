"""DIR-2: the set-based route (PostgreSQL: staging table and SQL, `setwise.py`) and the batches of
`importer.py` (SQLite) give the same directory and the same counts from the same files."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.db import connection, transaction

from cordee.accounts.models import Structure
from cordee.core.identifiers import rpps_with_key
from cordee.directory import setwise
from cordee.directory.annuaire import Line
from cordee.directory.importer import Importer
from cordee.directory.models import Activity, DirectoryProfessional, NationalProfession, Specialty
from cordee.directory.tests.extract import SAMPLE, opener, professional, text
from tests.factories import make_structure, make_user

PACA = frozenset({"04", "05", "06", "13", "83", "84"})
# sha256 of the scenario's counts, rejections and directories below: the same on both databases
# and both routes. A change of the rules changes it (print `_fingerprint(steps)` to renew it).
FINGERPRINT = "06b385321fdcb30dced3304bfb13980a3e303a7cee148cb212afd2b651944c84"


def _snapshot() -> dict[str, Any]:
    """The directory without what differs by nature between two runs (keys, UUIDs, moments)."""
    professionals = list(
        DirectoryProfessional.objects.order_by("national_id").values_list(
            "national_id",
            "identifier_type",
            "rpps",
            "adeli",
            "title",
            "last_name",
            "first_name",
            "name_key",
            "national_profession_id",
            "specialty_id",
            "user__username",
            "is_active",
            "digest",
        )
    )
    activities = list(
        Activity.objects.order_by("digest").values_list(
            "digest",
            "professional__national_id",
            "structure__finess",
            "structure__siret",
            "mode",
            "site_name",
            "address",
            "postal_code",
            "commune_id",
            "departement",
            "phone",
            "email",
            "is_active",
        )
    )
    structures = sorted(
        Structure.objects.values_list(
            "name", "name_key", "kind", "finess", "siret", "address", "commune_id", "phone", "is_active"
        )
    )
    return {
        "professionals": professionals,
        "activities": activities,
        "structures": structures,
        "professions": list(NationalProfession.objects.order_by("code").values_list("code", "label")),
        "specialties": list(Specialty.objects.order_by("code").values_list("code", "label", "kind")),
    }


def _scenario(set_based: bool, readers: int | None = None) -> list[Any]:
    """A first import, the same file again, a newer extract (a name changed, a specialty gained,
    a professional gone, an account registered since, a new profession code, a structure
    renamed), a region's extract, then the first file again."""
    steps: list[Any] = []

    def step(content: str | bytes, departements: frozenset[str] | None = None) -> None:
        report = Importer(
            opener(content), departements=departements, set_based=set_based, readers=readers
        ).run()
        steps.append({"counts": report.counts(), "rejections": report.rejections, "directory": _snapshot()})

    sample = SAMPLE.read_text(encoding="utf-8")
    make_structure(name="Ancien nom", kind=Structure.Kind.MATERNITY, finess="069999991")
    step(sample)
    step(sample)
    make_user(username="chassagne", rpps=rpps_with_key("1009900003"))
    newer = (
        sample.replace("|CHASSAGNE|JULIEN|70|", "|CHASSAGNE-ROUX|JULIEN|70|")
        .replace("CENTRE HOSPITALIER DES OLIVIERS (FICTIF)", "CENTRE HOSPITALIER DES OLIVIERS")
        .replace("|GARNIER|", "|GAR\tNIER\\X|")
    )
    newer = "\n".join(line for line in newer.split("\n") if "|FOURNIER|" not in line)
    newer += professional("1000000001", "NOUVEAU", profession="96", specialty=("S", "SM40", "Pédiatrie"))
    newer += "\n" + professional("1000000001", "NOUVEAU", profession="96", commune="13055") + "\n"
    step(newer)
    step(text(professional("1000000002", "TOULONNAIS", commune="83137")), PACA)
    step(sample)
    return steps


def _fingerprint(steps: list[Any]) -> str:
    return hashlib.sha256(json.dumps(steps, sort_keys=True, default=str).encode()).hexdigest()


class _Discard(Exception):
    pass


def _schema() -> list[Any]:
    """The directory tables' indexes and constraints, as PostgreSQL defines them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s::regclass[])
            UNION ALL
            SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = ANY(%s::regclass[])
            ORDER BY 1
            """,
            [list(setwise.DIRECTORY_TABLES)] * 2,
        )
        return list(cursor.fetchall())


def test_both_routes_give_the_same_directory_and_counts(db, monkeypatch) -> None:
    # On PostgreSQL: the batches, the set-based route, the set-based route of a first import
    # of a big file (indexes and keys dropped, then put back), and that one with the file read
    # by two processes (each a slice of it), each rolled back after its run.
    routes: list[tuple[bool, int, int]] = [(False, 0, 0)]
    if connection.vendor == "postgresql":
        routes += [(True, setwise.REBUILD_INDEXES_FROM, 0), (True, 0, 0), (True, 0, 2)]
        schema = _schema()
    results = []
    for set_based, rebuild_from, readers in routes:
        monkeypatch.setattr(setwise, "REBUILD_INDEXES_FROM", rebuild_from)
        try:
            with transaction.atomic():
                results.append(_scenario(set_based, readers))
                if set_based:
                    assert _schema() == schema
                raise _Discard
        except _Discard:
            pass
    assert all(result == results[0] for result in results[1:])
    steps = results[0]
    # What the scenario is about, read in the results.
    assert steps[1]["counts"] == steps[0]["counts"] | {
        "nouveaux": 0,
        "activites_nouvelles": 0,
        "structures_nouvelles": 0,
        "structures_mises_a_jour": 0,
    }
    assert steps[1]["directory"] == steps[0]["directory"]
    assert steps[2]["counts"]["comptes_relies"] == 1 and steps[2]["counts"]["inactives"] == 1
    assert steps[3]["counts"]["inactives"] > 0 and steps[4]["counts"]["mis_a_jour"] > 0
    assert _fingerprint(steps) == FINGERPRINT


def test_copy_lines_escape_tabs_and_backslashes() -> None:
    values = {name: "" for name in Line.__slots__ if name != "number"}
    values |= {"national_id": "8123", "last_name": "DU\\PONT", "first_name": "A\tB", "departement": "06"}
    line = Line(number=7, **values)
    fields = setwise._copy_line(line).split("\t")
    assert len(fields) == len(setwise.COLUMNS)
    assert fields[5] == "DU\\\\PONT" and fields[6] == "A\\tB" and fields[0] == "7"


def test_a_professionals_first_line_gives_their_fields_when_their_lines_are_apart(db) -> None:
    # The set-based route looks for a professional's first line among the lines starting a run
    # of their identifier: lines apart, and runs cut by the batches, still give the first one.
    lines = [
        professional("1000000001", "PREMIER", specialty=("S", "SM54", "Médecine générale")),
        professional("1000000002", "AUTRE"),
        professional("1000000001", "SECOND", commune="13055", specialty=("S", "SM40", "Pédiatrie")),
        professional("1000000002", "AUTRE", commune="13055"),
        professional("1000000002", "AUTRE", commune="83137"),
    ]
    # (The batches of the SQLite route take a batch's first line: one batch here.)
    routes = [(False, 10)]
    if connection.vendor == "postgresql":
        routes += [(True, 1), (True, 2), (True, 10)]
    for set_based, batch_size in routes:
        with transaction.atomic():
            report = Importer(opener(text(*lines)), set_based=set_based, batch_size=batch_size).run()
            first = DirectoryProfessional.objects.get(rpps=rpps_with_key("1000000001"))
            assert (first.last_name, first.specialty_id) == ("PREMIER", "SM54"), (set_based, batch_size)
            assert (report.new, report.activities_new) == (2, 5)
            transaction.set_rollback(True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the readers feed the staging table of the PostgreSQL route"
)
def test_a_reader_that_fails_stops_the_import_and_writes_nothing(db, monkeypatch) -> None:
    from cordee.directory import importer as importer_module

    def broken(*args: Any, **kwargs: Any) -> Any:
        yield from ()
        raise OSError("disque illisible")

    monkeypatch.setattr(importer_module, "read_extract", broken)
    content = SAMPLE.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError, match="OSError: disque illisible"):
        Importer(opener(content), readers=2).run()
    assert not DirectoryProfessional.objects.exists() and not Activity.objects.exists()
