"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import csv
import functools
import importlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Profession, TermsVersion, User
from cordee.careteam.models import CircleRole, RightsRule
from cordee.core.text import search_key
from cordee.pathways.loader import load_shipped
from cordee.territory.loader import DATA_DIR, load_territory
from cordee.territory.models import Commune, Country, Departement, Region
from tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("CORDEE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE_VIEWPORT = {"width": 375, "height": 740}

expect.set_options(timeout=10_000)


# The communes of the test structures' territory (Nice is 06088); all the others only where a
# test searches the whole COG: inserting 35,000 rows before each test would cost ~1 s.
HOME_DEPARTEMENT = "06"


@functools.cache
def _cog(name: str) -> tuple[dict[str, str], ...]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Live-server tests are transactional: each one ends with a flush that also empties the
    tables filled by data migrations (professions, CGU, COG). Put them back before each test."""
    if not Profession.objects.exists() or not TermsVersion.objects.exists():
        migration = importlib.import_module("cordee.accounts.migrations.0003_reference_data")
        migration.load(django_apps, None)
    # Relations ("Parent" / "Enfant") and discharge reasons: get_or_create, idempotent.
    importlib.import_module("cordee.patients.migrations.0002_reference_data").load(django_apps, None)
    # Circle roles and the default rights matrix (CIR-2, CIR-5): without them nobody opens a dossier.
    if not CircleRole.objects.exists() or not RightsRule.objects.exists():
        migration = importlib.import_module("cordee.careteam.migrations.0004_roles_and_rights_matrix")
        migration.load(django_apps, None)
    # Task types, levels and the TASKS section of the matrix (get_or_create, idempotent).
    importlib.import_module("cordee.tasks.migrations.0002_reference_data").load(django_apps, None)
    # Parcours themes, the matrix's Parcours / documents sections and the shipped questionnaires.
    importlib.import_module("cordee.pathways.migrations.0002_reference_data").load(django_apps, None)
    load_shipped()
    # Cocon inclusion criteria and the network staff's group (extraction, cohort dashboard).
    importlib.import_module("cordee.cocon.migrations.0002_reference_data").load(django_apps, None)
    if not Region.objects.exists():
        Region.objects.bulk_create(Region(code=r["code"], name=r["name"]) for r in _cog("regions.csv"))
        Departement.objects.bulk_create(
            Departement(code=d["code"], name=d["name"], region_id=d["region"])
            for d in _cog("departements.csv")
        )
        Country.objects.bulk_create(
            Country(code=c["code"], name=c["name"], iso2=c["iso2"]) for c in _cog("countries.csv")
        )
        Commune.objects.bulk_create(
            Commune(
                code=c["code"],
                name=c["name"],
                name_key=search_key(c["name"]),
                postal_codes=c["postal_codes"],
                departement_id=c["departement"] or None,
            )
            for c in _cog("communes.csv")
            if c["departement"] == HOME_DEPARTEMENT
        )


@pytest.fixture
def all_communes(reference_data: None) -> None:
    """The whole COG, loaded by the project's own loader (it upserts over the subset)."""
    load_territory(Region, Departement, Commune, Country)


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; without this flag every ORM
    call made by the test itself would raise SynchronousOnlyOperation. Set for the browser tests
    only (from the first one on), not at import, so unit tests keep Django's guard."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def playwright_instance(allow_orm_beside_playwright: None) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (one per person in a scenario); all closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def make(**kwargs: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def site_url(settings: Settings, live_server: LiveServer) -> str:
    """E-mailed links (activation, invitation) must point at the live server."""
    settings.CORDEE_SITE_URL = live_server.url
    return str(live_server.url)


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    """Fill the sign-in form; where it lands depends on the account (CGU, 2FA, home)."""
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def force_sign_in(context: BrowserContext, user: User, live_server_url: str) -> None:
    """Open a session without going through the form (for tests that are not about sign-in)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server_url}])


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_role("heading", name="Connexion à Cordée")).to_be_visible()


def last_email_body(address: str, subject_contains: str) -> str:
    """The body of the last e-mail sent to `address` whose subject contains the given text."""
    matching = [m for m in mail.outbox if address in m.to and subject_contains in m.subject]
    assert matching, f"no e-mail « {subject_contains} » to {address}: {[m.subject for m in mail.outbox]}"
    return str(matching[-1].body)
