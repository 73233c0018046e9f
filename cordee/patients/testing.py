"""Helpers for tests that need a dossier made the way the application makes it."""

from __future__ import annotations

import datetime
from typing import Any

from cordee.accounts.models import Membership, Structure, User
from cordee.core.actor import Actor
from cordee.patients.models import Consent, Patient, Sex
from cordee.patients.services import ConsentInput, create_patient
from cordee.territory.models import FRANCE_CODE


def create_test_patient(user: User, structure: Structure, **traits: Any) -> Patient:
    membership = Membership.objects.get(user=user, structure=structure)
    values: dict[str, Any] = {
        "birth_name": "Martin",
        "first_name": "Léa",
        "birth_date": datetime.date(2024, 3, 14),
        "sex": Sex.FEMALE,
        "birth_country_id": FRANCE_CODE,
        "birth_commune_id": "06088",
        "commune_id": "06088",
    }
    values.update(traits)
    return create_patient(
        Actor(user=user, membership=membership),
        Patient(**values),
        ConsentInput(Consent.GivenBy.PARENTAL_AUTHORITY),
    )
