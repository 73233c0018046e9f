"""iCalendar: one appointment's .ics and the personal feed, both parsed back with `icalendar`."""

from __future__ import annotations

import datetime

import icalendar
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda import services
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


def test_the_structures_agendas_join_the_feed_when_chosen(
    coordinator: User, member: User, structure: Structure, client_for, dossier
) -> None:
    soon = clock.today() + datetime.timedelta(days=2)
    colleague = actor_of(member, structure)
    book(colleague, soon, 9, title="Réunion d'équipe", users=[], structures=[structure])
    book(colleague, soon, 11, title="Entretien secret", users=[], structures=[structure], is_private=True)
    book(colleague, soon, 14, title="Visite", users=[], structures=[structure], patient=dossier)
    book(colleague, soon, 16, title="Chez le collègue", users=[member])
    client = client_for(coordinator)
    url = _feed_url(client)
    client.post(reverse("agenda:feed_settings"), {"action": "initiales", "initiales": "oui"})
    anonymous = client.__class__()
    assert _parse(anonymous.get(url).content).walk("VEVENT") == []
    client.post(reverse("agenda:feed_settings"), {"action": "structures", "structures": "oui"})
    response = anonymous.get(url)
    events = _parse(response.content).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Occupé", "Réunion d'équipe", "Visite"]
    text = response.content.decode()
    assert "Entretien secret" not in text and "Chez le collègue" not in text
    assert dossier.birth_name.upper() not in text.upper() and "(L. M.)" not in text  # not even initials
    assert f"Agenda de : {structure.name}" in str(
        next(e for e in events if str(e["summary"]) == "Visite")["description"]
    )
    client.post(reverse("agenda:feed_settings"), {"action": "structures", "structures": "non"})
    assert _parse(anonymous.get(url).content).walk("VEVENT") == []


def test_a_poll_with_the_current_etag_gets_304_until_the_agenda_changes(
    coordinator: User, structure: Structure, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    first = book(actor, clock.today() + datetime.timedelta(days=1), 9, title="Bilan")
    client = client_for(coordinator)
    url = _feed_url(client)
    anonymous = client.__class__()
    response = anonymous.get(url)
    etag = response["ETag"]
    assert etag and response["Last-Modified"] and response.status_code == 200
    unchanged = anonymous.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    services.edit_appointment(actor, first, {"title": "Bilan déplacé"}, services.attendees_of(first), 1)
    changed = anonymous.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Bilan déplacé" in changed.content.decode()
    services.delete_appointment(actor, first, 2)
    gone = anonymous.get(url, headers={"If-None-Match": changed["ETag"]})
    assert gone.status_code == 200 and "Bilan" not in gone.content.decode()


def test_the_feed_sends_a_changed_occurrence_with_recurrence_id_and_a_cancelled_one_as_exdate(
    coordinator: User, structure: Structure, client_for
) -> None:
    actor = actor_of(coordinator, structure)
    first = clock.today() + datetime.timedelta(days=1)
    week = datetime.timedelta(days=7)
    series = book(actor, first, 10, title="Staff", repeat="WEEKLY")
    services.move_occurrence(actor, series, first + week, clock.at(first + week, datetime.time(15)), 1)
    services.remove_occurrence(actor, series, first + 2 * week, 2)
    client = client_for(coordinator)
    url = _feed_url(client)
    events = _parse(client.__class__().get(url).content).walk("VEVENT")
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    (override,) = [e for e in events if "RECURRENCE-ID" in e]
    assert master["uid"] == override["uid"] == f"{series.public_id}@cordee"
    exdates = master["exdate"] if isinstance(master["exdate"], list) else [master["exdate"]]
    removed = [d.dt for e in exdates for d in e.dts]  # type: ignore[union-attr]
    assert removed == [clock.local(clock.at(first + 2 * week, datetime.time(10)))]
    assert override.decoded("recurrence-id") == clock.local(clock.at(first + week, datetime.time(10)))
    assert override.decoded("dtstart") == clock.local(clock.at(first + week, datetime.time(15)))
    assert len(events) == 2


def test_the_feed_follows_what_its_text_names_besides_the_appointments(
    coordinator: User, structure: Structure, client_for, dossier
) -> None:
    """The cached body and its ETag change when an event type is renamed (reference data), a
    commune is renamed, the patient's name gives other initials, the person's name changes —
    each changes the feed's text without changing an appointment."""
    from cordee.agenda.models import EventType
    from cordee.territory.models import Commune

    actor = actor_of(coordinator, structure)
    book(
        actor,
        clock.today() + datetime.timedelta(days=1),
        9,
        title="Pesée",
        patient=dossier,
        address="2 rue des Lilas",
        commune_id="06088",
    )
    client = client_for(coordinator)
    url = _feed_url(client)
    client.post(reverse("agenda:feed_settings"), {"action": "initiales", "initiales": "oui"})
    anonymous = client.__class__()
    etag = anonymous.get(url)["ETag"]

    def polled() -> str:
        nonlocal etag
        response = anonymous.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 200, "the text changed: not a 304"
        assert response["ETag"] != etag
        etag = response["ETag"]
        again = anonymous.get(url)  # and the cached body is the new one
        assert again["ETag"] == etag
        return str(again.content.decode())

    EventType.objects.filter(label="Prévention").update(label="Prévention santé")
    assert "CATEGORIES:Prévention santé" in polled()
    Commune.objects.filter(code="06088").update(name="Nice-sur-Mer")
    assert "Nice-sur-Mer" in polled()
    dossier.used_name = "Bernard"  # a name in use given later
    dossier.save()
    (event,) = _parse(polled().encode()).walk("VEVENT")
    assert str(event["summary"]) == "Pesée (L. B.)"
    type(coordinator).objects.filter(pk=coordinator.pk).update(last_name="Nouveau")
    assert "Cordée — NOUVEAU Claire" in polled()
    assert anonymous.get(url, headers={"If-None-Match": etag}).status_code == 304
