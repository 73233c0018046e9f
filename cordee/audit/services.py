from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from cordee.audit.models import Access
from cordee.core.actor import Actor


def journal(
    actor: Actor,
    patient: Any,
    action: str,
    outcome: str = Access.Outcome.ALLOWED,
    *,
    what: str = "",
    requested_id: str = "",
) -> Access:
    return Access.objects.create(
        user=actor.user,
        structure=actor.structure,
        patient=patient,
        action=action,
        outcome=outcome,
        what=what[:200],
        requested_id=requested_id or (str(patient.public_id) if patient is not None else ""),
    )


def journal_many(actor: Actor, patients: Iterable[Any], action: str, *, what: str = "") -> int:
    """One allowed access to each of several dossiers shown at once (the candidates of a search),
    written as a single multi-row INSERT whatever their number.

    Not `bulk_create`: outside a transaction it wraps its INSERT in BEGIN/COMMIT (three
    statements), while one statement is atomic on its own. Values are prepared by the model's
    fields, `at` included (auto_now_add), exactly as `save()` would.
    """
    rows = [
        Access(
            user=actor.user,
            structure=actor.structure,
            patient=patient,
            action=action,
            outcome=Access.Outcome.ALLOWED,
            what=what[:200],
            requested_id=str(patient.public_id),
        )
        for patient in patients
    ]
    if len(rows) <= 1:
        for row in rows:
            row.save()
        return len(rows)
    fields = [f for f in Access._meta.concrete_fields if not f.primary_key]
    values = [[f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields] for row in rows]
    table = connection.ops.quote_name(Access._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    with connection.cursor() as cursor:
        # Table and columns come from the model, quoted; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {placeholders}",  # noqa: S608
            [value for row in values for value in row],
        )
    return len(rows)
