"""AGD-1 services: validation, version check, soft delete, patient through the policy, overlaps."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cordee.accounts.models import Structure, User
from cordee.activity.models import Event
from cordee.agenda import services
from cordee.agenda.models import Appointment, EventType, Participant
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.audit.models import Access
from cordee.notifications.models import Notification

DAY = datetime.date(2027, 1, 12)


def test_the_seed_event_types_are_reference_data_with_a_colour(db: None) -> None:
    labels = list(EventType.objects.values_list("label", "colour"))
    assert [label for label, _ in labels] == [
        "Prévention",
        "RCP",
        "RCV Adulte",
        "RCV Enfants",
        "RCV Personnes âgées",
    ]
    assert all(colour for _, colour in labels)


def test_an_appointment_sits_in_its_participants_agendas(
    coordinator: User, member: User, structure: Structure
) -> None:
    actor = actor_of(coordinator, structure)
    appointment = book(actor, DAY, users=[coordinator, member], structures=[structure])
    rows = Participant.objects.filter(appointment=appointment)
    assert rows.count() == 3
    assert {row.starts_at for row in rows} == {appointment.starts_at}
    assert appointment.structure == structure and appointment.created_by == coordinator


def test_end_before_start_is_refused_in_french_and_nothing_is_written(coordinator: User) -> None:
    actor = actor_of(coordinator)
    appointment = Appointment(
        title="RCP",
        event_type=EventType.objects.get(label="RCP"),
        starts_at=at(DAY, 10),
        ends_at=at(DAY, 9),
    )
    with pytest.raises(ValidationError) as raised:
        services.create_appointment(actor, appointment, services.Attendees([coordinator], []))
    assert raised.value.message_dict["ends_at"] == [
        "La fin du rendez-vous doit être postérieure à son début."
    ]
    assert not Appointment.objects.exists()


def test_a_date_out_of_the_project_bounds_is_refused(coordinator: User) -> None:
    appointment = Appointment(
        title="RCP",
        event_type=EventType.objects.get(label="RCP"),
        starts_at=at(datetime.date(1850, 1, 1), 10),
        ends_at=at(datetime.date(1850, 1, 1), 11),
    )
    with pytest.raises(ValidationError) as raised:
        services.create_appointment(actor_of(coordinator), appointment, services.Attendees([coordinator], []))
    assert "01/01/1900" in raised.value.message_dict["starts_at"][0]
    assert not Appointment.objects.exists()


def test_a_stranger_agenda_is_refused_as_participant(coordinator: User, stranger: User) -> None:
    with pytest.raises(ValidationError) as raised:
        book(actor_of(coordinator), DAY, users=[stranger])
    assert "participants" in raised.value.message_dict
    assert not Appointment.objects.exists()


def test_a_colleague_may_book_in_my_agenda_and_i_am_told(
    coordinator: User, member: User, structure: Structure, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        book(actor_of(member, structure), DAY, users=[coordinator], title="Bilan")
    told = Notification.objects.get(recipient=coordinator)
    assert told.kind == "APPOINTMENT_ADDED" and told.data["label"] == "Bilan"
    assert not Notification.objects.filter(recipient=member).exists()  # not told of one's own change


def test_a_private_appointment_is_told_as_busy(
    coordinator: User, member: User, structure: Structure, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        book(actor_of(member, structure), DAY, users=[coordinator, member], title="Secret", is_private=True)
    assert Notification.objects.get(recipient=coordinator).data["label"] == "Occupé"


def test_a_patient_must_be_a_dossier_the_author_may_see(
    member: User, structure: Structure, dossier_of_other_structure
) -> None:
    with pytest.raises(ValidationError) as raised:
        book(actor_of(member, structure), DAY, users=[member], patient=dossier_of_other_structure)
    assert raised.value.message_dict["patient"] == [
        "Vous ne pouvez lier qu'un dossier que vous pouvez consulter."
    ]
    assert not Appointment.objects.exists()


def test_a_patient_appointment_enters_the_dossier_story_and_journal(
    coordinator: User, structure: Structure, dossier
) -> None:
    appointment = book(actor_of(coordinator, structure), DAY, patient=dossier, title="Pesée", is_private=True)
    event = Event.objects.get(patient=dossier, kind=Event.Kind.APPOINTMENT)
    assert "Pesée" not in event.summary and "privé" in event.summary  # the circle reads the feed
    assert Access.objects.filter(patient=dossier, action="appointment_added", what=str(appointment.public_id))


def test_a_stale_version_is_refused_and_nothing_changes(coordinator: User) -> None:
    actor = actor_of(coordinator)
    appointment = book(actor, DAY, title="Avant")
    services.edit_appointment(actor, appointment, {"title": "Premier"}, services.attendees_of(appointment), 1)
    stale = Appointment.objects.get(pk=appointment.pk)
    with pytest.raises(services.StaleAppointmentError):
        services.edit_appointment(actor, stale, {"title": "Second"}, services.attendees_of(stale), 1)
    assert Appointment.objects.get(pk=appointment.pk).title == "Premier"


def test_move_keeps_the_duration_and_the_participant_rows_follow(coordinator: User) -> None:
    actor = actor_of(coordinator)
    appointment = book(actor, DAY, minutes=45)
    services.move_appointment(actor, appointment, at(DAY + datetime.timedelta(days=1), 14), 1)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(DAY + datetime.timedelta(days=1), 14)
    assert appointment.ends_at == at(DAY + datetime.timedelta(days=1), 14, 45)
    assert Participant.objects.get(appointment=appointment).starts_at == appointment.starts_at


def test_cancel_keeps_the_row_and_delete_is_soft(coordinator: User) -> None:
    actor = actor_of(coordinator)
    appointment = book(actor, DAY)
    services.cancel_appointment(actor, appointment, 1)
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CANCELLED
    services.delete_appointment(actor, appointment, 2)
    kept = Appointment.objects.get(pk=appointment.pk)
    assert kept.deleted_at is not None and kept.deleted_by == coordinator
    assert not Participant.objects.filter(appointment=appointment, is_live=True).exists()
    with pytest.raises(services.StaleAppointmentError):  # a deleted one is changed no more
        services.cancel_appointment(actor, kept, kept.version)


def test_an_overlap_is_warned_not_blocked(coordinator: User, member: User, structure: Structure) -> None:
    actor = actor_of(coordinator, structure)
    book(actor, DAY, 10, minutes=60, title="RCP du mardi", users=[coordinator])
    clash = Appointment(
        title="Visite",
        event_type=EventType.objects.get(label="Prévention"),
        starts_at=at(DAY, 10, 30),
        ends_at=at(DAY, 11, 30),
    )
    warnings = services.create_appointment(actor, clash, services.Attendees([coordinator, member], []))
    assert warnings == [f"{coordinator.display_name} a déjà « RCP du mardi » le 12/01/2027 à 10:00."]
    assert Appointment.objects.count() == 2
    after = Appointment(
        title="Après",
        event_type=EventType.objects.get(label="Prévention"),
        starts_at=at(DAY, 11, 30),
        ends_at=at(DAY, 12),
    )
    assert services.create_appointment(actor, after, services.Attendees([coordinator], [])) == []
