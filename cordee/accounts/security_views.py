"""ACC-2 second factor: TOTP enrolment with a QR code, recovery codes, verification at sign-in."""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cordee.accounts.forms import OtpTokenForm
from cordee.accounts.services import (
    confirm_totp_enrolment,
    disable_second_factor,
    has_confirmed_totp,
    regenerate_recovery_codes,
    start_totp_enrolment,
)
from cordee.core.http import AuthedRequest

RECOVERY_CODES_KEY = "cordee_recovery_codes"


def security(request: AuthedRequest) -> HttpResponse:
    user = request.user
    static_left = 0
    static = StaticDevice.objects.filter(user=user).first()
    if static is not None:
        static_left = static.token_set.count()
    return render(
        request,
        "accounts/security.html",
        {
            "enrolled": has_confirmed_totp(user),
            "required": settings.CORDEE_REQUIRE_2FA,
            "recovery_left": static_left,
            "disable_form": OtpTokenForm(),
        },
    )


def totp_enrol(request: AuthedRequest) -> HttpResponse:
    """GET shows the pending device's QR code; POST starts a new enrolment."""
    if request.method == "POST":
        start_totp_enrolment(request.user)
        return redirect("accounts:totp_enrol")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        return redirect("accounts:security")
    return _enrol_page(request, device, OtpTokenForm())


def _enrol_page(
    request: AuthedRequest, device: TOTPDevice, form: OtpTokenForm, status: int = 200
) -> HttpResponse:
    import segno  # imported here: ~10 MB held by every worker for a page seen once per account

    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1a1a2e")
    secret_b32 = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/totp_enrol.html",
        {"qr_svg": qr_svg, "secret": secret_b32, "form": form},
        status=status,
    )


@require_POST
def totp_confirm(request: AuthedRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        return redirect("accounts:security")
    form = OtpTokenForm(request.POST)
    codes = confirm_totp_enrolment(device, form.cleaned_data["token"]) if form.is_valid() else None
    if codes is None:
        if form.is_valid():
            form.add_error(
                "token", "Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché."
            )
        return _enrol_page(request, device, form, status=400)
    otp_login(request, device)
    request.session[RECOVERY_CODES_KEY] = codes
    messages.success(request, "La double authentification est activée.")
    return redirect("accounts:recovery_codes")


def recovery_codes(request: AuthedRequest) -> HttpResponse:
    """The codes are shown once, right after they are made."""
    if request.method == "POST":
        if not has_confirmed_totp(request.user):
            return redirect("accounts:security")
        request.session[RECOVERY_CODES_KEY] = regenerate_recovery_codes(request.user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
def totp_disable(request: AuthedRequest) -> HttpResponse:
    if settings.CORDEE_REQUIRE_2FA:
        messages.error(request, "La double authentification est obligatoire sur cette plateforme.")
        return redirect("accounts:security")
    form = OtpTokenForm(request.POST)
    if not form.is_valid() or match_token(request.user, form.cleaned_data["token"]) is None:
        messages.error(request, "Code incorrect : la double authentification reste active.")
        return redirect("accounts:security")
    disable_second_factor(request.user)
    messages.success(request, "La double authentification est désactivée.")
    return redirect("accounts:security")


def otp_verify(request: AuthedRequest) -> HttpResponse:
    """Second step of sign-in: a code from the application, or a recovery code."""
    verified = request.user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
    if verified or not has_confirmed_totp(request.user):
        return redirect("core:home")
    form = OtpTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect("core:home")
        form.add_error("token", "Code incorrect ou expiré.")
    return render(request, "accounts/otp_verify.html", {"form": form})
