from __future__ import annotations

from typing import Any

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
