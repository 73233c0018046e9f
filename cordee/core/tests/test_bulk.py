"""`core.bulk.insert_rows`: many rows in one statement (PostgreSQL) or in batches under SQLite's
limit of parameters, with the shared values, the model's defaults and the new ids."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cordee.core.bulk import insert_rows
from cordee.core.models import OutgoingMail

pytestmark = pytest.mark.django_db


def test_rows_get_the_shared_values_the_defaults_and_their_ids() -> None:
    now = timezone.now()
    # 250 rows of 13 columns: past SQLite's 999 parameters, so batched there.
    rows = [(uuid.uuid4(), f"pro{n}@example.org") for n in range(250)]
    with CaptureQueriesContext(connection) as statements:
        ids = insert_rows(
            OutgoingMail,
            ("public_id", "to"),
            rows,
            {"subject": "Cordée — essai", "params": {"kind": "X"}},
            returning=True,
        )

    if connection.vendor == "postgresql":
        assert len(statements) == 1
    else:
        assert len(statements) == -(-250 // (999 // 13))
    assert len(set(ids)) == 250 and set(ids) == set(OutgoingMail.objects.values_list("pk", flat=True))
    assert set(OutgoingMail.objects.values_list("public_id", "to")) == set(rows)
    assert set(OutgoingMail.objects.values_list("subject", "body", "state", "attempts")) == {
        ("Cordée — essai", "", OutgoingMail.State.PENDING, 0)
    }
    assert all(params == {"kind": "X"} for params in OutgoingMail.objects.values_list("params", flat=True))
    # The defaults computed once (`auto_now_add` and `timezone.now`: one moment); no claim yet.
    assert OutgoingMail.objects.values("created_at", "next_attempt_at").distinct().count() == 1
    assert OutgoingMail.objects.filter(created_at__gte=now, claimed_at=None, sent_at=None).count() == 250


def test_nothing_to_insert_asks_nothing(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert insert_rows(OutgoingMail, ("to",), [], returning=True) == []
