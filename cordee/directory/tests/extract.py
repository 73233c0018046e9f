"""Extracts written in the published layout, for the tests (fictitious people)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO

from cordee.core.identifiers import rpps_with_key

SAMPLE = (
    Path(__file__).resolve().parents[3] / "data" / "annuaire" / "PS_LibreAcces_Personne_activite_exemple.txt"
)
HEADER = SAMPLE.read_text(encoding="utf-8").split("\n", 1)[0]
COLUMNS = HEADER.split("|")


def row(**fields: str) -> str:
    """One line: fields named by their header (spaces and quotes as in the header)."""
    values = [""] * len(COLUMNS)
    for name, value in fields.items():
        values[COLUMNS.index(name)] = value
    return "|".join(values)


def professional(
    body: str,
    last_name: str,
    first_name: str = "ANNE",
    *,
    profession: str = "10",
    commune: str = "06088",
    postal_code: str = "06000",
    street: str = "DES LILAS",
    finess: str = "",
    siret: str = "",
    site: str = "CABINET",
    specialty: tuple[str, str, str] = ("", "", ""),
    adeli: str = "",
) -> str:
    """An RPPS professional (the 10-digit body gets its Luhn key), or an ADELI one."""
    if adeli:
        kind, number = "0", adeli
    else:
        kind, number = "8", rpps_with_key(body)
    labels = {"10": "Médecin", "60": "Infirmier", "93": "Psychologue", "96": "Psychomotricien"}
    return row(
        **{
            "Type d'identifiant PP": kind,
            "Identifiant PP": number,
            "Identification nationale PP": kind + number,
            "Nom d'exercice": last_name,
            "Prénom d'exercice": first_name,
            "Code profession": profession,
            "Libellé profession": labels.get(profession, "Profession " + profession),
            "Code type savoir-faire": specialty[0],
            "Code savoir-faire": specialty[1],
            "Libellé savoir-faire": specialty[2],
            "Libellé mode exercice": "Libéral",
            "Numéro FINESS site": finess,
            "Numéro SIRET site": siret,
            "Raison sociale site": site,
            "Libellé Voie (coord. structure)": street,
            "Code postal (coord. structure)": postal_code,
            "Code commune (coord. structure)": commune,
        }
    )


def text(*lines: str) -> str:
    return HEADER + "\n" + "\n".join(lines) + "\n"


def opener(content: str | bytes, encoding: str = "utf-8") -> Callable[[], IO[bytes]]:
    data = content.encode(encoding) if isinstance(content, str) else content

    def open_() -> IO[bytes]:
        return io.BytesIO(data)

    return open_
