"""INT-1: who calls the API — a personal access token in `Authorization: Bearer …`.

The token becomes the request's Actor (spine 1), so every service and the access policy see
the API exactly as they see a page. Each call is journaled with the token's name (SEC-2)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from cordee.api.models import ApiToken
from cordee.api.tokens import Refusal, actor_of, authenticate
from cordee.audit.services import journal


def bearer(request: HttpRequest) -> str | None:
    value = request.headers.get("Authorization", "")
    scheme, _, raw = value.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return raw.strip()


def token_of(request: HttpRequest, as_method: str | None = None) -> ApiToken:
    """The request's live token (set on the request with its actor), or a Refusal. `as_method`:
    the scope the call needs when its HTTP method says otherwise (a POST that only reads)."""
    raw = bearer(request)
    if raw is None:
        raise Refusal(
            401, "Authentification requise", "Jeton d'accès manquant (en-tête Authorization: Bearer)."
        )
    token = authenticate(raw, as_method or request.method or "GET")
    actor = actor_of(token)
    request.actor = actor  # type: ignore[attr-defined]
    request.api_token = token  # type: ignore[attr-defined]
    journal(actor, None, "api", what=f"jeton « {token.name} » : {request.method} {request.path}")
    return token


def via(request: HttpRequest) -> str:
    """What the access journal says of a dossier access made through the API."""
    token: ApiToken | None = getattr(request, "api_token", None)
    return f"API, jeton « {token.name} »" if token is not None else "API"


class TokenAuth(HttpBearer):
    """Ninja's bearer scheme (so the OpenAPI schema declares it), without its debug logging of
    the header: a token is never written to a log."""

    def __call__(self, request: HttpRequest) -> Any:
        return token_of(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return token_of(request)
