"""DIR-2: loading the Annuaire Santé extract into the directory.

Rules:
- one `DirectoryProfessional` per national identifier; a registered account holding the same
  RPPS (or ADELI) is linked to it, never created;
- one `Activity` per distinct line; a changed line is a new activity and the former one closed;
- structures are created or updated by their FINESS site number, else their SIRET;
- professions and savoir-faire are reference data keyed by their national codes;
- professionals and activities absent from the file (within the départements asked for) are
  marked inactive, never deleted; one who comes back is active again;
- the same file twice changes nothing the second time (digests of what was written).

The file is read once to be checked, once to be imported, by batches: memory stays flat
whatever its size (on PostgreSQL, from `PARALLEL_FROM` lines, it is also read once to be cut in
slices, and the slices are read and checked by forked processes while this one writes: see
`_read_in_parallel`). Two routes, the same rules (`tests/test_set_based.py` pins the same
directory and counts from both): on PostgreSQL the lines are streamed into a staging table and
the directory is written by set-based SQL (`setwise.py`); elsewhere (SQLite) each batch is
compared and written here (the only growing state: one 8-byte integer per line seen). Where a
professional's lines disagree, the first line of the file (of the batch, here) gives the person's
fields, the first ordinal specialty line the specialty; a new national code takes the label of
its first line.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import queue
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Lookup
from django.utils import timezone

from cordee.accounts.models import Profession, Structure, User
from cordee.core.text import search_key
from cordee.directory import setwise
from cordee.directory.annuaire import (
    ExtractError,
    Line,
    Opener,
    Part,
    Rejected,
    check_extract,
    read_extract,
    split_extract,
)
from cordee.directory.models import Activity, DirectoryProfessional, NationalProfession, Specialty
from cordee.territory.models import Commune

# On PostgreSQL a batch is a COPY and a few set-based statements: larger is cheaper.
BATCH_SIZE = 10_000
SQLITE_BATCH_SIZE = 2000  # under SQLite's limit of bound variables in one statement
MAX_KEPT_REJECTIONS = 1000
# On PostgreSQL, an extract of this many lines or more is read and checked by reading processes
# (`READERS`, each a slice of the file) while this one writes what they send.
PARALLEL_FROM = 50_000
READERS = 2
SOURCE = "Annuaire Santé, extraction en libre accès (libellé publié avec le code)"

# NOS TRE_R02 "Secteur d'activité": the sectors whose structures Cordée knows by a kind.
SECTOR_KINDS = {
    "SA01": Structure.Kind.HOSPITAL,
    "SA02": Structure.Kind.HOSPITAL,
    "SA03": Structure.Kind.HOSPITAL,
    "SA04": Structure.Kind.HOSPITAL,
    "SA07": Structure.Kind.PRACTICE,
    "SA08": Structure.Kind.PRACTICE,
    "SA09": Structure.Kind.PRACTICE,
}

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    total_lines: int = 0
    lines: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    new: int = 0
    updated: int = 0
    inactivated: int = 0
    activities_new: int = 0
    activities_closed: int = 0
    structures_new: int = 0
    structures_updated: int = 0
    users_linked: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "lignes": self.lines,
            "hors_perimetre": self.out_of_scope,
            "rejetees": self.rejected,
            "nouveaux": self.new,
            "mis_a_jour": self.updated,
            "inactives": self.inactivated,
            "activites_nouvelles": self.activities_new,
            "activites_fermees": self.activities_closed,
            "structures_nouvelles": self.structures_new,
            "structures_mises_a_jour": self.structures_updated,
            "comptes_relies": self.users_linked,
        }

    def reject(self, number: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_KEPT_REJECTIONS:
            self.rejections.append((number, reason))


@models.CharField.register_lookup
class AnyOf(Lookup[str]):
    """`field__any_of=[…]`: `IN (…)`, but on PostgreSQL one text parameter split by the server
    (`= ANY(string_to_array(%s, ','))`): thousands of bound parameters cost more than the query.
    The values never hold a comma (identifiers, digests)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} = ANY(string_to_array(%s, ','))", [*params, ",".join(self.rhs)]


def _insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """New rows (attribute name → value); their primary keys, in order. Fields not given take
    their default, timestamps now. On PostgreSQL: keys drawn from the sequence, then one COPY
    (no model instance, no per-field preparation); elsewhere `bulk_create`."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create([model(**row) for row in rows])
        return [entry.pk for entry in created]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    static: dict[str, Any] = {}
    dynamic: dict[str, Callable[[], Any]] = {}  # per-row defaults (uuid4)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            static[f.attname] = now
        elif f.has_default() and callable(f.default):
            dynamic[f.attname] = f.default
        else:
            static[f.attname] = f.get_default()
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(rows)],
        )
        keys = [key for (key,) in cursor.fetchall()]
        lines: list[str] = []
        for key, row in zip(keys, rows, strict=True):
            full = static | row
            for name, default in dynamic.items():
                if name not in row:
                    full[name] = default()
            lines.append("\t".join([str(key), *[_copy_text(full[f.attname]) for f in fields]]))
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} (id, {names}) FROM STDIN") as copy:
            copy.write(("\n".join(lines) + "\n").encode())
    return keys


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in COPY's text format (psycopg's `write_row` costs three times as much a row)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # integers, UUIDs, aware datetimes: PostgreSQL reads their str()


def person_digest(*parts: str) -> str:
    """What a professional's fields looked like: md5, as PostgreSQL's `md5()` computes it on the
    set-based route (not a security hash: a change detector)."""
    return hashlib.md5("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _own_memory() -> int:
    """This process's memory of its own (not shared with the process it was forked from): its
    private pages, from /proc (0 where unreadable)."""
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            return sum(
                int(line.split()[1]) * 1024
                for line in rollup
                if line.startswith(("Private_Clean", "Private_Dirty"))
            )
    except OSError:
        return 0


def _batches(
    items: Iterable[Line | Rejected | None], report: ImportReport, size: int
) -> Iterator[list[Line]]:
    batch: list[Line] = []
    for item in items:
        report.lines += 1
        if item is None:
            report.out_of_scope += 1
        elif isinstance(item, Rejected):
            report.reject(item.number, item.reason)
        else:
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


class Importer:
    def __init__(
        self,
        opener: Opener,
        *,
        departements: frozenset[str] | None = None,
        progress: Progress | None = None,
        batch_size: int | None = None,
        set_based: bool | None = None,
        readers: int | None = None,
    ) -> None:
        self.opener = opener
        self.departements = departements
        self.progress = progress
        self.batch_size = batch_size or (
            BATCH_SIZE if connection.vendor == "postgresql" else SQLITE_BATCH_SIZE
        )
        # PostgreSQL: the staging table and set-based SQL of `setwise.py`; elsewhere batches here.
        self.set_based = connection.vendor == "postgresql" if set_based is None else set_based
        self.report = ImportReport()
        self.communes = frozenset(Commune.objects.values_list("code", flat=True))
        self.professions = dict(NationalProfession.objects.values_list("code", "label"))
        self.specialties = dict(Specialty.objects.values_list("code", "label"))
        self.structures: dict[str, int] = {}
        self.seen_activities = array("q")
        # Reading processes (set-based route only): None decides by the file's size.
        self.readers = readers
        self.reader_memory: list[int] = []  # bytes of their own each reader held at its end

    def run(self) -> ImportReport:
        """Check the file whole (ExtractError refuses it, nothing written), then import it."""
        self.report.total_lines = check_extract(self.opener)
        if self.set_based:
            return self._run_set_based()
        for batch in _batches(read_extract(self.opener, self.departements), self.report, self.batch_size):
            with transaction.atomic():
                self._reference_data(batch)
                professionals = self._professionals(batch)
                structures = self._structures(batch)
                self._activities(batch, professionals, structures)
            if self.progress:
                self.progress(self.report.lines, self.report.total_lines)
        with transaction.atomic():
            self._inactivate_absent()
        if self.progress and not self.report.lines:
            self.progress(0, self.report.total_lines)
        return self.report

    def _run_set_based(self) -> ImportReport:
        """The lines kept streamed into the staging table, then written in SQL (`setwise.py`)."""
        readers = self.readers
        if readers is None:
            readers = min(READERS, os.cpu_count() or 1) if self.report.total_lines >= PARALLEL_FROM else 0
        setwise.create_staging()
        try:
            if readers:
                self._read_in_parallel(readers)
            else:
                for batch in _batches(
                    read_extract(self.opener, self.departements), self.report, self.batch_size
                ):
                    with transaction.atomic():
                        self._reference_data(batch)
                    setwise.copy_batch(batch)
                    if self.progress:
                        self.progress(self.report.lines, self.report.total_lines)
            setwise.apply(self)
        except BaseException:
            # The original error is the one to see (an enclosing transaction may refuse the drop).
            with contextlib.suppress(DatabaseError):
                setwise.drop_temporary_tables()
            raise
        setwise.drop_temporary_tables()
        if self.progress:
            self.progress(self.report.lines, self.report.total_lines)
        return self.report

    def _read_in_parallel(self, readers: int) -> None:
        """The file cut into slices, each read and checked by a process of its own (forked: it
        shares this one's state, never its database connection) which sends its lines as COPY
        rows through a bounded queue; this process writes them into the staging table as they
        come. Memory stays bounded: a reader waits while the queue is full. The report is the
        serial route's: counts summed, rejections in line order, a new code's label from its
        first line in the file."""
        parts = split_extract(self.opener, readers)
        context = multiprocessing.get_context("fork")
        messages: Any = context.Queue(maxsize=2 * len(parts))
        processes = [
            context.Process(target=self._read_part, args=(index, part, messages), daemon=True)
            for index, part in enumerate(parts)
        ]
        # The objects this process holds are left out of the readers' garbage collections: a
        # collection touching them would copy their pages into each reader (≈ 60 MB each).
        gc.freeze()
        try:
            for process in processes:
                process.start()
        finally:
            gc.unfreeze()
        finished: dict[int, tuple[Any, ...]] = {}
        try:
            while len(finished) < len(processes):
                try:
                    message = messages.get(timeout=1)
                except queue.Empty:
                    if any(p.exitcode not in (None, 0) for p in processes):
                        raise RuntimeError("Un processus de lecture de l'extraction s'est arrêté.") from None
                    continue
                kind, index, lines, payload = message
                if kind == "error":
                    raise payload
                self.report.lines += lines
                if kind == "rows":
                    setwise.copy_rows(payload)
                else:
                    finished[index] = payload
                if self.progress:
                    self.progress(self.report.lines, self.report.total_lines)
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()
        professions: dict[str, tuple[int, str]] = {}
        specialties: dict[str, tuple[int, str, str, str]] = {}
        for index in sorted(finished):
            out_of_scope, rejected, rejections, new_professions, new_specialties, memory = finished[index]
            self.report.out_of_scope += out_of_scope
            self.report.rejected += rejected
            room = MAX_KEPT_REJECTIONS - len(self.report.rejections)
            self.report.rejections.extend(rejections[: max(0, room)])
            for code, first in new_professions.items():
                if code not in professions or first < professions[code]:
                    professions[code] = first
            for code, first_specialty in new_specialties.items():
                if code not in specialties or first_specialty < specialties[code]:
                    specialties[code] = first_specialty
            self.reader_memory.append(memory)
        with transaction.atomic():
            self._add_reference_data(
                {code: label for code, (_, label) in professions.items()},
                {code: rest for code, (_, *rest) in specialties.items()},  # type: ignore[misc]
            )

    def _read_part(self, index: int, part: Part, messages: Any) -> None:
        """In a reading process: one slice of the file, sent as COPY rows a batch at a time, then
        its counts, rejections and new national codes (with the number of their first line)."""
        try:
            report = ImportReport()
            professions: dict[str, tuple[int, str]] = {}
            specialties: dict[str, tuple[int, str, str, str]] = {}
            sent = 0
            items = read_extract(self.opener, self.departements, part)
            for batch in _batches(items, report, self.batch_size):
                for line in batch:
                    if (
                        line.profession_code not in self.professions
                        and line.profession_code not in professions
                    ):
                        professions[line.profession_code] = (line.number, line.profession_label)
                    code = line.specialty_code
                    if code and code not in self.specialties and code not in specialties:
                        specialties[code] = (
                            line.number,
                            line.specialty_label,
                            line.specialty_kind,
                            line.specialty_kind_label,
                        )
                messages.put(("rows", index, report.lines - sent, setwise.copy_data(batch)))
                sent = report.lines
            summary = (
                report.out_of_scope,
                report.rejected,
                report.rejections,
                professions,
                specialties,
                _own_memory(),
            )
            messages.put(("done", index, report.lines - sent, summary))
        except Exception as exc:  # sent to the writing process, which raises it
            error = exc if isinstance(exc, ExtractError) else RuntimeError(f"{type(exc).__name__}: {exc}")
            messages.put(("error", index, 0, error))

    # Reference data: codes met for the first time are added with the extract's label.
    def _reference_data(self, batch: list[Line]) -> None:
        new_professions: dict[str, str] = {}
        for line in batch:
            if line.profession_code not in self.professions:
                new_professions.setdefault(line.profession_code, line.profession_label)
        new_specialties: dict[str, tuple[str, str, str]] = {}
        for line in batch:
            if line.specialty_code and line.specialty_code not in self.specialties:
                new_specialties.setdefault(
                    line.specialty_code,
                    (line.specialty_label, line.specialty_kind, line.specialty_kind_label),
                )
        self._add_reference_data(new_professions, new_specialties)

    def _add_reference_data(
        self, new_professions: dict[str, str], new_specialties: dict[str, tuple[str, str, str]]
    ) -> None:
        if new_professions:
            by_label = {search_key(p.label): p.pk for p in Profession.objects.all()}
            NationalProfession.objects.bulk_create(
                [
                    NationalProfession(
                        code=code, label=label, profession_id=by_label.get(search_key(label)), source=SOURCE
                    )
                    for code, label in new_professions.items()
                ],
                ignore_conflicts=True,
            )
            self.professions.update(new_professions)
        if new_specialties:
            Specialty.objects.bulk_create(
                [
                    Specialty(code=code, label=label, kind=kind, kind_label=kind_label, source=SOURCE)
                    for code, (label, kind, kind_label) in new_specialties.items()
                ],
                ignore_conflicts=True,
            )
            self.specialties.update({code: label for code, (label, _, _) in new_specialties.items()})

    def _professionals(self, batch: list[Line]) -> dict[str, int]:
        """Create, update or confirm the batch's professionals; national id → primary key."""
        firsts: dict[str, Line] = {}
        specialties: dict[str, str] = {}
        for line in batch:
            firsts.setdefault(line.national_id, line)
            # The ordinal specialty ("S") is the professional's; other savoir-faire are not shown.
            if line.specialty_kind == "S" and line.specialty_code:
                specialties.setdefault(line.national_id, line.specialty_code)
        existing = {
            row[0]: row
            for row in DirectoryProfessional.objects.filter(national_id__any_of=list(firsts)).values_list(
                "national_id", "pk", "digest", "is_active", "specialty_id", "user_id"
            )
        }
        links = self._accounts_to_link(firsts, existing)
        created: list[dict[str, Any]] = []
        changed: list[DirectoryProfessional] = []
        keys: dict[str, int] = {}
        now = timezone.now()
        for national_id, line in firsts.items():
            known = existing.get(national_id)
            specialty = specialties.get(national_id) or (known[4] if known else None)
            digest = person_digest(
                line.identifier_type,
                line.identifier,
                line.title,
                line.last_name,
                line.first_name,
                line.profession_code,
                specialty or "",
            )
            if known and known[2] == digest and known[3]:
                keys[national_id] = known[1]
                continue
            values: dict[str, Any] = {
                "national_id": national_id,
                "identifier_type": line.identifier_type,
                "rpps": line.identifier if line.identifier_type == "8" else None,
                "adeli": line.identifier if line.identifier_type == "0" else None,
                "title": line.title,
                "last_name": line.last_name,
                "first_name": line.first_name,
                "name_key": search_key(f"{line.last_name} {line.first_name}"),
                "national_profession_id": line.profession_code,
                "specialty_id": specialty,
                "digest": digest,
                "is_active": True,
                "updated_at": now,
            }
            if known:
                changed.append(DirectoryProfessional(pk=known[1], **values))
            else:
                values["user_id"] = links.pop(national_id, None)
                self.report.users_linked += values["user_id"] is not None
                created.append(values)
        if created:
            pks = _insert(DirectoryProfessional, created)
            keys.update((values["national_id"], pk) for values, pk in zip(created, pks, strict=True))
            self.report.new += len(created)
        if changed:
            DirectoryProfessional.objects.bulk_update(
                changed,
                [
                    "identifier_type",
                    "rpps",
                    "adeli",
                    "title",
                    "last_name",
                    "first_name",
                    "name_key",
                    "national_profession",
                    "specialty",
                    "digest",
                    "is_active",
                    "updated_at",
                ],
            )
            keys.update((entry.national_id, entry.pk) for entry in changed)
            self.report.updated += len(changed)
        for national_id, user_id in links.items():
            DirectoryProfessional.objects.filter(pk=keys[national_id], user=None).update(user_id=user_id)
            self.report.users_linked += 1
        return keys

    def _accounts_to_link(self, firsts: dict[str, Line], existing: dict[str, Any]) -> dict[str, int]:
        """Registered accounts holding the number of an entry not linked yet: national id → user."""
        unlinked = [nid for nid in firsts if nid not in existing or existing[nid][5] is None]
        rpps = {firsts[nid].identifier: nid for nid in unlinked if firsts[nid].identifier_type == "8"}
        adeli = {firsts[nid].identifier: nid for nid in unlinked if firsts[nid].identifier_type == "0"}
        links: dict[str, int] = {}
        free = User.objects.filter(directory_entry__isnull=True)
        if rpps:
            for number, pk in free.filter(rpps__any_of=list(rpps)).values_list("rpps", "pk"):
                links[rpps[str(number)]] = pk
        if adeli:
            for number, pk in free.filter(adeli__any_of=list(adeli)).values_list("adeli", "pk"):
                links[adeli[str(number)]] = pk
        return links

    def _structures(self, batch: list[Line]) -> dict[str, int]:
        """Structures by FINESS site (else SIRET), each created or updated once per run."""
        wanted: dict[str, Line] = {}
        for line in batch:
            key = f"F{line.finess}" if line.finess else f"S{line.siret}" if line.siret else ""
            if key and key not in self.structures:
                wanted.setdefault(key, line)
        if not wanted:
            return self.structures
        finess = [key[1:] for key in wanted if key[0] == "F"]
        sirets = [key[1:] for key in wanted if key[0] == "S"]
        found: dict[str, Structure] = {}
        if finess:
            for structure in Structure.objects.filter(finess__any_of=finess).order_by("pk"):
                found.setdefault(f"F{structure.finess}", structure)
        if sirets:
            for structure in Structure.objects.filter(siret__any_of=sirets).order_by("pk"):
                found.setdefault(f"S{structure.siret}", structure)
        created: list[dict[str, Any]] = []
        for key, line in wanted.items():
            commune = line.commune_code if line.commune_code in self.communes else None
            known = found.get(key)
            if known is None:
                name = line.site_name or f"Structure {key[1:]}"
                created.append(
                    {
                        "name": name,
                        "name_key": search_key(name),
                        "kind": SECTOR_KINDS.get(line.sector, Structure.Kind.OTHER),
                        "finess": line.finess,
                        "siret": line.siret,
                        "address": line.address[:200],
                        "commune_id": commune,
                        "phone": line.phone,
                    }
                )
                continue
            self.structures[key] = known.pk
            fresh = {
                "name": line.site_name or known.name,
                "address": line.address[:200] or known.address,
                "commune_id": commune or known.commune_id,
                "phone": line.phone or known.phone,
            }
            if any(getattr(known, name) != value for name, value in fresh.items()):
                for name, value in fresh.items():
                    setattr(known, name, value)
                known.save()
                self.report.structures_updated += 1
        if created:
            pks = _insert(Structure, created)
            self.report.structures_new += len(created)
            for values, pk in zip(created, pks, strict=True):
                self.structures[f"F{values['finess']}" if values["finess"] else f"S{values['siret']}"] = pk
        return self.structures

    def _activities(
        self, batch: list[Line], professionals: dict[str, int], structures: dict[str, int]
    ) -> None:
        by_digest: dict[str, Line] = {}
        for line in batch:
            by_digest.setdefault(setwise.activity_digest(line), line)
        existing = {
            digest: (pk, active)
            for digest, pk, active in Activity.objects.filter(digest__any_of=list(by_digest)).values_list(
                "digest", "pk", "is_active"
            )
        }
        back = [pk for pk, active in existing.values() if not active]
        if back:
            Activity.objects.filter(pk__in=back).update(is_active=True)
            self.report.activities_new += len(back)
        created: list[dict[str, Any]] = []
        for digest, line in by_digest.items():
            if digest in existing:
                continue
            structure_key = f"F{line.finess}" if line.finess else f"S{line.siret}" if line.siret else ""
            created.append(
                {
                    "professional_id": professionals[line.national_id],
                    "digest": digest,
                    "structure_id": structures.get(structure_key) if structure_key else None,
                    "mode": line.mode,
                    "site_name": line.site_name,
                    "address": line.address,
                    "postal_code": line.postal_code,
                    "commune_id": line.commune_code if line.commune_code in self.communes else None,
                    "departement": line.departement,
                    "phone": line.phone,
                    "email": line.email[:200],
                    "is_active": True,
                }
            )
        pks = _insert(Activity, created)
        self.report.activities_new += len(created)
        self.seen_activities.extend(pk for pk, _ in existing.values())
        self.seen_activities.extend(pks)

    def _inactivate_absent(self) -> None:
        """Activities of the scope not in the file are closed; a professional left without an
        active activity is inactive. Nothing is deleted."""
        seen = sorted(self.seen_activities)
        scope = Activity.objects.filter(is_active=True)
        if self.departements is not None:
            scope = scope.filter(departement__in=sorted(self.departements))
        absent: list[int] = []
        professionals: set[int] = set()
        index = 0
        for pk, professional_id in scope.order_by("pk").values_list("pk", "professional_id").iterator(10000):
            while index < len(seen) and seen[index] < pk:
                index += 1
            if index < len(seen) and seen[index] == pk:
                continue
            absent.append(pk)
            professionals.add(professional_id)
        for start in range(0, len(absent), 1000):
            Activity.objects.filter(pk__in=absent[start : start + 1000]).update(is_active=False)
        self.report.activities_closed += len(absent)
        ids = sorted(professionals)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            gone = (
                DirectoryProfessional.objects.filter(pk__in=chunk, is_active=True)
                .exclude(activities__is_active=True)
                .values_list("pk", flat=True)
            )
            self.report.inactivated += DirectoryProfessional.objects.filter(pk__in=list(gone)).update(
                is_active=False
            )
