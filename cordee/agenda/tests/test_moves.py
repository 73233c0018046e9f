"""Moving an appointment from the week or day view (a drop posts the "Déplacer" form: a day and
a time) and editing one occurrence from its page: refusals change nothing, messages in French."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda import services
from cordee.agenda.models import Appointment, EventType, Participant
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.audit.models import Access
from cordee.notifications.models import Notification

DAY = datetime.date(2027, 1, 12)  # a Tuesday
NEXT = "/agenda/?vue=semaine&date=2027-01-12"


def _move(client, appointment: Appointment, **data: str):
    payload = {"version": str(appointment.version), "jour": "2027-01-14", "heure": "15:15", "next": NEXT}
    payload.update(data)
    return client.post(reverse("agenda:move", args=[appointment.public_id]), payload)


def _texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_drop_moves_it_and_comes_back_to_the_week(
    coordinator: User,
    member: User,
    structure: Structure,
    client_for,
    dossier,
    django_capture_on_commit_callbacks,
) -> None:
    appointment = book(
        actor_of(coordinator, structure), DAY, 10, minutes=45, users=[coordinator, member], patient=dossier
    )
    client = client_for(coordinator, acting_as=structure)
    with django_capture_on_commit_callbacks(execute=True):
        response = _move(client, appointment)
    assert response.status_code == 302 and response["Location"] == NEXT
    appointment.refresh_from_db()
    assert appointment.starts_at == at(datetime.date(2027, 1, 14), 15, 15)
    assert appointment.ends_at == at(datetime.date(2027, 1, 14), 16)
    assert appointment.version == 2
    assert set(Participant.objects.filter(appointment=appointment).values_list("starts_at", flat=True)) == {
        appointment.starts_at
    }
    assert Access.objects.filter(patient=dossier, action="appointment_changed").exists()
    assert Notification.objects.filter(recipient=member, kind="APPOINTMENT_CHANGED").exists()
    page = client.get(NEXT)
    assert "Le rendez-vous est déplacé au 14/01/2027 à 15:15." in _texts(page)


def test_an_overlap_is_shown_after_the_drop(coordinator: User, client_for) -> None:
    book(actor_of(coordinator), datetime.date(2027, 1, 14), 15, title="Déjà là")
    appointment = book(actor_of(coordinator), DAY, 10)
    page = client_for(coordinator).post(
        reverse("agenda:move", args=[appointment.public_id]),
        {"version": "1", "jour": "2027-01-14", "heure": "15:15", "next": NEXT},
        follow=True,
    )
    assert any("Chevauchement" in text and "Déjà là" in text for text in _texts(page))
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(datetime.date(2027, 1, 14), 15, 15)


def test_a_stale_version_is_refused_in_french_and_nothing_changes(coordinator: User, client_for) -> None:
    appointment = book(actor_of(coordinator), DAY, 10)
    client = client_for(coordinator)
    page = client.post(
        reverse("agenda:move", args=[appointment.public_id]),
        {"version": "0", "jour": "2027-01-14", "heure": "15:15", "next": NEXT},
        follow=True,
    )
    assert any("modifié par quelqu'un d'autre" in text for text in _texts(page))
    kept = Appointment.objects.get(pk=appointment.pk)
    assert kept.starts_at == at(DAY, 10) and kept.version == 1


def test_a_day_that_does_not_exist_is_refused_in_french(coordinator: User, client_for) -> None:
    appointment = book(actor_of(coordinator), DAY, 10)
    page = client_for(coordinator).post(
        reverse("agenda:move", args=[appointment.public_id]),
        {"version": "1", "jour": "2027-02-31", "heure": "10:00"},
        follow=True,
    )
    assert "Nouvelle date invalide : indiquez un jour et une heure existants." in _texts(page)
    assert Appointment.objects.get(pk=appointment.pk).version == 1


def test_another_user_cannot_move_it(
    coordinator: User, member: User, stranger: User, structure: Structure, client_for
) -> None:
    mine = book(actor_of(coordinator), DAY, 10, title="Perso", is_private=True)
    assert _move(client_for(stranger), mine).status_code == 404
    assert _move(client_for(member, acting_as=structure), mine).status_code == 403  # private: "Occupé"
    kept = Appointment.objects.get(pk=mine.pk)
    assert kept.starts_at == at(DAY, 10) and kept.version == 1
    assert not Participant.objects.exclude(starts_at=at(DAY, 10)).exists()


def test_a_next_elsewhere_is_not_followed(coordinator: User, client_for) -> None:
    appointment = book(actor_of(coordinator), DAY, 10)
    response = _move(client_for(coordinator), appointment, next="https://ailleurs.example/")
    assert response["Location"] == reverse("agenda:detail", args=[appointment.public_id])


def test_dropping_one_occurrence_of_a_series_moves_it_alone(coordinator: User, client_for) -> None:
    series = book(actor_of(coordinator), DAY, 10, repeat="WEEKLY", title="Staff")
    client = client_for(coordinator)
    _move(client, series, occurrence="2027-01-19", jour="2027-01-20", heure="08:00")
    override = Appointment.objects.get(series=series)
    assert override.starts_at == at(datetime.date(2027, 1, 20), 8)
    assert override.recurrence_id == at(datetime.date(2027, 1, 19), 10)
    html = client.get("/agenda/?vue=semaine&date=2027-01-19").content.decode()
    assert html.count("Staff") == 1 and "08:00–09:00" in html


def test_the_week_offers_drag_and_drop_only_on_what_one_may_move(
    coordinator: User, member: User, structure: Structure, client_for
) -> None:
    book(actor_of(coordinator), DAY, 10, title="Perso", is_private=True)
    book(actor_of(coordinator), DAY, 14, title="Ouvert", repeat="WEEKLY")
    mine = client_for(coordinator).get(f"/agenda/?vue=semaine&date={DAY}").content.decode()
    assert mine.count('draggable="true"') == 2 and 'data-agd-occurrence="2027-01-12"' in mine
    assert 'id="agd-move-form"' in mine and 'data-agd-day="2027-01-12"' in mine
    theirs = client_for(member, acting_as=structure).get(
        f"/agenda/?vue=semaine&date={DAY}&voir=p-{coordinator.public_id}"
    )
    assert theirs.content.decode().count('draggable="true"') == 1  # not the private one


def test_the_page_of_an_occurrence_edits_it_alone(coordinator: User, client_for) -> None:
    series = book(actor_of(coordinator), DAY, 10, repeat="WEEKLY", title="Staff")
    client = client_for(coordinator)
    url = reverse("agenda:detail", args=[series.public_id]) + "?occurrence=2027-01-19"
    page = client.get(url)
    html = page.content.decode()
    assert "Cette occurrence et les suivantes" in html and 'value="2027-01-19T10:00"' in html
    form = {
        "title": "Staff exceptionnel",
        "event_type": str(EventType.objects.get(label="RCP").pk),
        "starts_at": "2027-01-19T11:00",
        "ends_at": "2027-01-19T12:00",
        "place_kind": "ADDRESS",
        "participants": f"p-{coordinator.public_id}",
        "repeat": "WEEKLY",
        "version": "1",
        "portee": "occurrence",
        "occurrence": "2027-01-19",
    }
    assert client.post(url, form).status_code == 302
    override = Appointment.objects.get(series=series)
    assert override.title == "Staff exceptionnel" and override.repeat == ""
    series.refresh_from_db()
    assert series.title == "Staff" and series.exdates == ["2027-01-19"] and series.version == 2
    stale = client.post(url.replace("2027-01-19", "2027-01-26"), form | {"occurrence": "2027-01-26"})
    assert "modifié par quelqu'un d'autre" in " ".join(stale.context["form"].non_field_errors())
    assert Appointment.objects.filter(series=series).count() == 1


def test_cancel_from_an_occurrence_and_the_following(coordinator: User, client_for) -> None:
    series = book(actor_of(coordinator), DAY, 10, repeat="WEEKLY")
    client = client_for(coordinator)
    url = reverse("agenda:remove_occurrence", args=[series.public_id])
    client.post(url, {"version": "1", "occurrence": "2027-01-26", "portee": "suivantes"})
    series.refresh_from_db()
    assert series.repeat_until == datetime.date(2027, 1, 25) and series.version == 2
    refused = client.post(
        url, {"version": "1", "occurrence": "2027-01-19", "portee": "occurrence"}, follow=True
    )
    assert any("modifié par quelqu'un d'autre" in text for text in _texts(refused))
    assert Appointment.objects.get(pk=series.pk).exdates == []


def test_a_colleague_not_taking_part_cannot_change_an_occurrence_of_a_private_series(
    coordinator: User, member: User, stranger: User, structure: Structure, client_for
) -> None:
    series = book(actor_of(coordinator), DAY, 10, repeat="WEEKLY", title="Perso", is_private=True)
    detail = reverse("agenda:detail", args=[series.public_id]) + "?occurrence=2027-01-19"
    form = {"title": "Pris", "version": "1", "portee": "occurrence", "occurrence": "2027-01-19"}
    cancel = reverse("agenda:remove_occurrence", args=[series.public_id])
    colleague = client_for(member, acting_as=structure)
    assert colleague.post(detail, form).status_code == 403
    assert colleague.post(cancel, {"version": "1", "occurrence": "2027-01-19"}).status_code == 403
    assert client_for(stranger).post(detail, form).status_code == 404
    assert client_for(stranger).post(cancel, {"version": "1", "occurrence": "2027-01-19"}).status_code == 404
    kept = Appointment.objects.get(pk=series.pk)
    assert (kept.title, kept.version, kept.exdates) == ("Perso", 1, [])
    assert not Appointment.objects.filter(series=series).exists()


def test_the_page_of_a_moved_occurrence_changes_it_and_the_following(coordinator: User, client_for) -> None:
    actor = actor_of(coordinator)
    series = book(actor, DAY, 10, repeat="WEEKLY", title="Staff", repeat_until=datetime.date(2027, 2, 9))
    moved, _ = services.move_occurrence(
        actor, series, datetime.date(2027, 1, 19), at(datetime.date(2027, 1, 20), 14), 1
    )
    client = client_for(coordinator)
    url = reverse("agenda:detail", args=[moved.public_id])
    html = client.get(url).content.decode()
    assert "Cette occurrence et les suivantes" in html and 'name="version_serie" value="2"' in html
    form = {
        "title": "Staff (nouveau)",
        "event_type": str(moved.event_type_id),
        "starts_at": "2027-01-20T14:00",
        "ends_at": "2027-01-20T15:00",
        "place_kind": "ADDRESS",
        "participants": f"p-{coordinator.public_id}",
        "version": "1",
        "portee": "suivantes",
    }
    stale = client.post(url, form | {"version_serie": "1"})
    assert "modifié par quelqu'un d'autre" in " ".join(stale.context["form"].non_field_errors())
    assert client.post(url, form | {"version_serie": "2"}).status_code == 302
    series.refresh_from_db()
    moved.refresh_from_db()
    following = Appointment.objects.get(repeat="WEEKLY", title="Staff (nouveau)")
    assert series.repeat_until == datetime.date(2027, 1, 18) and series.title == "Staff"
    assert following.starts_at == at(datetime.date(2027, 1, 19), 10) and following.exdates == ["2027-01-19"]
    assert (moved.series, moved.title, moved.starts_at) == (
        following,
        "Staff (nouveau)",
        at(datetime.date(2027, 1, 20), 14),
    )
    # Without a scope, the moved occurrence's page changes it alone, as before.
    assert (
        client.post(url, form | {"portee": "", "version": str(moved.version), "title": "Seul"}).status_code
        == 302
    )
    assert Appointment.objects.get(pk=moved.pk).title == "Seul"
    assert Appointment.objects.get(pk=following.pk).title == "Staff (nouveau)"
