"""ACC-2: TOTP second factor, recovery codes, and the production rule that requires it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _enrol(client: Client, user) -> list[str]:
    client.post(reverse("accounts:totp_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.get(reverse("accounts:totp_enrol")).content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    response = client.post(reverse("accounts:totp_confirm"), {"token": _code(device)})
    assert response.status_code == 302
    codes = client.get(reverse("accounts:recovery_codes")).context["codes"]
    return list(codes)


def test_enrolment_confirms_the_device_and_gives_ten_recovery_codes(member, client_for) -> None:
    client = client_for(member)
    codes = _enrol(client, member)
    assert TOTPDevice.objects.filter(user=member, confirmed=True).count() == 1
    assert len(codes) == 10
    # Shown once only.
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302


def test_a_wrong_enrolment_code_is_refused(member, client_for) -> None:
    client = client_for(member)
    client.post(reverse("accounts:totp_enrol"))
    response = client.post(reverse("accounts:totp_confirm"), {"token": "000000"})
    assert response.status_code == 400
    assert "Code incorrect" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()


def test_sign_in_then_asks_for_the_code(member, client_for, settings) -> None:
    # django-otp delays the next try after a failure; this test retries at once on purpose.
    settings.OTP_STATIC_THROTTLE_FACTOR = settings.OTP_TOTP_THROTTLE_FACTOR = 0
    codes = _enrol(client_for(member), member)
    client = Client()
    client.post(reverse("accounts:login"), {"username": member.username, "password": TEST_PASSWORD})
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")
    assert client.get(reverse("directory:search"))["Location"] == reverse("accounts:otp_verify")

    wrong = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    assert "Code incorrect ou expiré." in wrong.content.decode()
    assert client.get(reverse("core:home")).status_code == 302

    client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert client.get(reverse("core:home")).status_code == 200


def test_a_recovery_code_works_once(member, client_for) -> None:
    codes = _enrol(client_for(member), member)
    for expected_status in (200, 302):
        client = Client()
        client.post(reverse("accounts:login"), {"username": member.username, "password": TEST_PASSWORD})
        client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
        assert client.get(reverse("core:home")).status_code == expected_status
    assert not StaticToken.objects.filter(token=codes[0]).exists()


def test_production_setting_requires_enrolment(member, client_for, settings) -> None:
    settings.CORDEE_REQUIRE_2FA = True
    client = client_for(member)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    assert "exige une double authentification" in client.get(reverse("accounts:security")).content.decode()
    _enrol(client, member)
    assert client.get(reverse("core:home")).status_code == 200
    # Once required, it cannot be switched off.
    device = TOTPDevice.objects.get(user=member)
    client.post(reverse("accounts:totp_disable"), {"token": _code(device)})
    assert TOTPDevice.objects.filter(user=member).exists()


def test_disabling_needs_a_valid_code(member, client_for, settings) -> None:
    settings.OTP_STATIC_THROTTLE_FACTOR = settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = client_for(member)
    _enrol(client, member)
    client.post(reverse("accounts:totp_disable"), {"token": "000000"})
    assert TOTPDevice.objects.filter(user=member).exists()
    device = TOTPDevice.objects.get(user=member)
    device.refresh_from_db()
    device.last_t = -1  # the enrolment code was this step's; allow the same step again
    device.save()
    client.post(reverse("accounts:totp_disable"), {"token": _code(device)})
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_failed_codes_slow_down_the_next_tries(member, client_for) -> None:
    codes = _enrol(client_for(member), member)
    client = Client()
    client.post(reverse("accounts:login"), {"username": member.username, "password": TEST_PASSWORD})
    client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    # Right after a failure even a valid code waits (django-otp throttling).
    client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert client.get(reverse("core:home")).status_code == 302
