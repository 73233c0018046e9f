from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from cordee.audit.chain import LISTING_ACTIONS, listing_digest
from cordee.audit.models import Access, ListedDossier
from cordee.core.actor import Actor
from cordee.core.text import clip_to
from cordee.patients.models import Patient


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
        what=clip_to(Access, "what", what),
        requested_id=requested_id or (str(patient.public_id) if patient is not None else ""),
    )


def journal_many(actor: Actor, patients: Iterable[Any], action: str, *, what: str = "") -> int:
    """One allowed access to each of several dossiers shown at once (the candidates of a search,
    a page of a list), written as a single multi-row INSERT whatever their number."""
    seen: dict[int, str] = {}
    for patient in patients:
        seen.setdefault(patient.pk, str(patient.public_id))
    return _insert(actor, [(pk, public_id) for pk, public_id in seen.items()], action, what)


def journal_listed(actor: Actor, patients: Iterable[Any], action: str, *, what: str = "") -> Access | None:
    """One allowed access to many dossiers read by one act (a bulk export's batch): a single
    sealed row naming them through `ListedDossier`, its `requested_id` the list's digest — two
    statements whatever their number (the seal's trigger runs once, not once a dossier). Each
    dossier's journal still shows the act ("Qui a consulté ce dossier")."""
    if action not in LISTING_ACTIONS:
        raise ValueError(f"{action} n'est pas une action qui nomme une liste de dossiers")
    pks = sorted({patient.pk for patient in patients})
    if not pks:
        return None
    with transaction.atomic():
        row = Access.objects.create(
            user=actor.user,
            structure=actor.structure,
            patient=None,
            action=action,
            outcome=Access.Outcome.ALLOWED,
            what=clip_to(Access, "what", what),
            requested_id=listing_digest(pks),
        )
        if connection.vendor == "postgresql":
            # One array parameter rather than two a dossier: the rows are written by the server.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_listeddossier (access_id, patient_id) SELECT %s, unnest(%s::bigint[])",
                    [row.pk, pks],
                )
        else:
            ListedDossier.objects.bulk_create([ListedDossier(access=row, patient_id=pk) for pk in pks])
    return row


def journal_shown(actor: Actor, public_ids: Iterable[Any], action: str, *, what: str = "") -> int:
    """The same, for dossiers known by their public id only (a picker's options): each row finds
    its dossier in the same INSERT (a sub-select), so it costs one statement, not two."""
    unique = list(dict.fromkeys(str(public_id) for public_id in public_ids))
    return _insert(actor, [(None, public_id) for public_id in unique], action, what)


def _insert(actor: Actor, shown: list[tuple[int | None, str]], action: str, what: str) -> int:
    """Not `bulk_create`: outside a transaction it wraps its INSERT in BEGIN/COMMIT (three
    statements), while one statement is atomic on its own. Values are prepared by the model's
    fields, `at` included (auto_now_add), exactly as `save()` would."""
    if not shown:
        return 0
    patient_field = Access._meta.get_field("patient")
    public_id_field = Patient._meta.get_field("public_id")
    fields = [f for f in Access._meta.concrete_fields if not f.primary_key]
    row = Access(
        user=actor.user,
        structure=actor.structure,
        action=action,
        outcome=Access.Outcome.ALLOWED,
        what=clip_to(Access, "what", what),
    )
    common = {f.attname: f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields}
    quote = connection.ops.quote_name
    pk_column = quote(Patient._meta.pk.column)
    by_public_id = (
        f"(SELECT {pk_column} FROM {quote(Patient._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(public_id_field.column)} = %s)"
    )
    placeholders: list[str] = []
    params: list[Any] = []
    for pk, public_id in shown:
        cells = []
        for f in fields:
            if f is patient_field and pk is None:
                cells.append(by_public_id)
                params.append(public_id_field.get_db_prep_value(uuid.UUID(public_id), connection))
            elif f is patient_field:
                cells.append("%s")
                params.append(pk)
            elif f.attname == "requested_id":
                cells.append("%s")
                params.append(public_id)
            else:
                cells.append("%s")
                params.append(common[f.attname])
        placeholders.append("(" + ", ".join(cells) + ")")
    table = connection.ops.quote_name(Access._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        # Table and columns come from the models, quoted; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join(placeholders)}",  # noqa: S608
            params,
        )
    return len(shown)
