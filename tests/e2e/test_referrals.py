"""DEM-1 / DEM-2 in a browser: a GP sends a request to the DAC from the directory of resource
teams; the DAC's coordinator finds it on "Tableau de bord Demandes" with a filter, answers,
assigns it and creates the patient from it through the search before creation. axe-core on the
request form and the dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure, User
from cordee.directory.models import ResourceTeam
from cordee.referrals.models import Referral
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure
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
    page.get_by_label("Motif de la demande").select_option(label="Soutien aux aidants")
    page.get_by_label("Détail de la demande").fill("Aidant épuisé, solutions de répit ?")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande n° 1 a été envoyée")).to_be_visible()

    team = open_as_structure(new_context, coordinator, structure, live_server)
    team.goto(f"{live_server.url}/demandes/")
    expect(team.get_by_role("heading", level=1, name="Tableau de bord Demandes")).to_be_visible()
    team.get_by_label("Patient", exact=True).fill("bernard")
    team.get_by_role("button", name="Filtrer").click()
    row = team.get_by_role("row").filter(has_text="BERNARD Anne")
    expect(row).to_be_visible()
    expect(team).to_have_url(re.compile(r"patient=bernard"))  # the URL carries the filters
    assert_accessible(axe, team)
    row.get_by_role("link", name="Ouvrir").click()
    team.get_by_label("Réponse au demandeur").fill("Nous appelons la famille demain.")
    team.get_by_role("button", name="Répondre").click()
    expect(team.get_by_text("La demande a été mise à jour.")).to_be_visible()
    team.get_by_label("Affecté à").select_option(label=member.display_name)
    team.get_by_role("button", name="Enregistrer").click()
    expect(team.get_by_text(f"affectée à {member.display_name}")).to_be_visible()
    team.get_by_role("button", name="Créer le patient depuis la demande").click()
    expect(team.locator("#id_birth_name")).to_have_value("Bernard")
    referral = Referral.objects.get()
    assert referral.answer and referral.assignee == member and referral.step.code == "reponse-dac"
