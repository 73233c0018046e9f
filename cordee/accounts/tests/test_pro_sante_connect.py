"""ACC-2: sign-in with Pro Santé Connect, end to end against a real OpenID Connect provider on
loopback (tests/oidc_provider.py) — the client library is never mocked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cordee.accounts.models import User
from cordee.core.identifiers import rpps_with_key
from tests.factories import TEST_PASSWORD, accept_current_terms, make_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, Subject

RPPS = rpps_with_key("1009900001")


@pytest.fixture
def provider(settings: Any) -> Iterator[OidcProvider]:
    running = OidcProvider(subject=Subject("8" + RPPS)).start()
    settings.CORDEE_PSC_ISSUER = running.issuer
    settings.CORDEE_PSC_CLIENT_ID = CLIENT_ID
    settings.CORDEE_PSC_CLIENT_SECRET = CLIENT_SECRET
    settings.CORDEE_PSC_TIMEOUT_SECONDS = 3
    yield running
    running.stop()


@pytest.fixture
def doctor(db: None) -> User:
    user = make_user(username="camille", last_name="Aubert-Lenoir", first_name="Camille", rpps=RPPS)
    accept_current_terms(user)
    return user


def _start(client: Client) -> str:
    start = client.get(reverse("accounts:psc_start"))
    assert start.status_code == 302, start
    return str(start["Location"])


def _consent(authorize_url: str) -> str:
    """The provider's authorisation page (consent given at once): the callback path and query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    callback = urlparse(answer.headers["Location"])
    return f"{callback.path}?{callback.query}"


def _signed_in_user(client: Client) -> Any:
    return client.get(reverse("core:home")).wsgi_request.user


def test_a_professional_signs_in_with_the_card_and_is_not_asked_for_totp(provider, doctor, settings) -> None:
    settings.CORDEE_REQUIRE_2FA = True
    TOTPDevice.objects.create(user=doctor, name="app", confirmed=True)
    client = Client()
    authorize_url = _start(client)
    asked = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
    # Authorisation code flow with PKCE S256, state, nonce and the CPS/e-CPS level of assurance.
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["acr_values"] == "eidas1" and asked["state"] and asked["nonce"]
    assert "openid" in asked["scope"].split()
    assert "code_verifier" not in asked and "client_secret" not in asked
    response = client.get(_consent(authorize_url))
    assert provider.authorize_requests == [asked]
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert home.status_code == 200 and home.wsgi_request.user == doctor  # no TOTP page
    assert provider.token_errors == []


def test_an_unknown_rpps_gets_a_clear_french_page_and_no_account(provider, db) -> None:
    users = User.objects.count()
    client = Client()
    response = client.get(_consent(_start(client)))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Aucun compte Cordée pour ce professionnel" in page and f"RPPS {RPPS}" in page
    assert "Faire une demande d'inscription" in page
    assert User.objects.count() == users
    assert not _signed_in_user(client).is_authenticated


def test_an_inactive_account_is_not_signed_in(provider, doctor) -> None:
    doctor.is_active = False
    doctor.save()
    client = Client()
    assert client.get(_consent(_start(client))).status_code == 403
    assert not _signed_in_user(client).is_authenticated


def _refused(client: Client, path: str) -> str:
    response = client.get(path, follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    return response.content.decode()


def test_a_state_that_does_not_match_is_refused(provider, doctor) -> None:
    client = Client()
    callback = _consent(_start(client))
    forged = callback.replace("state=", "state=x")
    page = _refused(client, forged)
    assert "La connexion par Pro Santé Connect n&#x27;a pas abouti" in page
    # A callback arriving in another browser (no state in its session) is refused as well.
    assert "n&#x27;a pas abouti" in _refused(Client(), callback)


def test_a_nonce_that_does_not_match_is_refused(provider, doctor) -> None:
    provider.wrong_nonce = True
    client = Client()
    assert "n&#x27;a pas abouti" in _refused(client, _consent(_start(client)))


def test_a_code_verifier_that_does_not_match_is_refused_by_the_provider(provider, doctor) -> None:
    client = Client()
    callback = _consent(_start(client))
    session = client.session
    (key,) = [k for k in session.keys() if k.startswith("_state_psc_")]  # noqa: SIM118 - a session is not iterable
    state = session[key]
    state["data"]["code_verifier"] = "un-autre-verificateur-" + "x" * 30
    session[key] = state
    session.save()
    assert "n&#x27;a pas abouti" in _refused(client, callback)
    assert provider.token_errors == ["invalid_grant"]


def test_a_code_is_used_once(provider, doctor) -> None:
    client = Client()
    callback = _consent(_start(client))
    client.get(callback)
    replay = Client()
    session = replay.session
    session.update({k: v for k, v in client.session.items() if k.startswith("_state_psc_")})
    session.save()
    assert "n&#x27;a pas abouti" in _refused(replay, callback)


def test_a_weaker_level_of_assurance_or_a_token_for_another_client_is_refused(provider, doctor) -> None:
    provider.acr = "eidas-faible"
    client = Client()
    assert "carte CPS ou l&#x27;application e-CPS" in _refused(client, _consent(_start(client)))
    provider.acr, provider.audience = "eidas1", "un-autre-client"
    client = Client()
    assert "n&#x27;a pas abouti" in _refused(client, _consent(_start(client)))


def test_a_refusal_at_the_provider_is_said(provider, doctor) -> None:
    client = Client()
    _start(client)
    page = _refused(client, reverse("accounts:psc_callback") + "?error=access_denied&state=x")
    assert "annulée ou refusée" in page


def test_the_provider_down_gives_a_clear_message_and_password_sign_in_still_works(provider, doctor) -> None:
    provider.stop()
    client = Client()
    response = client.get(reverse("accounts:psc_start"), follow=True)
    page = response.content.decode()
    assert "Pro Santé Connect ne répond pas pour le moment" in page
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    signed_in = client.post(reverse("accounts:login"), {"username": "camille", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and _signed_in_user(client) == doctor


def test_the_provider_down_at_the_callback_gives_the_same_message(provider, doctor) -> None:
    client = Client()
    callback = _consent(_start(client))
    provider.stop()
    page = _refused(client, callback)
    assert "Pro Santé Connect ne répond pas pour le moment" in page


def test_hidden_when_not_configured(db, settings) -> None:
    settings.CORDEE_PSC_ISSUER = ""
    settings.CORDEE_PSC_CLIENT_ID = ""
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Pro Santé Connect" not in page
    assert Client().get(reverse("accounts:psc_start")).status_code == 404
    assert Client().get(reverse("accounts:psc_callback")).status_code == 404


def test_the_button_is_offered_when_configured(provider, db) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Se connecter avec Pro Santé Connect" in page and reverse("accounts:psc_start") in page
