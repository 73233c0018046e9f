"""NOT-1 in a browser: a professional chooses, with the keyboard, what the application tells them
("Mon profil" › "Notifications"), then sees the bell's count change when a colleague adds a task
to a dossier they follow — and not when they switched that event off; axe-core on the centre and
on the preferences."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure
from cordee.core.actor import Actor
from cordee.patients.testing import create_test_patient
from cordee.tasks.tests.helpers import make_task
from tests.e2e.conftest import force_sign_in
from tests.e2e.test_accessibility import assert_accessible
from tests.factories import accept_current_terms, make_membership, make_structure, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def switch(page: Page, label: str, channel: str) -> Locator:
    return page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)}.*{channel}$"))


def bell(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("link", name=re.compile("^Notifications"))


def test_a_preference_decides_whether_the_bell_counts_a_colleague_s_new_task(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, axe: Axe
) -> None:
    structure = make_structure(name="DAC Test Azur", kind=Structure.Kind.DAC)
    coordinator = make_user(username="coordinatrice", first_name="Claire", last_name="Coordin")
    make_membership(user=coordinator, structure=structure, role=Membership.Role.SUPERUSER)
    member = make_user(username="membre", first_name="Marc", last_name="Membre")
    make_membership(user=member, structure=structure)
    for user in (coordinator, member):
        accept_current_terms(user)
    dossier = create_test_patient(coordinator, structure)
    colleague = Actor(coordinator, Membership.objects.get(user=coordinator, structure=structure))

    context = new_context()
    force_sign_in(context, member, live_server.url)
    page = context.new_page()

    page.goto("/profil/")
    # The profile's tab, not the bell (named "Notifications" too until its count arrives).
    page.get_by_role("main").get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("columnheader", name="Application")).to_be_visible()
    assert_accessible(axe, page)
    added_in_app = switch(page, "Une notification lorsque une tâche est ajoutée", "Application")
    expect(added_in_app).to_be_checked()  # the seed's default

    # Switched off with the keyboard: saved at once, said in the status line.
    added_in_app.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("Application désactivée")
    expect(added_in_app).not_to_be_checked()
    page.reload()
    expect(added_in_app).not_to_be_checked()
    expect(bell(page)).to_have_accessible_name("Notifications : aucune non lue")

    make_task(colleague, dossier, "Appeler la famille")
    page.reload()
    expect(bell(page)).to_have_accessible_name("Notifications : aucune non lue")

    # Switched back on: the next task counts.
    added_in_app.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("Application activée")
    make_task(colleague, dossier, "Prévoir la visite à domicile")
    page.reload()
    expect(bell(page)).to_have_accessible_name("Notifications : 1 non lue")
    expect(bell(page)).to_contain_text("1")

    bell(page).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    # It reached her through the DAC while she acts in her own name: the entry switches, then opens.
    entry = page.get_by_role("button", name=re.compile("a ajouté la tâche « Prévoir la visite à domicile »"))
    expect(entry).to_be_visible()
    expect(page.get_by_text("Appeler la famille")).to_have_count(0)
    assert_accessible(axe, page)

    entry.click()
    expect(page).to_have_url(re.compile(rf"/patients/{dossier.public_id}/taches/"))
    page.goto("/notifications/")
    expect(page.get_by_text("Aucune notification non lue.")).to_be_visible()
    expect(bell(page)).to_have_accessible_name("Notifications : aucune non lue")
