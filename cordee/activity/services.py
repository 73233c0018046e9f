from __future__ import annotations

from typing import Any

from cordee.activity.models import Event
from cordee.core.actor import Actor


def record_event(
    actor: Actor,
    patient: Any,
    kind: str,
    summary: str,
    *,
    importance: str = Event.Importance.NORMAL,
    **data: Any,
) -> Event:
    """Called by services inside their transaction, so the story and the change land together."""
    return Event.objects.create(
        patient=patient,
        kind=kind,
        summary=summary,
        data=data,
        importance=importance,
        created_by=actor.user,
        structure=actor.structure,
    )
