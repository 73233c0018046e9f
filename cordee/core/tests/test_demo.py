from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from cordee.accounts.models import Membership, Structure, User
from cordee.territory.models import Zone


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_prints_each_account() -> None:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    counts = (
        User.objects.count(),
        Structure.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
    )
    assert counts[0] >= 40 and counts[1] >= 10 and counts[3] >= 3
    lines = out.getvalue().splitlines()
    assert all(re.fullmatch(r"Compte démo : \S+ / \S+ — .+", line) for line in lines)
    roles = " ".join(lines)
    for needed in ("administrateur", "coordinatrice", "pédiatre", "infirmière", "sans structure"):
        assert needed in roles

    call_command("load_demo", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Structure.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_demo_accounts_can_sign_in(client) -> None:
    call_command("load_demo", stdout=io.StringIO())
    coordinator = User.objects.get(username="coordinatrice")
    assert coordinator.memberships.get().role == Membership.Role.SUPERUSER
    assert coordinator.memberships.get().structure.kind == Structure.Kind.DAC
    response = client.post("/connexion/", {"username": "pediatre", "password": "Cordee-Demo-2026"})
    assert response.status_code == 302
    assert not User.objects.get(username="kine").memberships.exists()
