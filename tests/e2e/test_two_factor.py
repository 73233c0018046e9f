"""ACC-2 in a browser: TOTP enrolment from the profile, recovery codes, the second step of sign-in."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django import Settings

from tests.e2e.conftest import sign_in, sign_out
from tests.factories import UserFactory, accept_current_terms

pytestmark = pytest.mark.e2e


STEP = 30


def totp_code(secret_b32: str, step: int | None = None) -> str:
    """The code an authenticator app shows, for the key displayed on the enrolment page, now
    or at the given time step."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    totp = TOTP(key, step=STEP, t0=0, digits=6)
    totp.time = time.time() if step is None else step * STEP
    return f"{totp.token():06d}"


def next_accepted_code(secret_b32: str, username: str) -> str:
    """A code is refused if its time step is not after the last accepted one (no replay): when
    the sign-in follows the enrolment within 30 s, the app's next code is the one to type."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = int(time.time()) // STEP + device.drift
    return totp_code(secret_b32, max(now, device.last_t + 1))


def wrong_code(secret_b32: str) -> str:
    """A six-digit code accepted at no step around now (one step of tolerance, one of drift)."""
    now = int(time.time()) // STEP
    valid = {totp_code(secret_b32, now + offset) for offset in (-2, -1, 0, 1, 2)}
    return next(
        code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in valid
    )


def test_totp_enrolment_then_sign_in_with_second_factor(page: Page, settings: Settings) -> None:
    # django-otp slows down retries after a failure (1 s, 2 s…); a real person typing again
    # is slower than that, the test is not: no throttling here, it has its own unit tests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    accept_current_terms(UserFactory.create(username="sofia.secure", first_name="Sofia"))

    sign_in(page, "sofia.secure")
    expect(page.get_by_role("heading", name="Bonjour Sofia")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name=re.compile("profil", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_role("heading", name="Double authentification (TOTP)")).to_be_visible()
    page.get_by_role("button", name="Activer la double authentification").click()

    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code de configuration")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret

    # A wrong code keeps the enrolment pending.
    page.get_by_label("Code de vérification").fill(wrong_code(secret))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("Code incorrect : vérifiez l'heure de votre téléphone")).to_be_visible()

    page.get_by_label("Code de vérification").fill(totp_code(secret))
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("La double authentification est activée.")
    codes = page.locator("#codes-de-secours li")
    expect(codes).to_have_count(10)
    recovery_codes = [code.strip() for code in codes.all_inner_texts()]
    assert len(set(recovery_codes)) == 10

    page.get_by_role("link", name="J'ai noté mes codes").click()
    expect(page.get_by_text("La double authentification est active sur votre compte.")).to_be_visible()
    expect(page.get_by_text("Codes de secours restants : 10.")).to_be_visible()
    # The codes are shown once only.
    page.goto("/profil/securite/codes-de-secours/")
    expect(page).to_have_url(re.compile(r"/profil/securite/$"))

    # Next sign-in: the password is not enough any more.
    sign_out(page)
    sign_in(page, "sofia.secure")
    expect(page).to_have_url(re.compile(r"/connexion/verification/$"))
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.goto("/profil/")
    expect(page).to_have_url(re.compile(r"/connexion/verification/$"))

    page.get_by_label("Code de vérification").fill(wrong_code(secret))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("Code incorrect ou expiré.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/connexion/verification/$"))

    page.get_by_label("Code de vérification").fill(next_accepted_code(secret, "sofia.secure"))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Bonjour Sofia")).to_be_visible()

    # A recovery code works once, instead of the application.
    sign_out(page)
    sign_in(page, "sofia.secure")
    page.get_by_label("Code de vérification").fill(recovery_codes[0])
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Bonjour Sofia")).to_be_visible()
    page.goto("/profil/securite/")
    expect(page.get_by_text("Codes de secours restants : 9.")).to_be_visible()

    sign_out(page)
    sign_in(page, "sofia.secure")
    page.get_by_label("Code de vérification").fill(recovery_codes[0])
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("Code incorrect ou expiré.")).to_be_visible()
