"""DIR-2: reading the public extract of the Annuaire Santé ("extraction en libre accès").

The file `PS_LibreAcces_Personne_activite_<date>.txt` (alone, or inside the published zip) is
UTF-8 text, one line per professional activity, fields separated by "|", no quoting, a header
line naming the columns and a "|" ending every line (layout in data/SOURCES.md). Columns are
found by their header's name, so the extract's variants (new columns added at the end, "coord.
Structure" spelled with a capital) read the same.

The file is streamed: `check_extract` reads it once to refuse it whole before anything is
written (wrong encoding, missing columns), `read_extract` yields one `Line` or `Rejected` per
data line. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import io
import operator
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from cordee.core.text import search_key

Opener = Callable[[], IO[bytes]]

# Canonical name → the header spellings seen in the published extracts (compared as keys:
# no accents, no punctuation, lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "identifier_type": ("Type d'identifiant PP",),
    "identifier": ("Identifiant PP",),
    "national_id": ("Identification nationale PP",),
    "title": ("Libellé civilité d'exercice", "Libellé civilité exercice"),
    "last_name": ("Nom d'exercice",),
    "first_name": ("Prénom d'exercice",),
    "profession_code": ("Code profession",),
    "profession_label": ("Libellé profession",),
    "specialty_kind": ("Code type savoir-faire",),
    "specialty_kind_label": ("Libellé type savoir-faire",),
    "specialty_code": ("Code savoir-faire",),
    "specialty_label": ("Libellé savoir-faire",),
    "mode": ("Libellé mode exercice",),
    "siret": ("Numéro SIRET site",),
    "finess": ("Numéro FINESS site",),
    "site_name": ("Raison sociale site",),
    "site_sign": ("Enseigne commerciale site",),
    "street_number": ("Numéro Voie (coord. structure)",),
    "street_index": ("Indice répétition voie (coord. structure)",),
    "street_kind": ("Libellé type de voie (coord. structure)",),
    "street": ("Libellé Voie (coord. structure)",),
    "place": ("Complément point géographique (coord. structure)",),
    "distribution": ("Mention distribution (coord. structure)",),
    "postal_code": ("Code postal (coord. structure)",),
    "commune_code": ("Code commune (coord. structure)",),
    "phone": ("Téléphone (coord. structure)",),
    "email": ("Adresse e-mail (coord. structure)",),
    "departement": ("Code Département (structure)", "Code département (coord. structure)"),
    "sector": ("Code secteur d'activité",),
}
REQUIRED = ("identifier_type", "identifier", "national_id", "last_name", "first_name", "profession_code")

LIMITS = {"last_name": 150, "first_name": 150, "title": 40, "profession_label": 100, "specialty_label": 200}
_PHONE = re.compile(r"\+?\d{6,19}")
_EMAIL = re.compile(r"[^@\s|]{1,100}@[^@\s|]{1,98}\.[^@\s|]{1,20}")
_COMMUNE = re.compile(r"(\d{5}|2[AB]\d{3})")
_MEMBER = re.compile(r"PS_LibreAcces_Personne_activite", re.IGNORECASE)
_CHUNK = 1 << 20


class ExtractError(Exception):
    """The whole file is refused; the message is the French text shown to the administrator."""


@dataclass(slots=True)
class Line:
    number: int
    national_id: str
    identifier_type: str
    identifier: str
    title: str
    last_name: str
    first_name: str
    profession_code: str
    profession_label: str
    specialty_kind: str
    specialty_kind_label: str
    specialty_code: str
    specialty_label: str
    mode: str
    siret: str
    finess: str
    site_name: str
    address: str
    postal_code: str
    commune_code: str
    departement: str
    phone: str
    email: str
    sector: str


@dataclass(slots=True)
class Rejected:
    number: int
    reason: str


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", search_key(name).lower())


def departement_of(commune_code: str) -> str:
    """The département of a COG code: 3 characters overseas (971…976), 2 elsewhere (2A/2B)."""
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


@contextmanager
def open_binary(opener: Opener) -> Iterator[IO[bytes]]:
    """The extract's bytes: the file itself, or the activities' member of the published zip."""
    with opener() as raw:
        head = raw.read(4)
        raw.seek(0)
        if head != b"PK\x03\x04":
            yield raw
            return
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile as exc:
            raise ExtractError("L'archive zip est illisible.") from exc
        with archive:
            names = [name for name in archive.namelist() if _MEMBER.search(name)]
            if len(names) != 1:
                raise ExtractError(
                    "L'archive ne contient pas de fichier « PS_LibreAcces_Personne_activite » : "
                    "déposez l'extraction publiée par l'Annuaire Santé."
                )
            with archive.open(names[0]) as member:
                yield member


def check_extract(opener: Opener) -> int:
    """Refuse the file whole before anything is written; return its number of data lines.

    The whole file is decoded once, by chunks (never held in memory): an extract saved by a
    spreadsheet in Windows-1252 would otherwise be half imported before its first "é" fails.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    with open_binary(opener) as raw:
        first = True
        while chunk := raw.read(_CHUNK):
            if first and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
            first = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk.count(b"\n", 0, exc.start) + 1
                raise ExtractError(
                    f"Le fichier n'est pas encodé en UTF-8 (premier caractère illisible à la ligne {line}). "
                    "L'extraction de l'Annuaire Santé est publiée en UTF-8 : déposez le fichier tel qu'il "
                    "a été téléchargé, sans l'ouvrir ni l'enregistrer dans un tableur."
                ) from exc
            newlines += chunk.count(b"\n")
            last = chunk
        if first:
            raise ExtractError("Le fichier est vide.")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise ExtractError(
                "Le fichier n'est pas encodé en UTF-8 (il se termine au milieu d'un caractère)."
            ) from exc
        if not last.endswith(b"\n"):
            newlines += 1
    with _text(opener) as text:
        header = next(text, "")
        _columns(_split(header) if header.strip("\r\n") else [])
    return max(0, newlines - 1)


@contextmanager
def _text(opener: Opener, part: Part | None = None) -> Iterator[IO[str]]:
    with open_binary(opener) as raw:
        stream: IO[bytes] = raw
        if part is not None:
            stream = io.BufferedReader(_Slice(raw, part.start, part.stop), _CHUNK)
        text = io.TextIOWrapper(
            stream,
            encoding="utf-8-sig" if part is None or part.start == 0 else "utf-8",
            newline="",
        )
        try:
            yield text
        finally:
            text.detach()


@dataclass(frozen=True, slots=True)
class Part:
    """A slice of the extract's bytes read on its own (a second process reads another): from
    `start` (0, or just after a "\n") to `stop` (None: the end); `first` is its first line's number."""

    start: int
    stop: int | None
    first: int


class _Slice(io.RawIOBase):
    def __init__(self, raw: IO[bytes], start: int, stop: int | None) -> None:
        if start:
            raw.seek(start)
        self.raw = raw
        self.left = None if stop is None else stop - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer) if self.left is None else min(len(buffer), self.left)
        data = self.raw.read(size) if size else b""
        buffer[: len(data)] = data
        if self.left is not None:
            self.left -= len(data)
        return len(data)


def split_extract(opener: Opener, parts: int) -> list[Part]:
    """The extract cut into `parts` slices of about the same size, each starting a line, with
    their first line's number counted as `read_extract` counts them ("\n", "\r\n" or "\r" ends a
    line). Reads the bytes once more, by chunks (a fraction of a second a million lines)."""
    chunks: list[tuple[int, int]] = []  # (offset of the chunk, line ends before it)
    offset = ends = 0
    carriage = False  # the previous chunk ended with "\r"
    with open_binary(opener) as raw:
        while chunk := raw.read(_CHUNK):
            chunks.append((offset, ends))
            ends += _line_ends(chunk) - (carriage and chunk[:1] == b"\n")
            carriage = chunk[-1:] == b"\r"
            offset += len(chunk)
    cuts: list[tuple[int, int]] = [(0, 1)]  # (offset, number of the line starting there)
    with open_binary(opener) as raw:
        for k in range(1, parts if chunks else 0):
            target = offset * k // parts
            index = max(i for i, (start, _) in enumerate(chunks) if start <= target)
            start, before = chunks[index]
            raw.seek(start)
            # Up to the first "\n" at or after the target.
            data = raw.read(target - start)
            while more := raw.read(_CHUNK):
                newline = more.find(b"\n")
                if newline >= 0:
                    data += more[: newline + 1]
                    break
                data += more
            if not data.endswith(b"\n"):
                break
            carried = False  # a "\r" ending the previous chunk was counted alone
            if index and data[:1] == b"\n":
                raw.seek(start - 1)
                carried = raw.read(1) == b"\r"
            cut = start + len(data)
            if cut > cuts[-1][0]:
                cuts.append((cut, before + _line_ends(data) - carried + 1))
    return [
        Part(start, cuts[i + 1][0] if i + 1 < len(cuts) else None, first)
        for i, (start, first) in enumerate(cuts)
    ]


def _line_ends(data: bytes) -> int:
    if b"\r" not in data:
        return data.count(b"\n")
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _columns(header: list[str]) -> tuple[dict[str, int], int]:
    positions = {header_key(name): index for index, name in enumerate(header)}
    found: dict[str, int] = {}
    for canonical, spellings in COLUMNS.items():
        for spelling in spellings:
            if header_key(spelling) in positions:
                found[canonical] = positions[header_key(spelling)]
                break
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in found]
    if missing:
        raise ExtractError(
            "La première ligne du fichier ne nomme pas les colonnes attendues de l'extraction "
            f"« PS_LibreAcces_Personne_activite » (absentes : {', '.join(missing)})."
        )
    return found, len(header)


# csv's default limit on a field: a longer line is refused as the csv reader refused it.
_FIELD_LIMIT = 131072
# The fields `_line` reads, in this order (a column absent from the header reads as "").
_READ = (
    "commune_code",
    "departement",
    "identifier_type",
    "identifier",
    "national_id",
    "title",
    "last_name",
    "first_name",
    "profession_code",
    "profession_label",
    "specialty_kind",
    "specialty_kind_label",
    "specialty_code",
    "specialty_label",
    "mode",
    "siret",
    "finess",
    "site_name",
    "site_sign",
    "street_number",
    "street_index",
    "street_kind",
    "street",
    "place",
    "distribution",
    "postal_code",
    "phone",
    "email",
    "sector",
)
_ADELI = re.compile(r"(\d{2}|2[AB])\d{7}").fullmatch
_commune_ok = _COMMUNE.fullmatch
_phone_ok = _PHONE.fullmatch
_email_ok = _EMAIL.fullmatch
_PHONE_NOISE = re.compile(r"[\s.\-]")
_DOUBLED = {str(d): (2 * d) // 10 + (2 * d) % 10 for d in range(10)}


def luhn_valid(number: str) -> bool:
    """The Luhn key of an ASCII digit string (the RPPS's); stdnum's, unrolled: it runs per line."""
    return (sum(map(int, number[-1::-2])) + sum(map(_DOUBLED.__getitem__, number[-2::-2]))) % 10 == 0


def read_extract(
    opener: Opener, departements: frozenset[str] | None = None, part: Part | None = None
) -> Iterator[Line | Rejected | None]:
    """One item per data line: a `Line`, a `Rejected` (with its line number and French reason),
    or None for a line outside the départements asked for; of the whole file, or of one `Part`.

    No quoting in the published layout: a line is its text split on "|" (what csv's reader with
    QUOTE_NONE did, at a fraction of the cost)."""
    if part is not None and part.start > 0:
        with _text(opener) as text:
            header = next(text, "")
    with _text(opener, part) as text:
        if part is not None and part.start > 0:
            lines = enumerate(text, start=part.first)
        else:
            lines = enumerate(text, start=1)
            header = next(lines, (1, ""))[1]
        columns, width = _columns(_split(header) if header.strip("\r\n") else [])
        indexes = [columns.get(name, width) for name in _READ]  # `width`: the "" appended below
        pick = operator.itemgetter(*indexes)
        for number, raw in lines:
            if "\x00" in raw:
                yield Rejected(number, "La ligne contient un caractère nul.")
                continue
            if len(raw) > _FIELD_LIMIT and any(len(f) > _FIELD_LIMIT for f in _split(raw)):
                yield Rejected(number, "La ligne est illisible (champ trop long).")
                continue
            row = _split(raw)
            if row == [""]:
                continue
            if len(row) != width:
                yield Rejected(number, f"La ligne compte {len(row)} champs au lieu de {width}.")
                continue
            row.append("")
            yield _line(number, [value.strip() for value in pick(row)], departements)


def _split(raw: str) -> list[str]:
    return raw.rstrip("\r\n").split("|")


def _line(number: int, values: list[str], departements: frozenset[str] | None) -> Line | Rejected | None:
    (
        commune_code,
        departement,
        identifier_type,
        identifier,
        national_id,
        title,
        last_name,
        first_name,
        profession_code,
        profession_label,
        specialty_kind,
        specialty_kind_label,
        specialty_code,
        specialty_label,
        mode,
        siret,
        finess,
        site_name,
        site_sign,
        street_number,
        street_index,
        street_kind,
        street,
        place,
        distribution,
        postal_code,
        phone,
        email,
        sector,
    ) = values
    if commune_code:
        commune_code = commune_code.upper()
        if not _commune_ok(commune_code):
            commune_code = ""
    departement = departement_of(commune_code) if commune_code else departement.upper()[:3]
    if departements is not None and departement not in departements:
        return None

    if identifier_type == "8":
        if not (
            len(identifier) == 11 and identifier.isascii() and identifier.isdigit() and luhn_valid(identifier)
        ):
            return Rejected(number, f"Numéro RPPS invalide : « {identifier[:20]} ».")
    elif identifier_type == "0":
        if not _ADELI(identifier):
            return Rejected(number, f"Numéro ADELI invalide : « {identifier[:20]} ».")
    else:
        return Rejected(
            number, f"Type d'identifiant inconnu : « {identifier_type[:10]} » (0 ADELI ou 8 RPPS)."
        )
    if national_id != identifier_type + identifier:
        return Rejected(number, "L'identification nationale ne correspond pas au type et au numéro.")
    if not last_name:
        return Rejected(number, "Nom d'exercice absent.")
    if not (0 < len(profession_code) <= 4 and profession_code.isdecimal()):
        return Rejected(number, f"Code profession invalide : « {profession_code[:10]} ».")
    if (
        len(last_name) > 150
        or len(first_name) > 150
        or len(title) > 40
        or len(profession_label) > 100
        or len(specialty_label) > 200
    ):  # LIMITS, unrolled: this runs per line
        for name, value in (
            ("last_name", last_name),
            ("first_name", first_name),
            ("title", title),
            ("profession_label", profession_label),
            ("specialty_label", specialty_label),
        ):
            limit = LIMITS[name]
            if len(value) > limit:
                return Rejected(
                    number, f"{COLUMNS[name][0]} trop long ({len(value)} caractères, {limit} au plus)."
                )

    if len(specialty_code) > 10:
        return Rejected(number, "Code savoir-faire trop long.")
    street = " ".join(part for part in (street_number, street_index, street_kind, street) if part)
    address = ", ".join(part for part in (place, street, distribution) if part)[:300]
    if phone and not (6 <= len(phone) <= 19 and phone.isascii() and phone.isdigit()):
        phone = _PHONE_NOISE.sub("", phone)  # spaces, dots, dashes; then the shape again
        if not _phone_ok(phone):
            phone = ""
    if email and not _email_ok(email):
        email = ""
    if finess:
        finess = finess.upper()
        if not _ADELI(finess):  # the same shape: département (2A/2B) and seven digits
            finess = ""
    if siret and not (len(siret) == 14 and siret.isdecimal()):
        siret = ""
    return Line(
        number,
        national_id,
        identifier_type,
        identifier,
        title,
        last_name,
        first_name,
        profession_code,
        profession_label or profession_code,
        specialty_kind[:10],
        specialty_kind_label[:100],
        specialty_code,
        specialty_label or specialty_code,
        mode[:60],
        siret,
        finess,
        (site_name or site_sign)[:200],
        address,
        postal_code[:10],
        commune_code,
        departement,
        phone,
        email,
        sector[:10],
    )
