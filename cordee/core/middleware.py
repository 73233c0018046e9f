"""Request-wide concerns: the session's lifetime (ACC-4), and the session key the Actor is read
from (spine 1; accounts.middleware.ActorMiddleware resolves it, memberships being accounts')."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

ACTING_STRUCTURE_KEY = "cordee_acting_structure"
SIGNED_IN_AT_KEY = "cordee_signed_in_at"
LAST_SEEN_KEY = "cordee_last_seen"


class SessionLifetimeMiddleware:
    """ACC-4: sign out after 8 hours whatever happens, and after a period of inactivity.

    Django's cookie age alone would slide with each save; the sign-in instant is kept in the
    session so the 8-hour limit is absolute.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
            last_seen = request.session.get(LAST_SEEN_KEY, signed_in_at)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT_KEY] = now
            elif now - signed_in_at > settings.CORDEE_SESSION_ABSOLUTE_SECONDS or (
                last_seen is not None and now - last_seen > settings.CORDEE_SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(request, "Votre session a expiré. Veuillez vous reconnecter.")
                return self.get_response(request)
            # Write the last-seen mark at most once a minute to spare the session store.
            if last_seen is None or now - last_seen > 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Issue 24: nothing shown to a signed-in person is kept by a browser or a proxy — dossier
    pages, the consent PDF, documents, lists of names. On a practice's shared computer the back
    button or the disk cache would show them to the next person. One rule for every view, so a
    new page cannot forget it (checked over the URL walk)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
