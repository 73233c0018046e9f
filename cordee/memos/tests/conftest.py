from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.models import Patient


@pytest.fixture
def acting(coordinator: User, structure: Structure) -> Actor:
    """The coordinator acting for the DAC, which created the dossier."""
    return Actor(coordinator, Membership.objects.get(user=coordinator, structure=structure))


@pytest.fixture
def colleague(member: User, dossier: Patient) -> User:
    """A professional habilitated on the dossier in their own name."""
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=True)
    return member


@pytest.fixture
def coordinator_client(coordinator: User, structure: Structure, client_for: Callable[..., Client]) -> Client:
    return client_for(coordinator, acting_as=structure)
