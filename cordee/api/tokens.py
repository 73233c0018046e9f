"""INT-1: personal access tokens — issued, checked, limited, revoked.

A token is `cordee_pat_` followed by 43 URL-safe characters (256 random bits from `secrets`).
Only its SHA-256 is kept: a slow hash adds nothing for a secret that cannot be guessed, and a
fast one lets every API call be checked with one indexed look-up.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone

from cordee.accounts.models import Membership, User
from cordee.api.models import ApiToken
from cordee.core.actor import Actor

PREFIX = "cordee_pat_"
# A token lives at most a year: software keeps working, and a forgotten one still dies.
MAX_LIFETIME_DAYS = 366
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    user: User,
    *,
    name: str,
    scope: str,
    expires_at: datetime.datetime,
    membership: Membership | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which the caller shows once and never keeps."""
    if membership is not None and (membership.user_id != user.pk or not membership.is_active):
        raise ValueError("Vous ne pouvez agir qu'au nom de vos propres structures.")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        membership=membership,
        name=name,
        scope=scope,
        prefix=raw[: len(PREFIX) + 4],
        secret_hash=_digest(raw),
        expires_at=expires_at,
        created_by=user,
    )
    return token, raw


def revoke_token(user: User, token: ApiToken) -> None:
    """Revoked at once, for good (the row stays: the journal names it)."""
    if token.user_id != user.pk:
        raise ValueError("Ce jeton ne vous appartient pas.")
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a call is refused before reaching the API: an HTTP status and French words."""

    status: int
    title: str
    detail: str
    retry_after: int | None = None


def _unauthorised(detail: str) -> Refusal:
    return Refusal(401, "Authentification refusée", detail)


def authenticate(raw: str, method: str) -> ApiToken:
    """The live token behind `raw`, or a Refusal: unknown, revoked, expired, suspended account,
    ended membership, read-only token asked to write, or over its rate."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        raise _unauthorised("Jeton d'accès inconnu.")
    token = (
        ApiToken.objects.select_related("user", "membership__structure")
        .filter(secret_hash=_digest(raw))
        .first()
    )
    if token is None:
        raise _unauthorised("Jeton d'accès inconnu.")
    now = timezone.now()
    dead = why_dead(token, now)
    if dead is not None:
        raise _unauthorised(dead)
    if method.upper() not in SAFE_METHODS and not token.can_write:
        raise Refusal(403, "Portée insuffisante", "Ce jeton d'accès est en lecture seule.")
    _count_call(token, now)
    return token


def why_dead(token: ApiToken, now: datetime.datetime) -> str | None:
    """Why a token no longer works (revoked, expired, suspended account, ended membership), in
    French, or None: asked of each call, and by the task worker before it acts for the token."""
    if token.revoked_at is not None:
        return "Ce jeton d'accès a été révoqué."
    if token.expires_at <= now:
        return "Ce jeton d'accès a expiré."
    if not token.user.is_active:
        return "Le compte de ce jeton est suspendu."
    membership = token.membership
    if membership is not None and not (membership.is_active and membership.structure.is_active):
        return "Le rattachement à la structure de ce jeton a pris fin."
    return None


def _count_call(token: ApiToken, now: datetime.datetime) -> None:
    """A fixed one-minute window per token, counted in its own row (one UPDATE a call, on
    SQLite as on PostgreSQL, shared by every app server). Calls racing within the same instant
    may pass the limit by the number of app server workers: a rate limit, not an accounting."""
    window = now.replace(second=0, microsecond=0)
    limit = settings.CORDEE_API_CALLS_PER_MINUTE
    if token.window_start == window and token.window_calls >= limit:
        retry = 60 - now.second
        raise Refusal(
            429,
            "Trop de requêtes",
            f"Ce jeton est limité à {limit} requêtes par minute : réessayez dans {retry} secondes.",
            retry_after=retry,
        )
    ApiToken.objects.filter(pk=token.pk).update(
        window_calls=Case(When(window_start=window, then=F("window_calls") + 1), default=Value(1)),
        window_start=window,
        last_used_at=now,
    )


def actor_of(token: ApiToken) -> Actor:
    return Actor(user=token.user, membership=token.membership)
