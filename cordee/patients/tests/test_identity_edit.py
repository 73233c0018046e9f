"""IDV-3..5 with SEC-4: editing the identity, a stale form never overwrites a newer one."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse

from cordee.activity.models import Event
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.models import IdentityStatus, Patient
from tests.factories import accept_current_terms, make_user

STALE = "Ce dossier a été modifié par quelqu'un d'autre"


def _edit_url(patient: Patient) -> str:
    return reverse("patients:identity_edit", kwargs={"public_id": patient.public_id})


def _snapshot(patient: Patient) -> tuple[object, ...]:
    stored = Patient.objects.get(pk=patient.pk)
    return (
        stored.birth_name,
        stored.first_name,
        stored.used_name,
        stored.birth_date,
        stored.identity_status,
        stored.nir,
        stored.version,
    )


@pytest.fixture
def coordinator_client(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def member_client(member, structure, client_for):
    return client_for(member, acting_as=structure)


def test_the_edit_form_opens_on_the_current_version(coordinator_client, dossier) -> None:
    response = coordinator_client.get(_edit_url(dossier))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="version" value="1"' in page
    assert 'value="Martin"' in page


def test_of_two_forms_opened_on_one_version_the_first_save_wins_and_the_second_is_refused(
    coordinator, member, structure, coordinator_client, member_client, dossier, form_payload
) -> None:
    first_page = coordinator_client.get(_edit_url(dossier))
    second_page = member_client.get(_edit_url(dossier))

    first = coordinator_client.post(
        _edit_url(dossier), form_payload(first_page, birth_name="Martin-Dupuis", used_name="Dupuis")
    )
    assert first.status_code == 302
    assert first["Location"] == reverse("patients:detail", kwargs={"public_id": dossier.public_id})
    stored = Patient.objects.get(pk=dossier.pk)
    assert (stored.birth_name, stored.used_name, stored.version) == ("Martin-Dupuis", "Dupuis", 2)
    assert stored.birth_name_key == "MARTIN DUPUIS"

    event = Event.objects.get(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED)
    assert event.data == {"fields": ["birth_name", "used_name"]}
    assert event.summary == "Identité modifiée : nom de naissance, nom utilisé"
    assert (event.created_by_id, event.structure_id) == (coordinator.pk, structure.pk)
    update = Access.objects.get(patient=dossier, action="update_identity")
    assert (update.user_id, update.structure_id, update.outcome) == (
        coordinator.pk,
        structure.pk,
        Access.Outcome.ALLOWED,
    )
    assert update.what == "birth_name, used_name"

    second = member_client.post(_edit_url(dossier), form_payload(second_page, first_name="Lucie"))
    assert second.status_code == 200
    assert STALE in html.unescape(second.content.decode())
    assert _snapshot(dossier)[:3] == ("Martin-Dupuis", "Léa", "Dupuis")
    assert Patient.objects.get(pk=dossier.pk).version == 2
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED).count() == 1
    assert Access.objects.filter(patient=dossier, action="update_identity").count() == 1
    # The refused writer still knocked at the door: that knock is journaled.
    assert Access.objects.filter(
        patient=dossier, user=member, action="edit_identity", outcome=Access.Outcome.ALLOWED
    ).exists()


def test_a_stale_form_is_refused_even_when_it_changes_nothing(
    coordinator_client, member_client, dossier, form_payload
) -> None:
    stale_page = member_client.get(_edit_url(dossier))
    fresh_page = coordinator_client.get(_edit_url(dossier))
    assert coordinator_client.post(_edit_url(dossier), form_payload(fresh_page, nir="")).status_code == 302
    before = _snapshot(dossier)
    response = member_client.post(_edit_url(dossier), form_payload(stale_page))
    assert STALE in html.unescape(response.content.decode())
    assert _snapshot(dossier) == before


def test_after_reloading_the_second_writer_can_save(
    coordinator_client, member_client, dossier, form_payload
) -> None:
    stale_page = member_client.get(_edit_url(dossier))
    coordinator_client.post(
        _edit_url(dossier), form_payload(coordinator_client.get(_edit_url(dossier)), used_first_name="Lili")
    )
    member_client.post(_edit_url(dossier), form_payload(stale_page, first_name="Lucie"))
    reloaded = member_client.get(_edit_url(dossier))
    assert 'name="version" value="2"' in reloaded.content.decode()
    assert (
        member_client.post(_edit_url(dossier), form_payload(reloaded, first_name="Lucie")).status_code == 302
    )
    stored = Patient.objects.get(pk=dossier.pk)
    assert (stored.first_name, stored.used_first_name, stored.version) == ("Lucie", "Lili", 3)


def test_a_form_without_its_version_is_refused(coordinator_client, dossier, form_payload) -> None:
    page = coordinator_client.get(_edit_url(dossier))
    response = coordinator_client.post(
        _edit_url(dossier), form_payload(page, birth_name="Autre", version=None)
    )
    assert STALE in html.unescape(response.content.decode())
    assert _snapshot(dossier)[0] == "Martin"


def test_validating_the_identity_records_an_identity_validated_event(
    coordinator_client, dossier, form_payload
) -> None:
    page = coordinator_client.get(_edit_url(dossier))
    response = coordinator_client.post(
        _edit_url(dossier),
        form_payload(
            page, identity_status="VALI", id_document="LIVRET_FAMILLE", id_document_checked_on="2025-01-10"
        ),
    )
    assert response.status_code == 302
    stored = Patient.objects.get(pk=dossier.pk)
    assert stored.identity_status == IdentityStatus.VALIDATED
    assert stored.id_document == "LIVRET_FAMILLE"
    assert stored.id_document_checked_on == datetime.date(2025, 1, 10)
    event = Event.objects.get(patient=dossier, kind=Event.Kind.IDENTITY_VALIDATED)
    assert event.summary == "Identité validée"
    assert set(event.data["fields"]) == {"identity_status", "id_document", "id_document_checked_on"}
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED).exists()
    detail = coordinator_client.get(response["Location"]).content.decode()
    assert "Identité validée" in detail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"id_document": "", "id_document_checked_on": "2025-01-10"},
            "Indiquez la pièce d'identité vérifiée",
        ),
        ({"id_document": "CNI", "id_document_checked_on": ""}, "Indiquez la date de vérification"),
        ({"id_document": "PERMIS", "id_document_checked_on": "2025-01-10"}, "Sélectionnez un choix valide"),
        ({"id_document": "CNI", "id_document_checked_on": "2099-01-01"}, "ne peut pas être dans le futur"),
        (
            {"id_document": "CNI", "id_document_checked_on": "2025-01-10", "birth_commune": "99999"},
            "Une identité validée ne peut pas comporter de valeur provisoire",
        ),
        (
            {"id_document": "CNI", "id_document_checked_on": "2025-01-10", "is_doubtful": "on"},
            "Une identité douteuse ou fictive ne peut pas être validée.",
        ),
    ],
)
def test_an_identity_is_not_validated_without_an_accepted_checked_document(
    coordinator_client, dossier, form_payload, changes: dict[str, str], message: str
) -> None:
    before = _snapshot(dossier)
    page = coordinator_client.get(_edit_url(dossier))
    response = coordinator_client.post(
        _edit_url(dossier), form_payload(page, identity_status="VALI", **changes)
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert _snapshot(dossier) == before
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.IDENTITY_VALIDATED).exists()


def test_a_circle_member_without_habilitation_gets_403_and_nothing_changes(
    dossier, client_for, form_payload, coordinator_client
) -> None:
    nurse = make_user(username="infirmiere", last_name="Soin", first_name="Inès")
    accept_current_terms(nurse)
    CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=False)
    page = coordinator_client.get(_edit_url(dossier))  # a genuine payload, posted by the wrong person
    before = _snapshot(dossier)

    client = client_for(nurse)
    assert client.get(_edit_url(dossier)).status_code == 403
    response = client.post(_edit_url(dossier), form_payload(page, birth_name="Pirate"))
    assert response.status_code == 403
    assert _snapshot(dossier) == before
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED).exists()
    refusals = Access.objects.filter(patient=dossier, user=nurse, action="edit_identity")
    assert refusals.count() == 2
    assert set(refusals.values_list("outcome", flat=True)) == {Access.Outcome.FORBIDDEN}


def test_a_stranger_gets_404_and_nothing_changes(
    stranger, dossier, client_for, form_payload, coordinator_client
) -> None:
    page = coordinator_client.get(_edit_url(dossier))
    before = _snapshot(dossier)
    client = client_for(stranger)
    assert client.get(_edit_url(dossier)).status_code == 404
    response = client.post(_edit_url(dossier), form_payload(page, birth_name="Pirate"))
    assert response.status_code == 404
    assert "Martin" not in response.content.decode()
    assert _snapshot(dossier) == before
    refusals = Access.objects.filter(patient=dossier, user=stranger, action="edit_identity")
    assert refusals.count() == 2
    assert set(refusals.values_list("outcome", flat=True)) == {Access.Outcome.NOT_FOUND}


def test_a_member_acting_as_themself_gets_404_and_nothing_changes(
    member, dossier, client_for, form_payload, coordinator_client
) -> None:
    page = coordinator_client.get(_edit_url(dossier))
    before = _snapshot(dossier)
    response = client_for(member).post(_edit_url(dossier), form_payload(page, birth_name="Pirate"))
    assert response.status_code == 404
    assert _snapshot(dossier) == before


def test_clearing_the_used_names_that_default_to_the_birth_names_records_no_change(
    coordinator_client, dossier, form_payload
) -> None:
    page = coordinator_client.get(_edit_url(dossier))
    response = coordinator_client.post(
        _edit_url(dossier), form_payload(page, used_name="", used_first_name="")
    )
    assert response.status_code == 302
    stored = Patient.objects.get(pk=dossier.pk)
    assert (stored.used_name, stored.used_first_name) == ("Martin", "Léa")
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.IDENTITY_CHANGED).exists()
