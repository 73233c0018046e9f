"""Issue 24: password spraying and registration floods.

django-axes locks an identifier tried from one address (ACC-2). One password tried on many
identifiers from one address locked nothing: the handler below also counts an address's
failures across every identifier, with its own, higher limit (a practice's colleagues share
one address), and the registration form counts its submissions per address. Both answer the
French 429 page.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from cordee.core.views import too_many_requests

REGISTRATION_WINDOW = timedelta(hours=1)


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from this request's address within the cool-off, whatever the identifier."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class AddressAwareAxesHandler(AxesDatabaseHandler):
    """axes' database handler, plus a per-address limit across identifiers."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        per_identifier = int(super().get_failures(request, credentials))
        if address_failures(request) >= settings.CORDEE_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Reported as the identifier limit reached: axes then locks this address out for
            # the cool-off, whichever identifier it tries next.
            return max(per_identifier, int(get_failure_limit(request, credentials)))
        return per_identifier


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    return too_many_requests(
        retry_after=int(cool_off.total_seconds()),
        heading="Connexion temporairement bloquée",
        reason=(
            "Trop de tentatives de connexion ont échoué pour cet identifiant ou depuis votre "
            "connexion. Par sécurité, la connexion est suspendue quelques minutes."
        ),
        back_url=reverse("accounts:login"),
        back_label="Retour à la connexion",
    )


def address_key(request: HttpRequest) -> str:
    """The request's address as a keyed hash: counted, never stored as such."""
    address = get_client_ip_address(request) or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def registration_throttled(request: HttpRequest) -> HttpResponse | None:
    """Count this registration submission; the 429 page once the address has sent its share
    within the hour (nothing else written then)."""
    from cordee.accounts.models import RegistrationAttempt

    now = timezone.now()
    since = now - REGISTRATION_WINDOW
    RegistrationAttempt.objects.filter(at__lt=since).delete()
    key = address_key(request)
    recent = RegistrationAttempt.objects.filter(address=key, at__gte=since)
    if recent.count() >= settings.CORDEE_REGISTRATION_LIMIT_PER_HOUR:
        oldest = recent.order_by("at").values_list("at", flat=True).first() or now
        return too_many_requests(
            retry_after=max(60, int((oldest + REGISTRATION_WINDOW - now).total_seconds())),
            heading="Trop de demandes d'inscription",
            reason=(
                "Plusieurs demandes d'inscription ont été envoyées depuis votre connexion en peu "
                "de temps. Celle-ci n'a pas été enregistrée."
            ),
            back_url=reverse("accounts:login"),
            back_label="Retour à la connexion",
        )
    RegistrationAttempt.objects.create(address=key, at=now)
    return None
