"""The request as views see it once the middleware has run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from cordee.accounts.models import User
    from cordee.core.actor import Actor


class AuthedRequest(HttpRequest):
    """A signed-in request: LoginRequiredMiddleware guarantees `user`, ActorMiddleware `actor`."""

    user: User
    actor: Actor
    htmx: HtmxDetails
