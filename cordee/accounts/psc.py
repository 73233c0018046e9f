"""ACC-2: sign-in with Pro Santé Connect, the national OpenID Connect provider of French health
professionals (CPS card or e-CPS application).

Authorisation code flow with PKCE (S256), state and nonce, through Authlib's Django client: the
state, nonce and code verifier wait in the session; Authlib checks the state, sends the verifier
and validates the ID token (signature against the provider's keys, issuer, audience, expiry,
nonce). Cordée then requires the level of assurance asked (`acr`, "eidas1") and finds the
account holding the RPPS the provider vouches for. No account is ever created here: someone
unknown is sent to the registration request (ACC-1), which an administrator validates.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cordee.accounts.models import User

logger = logging.getLogger("cordee.psc")

# The session key telling the gate (accounts.middleware) that this sign-in was strong.
STRONG_AUTH_KEY = "cordee_strong_auth"
STRONG_AUTH_PSC = "psc"


class PscError(Exception):
    """The sign-in failed; the message is the French text shown on the sign-in page."""


class PscUnavailable(PscError):
    pass


UNAVAILABLE = (
    "Pro Santé Connect ne répond pas pour le moment. Connectez-vous avec votre identifiant et "
    "votre mot de passe, ou réessayez dans quelques minutes."
)
REFUSED = "La connexion par Pro Santé Connect n'a pas abouti. Recommencez depuis la page de connexion."


def is_configured() -> bool:
    return bool(settings.CORDEE_PSC_ISSUER and settings.CORDEE_PSC_CLIENT_ID)


@functools.cache
def _client(issuer: str, client_id: str, secret: str, scope: str, timeout: int) -> Any:
    # Imported here: Authlib and its crypto stack weigh ~40 MB of resident memory that every
    # worker would otherwise hold, for a sign-in most regions configure on few instances.
    from authlib.integrations.django_client import OAuth

    registry = OAuth()
    return registry.register(
        name="psc",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": timeout},
    )


def client() -> Any:
    return _client(
        settings.CORDEE_PSC_ISSUER,
        settings.CORDEE_PSC_CLIENT_ID,
        settings.CORDEE_PSC_CLIENT_SECRET,
        settings.CORDEE_PSC_SCOPE,
        settings.CORDEE_PSC_TIMEOUT_SECONDS,
    )


def _network_error(exc: Exception) -> bool:
    import requests

    return isinstance(exc, requests.RequestException)


def authorization_redirect(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider; PscUnavailable when its discovery document cannot be read."""
    try:
        response: HttpResponse = client().authorize_redirect(
            request, redirect_uri, acr_values=settings.CORDEE_PSC_ACR
        )
    except Exception as exc:
        if _network_error(exc) or isinstance(exc, (ValueError, KeyError)):
            logger.warning("Pro Santé Connect unreachable: %s", type(exc).__name__)
            raise PscUnavailable(UNAVAILABLE) from exc
        raise
    return response


@dataclass(frozen=True)
class PscIdentity:
    national_id: str
    rpps: str
    adeli: str
    last_name: str
    first_name: str


def identity_from_callback(request: HttpRequest) -> PscIdentity:
    """Exchange the code, validate the ID token and the level of assurance; the identity."""
    if request.GET.get("error"):
        raise PscError(
            "La connexion par Pro Santé Connect a été annulée ou refusée. "
            "Vous pouvez vous connecter avec votre identifiant et votre mot de passe."
        )
    psc = client()
    try:
        token = psc.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise PscError(REFUSED)
        userinfo = dict(psc.userinfo(token=token))
    except PscError:
        raise
    except Exception as exc:
        if _network_error(exc):
            logger.warning("Pro Santé Connect unreachable at the callback: %s", type(exc).__name__)
            raise PscUnavailable(UNAVAILABLE) from exc
        # A state, nonce, PKCE, signature or audience mismatch: refused, said in French, logged
        # by its kind only (never the token).
        logger.warning("Pro Santé Connect sign-in refused: %s", type(exc).__name__)
        raise PscError(REFUSED) from exc
    if claims.get("acr") != settings.CORDEE_PSC_ACR:
        logger.warning("Pro Santé Connect sign-in refused: acr %r", claims.get("acr"))
        raise PscError(
            "Cette connexion n'a pas le niveau de sécurité requis : utilisez votre carte CPS ou "
            "l'application e-CPS."
        )
    if userinfo.get("sub") != claims.get("sub"):
        raise PscError(REFUSED)
    national_id = str(userinfo.get("SubjectNameID") or claims.get("preferred_username") or "")
    rpps = national_id[1:] if national_id.startswith("8") and len(national_id) == 12 else ""
    adeli = national_id[1:] if national_id.startswith("0") and len(national_id) == 10 else ""
    if not (rpps or adeli):
        raise PscError(REFUSED)
    return PscIdentity(
        national_id=national_id,
        rpps=rpps,
        adeli=adeli,
        last_name=str(userinfo.get("family_name") or ""),
        first_name=str(userinfo.get("given_name") or ""),
    )


def account_for(identity: PscIdentity) -> User | None:
    """The active account holding the RPPS (else ADELI) the provider vouches for."""
    accounts = User.objects.filter(is_active=True)
    if identity.rpps:
        return accounts.filter(rpps=identity.rpps).first()
    return accounts.filter(adeli=identity.adeli).first()
