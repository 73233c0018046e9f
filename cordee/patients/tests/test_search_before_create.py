"""IDV-2: search the five strict traits before creating, tolerant of how a name gets typed."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership, Structure, User
from cordee.audit.models import Access
from cordee.patients.matching import MAX_PRESELECTED, Traits, find_candidates
from cordee.patients.models import PROVISIONAL_BIRTH_DATE, Patient, Sex
from cordee.patients.testing import create_test_patient
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

LEA_BORN = datetime.date(2024, 3, 14)


def traits(**overrides: Any) -> Traits:
    values: dict[str, Any] = {
        "birth_name": "Martin",
        "first_name": "Léa",
        "birth_date": LEA_BORN,
        "sex": Sex.FEMALE,
        "birth_commune_code": "06088",
    }
    values.update(overrides)
    return Traits(**values)


def found(candidates_traits: Traits) -> list[Patient]:
    return [candidate.patient for candidate in find_candidates(candidates_traits)]


@pytest.fixture
def unrelated(coordinator, structure) -> Patient:
    """Another child of the active file, nothing like Léa Martin."""
    return create_test_patient(
        coordinator,
        structure,
        birth_name="Bernard",
        first_name="Paul",
        birth_date=datetime.date(2019, 11, 2),
        sex=Sex.MALE,
    )


# --- The matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param({"birth_name": "MARTIN", "first_name": "LEA"}, {}, id="accents-and-case"),
        pytest.param({"birth_name": "martin", "first_name": "léa"}, {}, id="lower-case"),
        pytest.param(
            {"birth_name": "Martin Durand"}, {"birth_name": "Martin-Durand"}, id="hyphen-typed-as-space"
        ),
        pytest.param(
            {"birth_name": "Martin-Durand"}, {"birth_name": "Martin Durand"}, id="space-typed-as-hyphen"
        ),
        pytest.param({"birth_name": "n'diaye"}, {"birth_name": "N’Diaye"}, id="apostrophes"),
        pytest.param({"birth_name": "N Diaye"}, {"birth_name": "N'Diaye"}, id="apostrophe-typed-as-space"),
        pytest.param({"birth_name": "Marrtin"}, {}, id="one-letter-typo"),
        pytest.param({"birth_name": "Martn"}, {}, id="one-letter-missing"),
        pytest.param({"first_name": "Laé"}, {}, id="two-letters-swapped"),
        pytest.param({"birth_name": "Léa", "first_name": "Martin"}, {}, id="names-inverted"),
        pytest.param(
            {"birth_date": datetime.date(2024, 4, 3)},
            {"birth_date": datetime.date(2024, 3, 4)},
            id="day-and-month-swapped",
        ),
        pytest.param({"birth_name": "Durand"}, {"used_name": "Durand"}, id="used-name"),
    ],
)
def test_an_existing_dossier_is_found_whatever_the_typing(
    coordinator, structure, unrelated, typed: dict[str, Any], stored: dict[str, Any]
) -> None:
    existing = create_test_patient(coordinator, structure, **stored)
    assert found(traits(**typed)) == [existing]


def test_the_reasons_say_what_differs(coordinator, structure) -> None:
    existing = create_test_patient(coordinator, structure, birth_date=datetime.date(2024, 3, 4))
    (inverted,) = find_candidates(
        traits(birth_name="Léa", first_name="Martin", birth_date=datetime.date(2024, 3, 4))
    )
    assert inverted.patient == existing
    assert "nom et prénom inversés" in inverted.reasons
    (swapped,) = find_candidates(traits(birth_date=datetime.date(2024, 4, 3)))
    assert "jour et mois inversés" in swapped.reasons
    (exact,) = find_candidates(traits(birth_date=datetime.date(2024, 3, 4)))
    assert exact.reasons == []
    assert exact.score > swapped.score


def test_an_exact_match_ranks_first(coordinator, structure) -> None:
    typo = create_test_patient(coordinator, structure, birth_name="Martine")
    exact = create_test_patient(coordinator, structure)
    assert found(traits()) == [exact, typo]


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param({"birth_name": "Bernard", "first_name": "Paul"}, id="other-names-same-date"),
        pytest.param({"birth_name": "Moreau", "first_name": "Inès"}, id="other-names"),
        pytest.param({"birth_date": datetime.date(1987, 7, 21)}, id="same-names-decades-apart"),
        pytest.param(
            {"birth_name": "Martinez", "first_name": "Lou", "sex": Sex.MALE}, id="close-names-other-sex"
        ),
    ],
)
def test_an_unrelated_person_is_not_proposed(coordinator, structure, typed: dict[str, Any]) -> None:
    create_test_patient(coordinator, structure)  # Léa Martin, 14/03/2024
    assert found(traits(**typed)) == []


def test_a_merged_dossier_is_never_proposed(coordinator, structure) -> None:
    survivor = create_test_patient(coordinator, structure)
    tombstone = create_test_patient(coordinator, structure, first_name="Lea")
    Patient.objects.filter(pk=tombstone.pk).update(merged_into=survivor)
    assert found(traits()) == [survivor]


# --- The page ----------------------------------------------------------------------------------

SEARCH = {
    "birth_name": "MARTIN",
    "first_name": "LEA",
    "birth_date": "2024-03-14",
    "sex": "F",
    "birth_country_code": "99100",
    "birth_commune": "06088",
}


def _search(client: Client, **overrides: str) -> Any:
    return client.post(reverse("patients:search_before_create"), {**SEARCH, **overrides})


def _detail(patient: Patient) -> str:
    return reverse("patients:detail", kwargs={"public_id": patient.public_id})


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def elsewhere(db: None) -> tuple[User, Structure]:
    """A maternity and its midwife, with no tie to the DAC or its coordinator."""
    maternity = make_structure(name="Maternité du Littoral", kind=Structure.Kind.MATERNITY)
    midwife = make_user(username="sagefemme", last_name="Sage", first_name="Sophie")
    make_membership(user=midwife, structure=maternity, role=Membership.Role.SUPERUSER)
    accept_current_terms(midwife)
    return midwife, maternity


@pytest.mark.parametrize(
    ("typed", "stored", "reason"),
    [
        pytest.param({}, {}, "", id="accents-and-case"),
        pytest.param({"birth_name": "Martin Durand"}, {"birth_name": "Martin-Durand"}, "", id="hyphen"),
        pytest.param({"birth_name": "n diaye"}, {"birth_name": "N’Diaye"}, "", id="apostrophe"),
        pytest.param({"birth_name": "Marrtin"}, {}, "orthographe proche", id="typo"),
        pytest.param(
            {"birth_name": "Lea", "first_name": "MARTIN"}, {}, "nom et prénom inversés", id="inverted"
        ),
        pytest.param(
            {"birth_date": "2024-04-03"},
            {"birth_date": datetime.date(2024, 3, 4)},
            "jour et mois inversés",
            id="day-month",
        ),
        pytest.param({"birth_name": "Durand"}, {"used_name": "Durand"}, "", id="used-name"),
    ],
)
def test_the_page_proposes_the_existing_dossier_with_a_link_to_open_it(
    acting, coordinator, structure, unrelated, typed: dict[str, str], stored: dict[str, Any], reason: str
) -> None:
    existing = create_test_patient(coordinator, structure, **stored)
    response = _search(acting, **typed)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Propositions" in page
    assert "Léa" in page and existing.birth_date.strftime("%d/%m/%Y") in page
    assert reason in page
    assert f'href="{_detail(existing)}"' in page
    assert "BERNARD" not in page and _detail(unrelated) not in page


def test_a_dossier_the_actor_may_not_open_shows_its_traits_but_no_link(
    acting, coordinator, structure, elsewhere
) -> None:
    midwife, maternity = elsewhere
    hidden = create_test_patient(midwife, maternity, first_name="Léa", birth_name="Martin-Durand")
    response = _search(acting, birth_name="Martin Durand", first_name="Lea")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "MARTIN-DURAND" in page and "Léa" in page and "14/03/2024" in page
    assert "Nice (06088)" in page
    assert _detail(hidden) not in page
    assert str(hidden.public_id) not in page
    assert "vous n'êtes pas habilité(e)" in page
    assert acting.get(_detail(hidden)).status_code == 404
    # Traits of a dossier one may not open were shown: the journal says who saw them.
    shown = Access.objects.get(patient=hidden, action="identity_search")
    assert (shown.user_id, shown.structure_id, shown.outcome) == (
        coordinator.pk,
        structure.pk,
        Access.Outcome.ALLOWED,
    )
    assert shown.what == "recherche avant création"


def test_each_proposed_dossier_is_journaled_once_per_search(acting, dossier, unrelated) -> None:
    _search(acting)
    assert Access.objects.filter(patient=dossier, action="identity_search").count() == 1
    assert not Access.objects.filter(patient=unrelated, action="identity_search").exists()
    _search(acting)
    assert Access.objects.filter(patient=dossier, action="identity_search").count() == 2


def test_the_page_does_not_propose_an_unrelated_person(acting, unrelated) -> None:
    response = _search(acting)
    page = html.unescape(response.content.decode())
    assert "Aucun dossier existant ne correspond à ces traits." in page
    assert "BERNARD" not in page
    assert _detail(unrelated) not in page
    assert not Access.objects.filter(action="identity_search").exists()


def test_the_traits_never_travel_in_a_url(acting, dossier) -> None:
    """Issue 23: the five traits are posted; the way on to creation carries none of them."""
    page = _search(acting, birth_name="Dupont-Aïssa", first_name="Maëlle").content.decode()
    assert re.search(r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', page)
    hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)]
    create = [href for href in hrefs if urlsplit(href).path == reverse("patients:create")]
    assert create == [reverse("patients:create")]
    for href in hrefs:
        assert "Dupont" not in href and "2024-03-14" not in href and "birth_" not in href
    form = acting.get(create[0]).content.decode()
    assert 'value="Dupont-Aïssa"' in form
    assert 'value="Maëlle"' in form
    assert 'value="2024-03-14"' in form


def test_traits_in_a_query_string_are_not_searched(acting, dossier) -> None:
    page = html.unescape(acting.get(reverse("patients:search_before_create"), SEARCH).content.decode())
    assert "Propositions" not in page
    assert not Access.objects.filter(action="identity_search").exists()
    # Nor do they fill the identity form: no search was made.
    response = acting.get(reverse("patients:create"), SEARCH)
    assert response.status_code == 302 and response["Location"] == reverse("patients:search_before_create")


def test_invalid_traits_show_the_french_messages_and_no_proposal(acting, dossier) -> None:
    response = _search(acting, birth_name="", sex="")
    page = html.unescape(response.content.decode())
    assert "Veuillez indiquer le nom de naissance" in page
    assert "Veuillez indiquer le sexe" in page
    assert "Propositions" not in page
    assert not Access.objects.filter(action="identity_search").exists()


def test_a_professional_acting_as_themself_gets_403(coordinator, dossier, client_for) -> None:
    response = _search(client_for(coordinator))
    assert response.status_code == 403
    assert "Agissez en tant que structure" in response.content.decode()
    assert not Access.objects.filter(action="identity_search").exists()


def test_a_stranger_without_a_structure_gets_403_and_sees_no_trait(stranger, dossier, client_for) -> None:
    response = _search(client_for(stranger))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Propositions" not in page
    assert "Nice (06088)" not in page
    assert str(dossier.public_id) not in page
    assert not Access.objects.filter(action="identity_search").exists()


def test_an_exact_match_is_found_among_many_dossiers_sharing_the_stand_in_birth_date(
    coordinator, structure
) -> None:
    Patient.objects.bulk_create(
        Patient(
            birth_name=f"Inconnu{n}",
            birth_name_key=f"INCONNU{n}",
            first_name="À DEMANDER",
            first_name_key="A DEMANDER",
            birth_date=PROVISIONAL_BIRTH_DATE,
            sex=Sex.MALE,
            created_by_structure=structure,
        )
        for n in range(MAX_PRESELECTED)
    )
    target = create_test_patient(
        coordinator, structure, birth_name="Dupont", birth_date=PROVISIONAL_BIRTH_DATE
    )
    assert found(traits(birth_name="Dupont", birth_date=PROVISIONAL_BIRTH_DATE)) == [target]


def test_the_birth_commune_is_marked_required(acting) -> None:
    """Issue 23: required for a birth in France, so it carries the asterisk like the others."""
    page = acting.get(reverse("patients:search_before_create")).content.decode()
    assert re.search(r'Commune de naissance <span aria-hidden="true">\*</span></label>', page)
    assert re.search(r'role="combobox" name="birth_commune_search"[^>]*aria-required="true"', page)
    _search(acting)
    form = acting.get(reverse("patients:create")).content.decode()
    assert re.search(r'Commune de naissance <span aria-hidden="true">\*</span></label>', form)
