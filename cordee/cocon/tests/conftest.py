"""Cocon test helpers: a newborn dossier, an inclusion made through the service, the shipped
notebooks, and a notebook filled (demo autofill) and closed through the Parcours engine."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.cocon import services
from cordee.cocon.autofill import autofill
from cordee.cocon.models import Inclusion, InclusionCriterion
from cordee.core.actor import Actor
from cordee.pathways import services as pathways
from cordee.pathways.loader import load_shipped
from cordee.pathways.models import FormResponse, Questionnaire
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient


def actor_for(user: User, structure: Structure | None = None) -> Actor:
    if structure is None:
        return Actor(user=user)
    return Actor(user=user, membership=Membership.objects.get(user=user, structure=structure))


def inclusion_input(referent: User, **changes: Any) -> services.InclusionInput:
    values: dict[str, Any] = {
        "inclusion_date": timezone.localdate(),
        "gestational_age_weeks": 30,
        "gestational_age_days": 2,
        "birth_weight_g": 1350,
        "birth_length_cm": None,
        "birth_head_circumference_cm": None,
        "criteria": [InclusionCriterion.objects.get(code="moins-32-sa")],
        "referring_maternity": None,
        "referent_pediatrician": referent,
    }
    values.update(changes)
    return services.InclusionInput(**values)


@pytest.fixture
def actor(coordinator: User, structure: Structure) -> Actor:
    return actor_for(coordinator, structure)


@pytest.fixture
def make_newborn(coordinator: User, structure: Structure) -> Callable[..., Patient]:
    counter = iter(range(1000))

    def make(days_old: int = 110, **traits: Any) -> Patient:
        n = next(counter)
        values: dict[str, Any] = {
            "first_name": traits.pop("first_name", f"Lina{'x' * n}"),
            "birth_name": traits.pop("birth_name", f"Bébé{'y' * n}"),
            "birth_date": timezone.localdate() - datetime.timedelta(days=days_old),
        }
        values.update(traits)
        return create_test_patient(coordinator, structure, **values)

    return make


@pytest.fixture
def newborn(make_newborn: Callable[..., Patient]) -> Patient:
    return make_newborn(first_name="Lina", birth_name="Zéphyrin")


@pytest.fixture
def include_child(actor: Actor, coordinator: User) -> Callable[..., Inclusion]:
    def make(patient: Patient, **changes: Any) -> Inclusion:
        return services.include(actor, patient, inclusion_input(coordinator, **changes))

    return make


@pytest.fixture
def shipped(db: None) -> None:
    load_shipped()


def close_notebook(
    actor: Actor,
    patient: Patient,
    code: str,
    day: datetime.date,
    *,
    closing: bool = True,
    seed: int = 1,
    response: FormResponse | None = None,
) -> FormResponse:
    """The shipped notebook `code`, every item filled plausibly, consultation on `day`."""
    questionnaire = Questionnaire.objects.get(code=code)
    version = questionnaire.current_version()
    assert version is not None
    months = (day - patient.birth_date).days / 30.4375
    data = autofill(version.parsed(), day, months, random.Random(seed))  # noqa: S311 - test data
    if response is not None:
        version = response.questionnaire_version
        data["version"] = str(response.version)
    outcome = pathways.save_form(
        actor,
        patient,
        version,
        questionnaire.theme,
        data,
        {},
        closing=closing,
        response=response,
        expected_version=response.version if response else 0,
    )
    assert outcome.response is not None, outcome.result.errors
    assert not outcome.result.errors, outcome.result.errors
    return outcome.response
