"""ACC-2: the Pro Santé Connect sign-in pages (the flow itself is in psc.py)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cordee.accounts import psc
from cordee.accounts.views import PREVIOUS_SIGN_IN_KEY
from cordee.core.middleware import SIGNED_IN_AT_KEY


@login_not_required
def psc_start(request: HttpRequest) -> HttpResponse:
    if not psc.is_configured():
        raise Http404
    if request.user.is_authenticated:
        return redirect("core:home")
    try:
        return psc.authorization_redirect(
            request, request.build_absolute_uri(reverse("accounts:psc_callback"))
        )
    except psc.PscUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("accounts:login")


@login_not_required
def psc_callback(request: HttpRequest) -> HttpResponse:
    if not psc.is_configured():
        raise Http404
    try:
        identity = psc.identity_from_callback(request)
    except psc.PscError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:login")
    user = psc.account_for(identity)
    if user is None:
        # Known to the national provider, unknown here: no account is created by this path (ACC-1).
        return render(request, "accounts/psc_unknown.html", {"identity": identity}, status=403)
    previous = user.last_login.isoformat() if user.last_login else None
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[PREVIOUS_SIGN_IN_KEY] = previous
    request.session[SIGNED_IN_AT_KEY] = time.time()
    # A CPS card or the e-CPS application is itself strong authentication: no TOTP asked.
    request.session[psc.STRONG_AUTH_KEY] = psc.STRONG_AUTH_PSC
    return redirect("core:home")
