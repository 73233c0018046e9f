"""iCalendar: one appointment's .ics and the personal feed, both parsed back with `icalendar`."""

from __future__ import annotations

import datetime

import icalendar
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda.models import FeedToken
from cordee.agenda.tests.helpers import actor_of, book
from cordee.core import clock

SPRING = datetime.date(2027, 3, 22)


def _parse(content: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    return calendar


def test_one_appointment_downloads_as_valid_ics(
    coordinator: User, client_for, dossier, structure: Structure
) -> None:
    appointment = book(
        actor_of(coordinator, structure), SPRING, 10, title="Bilan", patient=dossier, repeat="WEEKLY"
    )
    response = client_for(coordinator).get(reverse("agenda:ics", args=[appointment.public_id]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = _parse(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Bilan"
    assert event["uid"] == f"{appointment.public_id}@cordee"
    assert event.decoded("dtstart") == clock.local(appointment.starts_at)
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Paris"
    assert event.decoded("rrule") == {"FREQ": ["WEEKLY"]}
    assert calendar.walk("VTIMEZONE"), "the Paris zone travels with the file"
    assert dossier.birth_name.upper() not in response.content.decode().upper()


def _feed_url(client) -> str:
    response = client.post(reverse("agenda:feed_settings"), {"action": "generer"})
    return str(response.context["url"])


def test_the_feed_opens_with_its_token_only(
    coordinator: User, member: User, structure: Structure, client_for, dossier
) -> None:
    actor = actor_of(coordinator, structure)
    book(actor, clock.today() + datetime.timedelta(days=2), 10, title="Visite", patient=dossier)
    book(actor, clock.today() + datetime.timedelta(days=3), 10, title="Perso secret", is_private=True)
    book(
        actor_of(member, structure),
        clock.today() + datetime.timedelta(days=3),
        12,
        title="Pas à moi",
        users=[member],
    )
    client = client_for(coordinator)
    url = _feed_url(client)
    assert FeedToken.objects.get(user=coordinator).token_hash not in url  # only the hash is kept
    anonymous = client_for(member).__class__()
    response = anonymous.get(url)
    assert response.status_code == 200
    calendar = _parse(response.content)
    summaries = sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Occupé", "Visite"]
    text = response.content.decode()
    assert dossier.birth_name.upper() not in text.upper() and "Perso secret" not in text
    private = next(e for e in calendar.walk("VEVENT") if str(e["summary"]) == "Occupé")
    assert private["class"] == "PRIVATE"
    assert anonymous.get(url.replace("/flux/", "/flux/x")).status_code == 404


def test_a_regenerated_token_replaces_the_old_one_and_a_revoked_one_is_dead(
    coordinator: User, client_for
) -> None:
    client = client_for(coordinator)
    first = _feed_url(client)
    second = client.post(reverse("agenda:feed_settings"), {"action": "regenerer"}).context["url"]
    anonymous = client.__class__()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    client.post(reverse("agenda:feed_settings"), {"action": "revoquer"})
    assert anonymous.get(second).status_code == 404
    assert not FeedToken.objects.exists()


def test_initials_only_when_chosen(coordinator: User, structure: Structure, client_for, dossier) -> None:
    book(
        actor_of(coordinator, structure),
        clock.today() + datetime.timedelta(days=1),
        9,
        title="Pesée",
        patient=dossier,
    )
    client = client_for(coordinator)
    url = _feed_url(client)
    client.post(reverse("agenda:feed_settings"), {"action": "initiales", "initiales": "oui"})
    (event,) = _parse(client.__class__().get(url).content).walk("VEVENT")
    assert str(event["summary"]) == "Pesée (L. M.)"
