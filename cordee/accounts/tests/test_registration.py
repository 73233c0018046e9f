"""ACC-1: registration request, the administrator's decision, the activation link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Profession, RegistrationRequest, User
from cordee.core.identifiers import rpps_with_key

VALID_RPPS = rpps_with_key("1012345678")


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "profession": str(Profession.objects.get(code="medecin").pk),
        "rpps": VALID_RPPS,
        "adeli": "",
        "last_name": "Lambert",
        "first_name": "Hélène",
        "email": "helene.lambert@example.org",
        "phone": "04 93 12 34 56",
        "commune": "06088",
        "structure_name": "",
        "message": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def submitted(db, django_capture_on_commit_callbacks) -> RegistrationRequest:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:register"), _form())
    assert response.status_code == 302
    return RegistrationRequest.objects.get()


def test_a_registration_request_is_recorded_pending_and_acknowledged(submitted) -> None:
    assert submitted.status == RegistrationRequest.Status.PENDING
    assert submitted.rpps == VALID_RPPS
    assert submitted.commune_id == "06088"
    assert submitted.phone == "0493123456"
    assert [m.to for m in mail.outbox] == [["helene.lambert@example.org"]]
    assert not User.objects.filter(email="helene.lambert@example.org").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "Veuillez indiquer votre nom."),
        ({"email": "pas-un-email"}, "email", "Saisissez une adresse e-mail valide."),
        (
            {"rpps": VALID_RPPS[:10] + str((int(VALID_RPPS[10]) + 1) % 10)},
            "rpps",
            "clé de contrôle incorrecte",
        ),
        ({"rpps": "123"}, "rpps", "11 chiffres"),
        ({"rpps": ""}, "rpps", "Le numéro RPPS est obligatoire pour la fonction Médecin."),
        ({"commune": "00000"}, "commune", "Commune inconnue"),
        ({"phone": "12"}, "phone", "Numéro de téléphone invalide"),
        ({"profession": ""}, "profession", "Veuillez indiquer votre fonction."),
    ],
)
def test_bad_input_gets_a_french_message_at_the_field_and_changes_nothing(
    db, overrides: dict[str, str], field: str, message: str
) -> None:
    response = Client().post(reverse("accounts:register"), _form(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert f'id="id_{field}_erreur"' in response.content.decode()
    assert RegistrationRequest.objects.count() == 0


def test_adeli_professions_need_an_adeli_number(db) -> None:
    psychologue = Profession.objects.get(code="psychologue")
    response = Client().post(
        reverse("accounts:register"), _form(profession=str(psychologue.pk), rpps="", adeli="")
    )
    assert "Le numéro ADELI est obligatoire" in " ".join(response.context["form"].errors["adeli"])
    response = Client().post(
        reverse("accounts:register"), _form(profession=str(psychologue.pk), rpps="", adeli="061234567")
    )
    assert response.status_code == 302


def test_an_already_known_number_gets_the_seed_warning(db, submitted, settings) -> None:
    settings.CORDEE_SUPPORT_EMAIL = "support@region.example"
    response = Client().post(reverse("accounts:register"), _form(email="autre@example.org"))
    errors = " ".join(response.context["form"].errors["rpps"])
    assert "déjà connu" in errors and "support@region.example" in errors
    assert RegistrationRequest.objects.count() == 1


def test_a_number_held_by_an_account_is_known(member) -> None:
    response = Client().post(reverse("accounts:register"), _form(rpps=member.rpps))
    assert "déjà connu" in " ".join(response.context["form"].errors["rpps"])


def test_the_registration_page_shows_the_seed_warning(db) -> None:
    page = Client().get(reverse("accounts:register")).content.decode()
    assert "Si votre N° RPPS ou ADELI est déjà connu" in page


def test_admin_validates_and_the_applicant_chooses_a_password_then_signs_in(
    submitted, admin_user, client_for, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CORDEE_SITE_URL = "http://testserver"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("accounts:registration_validate", kwargs={"public_id": submitted.public_id})
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RegistrationRequest.Status.VALIDATED
    assert submitted.decided_by == admin_user
    user = submitted.user
    assert user is not None and user.rpps == VALID_RPPS and not user.has_usable_password()

    body = str(mail.outbox[0].body)
    assert f"Votre identifiant : {user.username}" in body
    link = re.search(r"http://testserver(/compte/activer/\S+)", body)
    assert link is not None

    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Un-Mot-De-Passe-Solide-42", "new_password2": "Un-Mot-De-Passe-Solide-42"},
    )
    assert response.status_code == 302
    signed_in = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "Un-Mot-De-Passe-Solide-42"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302  # the CGU come first (ACC-3)
    assert client.session["_auth_user_id"] == str(user.pk)

    # The link is single-use.
    again = Client().get(link.group(1), follow=True)
    assert not again.context["validlink"]


def test_admin_refusal_needs_a_reason_and_tells_the_applicant(
    submitted, admin_user, client_for, django_capture_on_commit_callbacks
) -> None:
    url = reverse("accounts:registration_refuse", kwargs={"public_id": submitted.public_id})
    response = client_for(admin_user).post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Veuillez indiquer le motif du refus." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RegistrationRequest.Status.PENDING

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(url, {"reason": "Numéro RPPS inconnu de l'annuaire national."})
    submitted.refresh_from_db()
    assert submitted.status == RegistrationRequest.Status.REFUSED
    assert "Numéro RPPS inconnu" in mail.outbox[0].body
    assert not User.objects.filter(email=submitted.email).exists()


def test_a_decided_request_cannot_be_decided_again(submitted, admin_user, client_for) -> None:
    client = client_for(admin_user)
    url = reverse("accounts:registration_validate", kwargs={"public_id": submitted.public_id})
    client.post(url)
    response = client.post(url, follow=True)
    assert "déjà été traitée" in response.content.decode()
    assert User.objects.filter(email=submitted.email).count() == 1


def test_a_non_administrator_cannot_validate_and_nothing_changes(submitted, coordinator, client_for) -> None:
    url = reverse("accounts:registration_validate", kwargs={"public_id": submitted.public_id})
    assert client_for(coordinator).post(url).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == RegistrationRequest.Status.PENDING
    assert not User.objects.filter(email=submitted.email).exists()


def test_no_access_before_validation(submitted) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "helene.lambert", "password": "x" * 12})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_the_admin_list_shows_pending_requests(submitted, admin_user, client_for) -> None:
    page = client_for(admin_user).get(reverse("accounts:registration_list")).content.decode()
    assert "LAMBERT" in page and "Hélène" in page
