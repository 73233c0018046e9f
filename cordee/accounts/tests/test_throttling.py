"""Issue 24: password spraying (one password on many identifiers from one address) and
registration floods answer the French 429 page; other addresses are not affected."""

from __future__ import annotations

import html
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import RegistrationAttempt, RegistrationRequest
from cordee.accounts.tests.test_registration import _form
from tests.factories import TEST_PASSWORD, make_user

SPRAYER = "203.0.113.7"
NEIGHBOUR = "198.51.100.9"


def _sign_in(username: str, password: str, address: str = SPRAYER):
    return Client(REMOTE_ADDR=address).post(
        reverse("accounts:login"), {"username": username, "password": password}
    )


def test_one_password_sprayed_over_many_identifiers_locks_the_address(db, settings) -> None:
    settings.CORDEE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    victims = [make_user(username=f"victime{i}") for i in range(7)]
    # Below the address limit every identifier fails once: none is locked, a right password
    # still signs in from that address.
    for victim in victims[:5]:
        assert _sign_in(victim.username, "Printemps2026!").status_code == 200
    assert _sign_in(victims[6].username, TEST_PASSWORD).status_code == 302

    assert _sign_in(victims[5].username, "Printemps2026!").status_code == 429  # the 6th failure
    # Now locked for any identifier from this address, even with the right password.
    locked = _sign_in(victims[6].username, TEST_PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Connexion temporairement bloquée" in page and "Réessayez dans 15 minutes" in page
    assert locked["Retry-After"] == str(settings.AXES_COOLOFF_TIME.seconds)
    assert '<html lang="fr">' in page
    # Another address is not affected.
    assert _sign_in(victims[6].username, TEST_PASSWORD, NEIGHBOUR).status_code == 302


def test_each_identifier_still_locks_on_its_own(db, settings) -> None:
    user = make_user(username="cible")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(user.username, "mauvais")
    assert _sign_in(user.username, TEST_PASSWORD).status_code == 429
    other = make_user(username="voisine")
    assert _sign_in(other.username, TEST_PASSWORD).status_code == 302


def test_registration_requests_are_throttled_per_address(db, settings) -> None:
    settings.CORDEE_REGISTRATION_LIMIT_PER_HOUR = 3
    client = Client(REMOTE_ADDR=SPRAYER)
    url = reverse("accounts:register")
    for i in range(3):
        # Invalid submissions count too (they probe the form as well).
        data = _form(email=f"demande{i}@example.org", rpps="" if i == 0 else f"{i}")
        assert client.post(url, data).status_code in (200, 302)
    refused = client.post(url, _form(email="flood@example.org"))
    assert refused.status_code == 429
    assert "Trop de demandes d'inscription" in html.unescape(refused.content.decode())
    assert int(refused["Retry-After"]) > 0
    assert not RegistrationRequest.objects.filter(email="flood@example.org").exists()
    assert RegistrationAttempt.objects.count() == 3  # the refused one is not even counted
    # The page itself still opens, and another address may register.
    assert client.get(url).status_code == 200
    other = Client(REMOTE_ADDR=NEIGHBOUR).post(url, _form(email="voisine@example.org"))
    assert other.status_code == 302
    # The address is kept as a keyed hash only.
    assert not RegistrationAttempt.objects.filter(address__contains="203.0").exists()


def test_registration_attempts_older_than_an_hour_no_longer_count(db, settings) -> None:
    settings.CORDEE_REGISTRATION_LIMIT_PER_HOUR = 1
    client = Client(REMOTE_ADDR=SPRAYER)
    url = reverse("accounts:register")
    client.post(url, _form(rpps=""))
    assert client.post(url, _form()).status_code == 429
    RegistrationAttempt.objects.update(at=timezone.now() - timedelta(minutes=61))
    assert client.post(url, _form()).status_code == 302
    assert RegistrationAttempt.objects.count() == 1  # the stale row pruned
