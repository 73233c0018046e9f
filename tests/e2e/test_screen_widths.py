"""Issue 23: the busy tables fit the screens professionals use — 1280, 1366 and 1920 px wide —
with no horizontal scroll of the page nor of the table (Actions, Statut and dates stay in
view), on the active file, the tasks dashboard and the care circle."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam import services as careteam
from cordee.core.actor import Actor
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from cordee.tasks.tests.helpers import make_task, member_row
from tests.factories import accept_current_terms, make_user

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 1366, 1920]


@pytest.fixture
def busy(coordinator: User, structure: Structure) -> Patient:
    """A DAC's week: dossiers with long names, tasks addressed to people, a full circle."""
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    patients = [
        create_test_patient(
            coordinator,
            structure,
            birth_name=f"Montgolfier-Delacroix-{n}",
            first_name="Marie-Charlotte",
            birth_date=datetime.date(1938, 1, 1 + n),
            commune_id="06004",
        )
        for n in range(8)
    ]
    first = patients[0]
    for n in range(6):
        colleague = make_user(
            username=f"collegue{n}", last_name=f"Beauregard-Saint-Hilaire{n}", first_name="Jean-Baptiste"
        )
        accept_current_terms(colleague)
        careteam.add_professional(actor, first, colleague, habilitated=n % 2 == 0)
    for n, patient in enumerate(patients):
        make_task(
            actor,
            patient,
            f"Organiser le retour à domicile après l'hospitalisation en médecine gériatrique ({n})",
            recipients=[member_row(patient, structure=structure)],
            action="Coordination du plan personnalisé de coordination en santé",
        )
    return first


def _open(
    new_context: Callable[..., BrowserContext],
    user: User,
    structure: Structure,
    live_server: LiveServer,
    width: int,
) -> Page:
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTING_STRUCTURE_KEY] = str(structure.public_id)
    session.save()
    context = new_context(viewport={"width": width, "height": 900})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def _overflow(page: Page) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = page.evaluate(
        """() => {
            const root = document.documentElement;
            const sizes = {page: [root.scrollWidth, root.clientWidth]};
            document.querySelectorAll('main table').forEach((table, index) => {
                const box = table.closest('.table-responsive') || table.parentElement;
                sizes['table ' + index] = [box.scrollWidth, box.clientWidth];
            });
            return sizes;
        }"""
    )
    return sizes


@pytest.mark.parametrize("width", WIDTHS)
def test_the_tables_fit_the_screen(
    width: int,
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    busy: Patient,
    live_server: LiveServer,
) -> None:
    page = _open(new_context, coordinator, structure, live_server, width)
    pages = {
        "/patients/": "File active des dossiers",
        "/taches/": "Consulter les tâches",
        f"/patients/{busy.public_id}/cercle/": "Cercle de soins",
    }
    for url, heading in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        expect(page.locator("main table").first).to_be_visible()
        sizes = _overflow(page)
        for name, (scroll, client) in sizes.items():
            assert scroll <= client + 1, f"{url} at {width} px: {name} scrolls ({scroll} > {client}): {sizes}"
