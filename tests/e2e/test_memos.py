"""Memos in a browser (ACT-2), as the booklet's "Le Mémo" page shows them: a memo written in the
dialog, shared with one member of the circle — who reads it, while another does not —, axe-core
on the panel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.careteam.models import CircleMember
from cordee.patients.models import Patient
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_person, open_as_structure, open_dossier, section
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def test_a_shared_memo_is_read_by_the_chosen_member_and_not_by_another(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    member: User,
    dossier: Patient,
    axe: Axe,
) -> None:
    kine = make_user(username="kine", last_name="Kiné", first_name="Karl")
    accept_current_terms(kine)
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=True)
    CircleMember.objects.create(patient=dossier, user=kine, is_habilitated=True)

    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, dossier)
    section(page, "7. Mémo").get_by_role("link", name="Tous les mémos").click()
    expect(page.get_by_role("heading", level=1, name="Mémo")).to_be_visible()
    page.get_by_role("button", name="Ajouter un mémo").click()
    dialog = page.get_by_role("dialog", name="Nouveau mémo")
    expect(dialog).to_be_visible()
    assert_accessible(axe, page)
    dialog.get_by_label("Titre").fill("Accès au logement")
    dialog.get_by_label("Texte du mémo").fill("Patient résidant au 5e étage sans ascenseur")
    dialog.get_by_label("Partagé —").check()
    dialog.get_by_label(member.display_name).check()
    dialog.get_by_role("button", name="Valider le mémo").click()
    expect(page.get_by_text("Le mémo « Accès au logement » est ajouté.")).to_be_visible()
    expect(page.get_by_text("Patient résidant au 5e étage sans ascenseur")).to_be_visible()
    expect(page.get_by_text(f"partagé avec {member.display_name}")).to_be_visible()
    assert_accessible(axe, page)

    chosen = open_as_person(new_context, member, live_server)
    open_dossier(chosen, dossier)
    expect(
        section(chosen, "7. Mémo").get_by_text("Patient résidant au 5e étage sans ascenseur")
    ).to_be_visible()

    other = open_as_person(new_context, kine, live_server)
    open_dossier(other, dossier)
    expect(section(other, "7. Mémo").get_by_text("Aucun mémo.")).to_be_visible()
    other.goto(f"/patients/{dossier.public_id}/memos/")
    expect(other.get_by_text("Aucun mémo.")).to_be_visible()

    phone = new_context(viewport=PHONE_VIEWPORT)
    from tests.e2e.conftest import force_sign_in

    force_sign_in(phone, member, live_server.url)
    small = phone.new_page()
    small.goto(f"/patients/{dossier.public_id}/memos/")
    expect(small.get_by_text("Patient résidant au 5e étage sans ascenseur")).to_be_visible()
    assert_accessible(axe, small)
