"""Helpers for tests that act through the API (shared by this app's tests and the URL walk)."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cordee.accounts.models import Membership, Structure, User
from cordee.api.models import ApiToken
from cordee.api.tokens import issue_token


def make_token(
    user: User,
    *,
    structure: Structure | None = None,
    scope: str = ApiToken.Scope.WRITE,
    name: str = "Logiciel de test",
    days: int = 30,
) -> tuple[ApiToken, str]:
    membership = Membership.objects.get(user=user, structure=structure) if structure is not None else None
    return issue_token(
        user,
        name=name,
        scope=scope,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        membership=membership,
    )


def bearer_client(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def verified_client(user: User) -> Client:
    """A signed-in session that passed the second factor (a confirmed TOTP device)."""
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
