"""Identity-vigilance rules (IDV-3 … IDV-7), kept apart from forms so services enforce them too."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as nir_number

from cordee.core import clock
from cordee.core.forms import DayField
from cordee.core.text import search_key
from cordee.patients.models import EMPTY_TRAIT, PROVISIONAL_BIRTH_DATE, PROVISIONAL_NAME, Sex

# Letters (any accent or alphabet), spaces, hyphens, apostrophes: what RNIV names may hold.
_NAME_PUNCTUATION = frozenset(" -'’")


def _is_name(value: str) -> bool:
    return any(ch.isalpha() for ch in value) and all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in value)


def clean_name(value: str, *, label: str, fictitious: bool) -> str:
    value = " ".join(value.split())
    if search_key(value) == search_key(PROVISIONAL_NAME):
        return PROVISIONAL_NAME
    if search_key(value) == EMPTY_TRAIT:
        if not fictitious:
            raise ValidationError(f"« VIDE » n'est accepté que pour une identité fictive ({label}).")
        return EMPTY_TRAIT
    if not _is_name(value):
        raise ValidationError(
            f"Le {label} ne peut contenir que des lettres, des espaces, des tirets et des apostrophes."
        )
    return value


def clean_birth_date(value: datetime.date) -> datetime.date:
    if value > clock.today():
        raise ValidationError("La date de naissance ne peut pas être dans le futur.")
    if value < PROVISIONAL_BIRTH_DATE:
        raise ValidationError("La date de naissance ne peut pas être antérieure au 01/01/1900.")
    return value


class BirthDateField(DayField):
    """A birth date: the identity-vigilance messages (not before 01/01/1900, not in the future)
    come before the bound every typed date shares (issue 24)."""

    def _check_day(self, day: datetime.date) -> None:
        clean_birth_date(day)
        super()._check_day(day)

    def widget_attrs(self, widget: Any) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "max": clock.today().isoformat()}


def compact_nir(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_nir(value: str, *, sex: str | None, birth_date: datetime.date | None) -> str:
    """IDV-7: 13 characters + 2-digit key (Corsica 2A/2B), consistent with sex and birth month."""
    number = compact_nir(value)
    try:
        nir_number.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            "Ce NIR n'est pas valide : 13 caractères suivis d'une clé de 2 chiffres "
            "(clé incorrecte ou format erroné)."
        ) from exc
    # 1 and 2 are men and women; 3, 4, 7, 8 are temporary numbers, not checked against sex.
    if sex in (Sex.MALE, Sex.FEMALE) and number[0] in "12" and number[0] != ("1" if sex == Sex.MALE else "2"):
        raise ValidationError("Le NIR ne correspond pas au sexe indiqué (1 : masculin, 2 : féminin).")
    if birth_date is not None and birth_date != PROVISIONAL_BIRTH_DATE:
        if number[1:3] != f"{birth_date.year % 100:02d}":
            raise ValidationError("Le NIR ne correspond pas à l'année de naissance.")
        month = int(number[3:5])
        if 1 <= month <= 12 and month != birth_date.month:
            raise ValidationError("Le NIR ne correspond pas au mois de naissance.")
    return number
