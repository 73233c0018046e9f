"""DOS-2 status and closing, DOS-3 death, DOS-4 hospitalisations, DOS-5 favourites, DOS-6 links."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cordee.activity.models import Event
from cordee.careteam.models import CircleMember
from cordee.patients import dossier_services
from cordee.patients.models import (
    DischargeReason,
    DossierStatus,
    Favourite,
    Hospitalisation,
    PatientLink,
    RelationType,
)
from cordee.patients.testing import create_test_patient


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _url(name: str, patient, **extra) -> str:
    return reverse(f"patients:{name}", kwargs={"public_id": patient.public_id, **extra})


def test_discharge_needs_a_reason_from_the_list(acting, dossier) -> None:
    response = acting.post(_url("status", dossier), {"status": "DISCHARGED", "version": dossier.version})
    assert "Veuillez choisir le motif de sortie." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACTIVE

    reason = DischargeReason.objects.get(label="Perdu de vue")
    response = acting.post(
        _url("status", dossier), {"status": "DISCHARGED", "reason": reason.pk, "version": dossier.version}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DISCHARGED
    assert dossier.discharge_reason == reason
    event = Event.objects.get(patient=dossier, kind=Event.Kind.STATUS_CHANGED)
    assert "Perdu de vue" in event.summary


def test_the_closing_checklist_must_be_confirmed_when_work_is_open(acting, dossier, monkeypatch) -> None:
    monkeypatch.setattr(dossier_services, "CLOSING_CHECKS", [lambda patient: ["1 formulaire en cours"]])
    reason = DischargeReason.objects.get(label="Perdu de vue")
    data = {"status": "DISCHARGED", "reason": reason.pk, "version": dossier.version}
    page = acting.post(_url("status", dossier), data).content.decode()
    assert "1 formulaire en cours" in page
    assert "confirmez la clôture" in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACTIVE
    acting.post(_url("status", dossier), {**data, "checklist_confirmed": "on"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DISCHARGED


def test_a_stale_status_form_changes_nothing(acting, dossier) -> None:
    stale = dossier.version
    acting.post(_url("status", dossier), {"status": "ARCHIVED", "version": stale})
    response = acting.post(_url("status", dossier), {"status": "ACTIVE", "version": stale})
    assert "modifié par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ARCHIVED


def test_forbidden_transitions_are_explained(acting, dossier) -> None:
    response = acting.post(_url("status", dossier), {"status": "ACTIVE", "version": dossier.version})
    assert "ne peut pas passer au statut" in response.content.decode()


def test_death_declaration_with_unknown_date(acting, dossier) -> None:
    today = timezone.localdate()
    response = acting.post(
        _url("death", dossier),
        {
            "death_date_unknown": "on",
            "declared_on": today.isoformat(),
            "country": "99100",
            "place": "DOMICILE",
            "version": dossier.version,
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECEASED
    assert dossier.death_date is None
    assert dossier.death_date_unknown
    event = Event.objects.get(patient=dossier, kind=Event.Kind.DEATH_DECLARED)
    assert event.importance == Event.Importance.VERY_IMPORTANT
    page = acting.get(_url("detail", dossier)).content.decode()
    assert "date non connue" in page
    assert "Déclarer le décès" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"death_date": "", "declared_on": "2025-01-02", "place": "DOMICILE"}, "ou cocher « Non connu »"),
        ({"death_date": "2099-01-01", "declared_on": "2099-01-02", "place": "DOMICILE"}, "dans le futur"),
        (
            {"death_date": "2020-01-01", "declared_on": "2025-01-02", "place": "DOMICILE"},
            "précéder la date de naissance",
        ),
        (
            {"death_date": "2025-01-05", "declared_on": "2025-01-02", "place": "DOMICILE"},
            "ne peut pas précéder le décès",
        ),
        (
            {"death_date": "2025-01-01", "declared_on": "2025-01-02", "place": ""},
            "Veuillez indiquer le lieu du décès.",
        ),
    ],
)
def test_bad_death_declarations_are_refused(acting, dossier, data: dict[str, str], message: str) -> None:
    response = acting.post(_url("death", dossier), {**data, "country": "99100", "version": dossier.version})
    assert response.status_code == 200
    assert message in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACTIVE


def test_hospitalisations_past_and_planned(acting, dossier, maternity) -> None:
    future = timezone.localdate() + datetime.timedelta(days=10)
    acting.post(
        _url("hospitalisation_add", dossier),
        {
            "establishment_name": "CHU de Nice",
            "unit": "Néonatologie",
            "start_date": "2024-03-14",
            "end_date": "2024-04-01",
            "reason": "Prématurité",
        },
    )
    acting.post(
        _url("hospitalisation_add", dossier),
        {"establishment": maternity.pk, "start_date": future.isoformat(), "is_programmed": "on"},
    )
    stays = Hospitalisation.objects.filter(patient=dossier)
    assert stays.count() == 2
    page = acting.get(_url("detail", dossier)).content.decode()
    assert "CHU de Nice" in page
    assert "à venir" in page
    assert "programmée" in page
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.HOSPITALISATION_ADDED).count() == 2


def test_hospitalisation_bad_input(acting, dossier) -> None:
    response = acting.post(
        _url("hospitalisation_add", dossier), {"start_date": "2024-05-01", "end_date": "2024-04-01"}
    )
    page = response.content.decode()
    assert "Veuillez choisir l&#x27;établissement ou saisir son nom." in page
    assert "La date de sortie ne peut pas précéder la date d&#x27;entrée." in page
    assert not Hospitalisation.objects.exists()


def test_cancelling_a_stay_keeps_it(acting, dossier) -> None:
    stay = Hospitalisation.objects.create(
        patient=dossier, establishment_name="CHU", start_date=datetime.date(2025, 1, 1)
    )
    acting.post(_url("hospitalisation_cancel", dossier, stay_id=stay.public_id))
    stay.refresh_from_db()
    assert stay.cancelled_at is not None
    assert (
        "CHU"
        not in acting.get(_url("detail", dossier)).content.decode().split("3. Hospitalisations")[1][:400]
    )


def test_favourites_are_personal(acting, coordinator, dossier, member, structure, client_for) -> None:
    acting.post(_url("favourite", dossier))
    assert Favourite.objects.filter(user=coordinator, patient=dossier).exists()
    listing = acting.get(reverse("patients:list")).content.decode()
    assert 'aria-label="Favori"' in listing
    other = client_for(member, acting_as=structure).get(reverse("patients:list")).content.decode()
    assert 'aria-label="Favori"' not in other
    acting.post(_url("favourite", dossier))
    assert not Favourite.objects.exists()


def test_linked_dossiers_read_both_ways(acting, coordinator, structure, dossier) -> None:
    brother = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    relation = RelationType.objects.get(label="Parent")
    search = acting.get(_url("link_add", dossier), {"q": "martin"}).content.decode()
    assert str(brother.public_id) in search
    acting.post(
        _url("link_add", dossier) + "?q=martin", {"other": brother.public_id, "relation": relation.pk}
    )
    link = PatientLink.objects.get()
    assert (link.from_patient, link.to_patient) == (dossier, brother)
    # The dossier is the parent: its page shows the child, the child's page shows the parent.
    assert "Enfant : " in acting.get(_url("detail", dossier)).content.decode()
    assert "Parent : " in acting.get(_url("detail", brother)).content.decode()
    again = acting.post(_url("link_add", dossier), {"other": brother.public_id, "relation": relation.pk})
    assert "déjà liés" in again.content.decode()
    acting.post(_url("link_remove", dossier, link_id=link.public_id))
    link.refresh_from_db()
    assert link.removed_at is not None


def test_a_dossier_one_cannot_open_cannot_be_linked(acting, dossier, dossier_of_other_structure) -> None:
    CircleMember.objects.filter(patient=dossier_of_other_structure).update(is_habilitated=False)
    relation = RelationType.objects.get(label="Parent")
    response = acting.post(
        _url("link_add", dossier), {"other": dossier_of_other_structure.public_id, "relation": relation.pk}
    )
    assert "vous n&#x27;y avez pas accès" in response.content.decode()
    assert not PatientLink.objects.exists()


def test_the_closing_checklist_lists_the_open_forms_and_tasks(
    acting, coordinator, structure, dossier
) -> None:
    """DOS-2: the seed's checklist — forms not closed, tasks neither "Traité" nor "Annulé"."""
    from cordee.pathways.testing import make_form, make_questionnaire
    from cordee.tasks.models import TaskStatus
    from cordee.tasks.tests.helpers import actor_for, make_task

    actor = actor_for(coordinator, structure)
    make_task(actor, dossier, "Appeler la famille", status=TaskStatus.IN_PROGRESS)
    make_task(actor, dossier, "Tâche finie", status=TaskStatus.DONE)
    make_task(actor, dossier, "Tâche annulée", status=TaskStatus.CANCELLED)
    make_form(make_questionnaire(title="Bilan d'entrée"), dossier)
    dossier.refresh_from_db()

    page = acting.get(_url("status", dossier)).content.decode()
    assert "Aucun élément en cours" not in page
    assert "Appeler la famille" in page and "En cours" in page
    assert "Bilan d&#x27;entrée" in page
    assert "Tâche finie" not in page and "Tâche annulée" not in page

    reason = DischargeReason.objects.get(label="Perdu de vue")
    data = {"status": "DISCHARGED", "reason": reason.pk, "version": dossier.version}
    refused = acting.post(_url("status", dossier), data).content.decode()
    assert "confirmez la clôture" in refused
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACTIVE
    assert not Event.objects.filter(patient=dossier, kind=Event.Kind.STATUS_CHANGED).exists()

    acting.post(_url("status", dossier), {**data, "checklist_confirmed": "on"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DISCHARGED


def test_a_dossier_with_everything_settled_closes_without_confirmation(
    acting, coordinator, structure, dossier
):
    from cordee.tasks.models import TaskStatus
    from cordee.tasks.tests.helpers import actor_for, make_task

    make_task(actor_for(coordinator, structure), dossier, "Tâche finie", status=TaskStatus.DONE)
    dossier.refresh_from_db()
    assert "Aucun élément en cours" in acting.get(_url("status", dossier)).content.decode()
    acting.post(_url("status", dossier), {"status": "ARCHIVED", "version": dossier.version})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ARCHIVED
