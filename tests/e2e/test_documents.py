"""The documents space in a browser, as the booklet's "Espace documents" page walks through it
(ACT-4): a "Coordination" document shared with one member, previewed in the page, seen by that
member and not by another; axe-core on the tab, the form and the document's page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, FilePayload, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Profession, Structure, User
from cordee.careteam.models import CircleMember
from cordee.documents.models import Document
from cordee.patients.testing import create_test_patient
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_person, open_as_structure, open_dossier
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.e2e

FICHE = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nfiche d'orientation\n%%EOF\n"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def _in_circle(patient, username: str, last_name: str, profession: str) -> User:
    user = make_user(
        username=username, last_name=last_name, profession=Profession.objects.get(code=profession)
    )
    accept_current_terms(user)
    CircleMember.objects.create(patient=patient, user=user, is_habilitated=True)
    return user


def test_a_coordination_document_shared_with_one_member(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    patient = create_test_patient(coordinator, structure)
    pediatrician = _in_circle(patient, "pediatre", "Pédiatre", "medecin")
    physio = _in_circle(patient, "kine", "Kiné", "masseur-kinesitherapeute")

    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    page.get_by_role("navigation", name="Onglets du dossier").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Espace documents")
    expect(page.get_by_text("Aucun document dans ce dossier.")).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("link", name="Ajouter un document").click()
    page.get_by_label("Fichier(s)").set_input_files(
        FilePayload(name="Fiche orientation.pdf", mimeType="application/pdf", buffer=FICHE)
    )
    page.get_by_label("Catégorie").select_option(label="Coordination")
    page.get_by_label("Type de document").select_option(label="Coordination › Fiche d'orientation")
    page.get_by_label("Titre").fill("Fiche d'orientation vers le CAMSP")
    page.get_by_label("Date du document").fill("2026-03-02")
    recipients = page.get_by_role("group", name="Destinataires (document partagé)")
    expect(recipients).to_be_hidden()  # shown for a shared document only
    page.get_by_label("Partagé").check()
    expect(recipients).to_be_visible()
    assert_accessible(axe, page)
    recipients.get_by_label(pediatrician.display_name, exact=False).check()
    page.get_by_role("button", name="Ajouter", exact=True).click()

    expect(page.get_by_text("1 document ajouté.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Fiche d'orientation vers le CAMSP")
    expect(row).to_contain_text("Coordination › Fiche d'orientation")
    expect(row).to_contain_text("Partagé")
    expect(row).to_contain_text("02/03/2026")
    assert_accessible(axe, page)

    row.get_by_role("link", name="Fiche d'orientation vers le CAMSP", exact=True).click()
    preview = page.locator("iframe.document-preview")
    expect(preview).to_be_visible()
    answer = page.request.get(preview.get_attribute("src") or "")
    assert answer.status == 200 and answer.body() == FICHE
    assert answer.headers["content-disposition"].startswith("inline")
    assert_accessible(axe, page)

    document = Document.objects.get(patient=patient)
    seen = open_as_person(new_context, pediatrician, live_server)
    seen.goto(f"/patients/{patient.public_id}/documents/")
    expect(seen.get_by_role("link", name="Fiche d'orientation vers le CAMSP", exact=True)).to_be_visible()

    other = open_as_person(new_context, physio, live_server)
    other.goto(f"/patients/{patient.public_id}/documents/")
    expect(other.get_by_text("Aucun document dans ce dossier.")).to_be_visible()
    response = other.goto(f"/patients/{patient.public_id}/documents/{document.public_id}/fiche/")
    assert response is not None and response.status == 404
