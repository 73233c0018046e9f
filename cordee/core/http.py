"""The request as views see it once the middleware has run."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from cordee.accounts.models import User
    from cordee.core.actor import Actor


class AuthedRequest(HttpRequest):
    """A signed-in request: LoginRequiredMiddleware guarantees `user`, ActorMiddleware `actor`."""

    user: User
    actor: Actor
    htmx: HtmxDetails


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    """The `next` URL of a form or link, only if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request swapping part of the page; a history restore needs the whole page."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def parse_uuid(value: str | None) -> uuid.UUID | None:
    """A public id from a form or query string; anything else is None (then 404), never a 500."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def parse_uuids(values: list[str]) -> list[uuid.UUID]:
    return [parsed for parsed in (parse_uuid(value) for value in values) if parsed is not None]


_CONTROL = dict.fromkeys(range(32), " ")  # NUL and the other control characters


def typed_text(value: str | None, limit: int = 100) -> str:
    """What a person typed in a search box (a query string's `q`, `nom`…): control characters,
    NUL first (PostgreSQL refuses it in a query: a 500, issue 24), become spaces; trimmed and cut
    to `limit` characters."""
    return str(value or "").translate(_CONTROL).strip()[:limit]
