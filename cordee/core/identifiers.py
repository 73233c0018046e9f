"""Checks of French identifiers, with the French message shown next to the field.

Kept libraries do the arithmetic (python-stdnum); this module only words the refusals.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

_DIGITS = re.compile(r"\s+")


def compact(value: str) -> str:
    return _DIGITS.sub("", value or "")


def validate_rpps(value: str) -> None:
    """RPPS: 11 digits whose last one is a Luhn key."""
    number = compact(value)
    if not number.isdigit() or len(number) != 11:
        raise ValidationError("Le numéro RPPS doit comporter 11 chiffres.", code="rpps_length")
    if not luhn.is_valid(number):
        raise ValidationError(
            "Ce numéro RPPS n'est pas valide (clé de contrôle incorrecte).", code="rpps_key"
        )


def validate_adeli(value: str) -> None:
    """ADELI: 9 characters, the first two the département (2A/2B for Corsica)."""
    number = compact(value).upper()
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", number):
        raise ValidationError("Le numéro ADELI doit comporter 9 chiffres.", code="adeli_length")


def validate_siret(value: str) -> None:
    try:
        siret.validate(compact(value))
    except StdnumError as exc:
        raise ValidationError("Ce numéro SIRET n'est pas valide.", code="siret") from exc


def validate_finess(value: str) -> None:
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", compact(value).upper()):
        raise ValidationError("Le numéro FINESS doit comporter 9 caractères.", code="finess")


def validate_phone(value: str) -> None:
    """French phone numbers: 10 digits starting with 0, or +33 followed by 9 digits."""
    number = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"(0\d{9}|\+33\d{9}|\+262\d{9}|\+590\d{9}|\+594\d{9}|\+596\d{9})", number):
        raise ValidationError(
            "Numéro de téléphone invalide : 10 chiffres commençant par 0 (ou +33…).",
            code="phone",
        )


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def rpps_with_key(body: str) -> str:
    """The full RPPS for a 10-digit body: used to generate demo and test numbers."""
    return body + luhn.calc_check_digit(body)
