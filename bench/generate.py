"""Build a realistic region for the benchmark: dossiers, circles, structures, professionals, zones.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.generate [--dossiers 1000000] [--seed 2026]

At full scale (1,000,000 dossiers): a few hundred structures, thousands of professionals,
≈3,000,000 care-circle rows, one DAC habilitated on 50,000 dossiers (its coordinator is
`bench.coordinatrice`) and one pediatrician (`bench.pediatre`) habilitated on 500 children.
Names come from weighted French-like lists (bench/names.py), birth dates from 1925 to today,
residences in the communes of Provence-Alpes-Côte d'Azur (COG codes loaded by the territory
migration), grouped into zones; 3,000,000 tasks (three a dossier) addressed to members of their
dossier's circle, the DAC receiving exactly 20,000 open ones.

Dossiers, circle rows, tasks and their recipients go through PostgreSQL's COPY (psycopg 3
`cursor.copy`); on PostgreSQL at scale, the big tables' secondary indexes and foreign keys are
dropped during the load and rebuilt afterwards, the way pg_restore does. Other databases
(SQLite, for the unit test at tiny scale) get batched INSERTs of the same rows. The name keys are computed by
`cordee.core.text.search_key`, memoised per distinct name (identical results, a few thousand
calls instead of three million). The script is deterministic for a seed and refuses to run
twice on the same database (it reports the region already there).
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import functools
import itertools
import os
import random
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

if __name__ == "__main__":  # pragma: no cover - command-line entry
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from bench.names import Pool, first_names, last_names
from cordee.accounts.models import Membership, Profession, Structure, TermsVersion, User
from cordee.accounts.services import accept_terms
from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.text import search_key
from cordee.patients import name_keys
from cordee.patients.models import (
    DeathPlace,
    DischargeReason,
    DossierStatus,
    Favourite,
    Hospitalisation,
    IdDocument,
    IdentityStatus,
    Patient,
    PotentialDuplicate,
)
from cordee.tasks.models import Task, TaskLevel, TaskRecipient, TaskStatus, TaskType
from cordee.territory.models import FRANCE_CODE, Commune, Country, Zone

DOSSIERS = 1_000_000
SEED = 2026
REGION_CODE = "93"  # Provence-Alpes-Côte d'Azur
BIG_STRUCTURE_NAME = "DAC Bench Grand Sud"
COORDINATOR = "bench.coordinatrice"
PEDIATRICIAN = "bench.pediatre"
ZONE_PREFIX = "Bench"
# The large cities of the region come first in the residence weights.
CITIES = ["13055", "06088", "83137", "13001", "84007", "06029", "06004", "13004", "83061", "13056"]
# Below this many dossiers the big tables keep their indexes during the load.
REBUILD_THRESHOLD = 50_000


@dataclass(frozen=True)
class Scale:
    dossiers: int
    structures: int
    professionals: int
    big_structure_dossiers: int
    pediatrician_dossiers: int
    tasks: int
    big_structure_open_tasks: int

    @classmethod
    def of(cls, dossiers: int) -> Scale:
        return cls(
            dossiers=dossiers,
            structures=max(6, round(dossiers / 3300)),
            professionals=max(12, dossiers // 200),
            big_structure_dossiers=max(5, min(50_000, dossiers // 20)),
            pediatrician_dossiers=max(3, min(500, dossiers // 2000)),
            tasks=3 * dossiers,
            big_structure_open_tasks=max(5, min(20_000, dossiers // 50)),
        )


@dataclass
class Region:
    """What the benchmark scenarios need to find again."""

    scale: Scale
    big_structure: Structure
    coordinator: User
    pediatrician: User
    seconds: dict[str, float] = field(default_factory=dict)


# --- Loading ----------------------------------------------------------------------------------


def _columns(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The fields for `columns` (attnames); every NOT NULL column must be among them."""
    fields = [model._meta.get_field(name) for name in columns]
    given = {f.attname for f in fields}  # type: ignore[union-attr]
    missing = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.null and f.attname not in given and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED
    ]
    if missing:
        raise RuntimeError(f"{model.__name__}: the generator gives no value for NOT NULL {missing}")
    return fields  # type: ignore[return-value]


def load(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY the rows on PostgreSQL; batched INSERTs (values prepared by the fields) elsewhere."""
    fields = _columns(model, columns)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        # Table and column names come from the model, quoted; values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        for batch in _batched(rows, 500):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in batch
                ],
            )
            count += len(batch)
    return count


def _batched(rows: Iterable[Sequence[Any]], size: int) -> Iterator[tuple[Sequence[Any], ...]]:
    iterator = iter(rows)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(*model_list: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cursor.execute(sql)


@dataclass
class _Rebuild:
    """Secondary indexes and foreign keys of a table, dropped before a COPY, recreated after;
    its triggers (the dossiers' name keys) off meanwhile, their work done once after."""

    table: str
    indexes: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str]]

    @classmethod
    def drop(cls, table: str) -> _Rebuild:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """,
                [table],
            )
            indexes = list(cursor.fetchall())
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            foreign_keys = list(cursor.fetchall())
            quoted = connection.ops.quote_name(table)
            for name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")
        return cls(table, indexes, foreign_keys)

    def restore(self) -> None:
        quoted = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.foreign_keys:
                # NOT VALID then VALIDATE: one anti-join per key instead of a trigger per row.
                cursor.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                    f"{definition} NOT VALID"
                )
                cursor.execute(f"ALTER TABLE {quoted} VALIDATE CONSTRAINT {connection.ops.quote_name(name)}")
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")


# --- Random helpers ---------------------------------------------------------------------------


def _zipf(count: int, offset: float, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(count)))


def _uuid_hex(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator (32 hex digits, as PostgreSQL accepts them)."""
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
    return f"{value:032x}"


def _datetime(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


# --- The region -------------------------------------------------------------------------------


class Generator:
    def __init__(self, scale: Scale, seed: int, out: TextIO) -> None:
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self.out = out
        self.now = timezone.now()
        self.today = clock.today()
        self.seconds: dict[str, float] = {}
        self.key = functools.lru_cache(maxsize=None)(search_key)

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def step(self, name: str, started: float) -> None:
        self.seconds[name] = time.monotonic() - started
        self.say(f"  {name}: {self.seconds[name]:.1f} s")

    # Reference data ---------------------------------------------------------------------------

    def territory(self) -> None:
        region = list(
            Commune.objects.filter(departement__region_id=REGION_CODE)
            .order_by("code")
            .values_list("code", "departement_id")
        )
        if not region:  # a database without the COG: any communes will do
            region = list(Commune.objects.order_by("code").values_list("code", "departement_id")[:1000])
        self.region_communes = [code for code, _ in region]
        self.departements: dict[str, list[str]] = {}
        for code, departement in region:
            self.departements.setdefault(departement or "", []).append(code)
        cities = [code for code in CITIES if code in set(self.region_communes)]
        rest = [code for code in self.region_communes if code not in set(cities)]
        self.rng.shuffle(rest)
        ordered = cities + rest
        self.residences = Pool(ordered, _zipf(len(ordered), 3, 0.9))
        self.all_communes = list(Commune.objects.values_list("code", flat=True))
        self.countries = list(Country.objects.exclude(code=FRANCE_CODE).values_list("code", flat=True))
        self.discharge_reasons = list(DischargeReason.objects.values_list("pk", flat=True))
        self.professions = dict(Profession.objects.values_list("code", "pk"))

    def zones(self) -> list[Zone]:
        zones: list[Zone] = []
        links: list[tuple[int, str]] = []
        for departement, codes in sorted(self.departements.items()):
            groups = [("", codes)] + [
                (f" secteur {n + 1}", codes[n * len(codes) // 4 : (n + 1) * len(codes) // 4])
                for n in range(4)
            ]
            for suffix, members in groups:
                if not members:
                    continue
                zone = Zone.objects.create(
                    name=f"{ZONE_PREFIX} {departement}{suffix}", description="Zone du banc d'essai"
                )
                zones.append(zone)
                links += [(zone.pk, code) for code in members]
        through = Zone.communes.through
        through.objects.bulk_create([through(zone_id=z, commune_id=c) for z, c in links], batch_size=2000)
        return zones

    # People and organisations -----------------------------------------------------------------

    def structures(self) -> tuple[Structure, list[Structure]]:
        kinds = (
            [Structure.Kind.PRACTICE] * 45
            + [Structure.Kind.SAAD] * 12
            + [Structure.Kind.PMI] * 8
            + [Structure.Kind.HOSPITAL] * 6
            + [Structure.Kind.DAC] * 4
            + [Structure.Kind.MATERNITY] * 4
            + [Structure.Kind.CAMSP] * 4
            + [Structure.Kind.CMPP] * 4
            + [Structure.Kind.PERINATAL_NETWORK] * 2
            + [Structure.Kind.OTHER] * 11
        )
        names = {code: name for code, name in Commune.objects.values_list("code", "name")}
        big = Structure(name=BIG_STRUCTURE_NAME, kind=Structure.Kind.DAC, commune_id=self.region_communes[0])
        others = []
        for n in range(self.scale.structures - 1):
            kind = self.rng.choice(kinds)
            commune = self.residences.draw(self.rng, 1)[0]
            others.append(
                Structure(
                    name=f"{Structure.Kind(kind).label.split(' (')[0]} {names.get(commune, commune)} {n + 1}",
                    kind=kind,
                    commune_id=commune,
                )
            )
        for structure in [big, *others]:
            structure.name_key = search_key(structure.name)
        created = Structure.objects.bulk_create([big, *others])
        return created[0], created[1:]

    def professionals(self, structures: list[Structure], big: Structure) -> tuple[User, User, list[User]]:
        mix = [
            ("medecin", "Médecine générale", 20),
            ("infirmier", "", 25),
            ("masseur-kinesitherapeute", "", 10),
            ("pharmacien", "", 6),
            ("sage-femme", "", 4),
            ("psychologue", "", 5),
            ("assistant-service-social", "", 6),
            ("gestionnaire-de-cas", "", 8),
            ("aide-soignant", "", 6),
            ("orthophoniste", "", 3),
            ("ergotherapeute", "", 3),
            ("medecin", "Pédiatrie", 2),
            ("medecin", "Gériatrie", 2),
        ]
        mix = [m for m in mix if m[0] in self.professions] or [(next(iter(self.professions)), "", 1)]
        picks = self.rng.choices(mix, weights=[m[2] for m in mix], k=self.scale.professionals)
        female, male, family = first_names("F"), first_names("M"), last_names()
        unusable = make_password(None)
        users = []
        for n, (profession, specialty, _) in enumerate(picks):
            first = (female if self.rng.random() < 0.7 else male).draw(self.rng, 1)[0]
            last = family.draw(self.rng, 1)[0]
            username = COORDINATOR if n == 0 else PEDIATRICIAN if n == 1 else f"bench.pro{n:05d}"
            if n == 0:
                profession, specialty = "gestionnaire-de-cas", ""
            elif n == 1:
                profession, specialty = "medecin", "Pédiatrie"
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@bench.example",
                    password=unusable,
                    profession_id=self.professions.get(profession),
                    specialty=specialty,
                    name_key=search_key(f"{last} {first}"),
                )
            )
        users = User.objects.bulk_create(users)
        memberships = [Membership(user=users[0], structure=big, role=Membership.Role.SUPERUSER)]
        for user in users[2:]:
            chosen = {s.pk: s for s in self.rng.sample(structures, k=min(len(structures), 2))}
            draw = self.rng.random()
            kept = list(chosen.values())[: 0 if draw < 0.2 else 1 if draw < 0.9 else 2]
            memberships += [Membership(user=user, structure=s) for s in kept]
        Membership.objects.bulk_create(memberships, batch_size=2000)
        terms = TermsVersion.current()
        if terms is not None:
            for user in users[:2]:
                accept_terms(user, terms)
        return users[0], users[1], users[2:]

    # Dossiers ---------------------------------------------------------------------------------

    PATIENT_COLUMNS = (
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "created_by_id",
        "birth_name",
        "first_name",
        "birth_first_names",
        "birth_date",
        "sex",
        "birth_country_id",
        "birth_commune_id",
        "used_name",
        "used_first_name",
        "twin_rank",
        "nir",
        "email",
        "mobile",
        "address",
        "commune_id",
        "birth_name_key",
        "first_name_key",
        "used_name_key",
        "identity_status",
        "id_document",
        "id_document_checked_on",
        "is_homonym",
        "is_doubtful",
        "is_fictitious",
        "status",
        "discharge_reason_id",
        "status_changed_at",
        "death_date",
        "death_date_unknown",
        "death_declared_on",
        "death_country_id",
        "death_place",
        "created_by_structure_id",
        "version",
        "merged_into_id",
        "merged_at",
    )
    CIRCLE_COLUMNS = (
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "created_by_id",
        "patient_id",
        "user_id",
        "structure_id",
        "is_manual",
        "is_habilitated",
        "is_auto_habilitation",
        "sharing_refused",
        "habilitation_removed_at",
        "removed_at",
        "description",
        "establishment",
        "unit",
        "function",
        "address",
        "manual_is_professional",
        "manual_is_structure",
        "manual_last_name",
        "manual_first_name",
        "manual_email",
        "manual_phone",
        "manual_mobile",
        "manual_red_list",
        "manual_commune_id",
        "manual_postal_code",
        "manual_relationship",
    )

    def birth_dates(self, count: int) -> list[int]:
        """Ordinals: half the dossiers born 1925-1959 (DAC), a fifth since 2015 (Cocon)."""
        first, pivot, recent = (datetime.date(y, 1, 1).toordinal() for y in (1925, 1960, 2015))
        last = self.today.toordinal()
        rng = self.rng
        out = []
        for _ in range(count):
            draw = rng.random()
            low, high = (
                (first, pivot - 1) if draw < 0.5 else (pivot, recent - 1) if draw < 0.8 else (recent, last)
            )
            out.append(rng.randint(low, high))
        return out

    def patients(
        self, big: Structure, structures: list[Structure], pediatrician: User, pros: list[User]
    ) -> None:
        scale, rng = self.scale, self.rng
        n = scale.dossiers
        first_id = _next_id(Patient)
        now_epoch = self.now.timestamp()
        six_years = 6 * 365.25 * 86400

        born = self.birth_dates(n)
        family = last_names()
        names_pool, female, male = family.draw(rng, n), first_names("F"), first_names("M")
        female_draws, male_draws = female.draw(rng, n), male.draw(rng, n)
        seconds = female.draw(rng, n)
        residences = self.residences.draw(rng, n)

        # Circles: the big DAC on a fixed sample, the other structures Zipf-weighted, and
        # professionals drawn Zipf-weighted too (some follow thousands of dossiers, most a few).
        big_members = set(rng.sample(range(n), scale.big_structure_dossiers))
        structure_pool = Pool([s.pk for s in structures], _zipf(len(structures), 3, 0.8))
        primary = structure_pool.draw(rng, n)
        pro_pool = Pool([u.pk for u in pros], _zipf(len(pros), 10, 0.7))
        hospital_ids = [s.pk for s in structures if s.kind == Structure.Kind.HOSPITAL] or [big.pk]
        children = [i for i in range(n) if born[i] >= datetime.date(2019, 1, 1).toordinal()]
        if len(children) < scale.pediatrician_dossiers:
            children = list(range(n))
        pediatric = set(rng.sample(children, scale.pediatrician_dossiers))

        self.circle = _CircleRows()
        self.stays: list[tuple[int, int, int]] = []  # (patient, kind 0 ongoing / 1 past, establishment)
        self.favourites: list[tuple[int, int]] = []
        self.big_patients: list[int] = []
        self.merged: set[int] = set()
        self.pediatric_patients: list[int] = []
        self.patient_count = n
        self.first_patient_id = first_id
        key = self.key
        countries, communes, region_communes = self.countries, self.all_communes, self.region_communes
        reasons = self.discharge_reasons
        pro_draws = iter(pro_pool.draw(rng, 3 * n))
        streets = ["rue", "avenue", "boulevard", "chemin", "impasse", "place", "traverse", "allée"]
        places = [p.value for p in DeathPlace]
        statuses = [
            (DossierStatus.ACTIVE.value, 0.78),
            (DossierStatus.DISCHARGED.value, 0.88),
            (DossierStatus.DECEASED.value, 0.94),
            (DossierStatus.ARCHIVED.value, 1.0),
        ]
        merged_previous = False
        today_ordinal = self.today.toordinal()

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal merged_previous
            for i in range(n):
                pid = first_id + i
                draw = rng.random()
                sex = "F" if draw < 0.52 else "M" if draw < 0.999 else "I"
                birth_name = names_pool[i]
                if rng.random() < 0.04:
                    birth_name = f"{birth_name}-{family.draw(rng, 1)[0]}"
                first = female_draws[i] if sex == "F" else male_draws[i] if sex == "M" else seconds[i]
                birth_first_names = f"{first} {seconds[i]}" if rng.random() < 0.6 else first
                birth_ordinal = born[i]
                birth_date = datetime.date.fromordinal(birth_ordinal)
                age_years = (today_ordinal - birth_ordinal) / 365.25
                used_name = ""
                if sex == "F" and age_years > 22 and rng.random() < 0.45:
                    used_name = family.draw(rng, 1)[0]
                draw = rng.random()
                if draw < 0.9:
                    birth_country, birth_commune = (
                        FRANCE_CODE,
                        (rng.choice(region_communes) if rng.random() < 0.55 else rng.choice(communes)),
                    )
                elif draw < 0.985:
                    birth_country, birth_commune = rng.choice(countries), None
                else:
                    birth_country, birth_commune = None, None
                birth_epoch = datetime.datetime(
                    birth_date.year, birth_date.month, birth_date.day, 12, tzinfo=datetime.UTC
                ).timestamp()
                created = max(now_epoch - rng.random() * six_years, birth_epoch)
                updated = now_epoch - (now_epoch - created) * rng.random() ** 2
                validated = birth_country is not None and rng.random() < 0.6
                draw = rng.random()
                status = next(s for s, threshold in statuses if draw < threshold)
                death_date = death_place = death_country = None
                death_unknown = False
                status_changed = None
                if status != DossierStatus.ACTIVE:
                    status_changed = _datetime(created + (updated - created) * rng.random())
                if status == DossierStatus.DECEASED:
                    if rng.random() < 0.05:
                        death_unknown = True
                    else:
                        death_date = datetime.date.fromordinal(
                            rng.randint(min(birth_ordinal + 1, today_ordinal), today_ordinal)
                        )
                        death_place = rng.choice(places)
                        death_country = FRANCE_CODE
                merged = not merged_previous and i > 0 and rng.random() < 0.0002
                merged_previous = merged
                if merged:
                    self.merged.add(pid)
                structure = big.pk if i in big_members else primary[i]
                number = rng.randint(1, 120)
                yield (
                    pid,
                    _uuid_hex(rng),
                    _datetime(created),
                    _datetime(updated),
                    None,
                    birth_name,
                    first,
                    birth_first_names,
                    birth_date,
                    sex,
                    birth_country,
                    birth_commune,
                    used_name,
                    "",
                    (1 if rng.random() < 0.5 else 2) if rng.random() < 0.01 else None,
                    "",
                    f"patient{pid}@exemple.fr" if rng.random() < 0.3 else "",
                    f"06{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.6 else "",
                    f"{number} {rng.choice(streets)} {family.draw(rng, 1)[0]}" if rng.random() < 0.85 else "",
                    residences[i] if rng.random() < 0.97 else None,
                    key(birth_name),
                    key(first),
                    key(used_name),
                    IdentityStatus.VALIDATED.value if validated else IdentityStatus.PROVISIONAL.value,
                    IdDocument.ID_CARD.value if validated else "",
                    datetime.date.fromordinal(int(created // 86400) + 719163) if validated else None,
                    rng.random() < 0.01,
                    rng.random() < 0.002,
                    False,
                    status,
                    rng.choice(reasons) if status == DossierStatus.DISCHARGED and reasons else None,
                    status_changed,
                    death_date,
                    death_unknown,
                    death_date,
                    death_country,
                    death_place or "",
                    structure,
                    rng.randint(1, 6),
                    pid - 1 if merged else None,
                    _datetime(updated) if merged else None,
                )
                self._circle_of(
                    i, pid, created, structure, structure_pool, pro_draws, pediatric, pediatrician.pk
                )
                if structure == big.pk:
                    self.big_patients.append(pid)
                if rng.random() < 0.02:
                    self.stays.append((pid, 0 if rng.random() < 0.5 else 1, rng.choice(hospital_ids)))

        started = time.monotonic()
        rebuild = self._rebuild(Patient)
        self.say(f"  COPY {n} dossiers…")
        load(Patient, self.PATIENT_COLUMNS, rows())
        self.step("dossiers (COPY)", started)
        if rebuild:
            started = time.monotonic()
            rebuild.restore()
            name_keys.fill()  # what the trigger, off during the COPY, would have added
            self.step("dossier indexes and keys", started)

    def _rebuild(self, model: type[models.Model]) -> _Rebuild | None:
        if connection.vendor != "postgresql" or self.scale.dossiers < REBUILD_THRESHOLD:
            return None
        return _Rebuild.drop(model._meta.db_table)

    def _circle_of(
        self,
        i: int,
        pid: int,
        created: float,
        structure: int,
        structure_pool: Pool[int],
        pro_draws: Iterator[int],
        pediatric: set[int],
        pediatrician: int,
    ) -> None:
        rng, circle = self.rng, self.circle
        circle.add(pid, 0, structure, _HABILITATED | _AUTO, created)
        if rng.random() < 0.1:
            other = structure_pool.draw(rng, 1)[0]
            if other != structure:
                circle.add(pid, 0, other, _HABILITATED if rng.random() < 0.8 else 0, created + 3600)
        draw = rng.random()
        count = 0 if draw < 0.08 else 1 if draw < 0.33 else 2 if draw < 0.68 else 3 if draw < 0.88 else 4
        seen = set()
        for _ in range(count):
            user = next(pro_draws)
            if user in seen:
                continue
            seen.add(user)
            draw = rng.random()
            flags = (
                _REMOVED
                if draw < 0.02
                else 0
                if draw < 0.15
                else _HABILITATED | _REFUSED
                if draw < 0.153
                else _HABILITATED
            )
            circle.add(pid, user, 0, flags, created + 7200)
            if flags == _HABILITATED and rng.random() < 0.01:
                self.favourites.append((user, pid))
        if i in pediatric:
            circle.add(pid, pediatrician, 0, _HABILITATED, created + 600)
            self.pediatric_patients.append(pid)

    def circles(self) -> None:
        rng, circle = self.rng, self.circle
        first_id = _next_id(CircleMember)

        def rows() -> Iterator[tuple[Any, ...]]:
            for n in range(len(circle.patient)):
                flags = circle.flags[n]
                created = _datetime(circle.created[n])
                removed = _datetime(circle.created[n] + 86400 * 30) if flags & _REMOVED else None
                yield (
                    first_id + n,
                    _uuid_hex(rng),
                    created,
                    removed or created,
                    None,
                    circle.patient[n],
                    circle.user[n] or None,
                    circle.structure[n] or None,
                    False,
                    bool(flags & _HABILITATED),
                    bool(flags & _AUTO),
                    bool(flags & _REFUSED),
                    removed,
                    removed,
                    "",
                    "",
                    "",
                    "",
                    "",
                    False,
                    False,
                    "",
                    "",
                    "",
                    "",
                    "",
                    False,
                    None,
                    "",
                    "",
                )

        started = time.monotonic()
        rebuild = self._rebuild(CircleMember)
        self.say(f"  COPY {len(circle.patient)} circle rows…")
        load(CircleMember, self.CIRCLE_COLUMNS, rows())
        self.step("circles (COPY)", started)
        if rebuild:
            started = time.monotonic()
            rebuild.restore()
            self.step("circle indexes and keys", started)

    def extras(self, coordinator: User, pediatrician: User) -> None:
        """Stays (the Hospitalisation flag), favourites, open potential duplicates."""
        rng = self.rng
        started = time.monotonic()
        today = self.today.toordinal()
        now = self.now
        stay_id = _next_id(Hospitalisation)
        stays = []
        for n, (pid, kind, establishment) in enumerate(self.stays):
            start = today - rng.randint(0, 30) if kind == 0 else today - rng.randint(60, 700)
            end = None if kind == 0 else start + rng.randint(1, 30)
            stays.append(
                (
                    stay_id + n,
                    _uuid_hex(rng),
                    now,
                    now,
                    None,
                    pid,
                    establishment,
                    "",
                    "Médecine",
                    datetime.date.fromordinal(start),
                    datetime.date.fromordinal(end) if end else None,
                    rng.random() < 0.3,
                    "",
                    None,
                )
            )
        load(
            Hospitalisation,
            (
                "id",
                "public_id",
                "created_at",
                "updated_at",
                "created_by_id",
                "patient_id",
                "establishment_id",
                "establishment_name",
                "unit",
                "start_date",
                "end_date",
                "is_programmed",
                "reason",
                "cancelled_at",
            ),
            stays,
        )
        favourites = set(self.favourites)
        favourites |= {
            (coordinator.pk, pid) for pid in rng.sample(self.big_patients, min(150, len(self.big_patients)))
        }
        favourites |= {
            (pediatrician.pk, pid)
            for pid in rng.sample(self.pediatric_patients, min(40, len(self.pediatric_patients)))
        }
        favourite_id = _next_id(Favourite)
        load(
            Favourite,
            ("id", "user_id", "patient_id", "created_at"),
            [(favourite_id + n, user, pid, now) for n, (user, pid) in enumerate(sorted(favourites))],
        )
        pairs = set()
        for _ in range(max(2, len(self.big_patients) // 150)):
            a, b = rng.sample(self.big_patients, 2)
            pairs.add((min(a, b), max(a, b)))
        duplicate_id = _next_id(PotentialDuplicate)
        load(
            PotentialDuplicate,
            (
                "id",
                "public_id",
                "created_at",
                "updated_at",
                "created_by_id",
                "first_id",
                "second_id",
                "score",
                "status",
                "decided_by_id",
                "decided_at",
            ),
            [
                (duplicate_id + n, _uuid_hex(rng), now, now, None, a, b, 0.9, "OPEN", None, None)
                for n, (a, b) in enumerate(sorted(pairs))
            ],
        )
        _reset_sequences(Patient, CircleMember, Hospitalisation, Favourite, PotentialDuplicate)
        self.step(f"stays ({len(stays)}), favourites ({len(favourites)}), duplicates ({len(pairs)})", started)

    # Tasks ------------------------------------------------------------------------------------

    TASK_COLUMNS = (
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "created_by_id",
        "patient_id",
        "task_type_id",
        "label",
        "level_id",
        "status",
        "due_at",
        "comment",
        "action",
        "structure_id",
        "common_id",
        "version",
    )
    RECIPIENT_COLUMNS = ("id", "task_id", "user_id", "structure_id", "patient_id", "task_open", "task_due_at")

    def tasks(self, big: Structure, coordinator: User) -> None:
        """TSK: about three tasks a dossier, addressed to live habilitated members of its circle.

        A quarter are open (TODO, IN_PROGRESS: due from six weeks ago to four months ahead),
        the rest done or cancelled (due over the last three years). The big structure is left
        out of those; it receives its own: exactly `big_structure_open_tasks` open tasks on its
        (live) dossiers and three times as many closed ones, a quarter also addressed to a
        professional of the circle and a few to its coordinator personally. Its tasks are
        spread through the table among the others, as time would have spread them.
        """
        scale, rng, circle = self.scale, self.rng, self.circle
        started = time.monotonic()
        types = list(TaskType.objects.order_by("pk").values_list("pk", "label"))
        type_pool = Pool(types, list(itertools.accumulate(TASK_TYPE_WEIGHTS.get(t[1], 5) for t in types)))
        levels = list(TaskLevel.objects.order_by("rank", "pk").values_list("pk", flat=True))
        level_weights = list(itertools.accumulate([50, 35, 15, 10, 10][: len(levels)] or [1]))
        # The circle rows of dossier i are rows starts[i] to starts[i + 1] (added dossier by dossier).
        first, count = self.first_patient_id, self.patient_count
        starts = array("q", bytes(8 * (count + 1)))
        for pid in circle.patient:
            starts[pid - first + 1] += 1
        for i in range(count):
            starts[i + 1] += starts[i]
        big_pk, habilitated = big.pk, _HABILITATED
        unusable = _REMOVED | _REFUSED

        def recipients_of(i: int) -> list[tuple[int, int]]:
            """(user, structure) of the live habilitated rows of dossier i, the big structure aside."""
            found = []
            for j in range(starts[i], starts[i + 1]):
                flags = circle.flags[j]
                if flags & habilitated and not flags & unusable and circle.structure[j] != big_pk:
                    found.append((circle.user[j], circle.structure[j]))
            return found

        big_dossiers = [pid for pid in self.big_patients if pid not in self.merged] or self.big_patients
        big_open = scale.big_structure_open_tasks
        big_total = min(scale.tasks // 2, 4 * big_open)
        total = scale.tasks
        big_positions = set(rng.sample(range(total), big_total))
        big_is_open = [n < big_open for n in range(big_total)]
        rng.shuffle(big_is_open)
        big_kinds = iter(big_is_open)
        now = self.now.timestamp()
        day = 86400.0
        first_task = _next_id(Task)
        self.recipients = _RecipientRows()
        recipients = self.recipients

        def rows() -> Iterator[tuple[Any, ...]]:
            author: int | None
            structure: int | None
            for n in range(total):
                tid = first_task + n
                if n in big_positions:
                    is_open = next(big_kinds)
                    pid = rng.choice(big_dossiers)
                    i = pid - first
                    chosen = [(0, big_pk)]
                    others = [r for r in recipients_of(i) if r[0]]
                    if others and rng.random() < 0.25:
                        chosen.append(rng.choice(others))
                    if rng.random() < 0.03:
                        chosen.append((coordinator.pk, 0))
                    status = (
                        (TaskStatus.TODO if rng.random() < 0.7 else TaskStatus.IN_PROGRESS)
                        if is_open
                        else (TaskStatus.DONE if rng.random() < 0.85 else TaskStatus.CANCELLED)
                    )
                    author, structure = coordinator.pk, big_pk
                else:
                    while True:
                        i = rng.randrange(count)
                        candidates = recipients_of(i)
                        if candidates:
                            break
                    pid = first + i
                    chosen = [rng.choice(candidates)]
                    if len(candidates) > 1 and rng.random() < 0.3:
                        other = rng.choice(candidates)
                        if other != chosen[0]:
                            chosen.append(other)
                    draw = rng.random()
                    status = (
                        TaskStatus.TODO
                        if draw < 0.17
                        else TaskStatus.IN_PROGRESS
                        if draw < 0.24
                        else TaskStatus.DONE
                        if draw < 0.9
                        else TaskStatus.CANCELLED
                    )
                    author = chosen[0][0] or None
                    structure = circle.structure[starts[i]] or None  # the dossier's creating structure
                is_open = status in (TaskStatus.TODO, TaskStatus.IN_PROGRESS)
                due = now + day * (rng.uniform(-45, 120) if is_open else -rng.uniform(0, 3 * 365))
                created = min(now - 60, due - day * rng.uniform(1, 60))
                updated = created + (now - created) * rng.random() ** 2
                task_type, type_label = type_pool.draw(rng, 1)[0]
                labels = TASK_LABELS.get(type_label, [type_label])
                for user, structure_id in chosen:
                    recipients.add(tid, user, structure_id, pid, is_open, due)
                yield (
                    tid,
                    _uuid_hex(rng),
                    _datetime(created),
                    _datetime(updated),
                    author,
                    pid,
                    task_type,
                    rng.choice(labels),
                    levels[bisect.bisect(level_weights, rng.random() * level_weights[-1])],
                    status.value,
                    _datetime(due),
                    rng.choice(TASK_COMMENTS) if rng.random() < 0.25 else "",
                    f"Action {rng.randint(1, 4)} — {rng.choice(PLAN_ACTIONS)}" if rng.random() < 0.1 else "",
                    structure,
                    None,
                    1 if status == TaskStatus.TODO else rng.randint(2, 4),
                )

        rebuild = self._rebuild(Task)
        self.say(f"  COPY {total} tasks…")
        load(Task, self.TASK_COLUMNS, rows())
        self.task_count = total
        self.step("tasks (COPY)", started)
        started = time.monotonic()
        first_recipient = _next_id(TaskRecipient)
        rebuild_recipients = self._rebuild(TaskRecipient)
        load(
            TaskRecipient,
            self.RECIPIENT_COLUMNS,
            (
                (
                    first_recipient + n,
                    recipients.task[n],
                    recipients.user[n] or None,
                    recipients.structure[n] or None,
                    recipients.patient[n],
                    bool(recipients.open[n]),
                    _datetime(recipients.due[n]),
                )
                for n in range(len(recipients.task))
            ),
        )
        self.step(f"task recipients ({len(recipients.task)}, COPY)", started)
        started = time.monotonic()
        if rebuild:
            rebuild.restore()
        if rebuild_recipients:
            rebuild_recipients.restore()
        if rebuild or rebuild_recipients:
            self.step("task indexes and keys", started)
        _reset_sequences(Task, TaskRecipient)

    def analyze(self) -> None:
        """Statistics for the planner; outside a transaction, VACUUM too, so the visibility map
        is set as autovacuum would have left it on a database in service (index-only scans)."""
        if connection.vendor != "postgresql":
            return
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.step("VACUUM ANALYZE" if not connection.in_atomic_block else "ANALYZE", started)


_HABILITATED, _AUTO, _REFUSED, _REMOVED = 1, 2, 4, 8


class _CircleRows:
    """Circle rows kept compact (arrays) between the dossier COPY and the circle COPY."""

    def __init__(self) -> None:
        self.patient = array("q")
        self.user = array("q")
        self.structure = array("q")
        self.flags = array("B")
        self.created = array("d")

    def add(self, patient: int, user: int, structure: int, flags: int, created: float) -> None:
        self.patient.append(patient)
        self.user.append(user)
        self.structure.append(structure)
        self.flags.append(flags)
        self.created.append(created)


class _RecipientRows:
    """Task recipients kept compact between the task COPY and theirs: (task, user|0, structure|0)
    and the copies of their task's dossier, openness and due date (the inboxes, see TaskRecipient)."""

    def __init__(self) -> None:
        self.task = array("q")
        self.user = array("q")
        self.structure = array("q")
        self.patient = array("q")
        self.open = array("b")
        self.due = array("d")

    def add(self, task: int, user: int, structure: int, patient: int, is_open: bool, due: float) -> None:
        self.task.append(task)
        self.user.append(user)
        self.structure.append(structure)
        self.patient.append(patient)
        self.open.append(is_open)
        self.due.append(due)


TASK_TYPE_WEIGHTS = {
    "Appel téléphonique": 20,
    "Visite à domicile": 10,
    "Rendez-vous à organiser": 14,
    "Consultation de suivi": 12,
    "Bilan à réaliser": 10,
    "Orientation (CAMSP, PCO, CMPP…)": 5,
    "Envoi ou demande de document": 12,
    "Relance": 8,
    "Démarche sociale": 6,
    "Autre": 3,
}
TASK_LABELS = {
    "Appel téléphonique": [
        "Appeler la famille",
        "Rappeler le médecin traitant",
        "Prendre des nouvelles après la sortie",
        "Appeler l'aidant principal",
    ],
    "Visite à domicile": [
        "Visite d'évaluation à domicile",
        "Passage infirmier à organiser",
        "Visite de suivi",
    ],
    "Rendez-vous à organiser": [
        "Rendez-vous chez le cardiologue",
        "Rendez-vous de suivi pédiatrique",
        "Consultation mémoire à programmer",
    ],
    "Consultation de suivi": [
        "Consultation de suivi à 3 mois",
        "Réévaluation du traitement",
        "Suivi post-natal",
    ],
    "Bilan à réaliser": ["Bilan orthophonique", "Bilan gériatrique standardisé", "Bilan psychomoteur"],
    "Orientation (CAMSP, PCO, CMPP…)": ["Orientation vers le CAMSP", "Adresser à la PCO", "Demande CMPP"],
    "Envoi ou demande de document": [
        "Envoyer le compte rendu d'hospitalisation",
        "Demander l'ordonnance de kinésithérapie",
        "Transmettre le certificat MDPH",
    ],
    "Relance": ["Relancer la MDPH", "Relancer le dossier APA", "Relancer la caisse de retraite"],
    "Démarche sociale": ["Dossier APA à constituer", "Demande d'aide à domicile", "Aide au logement"],
    "Autre": ["Point de coordination", "Réunion de concertation"],
}
TASK_COMMENTS = [
    "Famille prévenue, en attente de retour.",
    "Voir avec l'infirmière du secteur.",
    "Patient joignable le matin uniquement.",
    "Documents demandés le mois dernier.",
    "À voir lors de la prochaine réunion d'équipe.",
]
PLAN_ACTIONS = [
    "Mise en place d'une aide à domicile",
    "Adaptation du logement",
    "Coordination des soins infirmiers",
    "Soutien de l'aidant",
    "Suivi nutritionnel",
]


def existing_region() -> Region | None:
    big = Structure.objects.filter(name=BIG_STRUCTURE_NAME).first()
    if big is None:
        return None
    return Region(
        scale=Scale.of(Patient.objects.count()),
        big_structure=big,
        coordinator=User.objects.get(username=COORDINATOR),
        pediatrician=User.objects.get(username=PEDIATRICIAN),
    )


def generate(dossiers: int = DOSSIERS, *, seed: int = SEED, out: TextIO = sys.stdout) -> Region:
    """Build the region (or find the one already built); returns the scenarios' actors."""
    found = existing_region()
    if found is not None:
        print(f"Region already generated ({found.scale.dossiers} dossiers): kept.", file=out)
        return found
    scale = Scale.of(dossiers)
    generator = Generator(scale, seed, out)
    print(
        f"Generating {scale.dossiers} dossiers, {scale.structures} structures, "
        f"{scale.professionals} professionals on {connection.vendor}…",
        file=out,
        flush=True,
    )
    started = time.monotonic()
    step = time.monotonic()
    generator.territory()
    big, structures = generator.structures()
    coordinator, pediatrician, pros = generator.professionals(structures, big)
    generator.zones()
    generator.step("structures, professionals, zones", step)
    generator.patients(big, structures, pediatrician, pros)
    generator.circles()
    generator.extras(coordinator, pediatrician)
    generator.tasks(big, coordinator)
    generator.analyze()
    total = time.monotonic() - started
    generator.seconds["total"] = total
    print(
        f"Generated {scale.dossiers} dossiers, {len(generator.circle.patient)} circle rows and "
        f"{generator.task_count} tasks in {total:.0f} s.",
        file=out,
        flush=True,
    )
    return Region(scale, big, coordinator, pediatrician, generator.seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dossiers", type=int, default=int(os.environ.get("BENCH_DOSSIERS", DOSSIERS)))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql" and args.dossiers > 20_000:
        raise SystemExit("The benchmark region needs PostgreSQL (DATABASE_URL=postgres://…).")
    generate(args.dossiers, seed=args.seed)


if __name__ == "__main__":  # pragma: no cover
    main()
