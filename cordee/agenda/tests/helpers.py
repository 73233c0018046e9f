from __future__ import annotations

import datetime
from typing import Any

from cordee.accounts.models import Membership, Structure, User
from cordee.agenda import services
from cordee.agenda.models import Appointment, EventType
from cordee.core import clock
from cordee.core.actor import Actor


def actor_of(user: User, structure: Structure | None = None) -> Actor:
    if structure is None:
        return Actor(user=user)
    return Actor(user=user, membership=Membership.objects.get(user=user, structure=structure))


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return clock.at(day, datetime.time(hour, minute))


def book(
    actor: Actor,
    day: datetime.date,
    hour: int = 10,
    *,
    minutes: int = 60,
    users: list[User] | None = None,
    structures: list[Structure] | None = None,
    **fields: Any,
) -> Appointment:
    fields.setdefault("title", "Consultation")
    fields.setdefault("event_type", EventType.objects.get(label="Prévention"))
    start = at(day, hour)
    appointment = Appointment(starts_at=start, ends_at=start + datetime.timedelta(minutes=minutes), **fields)
    attendees = services.Attendees(users if users is not None else [actor.user], structures or [])
    services.create_appointment(actor, appointment, attendees)
    return appointment
