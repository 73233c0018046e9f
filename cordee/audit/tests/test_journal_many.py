"""Several dossiers shown at once (the candidates of a search): one journal row each, written by
one statement whatever their number, with what `journal()` would have written."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cordee.accounts.models import Membership
from cordee.audit.models import Access
from cordee.audit.services import journal, journal_many
from cordee.core.actor import Actor
from cordee.patients.testing import create_test_patient


def test_journal_many_writes_one_row_per_dossier_in_one_statement(coordinator, structure) -> None:
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    patients = [create_test_patient(coordinator, structure, birth_name=f"Nom{n}") for n in range(3)]
    reference = journal(actor, patients[0], "identity_search", what="recherche avant création")

    with CaptureQueriesContext(connection) as context:
        written = journal_many(actor, patients, "identity_search", what="recherche avant création")
    assert written == 3
    assert len(context.captured_queries) == 1
    rows = list(Access.objects.filter(action="identity_search").exclude(pk=reference.pk).order_by("pk"))
    assert [row.patient_id for row in rows] == [p.pk for p in patients]
    for row, patient in zip(rows, patients, strict=True):
        assert (row.user_id, row.structure_id, row.outcome, row.what) == (
            reference.user_id,
            reference.structure_id,
            Access.Outcome.ALLOWED,
            reference.what,
        )
        assert row.requested_id == str(patient.public_id)
        assert row.at >= reference.at

    with CaptureQueriesContext(connection) as context:
        assert journal_many(actor, [], "identity_search") == 0
        assert journal_many(actor, patients[:1], "identity_search") == 1
    assert len(context.captured_queries) == 1
