"""DEM-1 / DEM-2 in a browser: a GP sends a request to the DAC from the directory of resource
teams; the DAC's coordinator finds it on "Tableau de bord Demandes" with a filter (and saves
it), answers, assigns it and creates the patient from it through the search before creation.
A request from a dossier's page. axe-core on the request form and the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure, User
from cordee.directory.models import ResourceTeam
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from cordee.referrals.models import Referral
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import give_consent, open_as_structure, open_dossier, pick_commune
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def test_a_gp_asks_the_dac_and_the_coordinator_runs_the_request(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    member: User,
    axe: Axe,
) -> None:
    ResourceTeam.objects.create(
        structure=structure, is_listed=True, carries_identity=True, description="Appui aux parcours complexes"
    )
    gp = make_user(username="generaliste", last_name="Durand", first_name="Paul")
    practice = make_structure(name="Cabinet du Port", kind=Structure.Kind.PRACTICE)
    make_membership(user=gp, structure=practice, role=Membership.Role.SUPERUSER)
    accept_current_terms(gp)

    page = open_as_structure(new_context, gp, practice, live_server)
    page.goto(f"{live_server.url}/annuaire/equipes-ressource/")
    page.get_by_label("Mots de la description").fill("complexes")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=f"Faire une demande à {structure.name}").click()
    expect(page.get_by_role("heading", level=1, name=f"Demande à {structure.name}")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Nom de naissance", exact=True).fill("Bernard")
    page.get_by_label("1er prénom de naissance").fill("Anne")
    page.get_by_label("Date de naissance", exact=True).fill("1940-05-02")
    page.get_by_label("Sexe", exact=True).select_option("F")
    pick_commune(page, "Commune de résidence du patient", "Nice", "Nice (")
    page.get_by_label("Motif de la demande").select_option(label="Soutien aux aidants")
    page.get_by_label("Détail de la demande").fill("Aidant épuisé, solutions de répit ?")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande n° 1 a été envoyée")).to_be_visible()
    assert Referral.objects.get().commune_id == "06088"

    team = open_as_structure(new_context, coordinator, structure, live_server)
    team.goto(f"{live_server.url}/demandes/")
    expect(team.get_by_role("heading", level=1, name="Tableau de bord Demandes")).to_be_visible()
    team.get_by_label("Patient", exact=True).fill("bernard")
    team.get_by_role("button", name="Filtrer").click()
    row = team.get_by_role("row").filter(has_text="BERNARD Anne")
    expect(row).to_be_visible()
    expect(team).to_have_url(re.compile(r"patient=bernard"))  # the URL carries the filters
    assert_accessible(axe, team)
    # The filter saved under a name, like the active file's, and picked again from "Mes filtres".
    team.get_by_role("button", name="Mes filtres ▼").click()
    team.get_by_label("Mémoriser ces filtres sous le nom").fill("Bernard")
    team.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(team.get_by_text("Le filtre « Bernard » est enregistré.")).to_be_visible()
    team.get_by_role("link", name="Effacer les filtres").click()
    team.get_by_role("button", name="Mes filtres ▼").click()
    team.get_by_role("link", name="Bernard", exact=True).click()
    expect(team).to_have_url(re.compile(r"patient=bernard.*filtre="))
    row.get_by_role("link", name="Ouvrir").click()
    team.get_by_label("Réponse au demandeur").fill("Nous appelons la famille demain.")
    team.get_by_role("button", name="Répondre").click()
    expect(team.get_by_text("La demande a été mise à jour.")).to_be_visible()
    team.get_by_label("Affecté à").select_option(label=member.display_name)
    team.get_by_role("button", name="Enregistrer").click()
    expect(team.get_by_text(f"affectée à {member.display_name}")).to_be_visible()
    team.get_by_role("button", name="Créer le patient depuis la demande").click()
    # The search before creation, the request's traits pre-filled: the birth place to add.
    expect(team.locator("#id_birth_name")).to_have_value("Bernard")
    expect(team.locator("#id_first_name")).to_have_value("Anne")
    pick_commune(team, "Commune de naissance", "Nice", "Nice (")
    team.get_by_role("button", name="Rechercher si le patient est existant").click()
    team.get_by_role("link", name="Créer le patient").click()
    give_consent(team)
    team.get_by_role("button", name="Créer le patient").click()
    expect(team.get_by_role("heading", level=1, name="BERNARD Anne")).to_be_visible()
    referral = Referral.objects.get()
    assert referral.answer and referral.assignee == member and referral.step.code == "reponse-dac"
    assert referral.patient == Patient.objects.get(birth_name="Bernard")
    # The dashboard now names the dossier, and the request's history says where it came from.
    team.goto(f"{live_server.url}/demandes/?tous=1")
    # The seed's row buttons (issue 19): [↓] moves the request a step forward, in place (htmx).
    row = team.get_by_role("row").filter(has_text="BERNARD Anne")
    expect(row.get_by_role("cell", name="Réponse DAC")).to_be_visible()
    row.get_by_role("button", name="Passer à l'étape suivante de la demande 1").click()
    expect(team.get_by_text("La demande 1 est passée à l'étape « Évaluation ».")).to_be_visible()
    expect(row.get_by_role("cell", name="Évaluation")).to_be_visible()
    assert Referral.objects.get().step.code == "evaluation"
    assert_accessible(axe, team)
    # [×] asks for the reason in a dialog, by the keyboard; Échap closes it, nothing changed.
    cross = row.get_by_role("button", name="Annuler la demande 1")
    cross.focus()
    team.keyboard.press("Enter")
    dialog = team.get_by_role("dialog", name="Annuler la demande 1")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Motif de l'annulation")).to_be_focused()
    assert_accessible(axe, team)
    team.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cross).to_be_focused()
    assert Referral.objects.get().status == Referral.Status.OPEN
    # Again, the reason typed and confirmed: the request is cancelled, its row moves no more.
    team.keyboard.press("Enter")
    dialog.get_by_label("Motif de l'annulation").fill("Prise en charge par l'hôpital de jour")
    dialog.get_by_role("button", name="Confirmer l'annulation").click()
    expect(team.get_by_text("La demande 1 est annulée.")).to_be_visible()
    expect(row.get_by_role("button", name="Passer à l'étape suivante de la demande 1")).to_have_count(0)
    cancelled = Referral.objects.get()
    assert cancelled.status == Referral.Status.CANCELLED
    assert cancelled.cancel_reason == "Prise en charge par l'hôpital de jour"
    row.get_by_role("link", name="Ouvrir").click()
    expect(team.get_by_role("link", name="BERNARD Anne")).to_be_visible()
    expect(team.get_by_text("Dossier créé depuis la demande")).to_be_visible()


def test_a_request_from_the_dossier_page(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    axe: Axe,
) -> None:
    ResourceTeam.objects.create(structure=structure, is_listed=True, carries_identity=True)
    gp = make_user(username="generaliste", last_name="Durand", first_name="Paul")
    practice = make_structure(name="Cabinet du Port", kind=Structure.Kind.PRACTICE)
    make_membership(user=gp, structure=practice, role=Membership.Role.SUPERUSER)
    accept_current_terms(gp)
    patient = create_test_patient(gp, practice)

    page = open_as_structure(new_context, gp, practice, live_server)
    open_dossier(page, patient)
    page.get_by_role("link", name="Faire une demande").click()
    expect(page.get_by_text("Demande pour le dossier de")).to_be_visible()
    page.get_by_role("link", name=f"Faire une demande à {structure.name} pour {patient.display_name}").click()
    expect(page.get_by_text(f"Dossier : {patient.display_name}")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Motif de la demande").select_option(label="Soutien aux aidants")
    page.get_by_label("Détail de la demande").fill("Parents épuisés, relais à organiser.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande n° 1 a été envoyée")).to_be_visible()
    assert Referral.objects.get().patient == patient
