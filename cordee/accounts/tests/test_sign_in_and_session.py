"""ACC-2 sign-in and throttling, ACC-3 CGU gate, ACC-4 session lifetime, ACC-5 profile."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import TermsVersion
from cordee.core import clock
from cordee.core.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from tests.factories import TEST_PASSWORD, make_user


def _sign_in(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_with_identifier_and_password(member) -> None:
    client = Client()
    response = _sign_in(client, member.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("core:home")).status_code == 200


def test_wrong_password_gets_a_french_message(member) -> None:
    response = _sign_in(Client(), member.username, "mauvais")
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_empty_form_gets_field_messages(db) -> None:
    response = Client().post(reverse("accounts:login"), {})
    page = response.content.decode()
    assert "Veuillez indiquer votre identifiant." in page
    assert "Veuillez indiquer votre mot de passe." in page


def test_repeated_failures_lock_the_identifier_out(member, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), member.username, "mauvais")
    locked = _sign_in(Client(), member.username)  # even the right password
    assert locked.status_code == 429
    assert "temporairement bloquée" in locked.content.decode()


def test_the_sign_in_page_offers_registration_not_password_change(db) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:register") in page
    assert "mot de passe oublié" not in page.lower()


def test_next_parameter_is_followed_only_on_this_site(member) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": member.username, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_cgu_must_be_accepted_before_any_other_page(db) -> None:
    user = make_user(username="nouveau")
    client = Client()
    _sign_in(client, user.username)
    response = client.get(reverse("directory:search"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:terms"))

    refused = client.post(reverse("accounts:terms"), {})
    assert "Vous devez accepter les CGU" in refused.content.decode()
    assert client.get(reverse("directory:search")).status_code == 302

    client.post(reverse("accounts:terms"), {"accept": "on", "next": reverse("directory:search")})
    assert client.get(reverse("directory:search")).status_code == 200


def test_a_new_cgu_version_is_asked_again(member, client_for) -> None:
    client = client_for(member)
    assert client.get(reverse("core:home")).status_code == 200
    TermsVersion.objects.create(version="2.0", body="Nouvelles conditions.")
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:terms"))
    assert "Nouvelles conditions." in client.get(reverse("accounts:terms")).content.decode()


def test_the_cgu_check_is_one_query_and_waits_for_the_publication(member, django_assert_num_queries) -> None:
    """Issue 22: asked on every signed-in request, the check is one query (the version in force
    and its acceptance together); a version published tomorrow is not asked today."""
    from cordee.accounts.services import accept_terms, must_accept_terms

    later = TermsVersion.objects.create(
        version="3.0", body="Plus tard.", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    with django_assert_num_queries(1):
        assert must_accept_terms(member) is False
    TermsVersion.objects.filter(pk=later.pk).update(published_at=timezone.now())
    with django_assert_num_queries(1):
        assert must_accept_terms(member) is True
    accept_terms(member, later)
    assert must_accept_terms(member) is False


def test_logout_ends_the_session(member, client_for) -> None:
    client = client_for(member)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.parametrize(
    ("signed_in_ago", "last_seen_ago", "expired"),
    [
        (7 * 3600, 60, False),
        (8 * 3600 + 5, 60, True),  # absolute 8 hours, however active
        (3600, 61 * 60, True),  # inactivity
    ],
)
def test_session_lifetime(member, client_for, signed_in_ago: int, last_seen_ago: int, expired: bool) -> None:
    client = client_for(member)
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT_KEY] = now - signed_in_ago
    session[LAST_SEEN_KEY] = now - last_seen_ago
    session.save()
    response = client.get(reverse("core:home"))
    assert (response.status_code == 302) is expired


def test_profile_shows_roles_structures_and_previous_sign_in(member, structure) -> None:
    client = Client()
    _sign_in(client, member.username)
    member.refresh_from_db()
    first = member.last_login
    assert first is not None
    client.post(reverse("accounts:logout"))
    _sign_in(client, member.username)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert structure.name in page
    assert "Utilisateur" in page
    assert "Première connexion" not in page
    assert member.rpps in page
    # Issue 25: the previous sign-in on the Paris clock, as people read it.
    assert f"{clock.date_of(first):%d/%m/%Y} à {timezone.localtime(first, clock.paris()):%H:%M}" in page
    assert "(UTC)" not in page


def test_password_change_is_authenticated_and_notified(
    member, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(member)
    bad = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "faux",
            "new_password1": "Nouveau-Secret-2026",
            "new_password2": "Nouveau-Secret-2026",
        },
    )
    assert bad.status_code == 200
    member.refresh_from_db()
    assert member.check_password(TEST_PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": TEST_PASSWORD,
                "new_password1": "Nouveau-Secret-2026",
                "new_password2": "Nouveau-Secret-2026",
            },
        )
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Nouveau-Secret-2026")
    assert mail.outbox[-1].subject == "Cordée — votre mot de passe a été modifié"
    assert client.get(reverse("core:home")).status_code == 200  # still signed in
