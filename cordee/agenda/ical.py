"""iCalendar (RFC 5545) for the calendars professionals already use (issue 18, beyond the seed).

Built with the `icalendar` library. What leaves Cordée this way is read by other software, on
phones, in other companies' clouds: no patient's name (initials only if the person chose so),
no notes; a private appointment is "Occupé" (CLASS:PRIVATE); times carry their Europe/Paris
zone (a VTIMEZONE is included), so a weekly series keeps its hour across the clocks' changes.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
import uuid

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from cordee.agenda.models import Appointment, FeedToken
from cordee.core import clock

PRODID = "-//Cordée//Agenda//FR"


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    return calendar


@functools.cache
def _detail_prefix() -> str:
    """agenda:detail's path before the id, reversed once (a `reverse()` per event was a twentieth
    of building the feed's 1,200 events)."""
    nothing = uuid.UUID(int=0)
    return reverse("agenda:detail", kwargs={"appointment_id": nothing}).removesuffix(f"{nothing}/")


def initials(appointment: Appointment) -> str:
    patient = appointment.patient
    if patient is None:
        return ""
    last = (patient.used_name or patient.birth_name or "")[:1]
    first = (patient.used_first_name or patient.first_name or "")[:1]
    return f"{first.upper()}. {last.upper()}." if first or last else ""


def vevent(
    appointment: Appointment,
    *,
    details: bool,
    show_initials: bool = False,
    base_url: str = "",
    overridden: set[str] | frozenset[str] = frozenset(),
    as_override: bool = True,
    agenda: str = "",
) -> VEvent:
    """One VEVENT. A series' days in `overridden` (its occurrences changed on their own, sent in
    the same calendar) are not EXDATEs: the override carries the series' UID and the
    RECURRENCE-ID of the occurrence it replaces (RFC 5545 3.8.4.4); the other days taken out
    are EXDATEs. `as_override=False` sends an override as an appointment of its own (one
    occurrence downloaded alone)."""
    event = VEvent()
    series = appointment.series if as_override and appointment.series_id is not None else None
    event.add("uid", f"{(series or appointment).public_id}@cordee")
    event.add("dtstamp", appointment.updated_at or timezone.now())
    if series is not None and appointment.recurrence_id is not None:
        if series.all_day:
            event.add("recurrence-id", clock.date_of(appointment.recurrence_id))
        else:
            event.add("recurrence-id", clock.local(appointment.recurrence_id))
    if appointment.all_day:
        first = clock.date_of(appointment.starts_at)
        last = clock.date_of(appointment.ends_at)
        event.add("dtstart", first)
        event.add("dtend", max(last, first + datetime.timedelta(days=1)))
    else:
        event.add("dtstart", clock.local(appointment.starts_at))
        event.add("dtend", clock.local(appointment.ends_at))
    if details:
        summary = appointment.title
        if show_initials and initials(appointment):
            summary += f" ({initials(appointment)})"
        event.add("summary", summary)
        event.add("categories", [appointment.event_type.label])
        if appointment.place_kind == Appointment.Place.TELECONSULTATION:
            event.add("location", "Téléconsultation")
        elif appointment.address or appointment.commune_id:
            commune = appointment.commune.name if appointment.commune is not None else ""
            event.add("location", ", ".join(part for part in (appointment.address, commune) if part))
        if base_url:
            link = f"{base_url}{_detail_prefix()}{appointment.public_id}/"
            agenda_line = f"Agenda de : {agenda}\n" if agenda else ""
            event.add(
                "description", f"{agenda_line}Type : {appointment.event_type.label}\nDans Cordée : {link}"
            )
            event.add("url", link)
    else:
        event.add("summary", "Occupé")
    event.add("class", "PRIVATE" if appointment.is_private else "PUBLIC")
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if appointment.is_cancelled else "CONFIRMED")
    event.add("sequence", appointment.version - 1)
    if appointment.is_recurring:
        rule: dict[str, object] = {"freq": appointment.repeat}
        if appointment.repeat_until is not None:
            # RFC 5545 3.3.10: with a zoned DTSTART, UNTIL is given in UTC.
            end_of_day = clock.at(appointment.repeat_until, datetime.time(23, 59, 59))
            rule["until"] = (
                end_of_day.astimezone(datetime.UTC) if not appointment.all_day else appointment.repeat_until
            )
        event.add("rrule", vRecur(rule))
        start = clock.local(appointment.starts_at)
        for day in appointment.exdates or []:
            if day in overridden:
                continue
            removed = datetime.date.fromisoformat(day)
            event.add("exdate", removed if appointment.all_day else clock.at(removed, start.time()))
    return event


def finish(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


# --- the personal feed's secret ---------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user_id: int) -> str:
    """A new secret for the person's feed, replacing any previous one (which stops working)."""
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(user_id=user_id, defaults={"token_hash": _digest(token)})
    return token


def revoke_token(user_id: int) -> None:
    FeedToken.objects.filter(user_id=user_id).delete()


def holder_of(token: str) -> FeedToken | None:
    if not token or len(token) > 100:
        return None
    return (
        FeedToken.objects.select_related("user")
        .filter(token_hash=_digest(token), user__is_active=True)
        .first()
    )
