"""Issue 24 in the agenda: a tampered patient or commune in the appointment form is a French
error beside its field — the form given back never looks it up as it came (a malformed dossier
id was a 500 on both databases, a NUL byte in the commune one on PostgreSQL) — and nothing is
written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.accounts.models import User
from cordee.agenda.models import Appointment
from cordee.agenda.tests.test_views import _form


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient": "0"}, "patient"),
        ({"patient": "\x00"}, "patient"),
        ({"patient": str(2**70)}, "patient"),
        ({"patient": "x" * 10_000}, "patient"),
        ({"commune": "\x00"}, "commune"),
        ({"commune": "06\x00088"}, "commune"),
        ({"commune": "9" * 60}, "commune"),
        ({"commune_search": "\x00"}, "commune"),
    ],
)
def test_a_tampered_patient_or_commune_is_refused_beside_its_field(
    coordinator: User, client_for, changes: dict[str, str], field: str
) -> None:
    response = client_for(coordinator).post(reverse("agenda:create"), _form(coordinator, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Appointment.objects.exists()
