"""The journal's tamper evidence (issue 22): every `audit.Access` row carries a digest chained to
the previous row of its chain, so that whoever can write the table — its owner, a backup restored
with a row changed — cannot alter, remove or insert a row unseen by `verify_journal`.

- Rows are spread over `CHAINS` chains (on PostgreSQL, by the server process that writes them), so
  that concurrent requests do not wait for one another; SQLite, which writes one at a time, keeps
  one chain.
- The database seals each row as it is inserted (a trigger: `migrations/_chain_sql.py`): its
  chain, its rank `seq` in the chain, and `digest` = SHA-256 of the previous digest and the row's
  fields, each written as `<length>:<text>` so that no two rows read alike. `audit_chainhead`
  holds each chain's last rank and digest (its tail: rows removed from the end show there).
- A retention purge (`purge_journal`) removes the oldest rows of each chain and records, as the
  chain's checkpoint, the last removed row's rank and digest: what remains still verifies.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from cordee.audit.models import Access, ListedDossier

CHAINS = 8
# Actions whose row stands for a list of dossiers (`ListedDossier`), the list's digest sealed in
# its `requested_id` (`listing_digest`); `verify` checks each list against its row.
LISTING_ACTIONS = frozenset({"bulk_export_dossiers"})
GENESIS = "0" * 64
# The row's fields in the order the digest reads them (after the previous digest).
SEALED = (
    "seq",
    "chain",
    "at",
    "user_id",
    "structure_id",
    "patient_id",
    "requested_id",
    "action",
    "what",
    "outcome",
)


def _moment(value: datetime.datetime | str) -> str:
    """`at` in UTC to the microsecond, as PostgreSQL's to_char writes it."""
    if isinstance(value, str):  # SQLite hands its text to the trigger's function
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"unreadable journal time {value!r}")
        value = parsed
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def listing_digest(patient_ids: Iterable[int]) -> str:
    """The digest of the dossiers a listing row names (`ListedDossier`), sealed in its
    `requested_id`: their ids in increasing order."""
    text = ",".join(str(pk) for pk in sorted(patient_ids))
    return hashlib.sha256(f"dossiers|{text}".encode()).hexdigest()


def digest(previous: str, values: dict[str, Any]) -> str:
    parts = []
    for name in SEALED:
        value = values[name]
        text = "" if value is None else _moment(value) if name == "at" else str(value)
        parts.append(f"{len(text)}:{text}")
    return hashlib.sha256(f"{previous}|{'|'.join(parts)}".encode()).hexdigest()


def sqlite_digest(previous: str, *values: Any) -> str:
    """The trigger's function on SQLite (registered on each connection by the app's config)."""
    return digest(previous, dict(zip(SEALED, values, strict=True)))


@dataclass
class Finding:
    chain: int | None
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = "hors chaîne" if self.chain is None else f"chaîne {self.chain}, rang {self.seq}"
        return f"{where} : {self.what}"


@dataclass
class Report:
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


def _heads() -> dict[int, tuple[int, str, int, str]]:
    """Per chain: (last rank, last digest, checkpoint rank, checkpoint digest)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain, seq, digest, checkpoint_seq, checkpoint_digest FROM audit_chainhead")
        return {int(c): (int(s), str(d), int(cs), str(cd)) for c, s, d, cs, cd in cursor.fetchall()}


def _rows(chain: int) -> Iterator[dict[str, Any]]:
    fields = [*SEALED, "digest", "id"]
    yield from (
        Access.objects.filter(chain=chain).order_by("seq", "id").values(*fields).iterator(chunk_size=5000)
    )


def heads() -> list[dict[str, Any]]:
    """Each chain's head now: kept outside the database (a file, a log, a printed page), it
    anchors a later verification against a chain rewritten end to end by whoever owns the table."""
    return [{"chain": c, "seq": s, "digest": d} for c, (s, d, _, _) in sorted(_heads().items())]


def verify(anchors: Iterable[dict[str, Any]] = ()) -> Report:
    """Each chain read in rank order from its checkpoint: a rank missing is a row removed, a
    digest that does not follow is a row altered or inserted, a tail short of the head is rows
    removed from the end; a row outside any chain was written past the trigger. `anchors`: heads
    recorded earlier, which each chain must still pass through (unless purged since)."""
    report = Report()
    found = report.findings
    for pk in Access.objects.filter(digest="").values_list("id", flat=True):
        found.append(Finding(None, None, f"ligne {pk} non scellée (écrite sans le déclencheur)"))
    current = _heads()
    for anchor in anchors:
        chain, seq = int(anchor["chain"]), int(anchor["seq"])
        kept = list(Access.objects.filter(chain=chain, seq=seq).values_list("digest", flat=True))
        purged = seq <= current.get(chain, (0, "", 0, ""))[2]
        if not purged and kept != [anchor["digest"]]:
            found.append(Finding(chain, seq, "ne correspond plus à la tête enregistrée (chaîne réécrite)"))
    for chain, (head_seq, head_digest, seq, previous) in sorted(current.items()):
        for row in _rows(chain):
            report.rows += 1
            if row["seq"] <= seq:
                found.append(
                    Finding(chain, row["seq"], "rang déjà vu ou antérieur au point de contrôle (insérée)")
                )
                continue
            if row["seq"] > seq + 1:
                found.append(
                    Finding(chain, seq + 1, f"{row['seq'] - seq - 1} ligne(s) manquante(s) (supprimées)")
                )
            if digest(previous, row) != row["digest"]:
                found.append(Finding(chain, row["seq"], "empreinte incohérente (ligne modifiée ou insérée)"))
            seq, previous = row["seq"], row["digest"]
        if (seq, previous) != (head_seq, head_digest):
            found.append(Finding(chain, seq, f"la chaîne s'arrête avant sa tête (rang {head_seq} attendu)"))
    _verify_listings(found)
    return report


def _verify_listings(found: list[Finding]) -> None:
    """Each list of dossiers (`ListedDossier`) against the digest its sealed row holds: a dossier
    added to or removed from a list, or a list moved to another row, shows."""
    expected = {
        pk: (chain, seq, requested_id)
        for pk, chain, seq, requested_id in Access.objects.filter(action__in=LISTING_ACTIONS)
        .values_list("id", "chain", "seq", "requested_id")
        .iterator(chunk_size=5000)
    }
    listed = (
        ListedDossier.objects.order_by("access_id", "patient_id")
        .values_list("access_id", "patient_id")
        .iterator(chunk_size=20000)
    )
    for access_id, rows in groupby(listed, key=itemgetter(0)):
        where = expected.pop(access_id, None)
        if where is None:
            found.append(Finding(None, None, f"dossiers rattachés à l'accès {access_id}, qui n'en nomme pas"))
        elif listing_digest(pk for _, pk in rows) != where[2]:
            found.append(Finding(where[0], where[1], "liste de dossiers modifiée (dossier ajouté ou retiré)"))
    for chain, seq, _ in expected.values():
        found.append(Finding(chain, seq, "liste de dossiers supprimée"))


def purge(before: datetime.datetime) -> int:
    """Retention: the rows older than `before`, a prefix of each chain (the rank orders a chain;
    app servers' clocks may disagree by a second, so a chain is cut after its last row older than
    `before` and everything ranked before it goes too). Runs as the table's owner: the append-only
    trigger is lifted for this one statement's transaction, the checkpoints written with it."""
    from cordee.audit.migrations import _chain_sql as sql

    removed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cuts = list(_cuts(before))
        for statement in sql.lift_append_only(connection.vendor):
            cursor.execute(statement)
        for chain, seq, last_digest in cuts:
            # The lists of dossiers the removed rows named go with them.
            cursor.execute(
                "DELETE FROM audit_listeddossier WHERE access_id IN"
                " (SELECT id FROM audit_access WHERE chain = %s AND seq <= %s)",
                [chain, seq],
            )
            cursor.execute("DELETE FROM audit_access WHERE chain = %s AND seq <= %s", [chain, seq])
            removed += cursor.rowcount
            cursor.execute(
                "UPDATE audit_chainhead SET checkpoint_seq = %s, checkpoint_digest = %s WHERE chain = %s",
                [seq, last_digest, chain],
            )
        for statement in sql.restore_append_only(connection.vendor):
            cursor.execute(statement)
    return removed


def _cuts(before: datetime.datetime) -> Iterable[tuple[int, int, str]]:
    """Per chain, the rank and digest of its last row older than `before`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.chain, a.seq, a.digest FROM audit_access a JOIN ("
            " SELECT chain, MAX(seq) AS seq FROM audit_access"
            " WHERE at < %s AND chain IS NOT NULL GROUP BY chain"
            ") cut ON cut.chain = a.chain AND cut.seq = a.seq",
            [before],
        )
        return [(int(c), int(s), str(d)) for c, s, d in cursor.fetchall()]
