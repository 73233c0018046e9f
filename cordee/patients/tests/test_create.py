"""IDV-1..7 and CON-1/CON-2: creating a dossier as the booklet describes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.create_views import SEARCH_SESSION_KEY, TRAIT_PARAMS
from cordee.patients.models import PROVISIONAL_NAME, Consent, IdentityStatus, Patient
from cordee.patients.testing import create_test_patient


def _identity(**overrides: str) -> dict[str, str]:
    data = {
        "birth_name": "Dupont",
        "used_name": "",
        "first_name": "Maxime",
        "birth_first_names": "Maxime Paul",
        "used_first_name": "",
        "birth_date": "2024-05-02",
        "sex": "M",
        "birth_country_code": "99100",
        "birth_commune": "06088",
        "twin_rank": "",
        "nir": "",
        "email": "",
        "mobile": "",
        "address": "",
        "commune": "06088",
        "identity_status": "PROV",
        "id_document": "",
        "id_document_checked_on": "",
        "consentement-attestation": "on",
        "consentement-given_by": "AUTORITE_PARENTALE",
        "consentement-given_by_detail": "",
    }
    data.update(overrides)
    return data


TRAITS = [*TRAIT_PARAMS, "is_fictitious"]


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _search(client, data: dict[str, str]):
    """IDV-2: the search before creation, posted with the traits the creation will carry."""
    return client.post(reverse("patients:search_before_create"), {k: data[k] for k in TRAITS if k in data})


def _create(client, **overrides: str):
    data = _identity(**overrides)
    assert _search(client, data).status_code == 200
    return client.post(reverse("patients:create"), data)


def test_creation_as_a_structure_auto_habilitates_and_records_everything(
    acting, coordinator, structure
) -> None:
    response = _create(acting)
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.used_name == "Dupont"  # defaulted from the birth name
    assert patient.created_by_structure == structure
    rows = CircleMember.objects.filter(patient=patient)
    assert {(r.user_id, r.structure_id) for r in rows} == {(coordinator.pk, None), (None, structure.pk)}
    assert all(r.is_habilitated and r.is_auto_habilitation for r in rows)
    consent = Consent.objects.get(patient=patient)
    assert consent.given_by == Consent.GivenBy.PARENTAL_AUTHORITY
    assert Event.objects.filter(patient=patient, kind=Event.Kind.CREATED).count() == 1
    assert Access.objects.filter(patient=patient, action="create", outcome="ALLOWED").exists()
    page = acting.get(response["Location"]).content.decode()
    assert "auto-habilitation" in page
    assert "DUPONT Maxime" in page


def test_creation_needs_a_structure(coordinator, client_for) -> None:
    response = client_for(coordinator).post(reverse("patients:create"), _identity())
    assert response.status_code == 403
    assert "Agissez en tant que structure" in response.content.decode()
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("birth_name", "Veuillez indiquer le nom de naissance"),
        ("first_name", "Veuillez indiquer le 1er prénom de naissance"),
        ("birth_date", "Veuillez indiquer la date"),
        ("sex", "Veuillez indiquer le sexe"),
        ("birth_commune", "Veuillez indiquer la ville"),
    ],
)
def test_missing_traits_get_the_seed_messages(acting, field: str, message: str) -> None:
    response = _search(acting, _identity(**{field: ""}))
    assert response.status_code == 400
    assert message in response.content.decode()
    # No search made: the identity form is not served, nothing can be created.
    assert acting.get(reverse("patients:create"))["Location"] == reverse("patients:search_before_create")
    assert acting.post(reverse("patients:create"), _identity(**{field: ""})).status_code == 302
    assert Patient.objects.count() == 0


def test_no_dossier_without_consent(acting) -> None:
    response = _create(acting, **{"consentement-attestation": ""})
    assert "vous ne pouvez pas créer le patient sans son consentement" in response.content.decode()
    assert Patient.objects.count() == 0


def test_consent_by_another_person_needs_a_precision(acting) -> None:
    response = _create(acting, **{"consentement-given_by": "AUTRE"})
    assert "Veuillez préciser qui a donné son consentement." in response.content.decode()
    assert Patient.objects.count() == 0


def test_complete_traits_are_not_flagged(acting) -> None:
    _create(acting)
    assert "Traits à compléter" not in acting.get(reverse("patients:list")).content.decode()


def test_provisional_values_are_accepted_and_flagged(acting) -> None:
    response = _create(
        acting,
        birth_name="à demander",
        first_name="À DEMANDER",
        birth_date="1900-01-01",
        birth_commune="99999",
    )
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.birth_name == PROVISIONAL_NAME
    assert patient.is_provisional
    assert set(patient.provisional_traits) == {
        "nom de naissance",
        "1er prénom de naissance",
        "date de naissance",
        "commune de naissance",
    }
    listing = acting.get(reverse("patients:list")).content.decode()
    assert "Traits à compléter" in listing


def test_unknown_country_is_provisional_and_born_abroad_needs_no_commune(acting) -> None:
    _create(acting, birth_country_code="99999", birth_commune="")
    unknown = Patient.objects.get()
    assert unknown.birth_country is None
    assert "pays de naissance" in unknown.provisional_traits
    _create(acting, first_name="Yasmine", birth_country_code="99350", birth_commune="")
    abroad = Patient.objects.get(first_name="Yasmine")
    assert abroad.birth_country_id == "99350"
    assert not abroad.is_provisional


def test_a_validated_identity_cannot_hold_provisional_values(acting) -> None:
    response = _create(
        acting,
        birth_commune="99999",
        identity_status="VALI",
        id_document="PASSEPORT",
        id_document_checked_on="2025-01-10",
    )
    assert "Une identité validée ne peut pas comporter de valeur provisoire" in response.content.decode()
    assert Patient.objects.count() == 0


def test_validation_requires_an_accepted_document(acting) -> None:
    response = _create(acting, identity_status="VALI")
    assert "Indiquez la pièce d&#x27;identité vérifiée" in response.content.decode()
    refused = _create(
        acting, identity_status="VALI", id_document="PERMIS", id_document_checked_on="2025-01-10"
    )
    assert refused.status_code == 200
    assert Patient.objects.count() == 0
    _create(acting, identity_status="VALI", id_document="LIVRET_FAMILLE", id_document_checked_on="2025-01-10")
    assert Patient.objects.get().identity_status == IdentityStatus.VALIDATED


def test_vide_is_only_for_fictitious_identities(acting) -> None:
    refused = _search(acting, _identity(birth_name="VIDE"))
    assert "« VIDE » n&#x27;est accepté que pour une identité fictive" in refused.content.decode()
    _create(acting, birth_name="VIDE", first_name="VIDE", is_fictitious="on")
    patient = Patient.objects.get()
    assert patient.is_fictitious
    assert "Identité fictive" in acting.get(reverse("patients:list")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_name": "Dup0nt"}, "ne peut contenir que des lettres"),
        ({"birth_date": "2999-01-01"}, "dans le futur"),
        ({"birth_date": "31/02/2020"}, "Date invalide"),
        ({"twin_rank": "12"}, "Le rang gémellaire va de 1 à 9."),
        ({"nir": "1840512345678"}, "Ce NIR n&#x27;est pas valide"),
        ({"email": "pas-un-mail"}, "Saisissez une adresse e-mail valide."),
        ({"mobile": "12"}, "Numéro de téléphone invalide"),
        ({"birth_commune": "00000"}, "Commune inconnue"),
        ({"birth_country_code": "12345"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_identity_input_is_refused_in_french(acting, overrides: dict[str, str], message: str) -> None:
    if set(overrides) & set(TRAITS):
        # A strict trait is typed in the search before creation, and refused there.
        response = _search(acting, _identity(**overrides))
        assert response.status_code == 400
    else:
        response = _create(acting, **overrides)
        assert response.status_code == 200
    assert message in response.content.decode()
    assert Patient.objects.count() == 0


def test_the_creation_form_keeps_the_searched_traits(acting) -> None:
    searched = {
        "birth_name": "Durand",
        "first_name": "Chloé",
        "birth_date": "2023-06-01",
        "sex": "F",
        "birth_country_code": "99100",
        "birth_commune": "06088",
    }
    _search(acting, searched)
    page = acting.get(reverse("patients:create")).content.decode()
    assert 'value="Durand"' in page
    assert 'value="2023-06-01"' in page
    assert "Nice (06000)" in page


def test_consent_documents_are_real_pdfs(acting, dossier) -> None:
    blank = acting.get(reverse("patients:consent_blank"))
    assert blank["Content-Type"] == "application/pdf"
    assert blank.content.startswith(b"%PDF")
    filled = acting.get(reverse("patients:consent_document", kwargs={"public_id": dossier.public_id}))
    assert filled.content.startswith(b"%PDF")
    assert len(filled.content) > 1000


def test_homonyms_keep_their_own_dossiers(coordinator, structure) -> None:
    first = create_test_patient(coordinator, structure)
    second = create_test_patient(coordinator, structure)
    assert first.pk != second.pk


# --- IDV-2: creation only through the search (server-side rule) ---------------------------------


def test_the_identity_form_cannot_be_opened_without_the_search(acting) -> None:
    response = acting.get(reverse("patients:create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:search_before_create")
    page = acting.get(response["Location"]).content.decode()
    assert "recherchez si le patient existe déjà" in page


def test_posting_the_identity_form_without_the_search_creates_nothing(acting) -> None:
    response = acting.post(reverse("patients:create"), _identity())
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:search_before_create")
    assert Patient.objects.count() == 0
    assert not Access.objects.filter(action="create").exists()


def test_the_searched_traits_cannot_be_changed_on_the_identity_form(acting) -> None:
    """Changing a strict trait after the search would skip the search for the new traits."""
    _search(acting, _identity())
    page = acting.get(reverse("patients:create")).content.decode()
    assert re.search(r'<input[^>]*name="birth_name"[^>]*disabled', page)
    response = acting.post(
        reverse("patients:create"), _identity(birth_name="Autrenom", birth_date="2020-01-01", sex="F")
    )
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert (patient.birth_name, patient.birth_date.isoformat(), patient.sex) == ("Dupont", "2024-05-02", "M")


def test_one_search_creates_one_dossier(acting) -> None:
    _create(acting)
    again = acting.post(reverse("patients:create"), _identity())
    assert again.status_code == 302 and again["Location"] == reverse("patients:search_before_create")
    assert Patient.objects.count() == 1


def test_a_tampered_search_in_the_session_is_not_trusted(acting) -> None:
    session = acting.session
    session[SEARCH_SESSION_KEY] = {"birth_name": "Dup0nt", "first_name": "", "birth_date": "x"}
    session.save()
    assert acting.get(reverse("patients:create")).status_code == 302
    assert acting.post(reverse("patients:create"), _identity()).status_code == 302
    assert Patient.objects.count() == 0
