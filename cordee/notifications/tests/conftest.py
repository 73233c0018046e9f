"""The circle the notification tests speak of, built the way the application builds it.

The dossier (created by the coordinator acting as the DAC) has in its circle: the coordinator
and the DAC (auto-habilitation; the DAC's member `member` acts for it), a habilitated
pediatrician, a habilitated secretary, a listed professional without habilitation, one the
patient refused sharing with, and a manually added relative. A stranger is in no circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from tests.factories import accept_current_terms, make_user


@dataclass(frozen=True)
class Circle:
    dossier: Any
    structure: Structure
    coordinator: User
    member: User
    pediatrician: User
    secretary: User
    unhabilitated: User
    refused: User
    stranger: User

    def actor(self, user: User, structure: Structure | None = None) -> Actor:
        membership = Membership.objects.get(user=user, structure=structure) if structure else None
        return Actor(user=user, membership=membership)

    def row(self, user: User) -> CircleMember:
        return CircleMember.objects.get(patient=self.dossier, user=user, removed_at__isnull=True)


def _professional(username: str, last_name: str, **kwargs: Any) -> User:
    user = make_user(username=username, last_name=last_name, first_name="Test", **kwargs)
    accept_current_terms(user)
    return user


@pytest.fixture
def circle(dossier: Any, structure: Structure, coordinator: User, member: User, stranger: User) -> Circle:
    pediatrician = _professional("pediatre", "Pediatre")
    secretary = _professional(
        "secretaire", "Secretaire", profession=Profession.objects.get(code="secretaire-medical"), rpps=None
    )
    unhabilitated = _professional("nonhabilite", "Nonhabilite")
    refused = _professional("refuse", "Refuse")
    for user, habilitated, refusal in (
        (pediatrician, True, False),
        (secretary, True, False),
        (unhabilitated, False, False),
        (refused, True, True),
    ):
        CircleMember.objects.create(
            patient=dossier, user=user, is_habilitated=habilitated, sharing_refused=refusal
        )
    CircleMember.objects.create(
        patient=dossier, is_manual=True, manual_last_name="Parent", manual_first_name="Pia"
    )
    return Circle(
        dossier=dossier,
        structure=structure,
        coordinator=coordinator,
        member=member,
        pediatrician=pediatrician,
        secretary=secretary,
        unhabilitated=unhabilitated,
        refused=refused,
        stranger=stranger,
    )
