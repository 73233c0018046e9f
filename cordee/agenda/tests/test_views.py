"""AGD-1 pages: the calendar (week, day, month), private events, patients through the policy,
refusals that change nothing, French messages, pinned query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.agenda.models import Appointment, EventType
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.audit.models import Access

DAY = datetime.date(2027, 1, 12)  # a Tuesday


def _week(client, *keys: str, day: datetime.date = DAY, view: str = "semaine"):
    query = "&".join([f"vue={view}", f"date={day.isoformat()}", *[f"voir={k}" for k in keys]])
    return client.get(reverse("agenda:calendar") + "?" + query)


def test_the_week_shows_my_appointments_at_their_quarter_hour(coordinator: User, client_for) -> None:
    book(actor_of(coordinator), DAY, 10, minutes=45, title="Visite à domicile")
    response = _week(client_for(coordinator))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Visite à domicile" in html
    assert "agd-t-40 agd-h-3" in html  # 10:00 is the 40th quarter, 45 minutes span three
    assert "11 janv. – 17 janv. 2027" in html
    assert 'style="' not in html


def test_the_agenda_title_names_the_structure_and_the_person(
    coordinator: User, structure: Structure, client_for
) -> None:
    html = client_for(coordinator, acting_as=structure).get(reverse("agenda:calendar")).content.decode()
    assert f"Agenda de : {structure.name}, {coordinator.display_name}" in html


def test_a_private_appointment_is_busy_for_a_colleague(
    coordinator: User, member: User, structure: Structure, client_for
) -> None:
    appointment = book(actor_of(coordinator), DAY, title="Rendez-vous perso", is_private=True)
    mine = _week(client_for(coordinator), f"p-{coordinator.public_id}").content.decode()
    assert "Rendez-vous perso" in mine
    theirs = _week(client_for(member, acting_as=structure), f"p-{coordinator.public_id}").content.decode()
    assert "Rendez-vous perso" not in theirs and "Occupé" in theirs
    page = client_for(member, acting_as=structure).get(reverse("agenda:detail", args=[appointment.public_id]))
    assert page.status_code == 200 and "Rendez-vous perso" not in page.content.decode()
    refused = client_for(member, acting_as=structure).post(
        reverse("agenda:cancel", args=[appointment.public_id]), {"version": "1"}
    )
    assert refused.status_code == 403
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CONFIRMED


def test_a_stranger_cannot_open_my_agenda_nor_my_appointment(
    coordinator: User, stranger: User, client_for
) -> None:
    appointment = book(actor_of(coordinator), DAY, title="RCP")
    client = client_for(stranger)
    html = _week(client, f"p-{coordinator.public_id}").content.decode()
    assert "RCP du" not in html and coordinator.display_name not in html
    assert client.get(reverse("agenda:detail", args=[appointment.public_id])).status_code == 404
    refused = client.post(reverse("agenda:delete", args=[appointment.public_id]), {"version": "1"})
    assert refused.status_code == 404
    assert Appointment.objects.get(pk=appointment.pk).deleted_at is None


def test_the_patient_is_named_only_to_who_may_see_the_dossier(
    coordinator: User,
    member: User,
    structure: Structure,
    maternity: Structure,
    dossier_of_other_structure,
    client_for,
) -> None:
    patient = dossier_of_other_structure
    book(actor_of(coordinator, maternity), DAY, title="Pesée", patient=patient, users=[coordinator])
    seen = _week(client_for(coordinator, acting_as=maternity), f"p-{coordinator.public_id}").content.decode()
    assert patient.display_name in seen
    assert Access.objects.filter(patient=patient, user=coordinator, what="agenda").exists()
    hidden = _week(client_for(member, acting_as=structure), f"p-{coordinator.public_id}").content.decode()
    assert "Pesée" in hidden and patient.display_name not in hidden


def test_several_agendas_side_by_side_in_the_day_view(
    coordinator: User, member: User, structure: Structure, client_for
) -> None:
    book(actor_of(coordinator), DAY, 9, title="Bilan A", users=[coordinator])
    book(actor_of(member), DAY, 9, title="Bilan B", users=[member])
    html = _week(
        client_for(coordinator, acting_as=structure),
        f"p-{coordinator.public_id}",
        f"p-{member.public_id}",
        view="jour",
    ).content.decode()
    assert "agd-cols-2" in html and "Bilan A" in html and "Bilan B" in html


def test_month_view_and_navigation(coordinator: User, client_for) -> None:
    book(actor_of(coordinator), DAY, title="Réunion RCP")
    html = _week(client_for(coordinator), view="mois").content.decode()
    assert "Janvier 2027" in html and "Réunion RCP" in html
    assert "date=2027-02-01" in html and "date=2026-12-01" in html


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "2027-02-31", "n'importe"])
def test_a_tampered_date_never_fails(coordinator: User, client_for, date: str) -> None:
    response = client_for(coordinator).get(reverse("agenda:calendar") + f"?date={date}&vue=mois")
    assert response.status_code == 200


def _form(coordinator: User, **changes: str) -> dict[str, str]:
    data = {
        "title": "Consultation",
        "event_type": str(EventType.objects.get(label="RCP").pk),
        "starts_at": "2027-01-12T10:00",
        "ends_at": "2027-01-12T11:00",
        "place_kind": "ADDRESS",
        "participants": f"p-{coordinator.public_id}",
        "repeat": "",
    }
    data.update(changes)
    return data


def test_create_from_the_form_and_warn_of_an_overlap(coordinator: User, client_for) -> None:
    client = client_for(coordinator)
    book(actor_of(coordinator), DAY, 10, title="Déjà là")
    response = client.post(reverse("agenda:create"), _form(coordinator), follow=True)
    assert Appointment.objects.filter(title="Consultation").exists()
    assert "Chevauchement" in response.content.decode() and "Déjà là" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_at": "2027-01-12T09:00"},
            "ends_at",
            "La fin du rendez-vous doit être postérieure à son début.",
        ),
        ({"starts_at": "2027-02-31T10:00"}, "starts_at", "ce jour n'existe pas"),
        ({"starts_at": "1850-01-01T10:00"}, "starts_at", "Veuillez indiquer une date entre le 01/01/1900"),
        ({"title": ""}, "title", "Veuillez indiquer le titre du rendez-vous."),
    ],
)
def test_bad_input_gets_a_french_message_and_nothing_is_written(
    coordinator: User, client_for, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(coordinator).post(reverse("agenda:create"), _form(coordinator, **changes))
    assert response.status_code == 200
    assert any(message in str(e) for e in response.context["form"].errors[field])
    assert not Appointment.objects.exists()


def test_a_participant_out_of_reach_is_refused(coordinator: User, stranger: User, client_for) -> None:
    response = client_for(coordinator).post(
        reverse("agenda:create"), _form(coordinator, participants=f"p-{stranger.public_id}")
    )
    assert response.status_code == 200 and not Appointment.objects.exists()


def test_edit_with_a_stale_version_is_refused(coordinator: User, client_for) -> None:
    appointment = book(actor_of(coordinator), DAY, title="Avant")
    client = client_for(coordinator)
    url = reverse("agenda:detail", args=[appointment.public_id])
    assert client.post(url, _form(coordinator, title="Premier", version="1")).status_code == 302
    stale = client.post(url, _form(coordinator, title="Second", version="1"))
    assert "modifié par quelqu'un d'autre" in " ".join(stale.context["form"].non_field_errors())
    assert Appointment.objects.get(pk=appointment.pk).title == "Premier"


def test_move_cancel_restore_delete(coordinator: User, client_for) -> None:
    appointment = book(actor_of(coordinator), DAY, minutes=30)
    client = client_for(coordinator)
    client.post(
        reverse("agenda:move", args=[appointment.public_id]), {"version": "1", "debut": "2027-01-13T15:00"}
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == at(DAY + datetime.timedelta(days=1), 15)
    assert appointment.ends_at == at(DAY + datetime.timedelta(days=1), 15, 30)
    client.post(reverse("agenda:cancel", args=[appointment.public_id]), {"version": "2"})
    appointment.refresh_from_db()
    assert appointment.is_cancelled
    client.post(reverse("agenda:restore", args=[appointment.public_id]), {"version": "3"})
    client.post(reverse("agenda:delete", args=[appointment.public_id]), {"version": "4"})
    appointment.refresh_from_db()
    assert not appointment.is_cancelled and appointment.deleted_at is not None
    assert client.get(reverse("agenda:detail", args=[appointment.public_id])).status_code == 404


def test_the_week_query_count_does_not_grow(
    coordinator: User, member: User, structure: Structure, client_for, django_assert_max_num_queries, dossier
) -> None:
    client = client_for(coordinator, acting_as=structure)
    keys = [f"s-{structure.public_id}", f"p-{coordinator.public_id}", f"p-{member.public_id}"]
    book(actor_of(coordinator, structure), DAY, 8, users=[coordinator], patient=dossier, is_private=True)
    _week(client, *keys)
    with django_assert_max_num_queries(14) as few:
        _week(client, *keys)
    for hour in range(8, 18):
        book(
            actor_of(coordinator, structure),
            DAY,
            hour,
            users=[coordinator, member],
            structures=[structure],
            patient=dossier,
            is_private=hour % 2 == 0,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _week(client, *keys).status_code == 200


def test_patient_search_offers_only_visible_dossiers(
    coordinator: User,
    member: User,
    structure: Structure,
    maternity: Structure,
    dossier_of_other_structure,
    client_for,
) -> None:
    url = reverse("agenda:patient_search") + "?q=mar"
    assert (
        dossier_of_other_structure.display_name
        in client_for(coordinator, acting_as=maternity).get(url).content.decode()
    )
    assert (
        dossier_of_other_structure.display_name
        not in client_for(member, acting_as=structure).get(url).content.decode()
    )
