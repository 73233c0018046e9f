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

pytestmark = pytest.mark.django_db


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


def test_removing_an_occurrence_of_a_dossiers_series_is_journaled_in_a_code_that_fits(
    coordinator: User, structure, dossier
) -> None:
    """The journal's code was "appointment_retiré le 29/03/2027 de la série", 46 characters in a
    column of 40: a 500 on PostgreSQL."""
    import datetime

    from cordee.agenda import services
    from cordee.agenda.tests.helpers import book
    from cordee.audit.models import Access
    from cordee.audit.wording import SENTENCES
    from cordee.tasks.tests.helpers import actor_for

    actor = actor_for(coordinator, structure)
    monday = datetime.date(2027, 3, 22)
    series = book(
        actor, monday, 10, repeat="WEEKLY", repeat_until=datetime.date(2027, 4, 12), patient=dossier
    )
    services.remove_occurrence(actor, series, datetime.date(2027, 3, 29), series.version)
    row = Access.objects.filter(patient=dossier, action="appointment_occurrence_removed").get()
    assert row.what == str(series.public_id)
    assert all(len(code) <= 40 for code in SENTENCES)
