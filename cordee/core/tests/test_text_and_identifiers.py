from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cordee.core.identifiers import (
    rpps_with_key,
    validate_adeli,
    validate_phone,
    validate_rpps,
    validate_siret,
)
from cordee.core.text import search_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Saint-Étienne-du-Rouvray", "SAINT ETIENNE DU ROUVRAY"),
        ("L'Haÿ-les-Roses", "L HAY LES ROSES"),
        ("  dupont   martin ", "DUPONT MARTIN"),
        ("Œuvray", "OEUVRAY"),
        ("N’Diaye", "N DIAYE"),
    ],
)
def test_search_key_folds_accents_case_hyphens_and_apostrophes(typed: str, key: str) -> None:
    assert search_key(typed) == key


@given(st.text(max_size=60))
def test_search_key_is_idempotent_and_upper_case(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert key == key.strip()
    assert "  " not in key


def test_rpps_with_a_valid_luhn_key_is_accepted() -> None:
    validate_rpps(rpps_with_key("1000123456"))


@pytest.mark.parametrize("value", ["1234", "1000123456A", "100012345678"])
def test_rpps_of_the_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="11 chiffres"):
        validate_rpps(value)


def test_rpps_with_a_wrong_key_is_refused() -> None:
    valid = rpps_with_key("1000123456")
    wrong = valid[:10] + str((int(valid[10]) + 1) % 10)
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_rpps(wrong)


def test_adeli_accepts_nine_digits_and_corsica() -> None:
    validate_adeli("061234567")
    validate_adeli("2A1234567")
    with pytest.raises(ValidationError, match="9 chiffres"):
        validate_adeli("06123")


def test_phone_numbers() -> None:
    validate_phone("04 93 00 00 00")
    validate_phone("+33612345678")
    with pytest.raises(ValidationError, match="10 chiffres"):
        validate_phone("12345")


def test_siret_uses_its_luhn_key() -> None:
    validate_siret("73282932000074")
    with pytest.raises(ValidationError):
        validate_siret("73282932000075")
