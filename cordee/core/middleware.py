"""Request-wide concerns: the session's lifetime (ACC-4) and the Actor (spine 1)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from cordee.core.actor import Actor

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
    from cordee.accounts.models import Membership

    user = request.user
    assert user.is_authenticated
    membership = None
    structure_id = request.session.get(ACTING_STRUCTURE_KEY)
    if structure_id:
        membership = (
            Membership.objects.select_related("structure")
            .filter(user=user, structure__public_id=structure_id, is_active=True)
            .first()
        )
        if membership is None:
            del request.session[ACTING_STRUCTURE_KEY]
    return Actor(user=user, membership=membership)
