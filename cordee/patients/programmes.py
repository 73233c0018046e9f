"""SRCH-2/SRCH-3 "Parcours": the care programmes a dossier is followed in (Cocon…).

The active file knows no programme itself: each one registers here from its app's `ready()`,
with the condition "followed in it now" for the filter and one query giving a page's summaries
for the column. A programme whose Parcours theme is reserved in the rights matrix is neither
offered nor shown, as reserved themes are not named in the "Thématiques" column.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Enrolment:
    """What the "Parcours" column says of one dossier in one programme."""

    programme: str  # "Cocon"
    detail: str  # "Suivi des 6 mois : à faire"
    url: str
    alert: bool = False  # a consultation late or missed: it stands out


@dataclass(frozen=True)
class Programme:
    key: str  # the filter's value in the URL
    label: str
    theme_code: str
    # A condition on Patient: followed in the programme today.
    followed: Callable[[], Q]
    # The summaries of the given dossiers (by primary key), in one query whatever their number.
    summaries: Callable[[list[int], datetime.date], dict[int, Enrolment]]


PROGRAMMES: dict[str, Programme] = {}


def register(programme: Programme) -> None:
    PROGRAMMES[programme.key] = programme


def offered(restricted_codes: set[str]) -> list[Programme]:
    """The programmes one may filter on and see: those whose theme is not reserved."""
    return [p for p in PROGRAMMES.values() if p.theme_code not in restricted_codes]
