"""The Cocon pathway in a browser (COC-1..5): a pediatrician adds the Cocon theme to a preterm
newborn's dossier, includes the child, sees the calendar, fills and closes the 3-month notebook;
the network's evaluation staff downloads the extraction. axe-core on the Cocon pages; the
calendar on a phone."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.audit.models import Access
from cordee.cocon.export import pseudonym
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.pathways.models import FormResponse, FormStatus
from cordee.patients.testing import create_test_patient
from tests.e2e.conftest import PHONE_VIEWPORT, force_sign_in
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure, open_dossier
from tests.e2e.test_pathways import open_tab, theme_section
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.e2e

# Born at 30 weeks, 160 days ago: 90 days of corrected age, the 3-month notebook due. (At 3.5
# months of chronological age, the corrected 3-month window would not be open yet.)
DAYS_OLD = 160
NOTEBOOK = "Cahier de suivi Cocon — 3 mois"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def calendar_row(page: Page, label: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def test_include_a_preterm_newborn_fill_the_3_month_notebook_and_extract_it(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
    tmp_path: Path,
) -> None:
    today = timezone.localdate()
    patient = create_test_patient(
        coordinator,
        structure,
        first_name="Lina",
        birth_name="Pastourelle",
        birth_date=today - datetime.timedelta(days=DAYS_OLD),
    )
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    open_tab(page, patient.display_name)

    # COC-1: the Cocon theme, then its page.
    page.get_by_role("combobox", name="Thématique à ajouter").select_option(label="Cocon")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text("La thématique « Cocon » est ajoutée au parcours.")).to_be_visible()
    theme_section(page, "Cocon").get_by_role("link", name="Inclusion et calendrier des cahiers Cocon").click()
    expect(
        page.get_by_role("heading", level=1, name=f"Parcours Cocon — {patient.display_name}")
    ).to_be_visible()
    expect(page.get_by_text("Cet enfant n'est pas encore inclus dans le parcours Cocon.")).to_be_visible()
    page.get_by_role("link", name="Inclure l'enfant").click()

    expect(
        page.get_by_role("heading", level=1, name=f"Inclure dans le parcours Cocon — {patient.display_name}")
    ).to_be_visible()
    expect(page.get_by_label("Date d'inclusion")).to_have_value(today.isoformat())
    expect(page.get_by_role("combobox", name="Pédiatre référent")).to_have_value(str(coordinator.pk))
    assert_accessible(axe, page)
    # A first try without a criterion: refused beside the field, in French.
    page.get_by_label("Terme de naissance : semaines d'aménorrhée (SA)").fill("30")
    page.get_by_label("et jours").fill("0")
    page.get_by_label("Poids de naissance (g)").fill("1350")
    page.get_by_role("button", name="Inclure l'enfant").click()
    expect(page.get_by_text("Cochez au moins un critère d'inclusion.")).to_be_visible()
    assert not Inclusion.objects.exists()
    page.get_by_role("checkbox", name="Naissance avant 32 SA").check()
    page.get_by_label("Taille de naissance (cm)").fill("39,5")
    page.get_by_role("button", name="Inclure l'enfant").click()

    # COC-3: the calendar, a picture and a table.
    expect(page.get_by_text("L'enfant est inclus dans le parcours Cocon.")).to_be_visible()
    expect(page.get_by_role("img", name=f"Calendrier Cocon de {patient.display_name}")).to_be_visible()
    expect(
        page.get_by_text("Né prématuré : les périodes jusqu'à 24 mois suivent l'âge corrigé.")
    ).to_be_visible()
    three = calendar_row(page, "Suivi des 3 mois")
    expect(three).to_contain_text("À faire")
    expect(calendar_row(page, "Suivi des 6 mois")).to_contain_text("À venir")
    expect(page.get_by_role("rowheader")).to_have_count(11)
    assert_accessible(axe, page)
    cocon_url = page.url
    three.get_by_role("link", name="Remplir le cahier — Suivi des 3 mois").click()

    # The notebook: the required items, then "Clôturer".
    expect(page.get_by_role("heading", level=1, name=NOTEBOOK)).to_be_visible()
    page.get_by_label("Date de la consultation").fill(today.isoformat())
    page.get_by_role("textbox", name="Poids", exact=True).fill("4,6")
    # Issue 23: the weight's z-score and centile appear at once, computed by the server.
    expect(page.locator("#id_q-poids_sds")).to_have_text(re.compile(r"^-?\d+(,\d+)?"))
    expect(page.locator("#id_q-poids_centile")).to_have_text(re.compile(r"^\d+(,\d+)?"))
    assert not FormResponse.objects.filter(patient=patient).exists()
    page.get_by_role("radio", name="Pas de trouble du neurodéveloppement suspecté").check()
    page.get_by_role("button", name="Clôturer").click()
    expect(page.get_by_text(f"Le formulaire « {NOTEBOOK} » est clôturé.")).to_be_visible()
    notebook = FormResponse.objects.get(patient=patient)
    assert notebook.status == FormStatus.CLOSED and notebook.answers["conclusion"] == "pas_de_tnd"

    page.goto(cocon_url)
    three = calendar_row(page, "Suivi des 3 mois")
    expect(three.locator(".badge")).to_have_text("Fait")
    expect(three.get_by_role("link", name="Voir le cahier — Suivi des 3 mois")).to_be_visible()
    assert ScheduledStep.objects.get(inclusion__patient=patient, step="cocon-3-mois").done_on == today

    # The calendar on a phone: readable, no sideways scrolling of the page.
    phone = new_context(viewport=PHONE_VIEWPORT)
    force_sign_in(phone, coordinator, live_server.url)
    mobile = phone.new_page()
    mobile.goto(cocon_url)
    expect(mobile.get_by_role("img", name=f"Calendrier Cocon de {patient.display_name}")).to_be_visible()
    expect(calendar_row(mobile, "Suivi des 3 mois")).to_contain_text("Fait")
    assert_accessible(axe, mobile)
    overflow = mobile.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"

    # COC-5 and COC-4: the network's evaluation staff.
    evaluator = make_user(username="evaluatrice", first_name="Eva", last_name="Luation")
    accept_current_terms(evaluator)
    evaluator.groups.add(Group.objects.get(name="Réseau périnatal — évaluation Cocon"))
    staff_context = new_context(accept_downloads=True)
    force_sign_in(staff_context, evaluator, live_server.url)
    staff = staff_context.new_page()
    staff.goto("/cocon/tableau-de-bord/")
    expect(staff.get_by_role("heading", level=1, name="Cohorte Cocon")).to_be_visible()
    assert_accessible(axe, staff)
    staff.get_by_role("link", name="Extraction").click()
    expect(
        staff.get_by_role("heading", level=1, name="Extraction des cahiers de suivi Cocon")
    ).to_be_visible()
    assert_accessible(axe, staff)
    staff.get_by_role("combobox", name="Âge du suivi").select_option(label="3 mois")
    staff.get_by_role("radio", name="CSV (séparateur point-virgule)").check()
    with staff.expect_download() as download_info:
        staff.get_by_role("button", name="Extraire").click()
    download = download_info.value
    assert download.suggested_filename.startswith("cocon-cahiers-") and download.suggested_filename.endswith(
        ".csv"
    )
    target = tmp_path / "extraction.csv"
    download.save_as(target)
    content = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert len(rows) == 2, rows[:3]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["ID_ENFANT"] == pseudonym(patient.public_id)
    assert record["CAHIER"] == "cocon-3-mois" and record["TERME_SA"] == "30"
    assert record["DATE_CONSULTATION"] == today.isoformat()
    assert record["POIDS_KG"] == "4.6" and record["CONCLUSION"] == "pas_de_tnd"
    assert "Pastourelle" not in content and str(patient.public_id) not in content
    assert Access.objects.filter(action="cocon_extraction", user=evaluator).count() == 1
