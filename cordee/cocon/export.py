"""COC-4: extraction of the closed notebooks for the experiment's evaluation.

One row per closed notebook, one column per item code (stable across versions), the child known
only by a pseudonymous id: an HMAC of the dossier's id under a secret key — stable from one
extraction to the next, not reversible without the key. Free texts and attachments may name the
child (a file "compte-rendu-Dupont-Lea.pdf", "vu avec sa grand-mère Mme X"): they are left out
unless the definition marks the item `extractable` (then an attachment is only "oui", never its
name). Every string is neutralised against spreadsheet formulas (OWASP CSV injection), issue 24.
Rows are streamed from a server-side cursor, so memory stays flat whatever the volume.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import CharField, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from cordee.cocon.schedule import BY_CODE, MOBILE_TEAM_CODE, TERM_DAYS
from cordee.core import clock
from cordee.pathways.answers import age_in_months
from cordee.pathways.definition import Definition, Item
from cordee.pathways.models import FormResponse, FormStatus, QuestionnaireVersion
from cordee.territory.models import Zone

NOTEBOOK_CODES = [*BY_CODE, MOBILE_TEAM_CODE]
FIXED_COLUMNS = [
    ("ID_ENFANT", "Identifiant pseudonymisé de l'enfant (HMAC-SHA256 de l'identifiant du dossier)"),
    ("CAHIER", "Cahier de suivi (code du questionnaire)"),
    ("VERSION_CAHIER", "Version du questionnaire avec laquelle le cahier a été rempli"),
    ("DATE_CLOTURE", "Date de clôture du cahier"),
    ("SEXE", "Sexe (M, F, I)"),
    ("TERME_SA", "Terme de naissance, semaines d'aménorrhée"),
    ("TERME_JOURS", "Terme de naissance, jours en plus des semaines"),
    ("POIDS_NAISSANCE_G", "Poids de naissance (g)"),
    ("AGE_CONSULTATION_MOIS", "Âge chronologique à la consultation (mois, une décimale)"),
    ("AGE_CORRIGE_CONSULTATION_MOIS", "Âge corrigé à la consultation (mois ; prématurés)"),
    ("ZONES", "Zones géographiques de la commune de résidence"),
]
ANSWER_FIELDS = (
    "string",
    "text",
    "integer",
    "decimal",
    "date",
    "choice",
    "boolean",
    "attachment",
    "computed",
)


# Items whose answer is typed freely or a file: out of the extraction unless marked safe.
FREE_TYPES = frozenset({"string", "text", "attachment"})
# A cell starting with one of these is a formula to a spreadsheet (OWASP: = + - @ tab return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_extracted(item: Item) -> bool:
    return item.type in ANSWER_FIELDS and (item.type not in FREE_TYPES or item.extractable)


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would run as a formula is prefixed with a quote; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def pseudonym_key() -> bytes:
    key = getattr(settings, "CORDEE_PSEUDONYM_KEY", "") or ""
    if key:
        return str(key).encode()
    # Without a dedicated key, one derived from SECRET_KEY (set CORDEE_PSEUDONYM_KEY in
    # production so that rotating SECRET_KEY does not change the pseudonyms).
    return hmac.new(settings.SECRET_KEY.encode(), b"cordee-cocon-pseudonym", hashlib.sha256).digest()


def pseudonym(public_id: Any, key: bytes | None = None) -> str:
    digest = hmac.new(key or pseudonym_key(), str(public_id).encode(), hashlib.sha256).hexdigest()
    return digest[:24].upper()


@dataclass(frozen=True)
class Filters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    zone: Zone | None = None
    step: str = ""

    def describe(self) -> str:
        parts = [
            f"du {self.start:%d/%m/%Y}" if self.start else "",
            f"au {self.end:%d/%m/%Y}" if self.end else "",
            f"zone {self.zone.name}" if self.zone else "",
            f"cahier {self.step}" if self.step else "",
        ]
        return " ".join(part for part in parts if part) or "tous les cahiers clôturés"


def notebooks(filters: Filters) -> QuerySet[FormResponse]:
    """Closed notebooks only, filtered on the consultation date, the zone and the step."""
    codes = [filters.step] if filters.step in NOTEBOOK_CODES else NOTEBOOK_CODES
    # Only children included in the pathway, never a merged dossier's tombstone.
    rows = FormResponse.objects.filter(
        status=FormStatus.CLOSED,
        questionnaire_version__questionnaire__code__in=codes,
        patient__cocon_inclusion__isnull=False,
        patient__merged_into__isnull=True,
    ).annotate(
        # Cast: a bare key transform compares as JSON (SQLite json.loads the bound "2026-01-31").
        consultation=Cast(KeyTextTransform("date_consultation", "answers"), output_field=CharField())
    )
    if filters.start:
        rows = rows.filter(consultation__gte=filters.start.isoformat())
    if filters.end:
        rows = rows.filter(consultation__lte=filters.end.isoformat())
    if filters.zone:
        rows = rows.filter(patient__commune__zones=filters.zone)
    return rows


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    type: str
    unit: str
    options: str
    notebooks: tuple[str, ...]


def _versions(filters: Filters) -> dict[int, tuple[str, int, Definition]]:
    codes = [filters.step] if filters.step in NOTEBOOK_CODES else NOTEBOOK_CODES
    # Published versions only: a draft an administrator is preparing is not part of the data.
    versions = QuestionnaireVersion.objects.filter(
        questionnaire__code__in=codes, published_at__isnull=False
    ).select_related("questionnaire")
    return {
        v.pk: (v.questionnaire.code, v.number, v.parsed())
        for v in versions.order_by("questionnaire__ordering", "number")
    }


def columns(versions: dict[int, tuple[str, int, Definition]]) -> list[Column]:
    """One column per item code, in the order the notebooks ask them (first seen first)."""
    found: dict[str, tuple[Item, list[str]]] = {}
    for code, _, definition in versions.values():
        for item in definition.walk():
            if not is_extracted(item):
                continue
            entry = found.setdefault(item.code, (item, []))
            if code not in entry[1]:
                entry[1].append(code)
    return [
        Column(
            code=code,
            label=item.text,
            type=item.type + (" multiple" if item.is_multiple else ""),
            unit=item.unit,
            options=" ; ".join(f"{o.code} = {o.display}" for o in item.options),
            notebooks=tuple(books),
        )
        for code, (item, books) in found.items()
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):  # an attachment marked extractable: its presence, never its name
        return "oui"
    return value


# A definition compiled for extraction: the answered items of one scope as (linkId, code), plain
# groups flattened away, repeated groups as (linkId, their own plan). Built once per version, it
# keeps the per-row work to dictionary lookups (COC-4 streams 10,000 rows a second).
Plan = list[tuple[str, str, "Plan | None"]]


def compile_plan(items: tuple[Item, ...]) -> Plan:
    plan: Plan = []
    for item in items:
        if item.is_repeated_group:
            plan.append((item.link_id, "", compile_plan(item.items)))
        elif item.is_group:
            plan.extend(compile_plan(item.items))
        elif is_extracted(item):
            plan.append((item.link_id, item.code, None))
    return plan


def _flatten(
    plan: Plan, answers: dict[str, Any], out: dict[str, Any], repeated: dict[str, list[Any]]
) -> None:
    for link_id, code, inner in plan:
        value = answers.get(link_id)
        if value is None:
            continue
        if inner is not None:
            for instance in value if isinstance(value, list) else []:
                if isinstance(instance, dict):
                    _flatten(inner, instance, repeated, repeated)
        elif out is repeated:
            repeated.setdefault(code, []).append(_cell(value))
        else:
            out[code] = _cell(value)


class Extraction:
    """The header and the rows of one extraction (shared by CSV and XLSX)."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters
        self.versions = _versions(filters)
        self.columns = columns(self.versions)
        self.key = pseudonym_key()
        self.zones: dict[str, str] = {}
        for commune_id, name in Zone.communes.through.objects.values_list("commune_id", "zone__name"):
            self.zones[commune_id] = f"{self.zones[commune_id]}|{name}" if commune_id in self.zones else name
        # Names typed by an administrator, neutralised once here rather than in every row.
        self.zones = {commune_id: neutralise(names) for commune_id, names in self.zones.items()}

    @property
    def header(self) -> list[str]:
        return [neutralise(code) for code, _ in FIXED_COLUMNS] + [neutralise(c.code) for c in self.columns]

    def count(self) -> int:
        return notebooks(self.filters).count()

    def rows(self) -> Iterator[list[Any]]:
        query = notebooks(self.filters).values_list(
            "answers",
            "questionnaire_version_id",
            "closed_at",
            "patient__public_id",
            "patient__birth_date",
            "patient__sex",
            "patient__commune_id",
            "patient__cocon_inclusion__gestational_age_weeks",
            "patient__cocon_inclusion__gestational_age_days",
            "patient__cocon_inclusion__birth_weight_g",
        )
        codes = [column.code for column in self.columns]
        plans = {pk: compile_plan(definition.items) for pk, (_, _, definition) in self.versions.items()}
        for (
            answers,
            version_id,
            closed_at,
            public_id,
            birth,
            sex,
            commune_id,
            weeks,
            days,
            weight,
        ) in query.order_by("pk").iterator(chunk_size=2000):
            code, number, _ = self.versions[version_id]
            values: dict[str, Any] = {}
            repeated: dict[str, list[Any]] = {}
            _flatten(plans[version_id], answers, values, repeated)
            for key, cells in repeated.items():
                values[key] = "|".join(str(cell) for cell in cells)
            # Only the answers may hold text typed freely: the fixed columns are numbers, dates, a
            # hexadecimal pseudonym, a sex code and names neutralised once (the questionnaire's
            # code, the zones). The few answered cells are checked, not each of the row's 224
            # (a call per cell was two thirds of the extraction's time).
            for key, value in values.items():
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    values[key] = "'" + value
            consultation = _date(answers.get("date_consultation")) or (
                clock.date_of(closed_at) if closed_at else None
            )
            ga_days = weeks * 7 + (days or 0) if weeks else None
            shift = TERM_DAYS - ga_days if ga_days and ga_days < 37 * 7 else 0
            fixed = [
                pseudonym(public_id, self.key),
                neutralise(code),
                number,
                clock.date_of(closed_at).isoformat() if closed_at else "",
                sex,
                weeks if weeks is not None else "",
                days if weeks is not None else "",
                weight if weight is not None else "",
                age_in_months(birth, consultation) if consultation else "",
                age_in_months(birth, consultation, shift) if consultation and shift else "",
                self.zones.get(commune_id or "", ""),
            ]
            answered = values.get
            yield fixed + [answered(c, "") for c in codes]

    def dictionary(self) -> Iterator[list[str]]:
        yield ["code", "libellé", "type", "unité", "modalités", "cahiers"]
        for code, label in FIXED_COLUMNS:
            yield [code, label, "", "", "", "tous"]
        for column in self.columns:
            yield [
                neutralise(text)
                for text in (
                    column.code,
                    column.label,
                    column.type,
                    column.unit,
                    column.options,
                    ", ".join(column.notebooks),
                )
            ]


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None
