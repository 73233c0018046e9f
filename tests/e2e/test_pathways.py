"""The Parcours tab in a browser (PAR-1..4): add a theme, fill the shipped "Évaluation de la
situation" with its conditional item and repeated group, save twice, close, compare two versions;
axe-core on the tab and the form; the form on a phone."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.pathways.models import FormResponse, FormStatus
from cordee.patients.testing import create_test_patient
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure, open_dossier

pytestmark = pytest.mark.e2e

QUESTIONNAIRE = "Évaluation de la situation"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def open_tab(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Onglets du dossier").get_by_role("link", name="Parcours").click()
    expect(page.get_by_role("heading", level=1, name=f"Parcours — {title}")).to_be_visible()


def theme_section(page: Page, label: str) -> Locator:
    """A theme's card, named by its heading (with its form count badge, e.g. "Principal 1 formulaire")."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(label)}( \d+ formulaires?)?$"))


def yes_no(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_role("radio", name=answer, exact=True).check()


def test_add_a_theme_fill_save_close_and_compare(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    patient = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    open_tab(page, patient.display_name)
    for label in ("Principal", "Fil d'actualité", "RDV patient"):
        expect(page.get_by_role("heading", level=2, name=label)).to_be_visible()
    assert_accessible(axe, page)

    # PAR-1: a theme from the list.
    page.get_by_role("combobox", name="Thématique à ajouter").select_option(label="Gérontologie")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("La thématique « Gérontologie » est ajoutée au parcours.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Gérontologie")).to_be_visible()
    expect(
        page.get_by_role("combobox", name="Thématique à ajouter").locator("option", has_text="Gérontologie")
    ).to_have_count(0)
    theme_section(page, "Principal").get_by_role("link", name=QUESTIONNAIRE).click()
    expect(page.get_by_role("heading", level=1, name=QUESTIONNAIRE)).to_be_visible()

    # PAR-2: the conditional item appears with its condition, in the browser.
    falls = page.get_by_role("textbox", name="Nombre de chutes")
    expect(falls).to_be_hidden()
    yes_no(page, "Chutes au cours des 6 derniers mois", "Oui")
    expect(falls).to_be_visible()
    yes_no(page, "Chutes au cours des 6 derniers mois", "Non")
    expect(falls).to_be_hidden()
    yes_no(page, "Chutes au cours des 6 derniers mois", "Oui")
    falls.fill("2")

    day = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Date de l'évaluation").fill(day.isoformat())
    page.get_by_role("textbox", name="Motif de la demande").fill("Chutes répétées à domicile")
    page.get_by_role("textbox", name="Poids").fill("70")
    page.get_by_role("textbox", name="Taille").fill("170")
    expect(page.locator("[data-link=imc] output")).to_have_text("24,2 kg/m²")

    # A repeated group: one "Aidant" line, with its own conditional item.
    add_carer = page.get_by_role("button", name="Ajouter : Aidant")
    expect(add_carer).to_be_hidden()
    yes_no(page, "Un ou plusieurs aidants sont impliqués", "Oui")
    add_carer.click()
    line = page.locator(".q-instance").first
    line.get_by_role("group", name="Lien avec la personne").get_by_role("radio", name="Enfant").check()
    expect(line.get_by_role("textbox", name="Précisions")).to_be_hidden()
    line.get_by_role("group", name="Signes d'épuisement").get_by_role("radio", name="Oui").check()
    line.get_by_role("textbox", name="Précisions").fill("Fille seule aidante")
    assert_accessible(axe, page)

    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(f"Le formulaire « {QUESTIONNAIRE} » est enregistré.")).to_be_visible()
    form = FormResponse.objects.get(patient=patient)
    assert form.answers["nb_chutes"] == 2 and form.answers["imc"] == 24.2
    assert form.answers["aidants"] == [
        {"aidant_lien": "enfant", "aidant_epuisement": True, "aidant_commentaire": "Fille seule aidante"}
    ]
    # Shown again: the conditional item and the line are there with their values.
    expect(page.get_by_role("textbox", name="Nombre de chutes")).to_have_value("2")
    expect(page.get_by_role("textbox", name="Précisions")).to_have_value("Fille seule aidante")

    page.get_by_role("textbox", name="Nombre de chutes").fill("3")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(f"Le formulaire « {QUESTIONNAIRE} » est enregistré.")).to_be_visible()

    # Closing needs the required synthesis: the error is beside it, in French.
    page.get_by_role("button", name="Clôturer").click()
    expect(
        page.get_by_text("Le formulaire contient des erreurs : corrigez les champs signalés.")
    ).to_be_visible()
    synthesis = page.get_by_role("textbox", name="Synthèse et besoins identifiés")
    expect(synthesis).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_q-synthese_erreur")).to_have_text("Ce champ est obligatoire.")
    expect(page.get_by_role("textbox", name="Nombre de chutes")).to_have_value("3")
    synthesis.fill("Évaluation gériatrique à organiser")
    page.get_by_role("button", name="Clôturer").click()
    expect(page.get_by_text(f"Le formulaire « {QUESTIONNAIRE} » est clôturé.")).to_be_visible()
    expect(page.get_by_text("Clôturé", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    form.refresh_from_db()
    assert form.status == FormStatus.CLOSED and form.revisions.count() == 3

    # PAR-3: compare v1 and v2, the change highlighted.
    page.get_by_role("link", name="Historique des versions").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Versions du formulaire « {QUESTIONNAIRE} »")
    ).to_be_visible()
    page.get_by_role("combobox", name="Comparer la version").select_option(value="1")
    page.get_by_role("combobox", name="avec la version").select_option(value="2")
    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_role("heading", name="Comparaison de la version 1 et de la version 2")).to_be_visible()
    expect(page.get_by_text("1 réponse modifiée (surlignée).")).to_be_visible()
    changed = page.locator("tr.q-changed")
    expect(changed).to_have_count(1)
    expect(changed.get_by_role("rowheader")).to_contain_text("Nombre de chutes")
    expect(changed.locator("del")).to_have_text("2")
    expect(changed.locator("ins")).to_have_text("3")
    assert_accessible(axe, page)

    # Back on the tab: the form is listed as closed, so the Principal theme shows it.
    open_dossier(page, patient)
    open_tab(page, patient.display_name)
    principal = theme_section(page, "Principal")
    expect(page.get_by_role("heading", level=2, name="Principal 1 formulaire")).to_be_visible()
    expect(principal.get_by_role("listitem").filter(has_text=QUESTIONNAIRE)).to_contain_text("Clôturé")


def test_the_form_is_usable_on_a_phone(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    patient = create_test_patient(coordinator, structure)
    desktop = open_as_structure(new_context, coordinator, structure, live_server)
    cookies = desktop.context.cookies()
    phone_context = new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    phone_context.add_cookies(cookies)  # type: ignore[arg-type]
    page = phone_context.new_page()
    page.goto(f"/patients/{patient.public_id}/parcours/")
    expect(page.get_by_role("heading", level=1, name=f"Parcours — {patient.display_name}")).to_be_visible()
    theme_section(page, "Principal").get_by_role("link", name=QUESTIONNAIRE).click()
    expect(page.get_by_role("heading", level=1, name=QUESTIONNAIRE)).to_be_visible()
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    yes_no(page, "Chutes au cours des 6 derniers mois", "Oui")
    falls = page.get_by_role("textbox", name="Nombre de chutes")
    falls.tap()
    falls.fill("1")
    page.get_by_role("textbox", name="Motif de la demande").fill("Premier contact")
    save = page.get_by_role("button", name="Enregistrer")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.tap()
    expect(page.get_by_text(f"Le formulaire « {QUESTIONNAIRE} » est enregistré.")).to_be_visible()
    assert FormResponse.objects.get(patient=patient).answers["nb_chutes"] == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, page)
