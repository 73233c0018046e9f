"""The gate every signed-in request passes: second factor (ACC-2), then the CGU (ACC-3); and the
Actor each request acts as (spine 1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from cordee.accounts.models import Membership
from cordee.accounts.psc import STRONG_AUTH_KEY, STRONG_AUTH_PSC
from cordee.accounts.services import has_confirmed_totp, must_accept_terms
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY

# Pages reachable before the gate is passed, each for a reason.
_ALWAYS_OPEN = {"accounts:logout"}
_OTP_PAGES = {"accounts:otp_verify"}
_ENROL_PAGES = {
    "accounts:security",
    "accounts:totp_enrol",
    "accounts:totp_confirm",
    "accounts:recovery_codes",
}
_TERMS_PAGES = {"accounts:terms"}


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        try:
            url_name = resolve(request.path_info).view_name
        except Resolver404:
            return self.get_response(request)
        if url_name in _ALWAYS_OPEN:
            return self.get_response(request)

        # A Pro Santé Connect sign-in (CPS card, e-CPS) is strong authentication by itself.
        verified = user.is_verified() or request.session.get(STRONG_AUTH_KEY) == STRONG_AUTH_PSC  # type: ignore[attr-defined]
        if not verified and has_confirmed_totp(user):
            if url_name in _OTP_PAGES:
                return self.get_response(request)
            return redirect("accounts:otp_verify")
        if not verified and settings.CORDEE_REQUIRE_2FA:
            if url_name in _ENROL_PAGES:
                return self.get_response(request)
            return redirect("accounts:security")
        if url_name in _TERMS_PAGES:
            return self.get_response(request)
        if must_accept_terms(user):
            return redirect(f"{_reverse('accounts:terms')}?next={request.get_full_path()}")
        return self.get_response(request)


def _reverse(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


class ActorMiddleware:
    """Resolve `request.actor` from the user and the structure chosen in the session.

    A structure left in the session is honoured only while the membership stays active, so a
    removed member falls back to acting as themself on the next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            request.actor = resolve_actor(request)  # type: ignore[attr-defined]
        return self.get_response(request)


def resolve_actor(request: HttpRequest) -> Actor:
    user = request.user
    assert user.is_authenticated
    membership = None
    structure_id = request.session.get(ACTING_STRUCTURE_KEY)
    if structure_id:
        # All the user's active memberships in the one query: the top bar's "Agir en tant que"
        # lists them (`core.context_processors.shell`), and does not ask again.
        memberships = list(
            Membership.objects.select_related("structure")
            .filter(user=user, is_active=True)
            .order_by("structure__name")
        )
        request.acting_memberships = memberships  # type: ignore[attr-defined]
        wanted = _uuid(structure_id)
        membership = next((m for m in memberships if m.structure.public_id == wanted), None)
        if membership is None:
            del request.session[ACTING_STRUCTURE_KEY]
    return Actor(user=user, membership=membership)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
