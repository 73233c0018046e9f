"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import User
from cordee.territory.loader import load_territory
from cordee.territory.models import Commune, Country, Departement, Region
from tests.factories import TEST_PASSWORD
from tests.reference_data import reload_reference_data

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


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Live-server tests are transactional: each one ends with a flush that also empties the
    tables filled by data migrations. Put them back before each test."""
    reload_reference_data()


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
    """Make browser contexts (one per person in a scenario); all closed at the end of the test.
    Whatever the test does, no page may break the Content-Security-Policy (issue 22): Chromium
    reports each refused inline style, inline script or eval on the console."""
    contexts: list[BrowserContext] = []
    refused: list[str] = []

    def make(**kwargs: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **kwargs)
        context.set_default_timeout(10_000)
        context.on(
            "console",
            lambda message: (
                refused.append(f"{message.location.get('url')}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not refused, refused


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
