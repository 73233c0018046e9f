"""IDV-3 / IDV-4 / IDV-7: the identity rules as properties (NIR key and consistency, names, keys)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import assume, example, given
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from cordee.activity.models import Event
from cordee.core.text import search_key
from cordee.patients.identity import clean_name, compact_nir, validate_nir
from cordee.patients.models import EMPTY_TRAIT, PROVISIONAL_BIRTH_DATE, PROVISIONAL_NAME, Patient, Sex

# --- NIR ---------------------------------------------------------------------------------------

departements = st.one_of(
    st.integers(min_value=1, max_value=95).map(lambda n: f"{n:02d}").filter(lambda d: d != "20"),
    st.sampled_from(["2A", "2B"]),
)


@st.composite
def nir_bodies(draw: st.DrawFn) -> str:
    """13 characters: sex (1/2), year, month 01-12, département (2A/2B for Corsica), commune, order."""
    sex = draw(st.sampled_from("12"))
    year = draw(st.integers(min_value=0, max_value=99))
    month = draw(st.integers(min_value=1, max_value=12))
    departement = draw(departements)
    commune = draw(st.integers(min_value=1, max_value=999))
    order = draw(st.integers(min_value=1, max_value=999))
    return f"{sex}{year:02d}{month:02d}{departement}{commune:03d}{order:03d}"


def with_key(body: str) -> str:
    return body + stdnum_nir.calc_check_digits(body)


def sex_of(nir: str) -> str:
    return Sex.MALE if nir[0] == "1" else Sex.FEMALE


def birth_date_of(nir: str, century: int) -> datetime.date:
    # The 15th avoids 01/01/1900, the stand-in date that is never checked against the NIR.
    return datetime.date(century + int(nir[1:3]), int(nir[3:5]), 15)


@given(body=nir_bodies())
@example(body="253072B073004")
@example(body="253072A073004")
def test_a_nir_with_its_computed_key_is_accepted_and_returned_compact(body: str) -> None:
    nir = with_key(body)
    assert len(nir) == 15
    assert validate_nir(nir, sex=None, birth_date=None) == nir
    spaced = " ".join([nir[:1], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
    assert validate_nir(spaced, sex=None, birth_date=None) == nir
    assert validate_nir(spaced.replace(" ", ".").lower(), sex=None, birth_date=None) == nir


@given(body=nir_bodies(), key=st.integers(min_value=0, max_value=99))
def test_a_nir_with_any_other_key_is_refused(body: str, key: int) -> None:
    right = stdnum_nir.calc_check_digits(body)
    assume(f"{key:02d}" != right)
    with pytest.raises(ValidationError, match="Ce NIR n'est pas valide"):
        validate_nir(f"{body}{key:02d}", sex=None, birth_date=None)


@given(body=nir_bodies(), cut=st.integers(min_value=1, max_value=14))
def test_a_truncated_nir_is_refused(body: str, cut: int) -> None:
    with pytest.raises(ValidationError, match="Ce NIR n'est pas valide"):
        validate_nir(with_key(body)[:cut], sex=None, birth_date=None)


@given(body=nir_bodies(), century=st.sampled_from([1900, 2000]))
def test_a_nir_consistent_with_sex_birth_year_and_month_is_accepted(body: str, century: int) -> None:
    nir = with_key(body)
    assert validate_nir(nir, sex=sex_of(nir), birth_date=birth_date_of(nir, century)) == nir
    # An undetermined sex is not checked against the first digit.
    assert validate_nir(nir, sex=Sex.UNDETERMINED, birth_date=birth_date_of(nir, century)) == nir


@given(body=nir_bodies())
def test_a_nir_of_the_other_sex_is_refused(body: str) -> None:
    nir = with_key(body)
    other = Sex.FEMALE if sex_of(nir) == Sex.MALE else Sex.MALE
    with pytest.raises(ValidationError, match="ne correspond pas au sexe"):
        validate_nir(nir, sex=other, birth_date=None)


@given(body=nir_bodies(), shift=st.integers(min_value=1, max_value=99))
def test_a_nir_of_another_birth_year_is_refused(body: str, shift: int) -> None:
    nir = with_key(body)
    born = birth_date_of(nir, 1900)
    other_year = born.replace(year=1900 + (born.year - 1900 + shift) % 100)
    with pytest.raises(ValidationError, match="l'année de naissance"):
        validate_nir(nir, sex=sex_of(nir), birth_date=other_year)


@given(body=nir_bodies(), other_month=st.integers(min_value=1, max_value=12))
def test_a_nir_of_another_birth_month_is_refused(body: str, other_month: int) -> None:
    nir = with_key(body)
    born = birth_date_of(nir, 2000)
    assume(other_month != born.month)
    with pytest.raises(ValidationError, match="mois de naissance"):
        validate_nir(nir, sex=sex_of(nir), birth_date=born.replace(month=other_month))


@given(body=nir_bodies())
def test_the_provisional_birth_date_is_not_checked_against_the_nir(body: str) -> None:
    nir = with_key(body)
    assert validate_nir(nir, sex=sex_of(nir), birth_date=PROVISIONAL_BIRTH_DATE) == nir


@given(body=nir_bodies(), separators=st.lists(st.sampled_from([" ", ".", "-"]), min_size=14, max_size=14))
def test_compacting_a_nir_drops_every_separator(body: str, separators: list[str]) -> None:
    nir = with_key(body)
    typed = "".join(char + sep for char, sep in zip(nir, [*separators, ""], strict=True))
    assert compact_nir(typed) == nir


# --- Names -------------------------------------------------------------------------------------

FRENCH_LETTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæABCDEFGHIJKLMNOPQRSTUVWXYZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
words = st.text(alphabet=FRENCH_LETTERS, min_size=1, max_size=12)


@st.composite
def french_names(draw: st.DrawFn) -> str:
    """Words of letters (accents and ligatures included) joined by spaces, hyphens or apostrophes."""
    parts = draw(st.lists(words, min_size=1, max_size=4))
    seps = draw(
        st.lists(st.sampled_from([" ", "-", "'", "’", " - "]), min_size=len(parts), max_size=len(parts))
    )
    name = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        name += sep + part
    return name


def _is_a_stand_in(name: str) -> bool:
    return search_key(name) in (search_key(PROVISIONAL_NAME), EMPTY_TRAIT)


@given(name=french_names(), padding=st.sampled_from(["", " ", "  ", "\t"]))
@example(name="Le Hénaff-D'Aubigné", padding="")
@example(name="Ndiaye’Œuvray", padding=" ")
def test_accented_names_with_hyphens_and_apostrophes_are_accepted(name: str, padding: str) -> None:
    assume(not _is_a_stand_in(name))
    cleaned = clean_name(f"{padding}{name}{padding}", label="nom de naissance", fictitious=False)
    assert cleaned == " ".join(name.split())


@given(name=french_names(), digit=st.characters(categories=["Nd"]), where=st.integers(min_value=0))
@example(name="Dupont", digit="0", where=3)
def test_a_name_holding_a_digit_is_refused(name: str, digit: str, where: int) -> None:
    position = where % (len(name) + 1)
    typed = name[:position] + digit + name[position:]
    with pytest.raises(ValidationError, match="ne peut contenir que des lettres"):
        clean_name(typed, label="nom de naissance", fictitious=False)


@pytest.mark.parametrize("typed", ["@lice", "Dupont!", "Jean_Paul", "Martin;", "Léa/Lou"])
def test_a_name_holding_other_symbols_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="ne peut contenir que des lettres"):
        clean_name(typed, label="prénom", fictitious=False)


@pytest.mark.parametrize("typed", ["à demander", "A DEMANDER", "À-Demander", "  a   demander "])
def test_a_demander_is_the_provisional_stand_in_whatever_its_spelling(typed: str) -> None:
    assert clean_name(typed, label="nom de naissance", fictitious=False) == "À DEMANDER"


def test_vide_is_accepted_for_a_fictitious_identity_only() -> None:
    assert clean_name("vide", label="nom de naissance", fictitious=True) == EMPTY_TRAIT
    with pytest.raises(ValidationError, match="identité fictive"):
        clean_name("Vide", label="nom de naissance", fictitious=False)


# --- Search keys -------------------------------------------------------------------------------

STRIP_ACCENTS = str.maketrans(
    "àâäçéèêëîïôöùûüÿÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ",
    "aaaceeeeiioouuuyAAACEEEEIIOOUUUY",
)


@given(name=french_names())
def test_the_search_key_ignores_case_accents_and_the_kind_of_separator(name: str) -> None:
    key = search_key(name)
    assert re.fullmatch(r"[A-Z]+( [A-Z]+)*", key)
    assert search_key(name.lower()) == key
    assert search_key(name.upper()) == key
    assert search_key(name.translate(STRIP_ACCENTS)) == key
    assert search_key(re.sub(r"[-'’ ]+", " ", name)) == key
    assert search_key(re.sub(r"[-'’ ]+", "-", name)) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [("Léa", "LEA"), ("Martin-Durand", "martin durand"), ("N’Diaye", "n'diaye"), ("Œdipe", "OEDIPE")],
)
def test_typed_variants_of_one_name_share_one_search_key(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


def test_a_saved_patient_carries_the_search_keys_of_its_names(dossier: Patient) -> None:
    dossier.birth_name = "Le Hénaff-d’Aubigné"
    dossier.used_name = "Müller"
    dossier.save()
    stored = Patient.objects.get(pk=dossier.pk)
    assert stored.birth_name == "Le Hénaff-d’Aubigné"
    assert stored.birth_name_key == "LE HENAFF D AUBIGNE"
    assert stored.used_name_key == "MULLER"
    assert stored.first_name_key == "LEA"


# --- The identity form stores the NIR compacted ------------------------------------------------


@pytest.fixture
def editing(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _edit_url(patient: Patient) -> str:
    return reverse("patients:identity_edit", kwargs={"public_id": patient.public_id})


def test_the_identity_form_stores_a_valid_nir_compacted(editing, dossier: Patient, form_payload) -> None:
    # Léa Martin: girl, born in March 2024 in Nice (06088).
    nir = with_key("2240306088123")
    typed = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    page = editing.get(_edit_url(dossier))
    response = editing.post(_edit_url(dossier), form_payload(page, nir=typed))
    assert response.status_code == 302
    stored = Patient.objects.get(pk=dossier.pk)
    assert stored.nir == nir
    assert stored.version == dossier.version + 1
    event = Event.objects.get(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED)
    assert event.data == {"fields": ["nir"]}


@pytest.mark.parametrize(
    ("nir_body", "message"),
    [
        ("1240306088123", "ne correspond pas au sexe"),
        ("2230306088123", "ne correspond pas à l&#x27;année de naissance"),
        ("2240406088123", "ne correspond pas au mois de naissance"),
    ],
)
def test_the_identity_form_refuses_a_nir_inconsistent_with_the_identity(
    editing, dossier: Patient, form_payload, nir_body: str, message: str
) -> None:
    page = editing.get(_edit_url(dossier))
    response = editing.post(_edit_url(dossier), form_payload(page, nir=with_key(nir_body)))
    assert response.status_code == 200
    assert message in response.content.decode()
    stored = Patient.objects.get(pk=dossier.pk)
    assert (stored.nir, stored.version) == ("", dossier.version)


def test_the_identity_form_refuses_a_nir_with_a_wrong_key(editing, dossier: Patient, form_payload) -> None:
    nir = with_key("2240306088123")
    wrong = nir[:13] + f"{(int(nir[13:]) + 1) % 100:02d}"
    page = editing.get(_edit_url(dossier))
    response = editing.post(_edit_url(dossier), form_payload(page, nir=wrong))
    assert response.status_code == 200
    assert "Ce NIR n&#x27;est pas valide" in response.content.decode()
    assert Patient.objects.get(pk=dossier.pk).nir == ""
