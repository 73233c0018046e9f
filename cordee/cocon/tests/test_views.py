"""COC-1 / COC-3 pages on the dossier: the calendar (picture and table, states, links), the
inclusion form and the end of follow-up, each behind the dossier's door (404 for a stranger,
403 for a listed member without habilitation, nothing written); the mobile team's notebook is
offered up to 12 months only."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Structure, User
from cordee.careteam import services as careteam
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.tests.conftest import close_notebook
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.pathways.models import Questionnaire
from cordee.patients.models import Patient
from tests.factories import accept_current_terms, make_user

TODAY = clock.today  # asked when each test runs, not at import (issue 25)


@pytest.fixture
def acting(coordinator: User, structure: Structure, client_for: Callable[..., Client]) -> Client:
    return client_for(coordinator, acting_as=structure)


def url(name: str, patient: Patient) -> str:
    return reverse(f"cocon:{name}", kwargs={"public_id": patient.public_id})


def rows_of(page: str) -> dict[str, str]:
    """The calendar table's rows, by step label (the row's HTML)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return {
        re.search(r'<th scope="row"[^>]*>([^<]+)</th>', row).group(1): row  # type: ignore[union-attr]
        for row in body.split("</tr>")
        if "<th" in row
    }


def post_data(referent: User, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "inclusion_date": TODAY().isoformat(),
        "gestational_age_weeks": "30",
        "gestational_age_days": "0",
        "birth_weight_g": "1350",
        "birth_length_cm": "39,5",
        "criteria": [InclusionCriterion.objects.get(code="moins-32-sa").pk],
        "referent_pediatrician": str(referent.pk),
    }
    data.update(changes)
    return data


@pytest.mark.usefixtures("shipped")
def test_the_calendar_page(
    acting: Client,
    actor: Actor,
    make_newborn: Callable[..., Patient],
    include_child: Callable[..., Inclusion],
) -> None:
    patient = make_newborn(days_old=400)
    page = acting.get(url("dossier", patient)).content.decode()
    assert "pas encore inclus" in page and url("include", patient) in page
    include_child(patient, gestational_age_days=0)
    close_notebook(actor, patient, "cocon-3-mois", TODAY() - datetime.timedelta(days=2))
    close_notebook(actor, patient, "cocon-9-mois", TODAY() - datetime.timedelta(days=1), closing=False)

    response = acting.get(url("dossier", patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Calendrier des cahiers de suivi" in page and '<svg class="cocon-calendar' in page
    assert "Né prématuré : les périodes jusqu'à 24 mois suivent l'âge corrigé." in page
    assert "30 SA" in page and "prématuré" in page
    rows = rows_of(page)
    assert list(rows) == [
        "Suivi des 3 mois", "Suivi des 6 mois", "Suivi des 9 mois", "Suivi des 12 mois", "Suivi des 18 mois",
        "Suivi des 24 mois", "Suivi des 3 ans", "Suivi des 4 ans", "Suivi des 5 ans", "Suivi des 6 ans",
        "Suivi des 7 ans",
    ]  # fmt: skip
    steps = {row.step: row for row in ScheduledStep.objects.filter(inclusion__patient=patient)}
    three = steps["cocon-3-mois"]
    # 3 months: done late (closed two days ago, long after the window), "Voir le cahier".
    assert ">Fait en retard<" in rows["Suivi des 3 mois"]
    assert f"le {TODAY() - datetime.timedelta(days=2):%d/%m/%Y}" in rows["Suivi des 3 mois"]
    assert f"du {three.opens_on:%d/%m/%Y} au {three.closes_on:%d/%m/%Y}" in rows["Suivi des 3 mois"]
    assert "Voir le cahier" in rows["Suivi des 3 mois"] and three.form is not None
    assert (
        reverse("pathways:form", args=[patient.public_id, three.form.public_id]) in rows["Suivi des 3 mois"]
    )
    # 6 months: missing, a notebook can still be filled.
    six = Questionnaire.objects.get(code="cocon-6-mois")
    assert ">Manquant<" in rows["Suivi des 6 mois"]
    assert reverse("pathways:new_form", args=[patient.public_id, six.public_id]) in rows["Suivi des 6 mois"]
    # 9 months: late, a draft in progress.
    assert ">En retard<" in rows["Suivi des 9 mois"] and "Continuer le cahier" in rows["Suivi des 9 mois"]
    # 12 months onwards: upcoming, nothing to fill yet.
    for label in ("Suivi des 12 mois", "Suivi des 7 ans"):
        assert ">À venir<" in rows[label] and "Remplir" not in rows[label] and "—" in rows[label]


@pytest.mark.usefixtures("shipped")
def test_a_due_step_offers_remplir_and_then_shows_fait(
    acting: Client,
    actor: Actor,
    make_newborn: Callable[..., Patient],
    include_child: Callable[..., Inclusion],
) -> None:
    patient = make_newborn(days_old=200)
    include_child(patient, gestational_age_days=0)
    rows = rows_of(acting.get(url("dossier", patient)).content.decode())
    assert ">À faire<" in rows["Suivi des 3 mois"] and "Remplir" in rows["Suivi des 3 mois"]
    close_notebook(actor, patient, "cocon-3-mois", TODAY())
    rows = rows_of(acting.get(url("dossier", patient)).content.decode())
    assert ">Fait<" in rows["Suivi des 3 mois"] and "Remplir" not in rows["Suivi des 3 mois"]


def test_a_reader_without_the_write_right_gets_no_buttons(
    coordinator: User,
    newborn: Patient,
    include_child: Callable[..., Inclusion],
    client_for: Callable[..., Client],
) -> None:
    from cordee.careteam.models import RightsRule
    from cordee.pathways.models import Theme

    include_child(newborn)
    # The administrators reserve the Cocon theme, readable only by the circle's members.
    Theme.objects.filter(code="cocon").update(is_restricted=True)
    RightsRule.objects.create(
        section="PATHWAYS", theme=Theme.objects.get(code="cocon"), can_read=True, can_write=False
    )
    client = client_for(coordinator)
    page = client.get(url("dossier", newborn)).content.decode()
    assert "Calendrier des cahiers de suivi" in page
    assert url("include", newborn) not in page and url("end", newborn) not in page
    assert client.get(url("include", newborn)).status_code == 403


# --- the door ----------------------------------------------------------------------------------------


@pytest.fixture
def listed(actor: Actor, newborn: Patient) -> User:
    """In the circle, without habilitation."""
    user = make_user(username="liste", last_name="Listé", first_name="Lou")
    accept_current_terms(user)
    careteam.add_professional(actor, newborn, user, habilitated=False)
    return user


@pytest.mark.parametrize(("who", "status"), [("stranger", 404), ("listed", 403)])
def test_the_door_for_a_stranger_and_a_listed_member(
    who: str,
    status: int,
    stranger: User,
    listed: User,
    coordinator: User,
    newborn: Patient,
    client_for: Callable[..., Client],
) -> None:
    client = client_for(stranger if who == "stranger" else listed)
    assert client.get(url("dossier", newborn)).status_code == status
    assert client.get(url("include", newborn)).status_code == status
    assert client.post(url("include", newborn), post_data(coordinator)).status_code == status
    assert not Inclusion.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("stranger", 404), ("listed", 403)])
def test_ending_needs_the_dossier_too(
    who: str,
    status: int,
    stranger: User,
    listed: User,
    newborn: Patient,
    include_child: Callable[..., Inclusion],
    client_for: Callable[..., Client],
) -> None:
    inclusion = include_child(newborn)
    client = client_for(stranger if who == "stranger" else listed)
    response = client.post(url("end", newborn), {"ended_on": TODAY().isoformat(), "end_reason": "MOVED"})
    assert response.status_code == status
    inclusion.refresh_from_db()
    assert inclusion.is_active


def test_a_merged_dossier_is_not_found(
    acting: Client, newborn: Patient, make_newborn: Callable[..., Patient]
) -> None:
    survivor = make_newborn()
    Patient.objects.filter(pk=newborn.pk).update(merged_into=survivor)
    assert acting.get(url("dossier", newborn)).status_code == 404


# --- inclusion form ------------------------------------------------------------------------------------


def test_the_inclusion_form_includes_and_redirects(
    acting: Client, coordinator: User, newborn: Patient
) -> None:
    page = acting.get(url("include", newborn))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["referent_pediatrician"] == coordinator  # the habilitated pediatrician opening it
    assert list(form.fields["referent_pediatrician"].queryset) == [coordinator]
    response = acting.post(url("include", newborn), post_data(coordinator))
    assert response.status_code == 302 and response["Location"] == url("dossier", newborn)
    inclusion = Inclusion.objects.get(patient=newborn)
    assert str(inclusion.birth_length_cm) == "39.5"  # French decimal comma
    assert ScheduledStep.objects.filter(inclusion=inclusion).count() == 11
    landing = acting.get(response["Location"]).content.decode()
    assert "L&#x27;enfant est inclus dans le parcours Cocon." in landing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inclusion_date": "2099-01-01"}, "La date d&#x27;inclusion ne peut pas être dans le futur."),
        ({"criteria": []}, "Cochez au moins un critère d&#x27;inclusion."),
        ({"gestational_age_weeks": "21"}, "Assurez-vous que cette valeur est supérieure ou égale à 22."),
        ({"birth_weight_g": "90000"}, "Assurez-vous que cette valeur est inférieure ou égale à 6500."),
    ],
)
def test_an_invalid_inclusion_post_is_a_400_in_french_and_creates_nothing(
    acting: Client, coordinator: User, newborn: Patient, changes: dict[str, str], message: str
) -> None:
    response = acting.post(url("include", newborn), post_data(coordinator, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Inclusion.objects.exists() and not ScheduledStep.objects.exists()


def test_a_referent_outside_the_circle_cannot_be_posted(
    acting: Client, stranger: User, newborn: Patient
) -> None:
    response = acting.post(url("include", newborn), post_data(stranger))
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Inclusion.objects.exists()


def test_editing_with_a_stale_page_is_refused(
    acting: Client, coordinator: User, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    page = acting.get(url("include", newborn))
    assert page.context["form"].initial["version"] == 1
    assert (
        acting.post(
            url("include", newborn), post_data(coordinator, version="1", birth_weight_g="1400")
        ).status_code
        == 302
    )
    stale = acting.post(url("include", newborn), post_data(coordinator, version="1", birth_weight_g="1500"))
    assert stale.status_code == 400
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in stale.content.decode()
    inclusion.refresh_from_db()
    assert (inclusion.version, inclusion.birth_weight_g) == (2, 1400)


def test_ending_the_follow_up(
    acting: Client, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    inclusion = include_child(newborn)
    response = acting.post(
        url("end", newborn), {"ended_on": TODAY().isoformat(), "end_reason": ""}, follow=True
    )
    assert "Indiquez la date et le motif de sortie." in response.content.decode()
    inclusion.refresh_from_db()
    assert inclusion.is_active
    response = acting.post(
        url("end", newborn), {"ended_on": "2099-01-01", "end_reason": "MOVED"}, follow=True
    )
    assert (
        "La date de sortie doit être entre l&#x27;inclusion et aujourd&#x27;hui." in response.content.decode()
    )
    response = acting.post(
        url("end", newborn), {"ended_on": TODAY().isoformat(), "end_reason": "MOVED"}, follow=True
    )
    assert "plus aucun rappel ne sera créé" in response.content.decode()
    inclusion.refresh_from_db()
    assert inclusion.ended_on == TODAY() and inclusion.end_reason == "MOVED"
    page = response.content.decode()
    assert "Sortie du parcours" in page and "Déménagement hors région" in page
    assert "Enregistrer la sortie" not in page  # ended: no second end
    assert (
        acting.post(url("end", newborn), {"ended_on": TODAY().isoformat(), "end_reason": "OTHER"}).status_code
        == 403
    )
    assert acting.get(url("end", newborn)).status_code == 405


# --- the mobile team's notebook: up to 12 months ---------------------------------------------------------


@pytest.mark.usefixtures("shipped")
def test_the_mobile_team_notebook_is_offered_up_to_12_months(
    acting: Client, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> None:
    mobile = Questionnaire.objects.get(code="cocon-equipe-mobile")
    assert mobile.max_age_months == 12
    young = make_newborn(days_old=300)
    old = make_newborn(days_old=370)
    for patient in (young, old):
        include_child(patient)
    new_form = reverse("pathways:new_form", args=[young.public_id, mobile.public_id])
    assert "Nouveau suivi équipe mobile" in acting.get(url("dossier", young)).content.decode()
    assert acting.get(new_form).status_code == 200

    assert "Nouveau suivi équipe mobile" not in acting.get(url("dossier", old)).content.decode()
    response = acting.get(reverse("pathways:new_form", args=[old.public_id, mobile.public_id]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pathways:tab", args=[old.public_id])
    assert "n&#x27;est proposé que jusqu&#x27;à 12 mois." in response.content.decode()


def test_date_fields_render_iso_values_a_date_input_can_show(
    acting: Client, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    """<input type="date"> ignores "26/11/2026": the French format would blank the field."""
    page = acting.get(url("include", newborn)).content.decode()
    assert f'type="date" name="inclusion_date" value="{TODAY().isoformat()}"' in page
    day = TODAY() - datetime.timedelta(days=3)
    include_child(newborn, inclusion_date=day)
    page = acting.get(url("include", newborn)).content.decode()
    assert f'name="inclusion_date" value="{day.isoformat()}"' in page


def test_the_dossier_page_says_the_child_is_in_cocon_with_the_next_step(
    acting: Client, newborn: Patient, include_child: Callable[..., Inclusion]
) -> None:
    """Issue 23: a visible programme badge with the next step, linking to the calendar."""
    detail = reverse("patients:detail", kwargs={"public_id": newborn.public_id})
    assert "Programme Cocon" not in acting.get(detail).content.decode()
    include_child(newborn)
    page = html.unescape(acting.get(detail).content.decode())
    assert "Programme Cocon" in page
    assert re.search(r"Suivi des \d+ mois : (à venir|à faire|en retard)", page)
    assert f'href="{url("dossier", newborn)}"' in page
