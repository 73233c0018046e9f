"""DIR-2 on PostgreSQL: the extract loaded into a staging table, the directory written in SQL.

The rules are `importer.py`'s (its docstring); only the route differs. Python reads and checks
the file as on SQLite (`annuaire.read_extract`: the same rejections, the same region filter) and
streams the lines kept into a temporary table by COPY, a batch at a time, with what only Python
computes (the search key of a name, the digest of an activity). Then a handful of set-based
statements, in one transaction, do the work whatever the file's size:

- professionals: the first line of each national identifier (its ordinal specialty from its
  first "S" line, else the one already known), sought among the lines starting a run of the
  same identifier only (a professional's lines follow each other in the published files) —
  new ones inserted, changed or inactive ones updated (`INSERT … SELECT … ON CONFLICT … DO
  UPDATE … WHERE digest IS DISTINCT FROM`); an unchanged one is not even proposed, so a
  re-import writes nothing;
- registered accounts linked by RPPS (else ADELI), never created;
- structures by FINESS site, else SIRET: created, or updated when the file says otherwise;
- activities by digest: new ones inserted, inactive ones seen again reactivated;
- the "seen" set is the staging table itself: active activities of the scope whose digest is not
  in it are closed, their professionals left without an active activity inactive. Nothing is
  deleted.

Memory stays flat (a batch of lines in Python, the rest in PostgreSQL's temporary table).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from cordee.accounts.models import Structure
from cordee.core.text import search_key
from cordee.directory.annuaire import Line

if TYPE_CHECKING:
    from cordee.directory.importer import Importer

STAGING = "annuaire_staging"
# The staging table's columns, in COPY order (all text but `number` and `run_start`).
COLUMNS = (
    "number",
    "national_id",
    "identifier_type",
    "identifier",
    "title",
    "last_name",
    "first_name",
    "name_key",
    "profession_code",
    "specialty_kind",
    "specialty_code",
    "mode",
    "siret",
    "finess",
    "site_name",
    "site_key",
    "address",
    "postal_code",
    "commune_code",
    "departement",
    "phone",
    "email",
    "sector",
    "digest",
    "run_start",
)
ANALYZED = ("national_id", "digest", "finess", "siret", "specialty_kind", "specialty_code", "commune_code")
# A first import drops the tables' plain indexes and some of their foreign keys, and puts them
# back after its inserts (`_drop_for_bulk`). The directory's tables are locked until the import
# commits (nothing to search in them yet).
REBUILD_INDEXES_FROM = 100_000
DIRECTORY_TABLES = ("directory_directoryprofessional", "directory_activity")
_TEMP_TABLES = (STAGING, "annuaire_person", "annuaire_site", "annuaire_link", "annuaire_closed")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    return search_key(text)


def activity_digest(line: Line) -> str:
    """An activity's identity: what its line says of the place (the same on both routes)."""
    structure_key = f"F{line.finess}" if line.finess else f"S{line.siret}" if line.siret else ""
    return hashlib.blake2b(
        "\x1f".join(
            (
                line.national_id,
                structure_key,
                line.mode,
                line.site_name,
                line.address,
                line.postal_code,
                line.commune_code,
                line.departement,
                line.phone,
                line.email,
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()


def _copy_line(line: Line, run_start: bool = True) -> str:
    """The line as a row of the staging table in COPY's text format. `run_start`: the line
    before it in its batch is not the same professional's (so it may be their first line)."""
    name_key = _key(f"{line.last_name} {line.first_name}")
    site_key = _key(line.site_name) if line.site_name and (line.finess or line.siret) else ""
    text = "\t".join(
        (
            str(line.number),
            line.national_id,
            line.identifier_type,
            line.identifier,
            line.title,
            line.last_name,
            line.first_name,
            name_key,
            line.profession_code,
            line.specialty_kind,
            line.specialty_code,
            line.mode,
            line.siret,
            line.finess,
            line.site_name,
            site_key,
            line.address,
            line.postal_code,
            line.commune_code,
            line.departement,
            line.phone,
            line.email,
            line.sector,
            activity_digest(line),
            "t" if run_start else "f",
        )
    )
    if text.count("\t") == len(COLUMNS) - 1 and "\\" not in text:
        return text
    # A tab or a backslash inside a field: each field escaped (rare).
    return "\t".join(
        value.translate(_ESCAPES)
        for value in (
            str(line.number),
            line.national_id,
            line.identifier_type,
            line.identifier,
            line.title,
            line.last_name,
            line.first_name,
            name_key,
            line.profession_code,
            line.specialty_kind,
            line.specialty_code,
            line.mode,
            line.siret,
            line.finess,
            line.site_name,
            site_key,
            line.address,
            line.postal_code,
            line.commune_code,
            line.departement,
            line.phone,
            line.email,
            line.sector,
            activity_digest(line),
            "t" if run_start else "f",
        )
    )


def _execute(sql: str, params: Iterable[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.rowcount)


def _fetchone(sql: str, params: Iterable[Any] = ()) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def drop_temporary_tables() -> None:
    _execute(f"DROP TABLE IF EXISTS {', '.join(_TEMP_TABLES)}")


def create_staging() -> None:
    drop_temporary_tables()
    types = {"number": "integer", "run_start": "boolean"}
    columns = ", ".join(f"{name} {types.get(name, 'text')}" for name in COLUMNS)
    _execute(f"CREATE TEMPORARY TABLE annuaire_staging ({columns})")


def copy_batch(batch: list[Line]) -> None:
    """One COPY of a batch of lines into the staging table."""
    copy_rows(copy_data(batch))


def copy_data(batch: list[Line]) -> bytes:
    """A batch of lines as the staging table's rows in COPY's text format (what a reading
    process sends to the writing one)."""
    rows = []
    previous = None
    for line in batch:
        rows.append(_copy_line(line, line.national_id != previous))
        previous = line.national_id
    return ("\n".join(rows) + "\n").encode()


def copy_rows(data: bytes) -> None:
    sql = f"COPY {STAGING} ({', '.join(COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(data)


def _kind_case() -> str:
    whens = " ".join(f"WHEN '{sector}' THEN '{kind}'" for sector, kind in _sector_kinds().items())
    return f"CASE s.sector {whens} ELSE '{Structure.Kind.OTHER}' END"


def _sector_kinds() -> dict[str, str]:
    from cordee.directory.importer import SECTOR_KINDS

    return {sector: str(kind) for sector, kind in SECTOR_KINDS.items()}


def apply(importer: Importer) -> None:
    """The staging table written into the directory, in one transaction."""
    report = importer.report
    now = timezone.now()
    with transaction.atomic():
        # Hash joins and sorts of a whole extract: in memory rather than on disk, for this
        # transaction only.
        _execute("SET LOCAL work_mem = '256MB'")
        _execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Statistics of the columns the statements join, group or filter on only (all 24 cost
        # three times as much: 0.6 s of CPU a sample of 30,000 rows).
        _execute(f"ANALYZE annuaire_staging ({', '.join(ANALYZED)})")
        rebuilt = _drop_for_bulk(report.lines - report.out_of_scope - report.rejected)
        _professionals(report, now)
        _structures(report, now)
        _activities(report, now)
        if rebuilt:
            # No index is built nor key added over rows whose deferred key checks are pending:
            # those (communes, structures, accounts) run now rather than at the commit.
            _execute("SET CONSTRAINTS ALL IMMEDIATE")
            for definition in rebuilt:
                _execute(definition)
            _execute("SET CONSTRAINTS ALL DEFERRED")
        _inactivate_absent(report, importer.departements)


def _drop_for_bulk(lines: int) -> list[str]:
    """A table holding fewer rows than half the lines imported (a first import) loses, until its
    inserts are done, its plain indexes, its unique constraints (but those on the national
    identifier and the digest, which the statements rely on) and its foreign keys to the
    directory's own tables (the professionals, the national codes): one sort an index and one
    join a key instead of a million index insertions and key checks. The keys to the communes,
    structures and accounts stay (their tables are not locked). Returns the statements that put
    them back."""
    if lines < REBUILD_INDEXES_FROM:
        return []
    indexes: list[str] = []
    uniques: list[str] = []
    keys: list[str] = []
    with connection.cursor() as cursor:
        # A table is altered only without pending key checks (an enclosing transaction's).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in DIRECTORY_TABLES:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) AS rows", [lines // 2])  # noqa: S608 - model tables
            if cursor.fetchone()[0] >= lines // 2:
                continue
            cursor.execute(
                """
                SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND c.confrelid = ANY(
                    ARRAY['directory_directoryprofessional'::regclass,
                          'directory_nationalprofession'::regclass, 'directory_specialty'::regclass])
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                quoted = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
            # Unique constraints but the ones the statements rely on (ON CONFLICT, joins).
            cursor.execute(
                """
                SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype = 'u'
                  AND pg_get_constraintdef(c.oid) NOT IN ('UNIQUE (national_id)', 'UNIQUE (digest)')
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                quoted = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                uniques.append(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
            cursor.execute(
                """
                SELECT c.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                indexes.append(definition)
    return indexes + uniques + keys


def _professionals(report: Any, now: Any) -> None:
    # The first line of each professional, and the code of their first ordinal specialty.
    _execute(
        """
        CREATE TEMPORARY TABLE annuaire_person AS
        SELECT first.*, specialty.specialty_code
        FROM (
            SELECT DISTINCT ON (national_id) national_id, identifier_type, identifier, title,
                last_name, first_name, name_key, profession_code
            FROM annuaire_staging WHERE run_start ORDER BY national_id, number
        ) first
        LEFT JOIN (
            SELECT DISTINCT ON (national_id) national_id, specialty_code
            FROM annuaire_staging WHERE specialty_kind = 'S' AND specialty_code <> ''
            ORDER BY national_id, number
        ) specialty USING (national_id)
        """
    )
    _execute("ANALYZE annuaire_person (national_id)")
    # Registered accounts not linked yet, by the number they hold; one entry an account (RPPS first).
    _execute(
        """
        CREATE TEMPORARY TABLE annuaire_link AS
        SELECT DISTINCT ON (user_id) user_id, national_id FROM (
            SELECT u.id AS user_id, '8' || u.rpps AS national_id FROM accounts_user u
            WHERE u.rpps IS NOT NULL AND u.rpps <> ''
            UNION ALL
            SELECT u.id, '0' || u.adeli FROM accounts_user u WHERE u.adeli IS NOT NULL AND u.adeli <> ''
        ) numbers
        WHERE EXISTS (SELECT 1 FROM annuaire_person p WHERE p.national_id = numbers.national_id)
          AND NOT EXISTS (
            SELECT 1 FROM directory_directoryprofessional d WHERE d.user_id = numbers.user_id
          )
        ORDER BY user_id, national_id DESC
        """
    )
    new, updated, linked = _fetchone(
        """
        WITH proposed AS (
            SELECT p.*, d.id AS known_id, d.digest AS known_digest, d.is_active AS known_active,
                coalesce(p.specialty_code, d.specialty_id) AS specialty,
                md5(concat_ws(chr(31), p.identifier_type, p.identifier, p.title, p.last_name,
                    p.first_name, p.profession_code, coalesce(p.specialty_code, d.specialty_id, '')))
                    AS digest
            FROM annuaire_person p
            LEFT JOIN directory_directoryprofessional d ON d.national_id = p.national_id
        ), written AS (
            INSERT INTO directory_directoryprofessional AS d (
                national_id, identifier_type, rpps, adeli, title, last_name, first_name, name_key,
                national_profession_id, specialty_id, user_id, is_active, digest, created_at,
                updated_at, public_id
            )
            SELECT p.national_id, p.identifier_type,
                CASE WHEN p.identifier_type = '8' THEN p.identifier END,
                CASE WHEN p.identifier_type = '0' THEN p.identifier END,
                p.title, p.last_name, p.first_name, p.name_key, p.profession_code, p.specialty,
                CASE WHEN p.known_id IS NULL THEN link.user_id END, true, p.digest, %s, %s,
                gen_random_uuid()
            FROM proposed p LEFT JOIN annuaire_link link ON link.national_id = p.national_id
            WHERE p.known_id IS NULL OR p.known_digest IS DISTINCT FROM p.digest OR NOT p.known_active
            ORDER BY p.national_id
            ON CONFLICT (national_id) DO UPDATE SET
                identifier_type = excluded.identifier_type, rpps = excluded.rpps,
                adeli = excluded.adeli, title = excluded.title, last_name = excluded.last_name,
                first_name = excluded.first_name, name_key = excluded.name_key,
                national_profession_id = excluded.national_profession_id,
                specialty_id = excluded.specialty_id, digest = excluded.digest, is_active = true,
                updated_at = excluded.updated_at
            WHERE d.digest IS DISTINCT FROM excluded.digest OR NOT d.is_active
            RETURNING (xmax = 0) AS inserted, d.user_id
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
            count(*) FILTER (WHERE inserted AND user_id IS NOT NULL)
        FROM written
        """,
        [now, now],
    )
    # Entries already there, not linked yet, whose account registered since.
    linked += _execute(
        """
        UPDATE directory_directoryprofessional d SET user_id = link.user_id
        FROM annuaire_link link
        WHERE d.national_id = link.national_id AND d.user_id IS NULL
        """
    )
    report.new += new
    report.updated += updated
    report.users_linked += linked


def _structures(report: Any, now: Any) -> None:
    """Each structure once, from its first line: found by FINESS site, else SIRET (the oldest
    structure holding the number), updated when the file says otherwise, else created."""
    kind = _kind_case()  # literals from SECTOR_KINDS, no input
    _execute(
        f"""
        CREATE TEMPORARY TABLE annuaire_site AS
        SELECT DISTINCT ON (skey) skey, s.finess, s.siret, s.site_name, s.site_key,
            left(s.address, 200) AS address, c.code AS commune_id, s.phone, {kind} AS kind,
            NULL::bigint AS structure_id
        FROM (
            SELECT CASE WHEN finess <> '' THEN 'F' || finess ELSE 'S' || siret END AS skey, *
            FROM annuaire_staging WHERE finess <> '' OR siret <> ''
        ) s
        LEFT JOIN territory_commune c ON c.code = s.commune_code
        ORDER BY skey, number
        """  # noqa: S608 - the sectors' CASE is built from constants
    )
    _execute(
        """
        UPDATE annuaire_site s SET structure_id = found.id
        FROM (
            SELECT 'F' || finess AS skey, min(id) AS id FROM accounts_structure
            WHERE finess <> '' GROUP BY finess
            UNION ALL
            SELECT 'S' || siret, min(id) FROM accounts_structure WHERE siret <> '' GROUP BY siret
        ) found
        WHERE s.skey = found.skey
        """
    )
    report.structures_updated += _execute(
        """
        UPDATE accounts_structure st SET
            name = coalesce(nullif(s.site_name, ''), st.name),
            name_key = CASE WHEN s.site_name <> '' THEN s.site_key ELSE st.name_key END,
            address = coalesce(nullif(s.address, ''), st.address),
            commune_id = coalesce(s.commune_id, st.commune_id),
            phone = coalesce(nullif(s.phone, ''), st.phone),
            updated_at = %s
        FROM annuaire_site s
        WHERE s.structure_id = st.id
          AND (st.name, st.address, st.commune_id, st.phone) IS DISTINCT FROM (
            coalesce(nullif(s.site_name, ''), st.name), coalesce(nullif(s.address, ''), st.address),
            coalesce(s.commune_id, st.commune_id), coalesce(nullif(s.phone, ''), st.phone))
        """,
        [now],
    )
    report.structures_new += _execute(
        """
        WITH created AS (
            INSERT INTO accounts_structure (
                name, name_key, kind, finess, siret, address, commune_id, phone, email, is_active,
                public_id, created_at, updated_at
            )
            SELECT coalesce(nullif(s.site_name, ''), 'Structure ' || substr(s.skey, 2)),
                CASE WHEN s.site_name <> '' THEN s.site_key ELSE 'STRUCTURE ' || substr(s.skey, 2) END,
                s.kind, s.finess, s.siret, s.address, s.commune_id, s.phone, '', true,
                gen_random_uuid(), %s, %s
            FROM annuaire_site s WHERE s.structure_id IS NULL
            RETURNING id, CASE WHEN finess <> '' THEN 'F' || finess ELSE 'S' || siret END AS skey
        )
        UPDATE annuaire_site s SET structure_id = created.id FROM created WHERE s.skey = created.skey
        """,
        [now, now],
    )


def _activities(report: Any, now: Any) -> None:
    """Lines met again reactivate their activity; new ones are inserted (one per digest), in the
    order of the digest: the unique index, larger than PostgreSQL's buffers at a million rows, is
    then filled page after page rather than at random (the professionals likewise, by national
    identifier)."""
    report.activities_new += _execute(
        """
        UPDATE directory_activity a SET is_active = true
        WHERE NOT a.is_active AND EXISTS (SELECT 1 FROM annuaire_staging s WHERE s.digest = a.digest)
        """
    )
    report.activities_new += _execute(
        """
        INSERT INTO directory_activity (
            professional_id, digest, structure_id, mode, site_name, address, postal_code,
            commune_id, departement, phone, email, is_active, created_at
        )
        SELECT d.id, s.digest, site.structure_id, s.mode, s.site_name, s.address, s.postal_code,
            c.code, s.departement, s.phone, left(s.email, 200), true, %s
        FROM annuaire_staging s
        JOIN directory_directoryprofessional d ON d.national_id = s.national_id
        LEFT JOIN annuaire_site site ON site.skey = CASE
            WHEN s.finess <> '' THEN 'F' || s.finess WHEN s.siret <> '' THEN 'S' || s.siret END
        LEFT JOIN territory_commune c ON c.code = s.commune_code
        WHERE NOT EXISTS (SELECT 1 FROM directory_activity a WHERE a.digest = s.digest)
        ORDER BY s.digest
        ON CONFLICT (digest) DO NOTHING
        """,
        [now],
    )


def _inactivate_absent(report: Any, departements: frozenset[str] | None) -> None:
    """Active activities of the scope whose digest is not in the staging table are closed; a
    professional left without an active activity is inactive. Nothing is deleted."""
    scope, params = "", []
    if departements is not None:
        scope, params = "AND a.departement = ANY(%s)", [sorted(departements)]
    _execute("CREATE TEMPORARY TABLE annuaire_closed (professional_id bigint)")
    report.activities_closed += _execute(
        f"""
        WITH closed AS (
            UPDATE directory_activity a SET is_active = false
            WHERE a.is_active {scope}
              AND NOT EXISTS (SELECT 1 FROM annuaire_staging s WHERE s.digest = a.digest)
            RETURNING a.professional_id
        )
        INSERT INTO annuaire_closed SELECT professional_id FROM closed
        """,  # noqa: S608 - `scope` is fixed text, the départements a parameter
        params,
    )
    report.inactivated += _execute(
        """
        UPDATE directory_directoryprofessional d SET is_active = false
        WHERE d.is_active AND d.id IN (SELECT professional_id FROM annuaire_closed)
          AND NOT EXISTS (
            SELECT 1 FROM directory_activity a WHERE a.professional_id = d.id AND a.is_active
          )
        """
    )
