"""Shared fixtures of the Parcours tests: the coordinator acting as the DAC, a small published
questionnaire, the circle's coordinator role, a plain habilitated member of the circle."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.actor import Actor
from cordee.pathways.models import QuestionnaireVersion
from cordee.pathways.testing import make_questionnaire
from cordee.patients.models import Patient

COORDINATOR_ROLE = "Coordinateur / Gestionnaire de cas"


@pytest.fixture
def acting(coordinator: User, structure: Structure, client_for: Any) -> Client:
    client: Client = client_for(coordinator, acting_as=structure)
    return client


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


@pytest.fixture
def version(db: None) -> QuestionnaireVersion:
    return make_questionnaire()


@pytest.fixture
def coordinator_role(dossier: Patient, structure: Structure) -> None:
    """The DAC is the circle's "Coordinateur / Gestionnaire de cas" (THEME_REMOVAL, FORM_REOPENING)."""
    row = CircleMember.objects.get(patient=dossier, structure=structure)
    row.roles.add(CircleRole.objects.get(label=COORDINATOR_ROLE))


@pytest.fixture
def circle_member(dossier: Patient, member: User) -> User:
    """A habilitated member of the circle in their own name, with no role: reads and fills forms."""
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=True)
    return member


def url(name: str, patient: Patient, **kwargs: Any) -> str:
    return reverse(f"pathways:{name}", kwargs={"public_id": patient.public_id, **kwargs})


def new_url(patient: Patient, version: QuestionnaireVersion) -> str:
    return url("new_form", patient, questionnaire_id=version.questionnaire.public_id)


def form_url(patient: Patient, form: Any) -> str:
    return url("form", patient, form_id=form.public_id)


def page_of(response: Any) -> str:
    return str(response.content.decode())
