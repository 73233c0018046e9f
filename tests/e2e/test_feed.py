"""The feed in a browser (ACT-1), as the booklet's "Le fil d'actualité" page shows it: a
"très important" note written, the toggle icons filtering the feed, "voir plus", axe-core on
the page at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure, User
from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure, open_dossier, section

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def test_a_very_important_note_is_written_then_found_with_the_toggles(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    dossier: Patient,
    axe: Axe,
) -> None:
    acting = Actor(coordinator, Membership.objects.get(user=coordinator, structure=structure))
    for index in range(25):
        record_event(acting, dossier, Event.Kind.TASK_CHANGED, f"Tâche de routine numéro {index}")
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, dossier)
    feed = section(page, "Fil d'actualité")
    expect(feed.get_by_text("Tâche de routine numéro 24")).to_be_visible()
    feed.get_by_role("link", name="Ajouter une note").click()

    expect(page.get_by_role("heading", level=1, name="Fil d'actualité")).to_be_visible()
    page.get_by_role("textbox", name="Texte de la note").fill(
        "Maman injoignable depuis trois jours : à rappeler en priorité."
    )
    page.get_by_role("region", name="Ajouter une note").locator("label", has_text="Très important").click()
    expect(page.get_by_role("radio", name="Très important")).to_be_checked()
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("La note est ajoutée au fil d'actualité.")).to_be_visible()
    assert_accessible(axe, page)

    items = page.locator("li.feed-item")
    expect(items.first).to_contain_text("Maman injoignable depuis trois jours")
    expect(items.first).to_contain_text(f"Note de {coordinator.display_name} ({structure.name})")
    expect(items).to_have_count(20)
    # "Voir plus" appends the next page without leaving the page.
    page.get_by_role("link", name="Voir plus").click()
    expect(items).to_have_count(27)
    expect(page.get_by_text("Dossier créé")).to_be_visible()

    # The toggle icons: "très important" alone shows the note only; all off shows everything.
    toggle = page.get_by_role("form", name="Filtrer le fil d'actualité").locator(
        "label", has_text="Très important"
    )
    toggle.click()
    expect(page.get_by_role("checkbox", name="Très important")).to_be_checked()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Maman injoignable")
    assert "f=tres-important" in page.url
    toggle.click()
    expect(items).to_have_count(20)

    # At a phone's width the toggles keep their names for screen readers; axe stays clean.
    phone = new_context(viewport=PHONE_VIEWPORT)
    from tests.e2e.conftest import force_sign_in

    force_sign_in(phone, coordinator, live_server.url)
    small = phone.new_page()
    small.goto(f"/patients/{dossier.public_id}/fil/?f=tres-important")
    expect(small.locator("li.feed-item")).to_have_count(1)
    assert_accessible(axe, small)
