from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cordee.accounts.models import Membership, Structure, User
from cordee.directory.models import ResourceTeam
from tests.factories import accept_current_terms, make_membership, make_structure, make_user


@dataclass
class Scene:
    team: Structure
    settings: ResourceTeam
    coordinator: User
    member: User
    gp: User
    practice: Structure


@pytest.fixture
def scene(structure: Structure, coordinator: User, member: User) -> Scene:
    settings = ResourceTeam.objects.create(structure=structure, is_listed=True, carries_identity=True)
    gp = make_user(username="generaliste", last_name="Durand", first_name="Paul")
    practice = make_structure(name="Cabinet du Port", kind=Structure.Kind.PRACTICE)
    make_membership(user=gp, structure=practice, role=Membership.Role.SUPERUSER)
    accept_current_terms(gp)
    return Scene(structure, settings, coordinator, member, gp, practice)


@pytest.fixture
def as_gp(scene: Scene, client_for: Any) -> Any:
    return client_for(scene.gp, acting_as=scene.practice)


@pytest.fixture
def as_team(scene: Scene, client_for: Any) -> Any:
    return client_for(scene.coordinator, acting_as=scene.team)
