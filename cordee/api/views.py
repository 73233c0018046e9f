"""INT-1: the profile's "Accès API" tab — personal access tokens made, listed and revoked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cordee.accounts.psc import STRONG_AUTH_KEY, STRONG_AUTH_PSC
from cordee.api.forms import TokenForm
from cordee.api.models import ApiToken
from cordee.api.tokens import issue_token, revoke_token
from cordee.core.http import AuthedRequest


def passed_second_factor(request: HttpRequest) -> bool:
    """This session passed a second factor: a TOTP or recovery code (django-otp), or a Pro Santé
    Connect sign-in (strong authentication by itself). A session without one may not make a
    credential that outlives it."""
    user = request.user
    verified = bool(getattr(user, "is_verified", lambda: False)())
    return verified or request.session.get(STRONG_AUTH_KEY) == STRONG_AUTH_PSC


def tokens(request: AuthedRequest) -> HttpResponse:
    strong = passed_second_factor(request)
    form = TokenForm(request.user, request.POST if request.method == "POST" else None)
    secret, created = "", None
    status = 200
    if request.method == "POST":
        if not strong:
            status = 403
        elif form.is_valid():
            created, secret = issue_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
                membership=form.membership(),
            )
            form = TokenForm(request.user)
        else:
            status = 400
    listed = ApiToken.objects.filter(user=request.user).select_related("membership__structure")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": listed,
            "strong": strong,
            "secret": secret,
            "created": created,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
def token_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, public_id=public_id)
    revoke_token(request.user, token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne fonctionne plus.")
    return redirect("api:tokens")
