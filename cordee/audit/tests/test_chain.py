"""Issue 22: the journal is tamper-evident. Its owner can lift the append-only triggers; what they
then alter, remove or insert is found by `verify_journal`, and a chain recomputed end to end is
found against the heads recorded earlier. The retention purge keeps what remains verifiable."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from cordee.accounts.models import User
from cordee.audit import chain
from cordee.audit.migrations import _chain_sql as sql
from cordee.audit.migrations._append_only_sql import LISTED_SQLITE_DOWN, LISTED_SQLITE_UP
from cordee.audit.models import Access, ChainHead, ListedDossier
from cordee.audit.services import journal, journal_listed
from cordee.core.actor import Actor
from cordee.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(coordinator) -> Actor:
    return Actor(user=coordinator, membership=coordinator.memberships.get())


@pytest.fixture
def rows(actor: Actor, dossier: Patient) -> list[Access]:
    for n in range(6):
        journal(actor, dossier, "view", what=f"consultation {n} | avec une barre")
    return list(Access.objects.order_by("chain", "seq"))


@contextmanager
def as_owner() -> Iterator[Any]:
    """The table's owner lifting every trigger, as one could by hand."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign-key check left pending
            cursor.execute("ALTER TABLE audit_access DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_listeddossier DISABLE TRIGGER USER")
        else:
            for name in ("audit_access_no_update", "audit_access_no_delete", "audit_access_seal"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for statement in LISTED_SQLITE_DOWN:
                cursor.execute(statement)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_access ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_listeddossier ENABLE TRIGGER USER")
        else:
            for statement in [*sql.SQLITE_SEAL, *sql.restore_append_only("sqlite"), *LISTED_SQLITE_UP[:1]]:
                cursor.execute(statement)


def _findings() -> list[str]:
    return [str(finding) for finding in chain.verify().findings]


def test_every_row_is_sealed_and_the_journal_verifies(rows: list[Access]) -> None:
    assert all(row.digest and row.seq for row in rows)
    by_chain: dict[int, list[int]] = {}
    for row in rows:
        by_chain.setdefault(row.chain or 0, []).append(row.seq or 0)
    for chain_id, ranks in by_chain.items():
        assert ranks == list(range(1, len(ranks) + 1))
        head = ChainHead.objects.get(chain=chain_id)
        assert head.seq == len(ranks)
    report = chain.verify()
    assert report.intact and report.rows == len(rows)
    out = StringIO()
    call_command("verify_journal", stdout=out)
    assert f"Journal intact : {len(rows)} accès vérifiés." in out.getvalue()


def test_the_digest_is_the_same_in_the_database_and_in_python(rows: list[Access]) -> None:
    previous = chain.GENESIS
    for row in [r for r in rows if r.chain == rows[0].chain]:
        values = {name: getattr(row, name) for name in chain.SEALED}
        assert chain.digest(previous, values) == row.digest
        previous = row.digest


def test_an_altered_row_is_found(rows: list[Access]) -> None:
    target = rows[2]
    with as_owner() as cursor:
        cursor.execute("UPDATE audit_access SET outcome = 'FORBIDDEN' WHERE id = %s", [target.pk])
    assert _findings() == [
        f"chaîne {target.chain}, rang {target.seq} : empreinte incohérente (ligne modifiée ou insérée)"
    ]
    with pytest.raises(CommandError, match="Journal altéré : 1 anomalie"):
        call_command("verify_journal", stdout=StringIO())


def test_a_removed_row_is_found(rows: list[Access]) -> None:
    target = rows[3]
    with as_owner() as cursor:
        cursor.execute("DELETE FROM audit_access WHERE id = %s", [target.pk])
    findings = _findings()
    assert f"chaîne {target.chain}, rang {target.seq} : 1 ligne(s) manquante(s) (supprimées)" in findings


def test_rows_removed_from_the_end_are_found(rows: list[Access]) -> None:
    last = rows[-1]
    with as_owner() as cursor:
        cursor.execute("DELETE FROM audit_access WHERE id = %s", [last.pk])
    assert any("s'arrête avant sa tête" in finding for finding in _findings())


def test_an_inserted_row_is_found(rows: list[Access]) -> None:
    forged = rows[1]
    with as_owner() as cursor:
        cursor.execute(
            "INSERT INTO audit_access (at, user_id, requested_id, action, what, outcome, chain, seq, digest)"
            " VALUES (%s, %s, '', 'view', 'faux', 'ALLOWED', %s, %s, %s)",
            [timezone.now(), forged.user_id, forged.chain, forged.seq, "f" * 64],
        )
        cursor.execute(
            "INSERT INTO audit_access (at, user_id, requested_id, action, what, outcome, digest)"
            " VALUES (%s, %s, '', 'view', 'sans sceau', 'ALLOWED', '')",
            [timezone.now(), forged.user_id],
        )
    findings = _findings()
    assert any("non scellée" in finding for finding in findings)
    assert any(f"rang {forged.seq} : rang déjà vu" in finding for finding in findings)


def test_a_list_of_dossiers_is_sealed_with_its_row(
    actor: Actor, dossier: Patient, coordinator, structure
) -> None:
    """One row naming many dossiers (a bulk export's batch): a dossier added to or removed from
    its list, or the whole list removed, is found like an altered row."""
    from cordee.patients.testing import create_test_patient

    other = create_test_patient(coordinator, structure, birth_name="Autre")
    third = create_test_patient(coordinator, structure, birth_name="Tiers")
    with pytest.raises(ValueError, match="liste"):
        journal_listed(actor, [dossier], "view")
    row = journal_listed(actor, [other, dossier, other], "bulk_export_dossiers", what="export")
    assert row is not None and row.patient is None
    row.refresh_from_db()
    assert row.digest and row.seq
    assert sorted(row.listed.values_list("patient_id", flat=True)) == sorted([dossier.pk, other.pk])
    assert row.requested_id == chain.listing_digest([other.pk, dossier.pk])
    assert journal_listed(actor, [], "bulk_export_dossiers") is None
    assert chain.verify().intact
    with pytest.raises(ValueError, match="jamais effacé"):
        ListedDossier.objects.filter(access=row).first().delete()  # type: ignore[union-attr]

    # The database itself refuses to rewrite or shorten a list (SEC-2, as for the journal)…
    for statement in (
        "UPDATE audit_listeddossier SET patient_id = patient_id",
        "DELETE FROM audit_listeddossier",
    ):
        with (
            pytest.raises((IntegrityError, DatabaseError, InternalError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert chain.verify().intact

    # …and what the table's owner does by hand anyway is found.
    added = ListedDossier.objects.create(access=row, patient=third)
    assert [f.what for f in chain.verify().findings] == [
        "liste de dossiers modifiée (dossier ajouté ou retiré)"
    ]
    with as_owner():
        ListedDossier.objects.filter(pk=added.pk).delete()
    assert chain.verify().intact
    with as_owner():
        ListedDossier.objects.filter(access=row, patient=other).delete()
    assert not chain.verify().intact
    with as_owner():
        ListedDossier.objects.filter(access=row).delete()
    assert [f.what for f in chain.verify().findings] == ["liste de dossiers supprimée"]
    ListedDossier.objects.create(access=Access.objects.exclude(pk=row.pk)[0], patient=dossier)
    assert len(chain.verify().findings) == 2


def test_a_chain_recomputed_end_to_end_is_found_against_the_recorded_heads(
    rows: list[Access], tmp_path: Path
) -> None:
    heads = tmp_path / "tetes.json"
    out = StringIO()
    call_command("verify_journal", "--save-heads", str(heads), stdout=out)
    recorded = json.loads(heads.read_text())
    assert recorded and all(set(head) == {"chain", "seq", "digest"} for head in recorded)
    # The owner rewrites a row and recomputes every digest after it, and the head: the chain
    # alone looks intact…
    target = rows[1]
    with as_owner() as cursor:
        cursor.execute("UPDATE audit_access SET outcome = 'FORBIDDEN' WHERE id = %s", [target.pk])
        previous = chain.GENESIS
        for row in Access.objects.filter(chain=target.chain).order_by("seq"):
            values = {name: getattr(row, name) for name in chain.SEALED}
            previous = chain.digest(previous, values)
            cursor.execute("UPDATE audit_access SET digest = %s WHERE id = %s", [previous, row.pk])
        cursor.execute("UPDATE audit_chainhead SET digest = %s WHERE chain = %s", [previous, target.chain])
    assert chain.verify().intact
    # …but not against the heads recorded before.
    with pytest.raises(CommandError, match="Journal altéré"):
        call_command("verify_journal", "--heads", str(heads), stdout=StringIO())


def test_the_retention_purge_keeps_the_rest_verifiable(actor: Actor, dossier: Patient) -> None:
    from cordee.audit.testing import purge_journal_for_tests

    purge_journal_for_tests()  # a journal that starts 400 days ago
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=400), tick=False):
        for n in range(3):
            journal(actor, dossier, "view", what=f"ancienne {n}")
        journal_listed(actor, [dossier], "bulk_export_dossiers", what="ancienne liste")
    journal(actor, dossier, "view", what="récente")
    recent = Access.objects.filter(at__gte=now - datetime.timedelta(days=1)).count()
    assert recent == 1
    with pytest.raises(CommandError, match="au moins 12 mois"):
        call_command("purge_journal", "--older-than", "6m")
    out = StringIO()
    call_command("purge_journal", "--older-than", "12m", stdout=out)
    assert "4 accès antérieurs" in out.getvalue()
    assert not ListedDossier.objects.exists()  # the list went with its row
    assert (
        Access.objects.count() == recent and not Access.objects.filter(what__startswith="ancienne").exists()
    )
    assert chain.verify().intact
    journal(actor, dossier, "view", what="après la purge")
    assert chain.verify().intact
    # The purge lifted the append-only rule for itself only.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Access.objects.all().delete()


def test_concurrent_writers_keep_every_chain_whole(transactional_db: None) -> None:
    """Requests journaling at once, each on its own connection: on PostgreSQL they write in
    parallel (each chain's head locked for the instant of its insert); SQLite takes one writer at
    a time, which the test does too."""
    import threading

    # No reference data (professions, communes): a flush ends this test and may have ended another.
    actor = Actor(user=User.objects.create(username="ecrivain.parallele"))
    one_at_a_time = threading.Lock() if connection.vendor == "sqlite" else None
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for n in range(25):
                if one_at_a_time is None:
                    journal(actor, None, "view", what=f"parallèle {n}")
                else:
                    with one_at_a_time:
                        journal(actor, None, "view", what=f"parallèle {n}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    report = chain.verify()
    assert report.intact, report.findings
    assert Access.objects.filter(what__startswith="parallèle").count() == 100
    assert report.rows == Access.objects.count()
