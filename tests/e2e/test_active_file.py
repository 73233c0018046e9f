"""The active file in a browser (SRCH-1..4): htmx filtering with the URL as state, sorting by a
column header, page size and pagination, saved filters with a default applied on arrival, the
cards layout on a phone, and axe-core with every panel open."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.patients.models import Favourite, Patient, SavedFilter, Sex
from cordee.patients.testing import create_test_patient
from cordee.territory.models import Commune, Zone
from tests.e2e.conftest import PHONE_VIEWPORT, sign_in, sign_out
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

ANTIBES = "06004"
# (birth name, first name, sex, commune): 15 dossiers, more than one page of 10.
PEOPLE = [
    ("Lefèvre-Dupré", "Chloé", Sex.FEMALE, None),
    ("O'Connor", "Liam", Sex.MALE, None),
    ("Martin", "Léa", Sex.FEMALE, ANTIBES),
    ("Bernard", "Hugo", Sex.MALE, None),
    ("Dubois", "Emma", Sex.FEMALE, None),
    ("Thomas", "Louis", Sex.MALE, ANTIBES),
    ("Robert", "Jade", Sex.FEMALE, None),
    ("Richard", "Gabriel", Sex.MALE, None),
    ("Petit", "Alice", Sex.FEMALE, None),
    ("Durand", "Jules", Sex.MALE, None),
    ("Leroy", "Rose", Sex.FEMALE, None),
    ("Moreau", "Arthur", Sex.MALE, None),
    ("Simon", "Inès", Sex.FEMALE, None),
    ("Laurent", "Noah", Sex.MALE, None),
    ("Michel", "Zoé", Sex.FEMALE, None),
]
# Sorted on the birth name's search key ("LEFEVRE DUPRE", "O CONNOR").
BY_NAME = [
    "BERNARD Hugo",
    "DUBOIS Emma",
    "DURAND Jules",
    "LAURENT Noah",
    "LEFÈVRE-DUPRÉ Chloé",
    "LEROY Rose",
    "MARTIN Léa",
    "MICHEL Zoé",
    "MOREAU Arthur",
    "O'CONNOR Liam",
    "PETIT Alice",
    "RICHARD Gabriel",
    "ROBERT Jade",
    "SIMON Inès",
    "THOMAS Louis",
]
IN_ANTIBES = ["THOMAS Louis", "MARTIN Léa"]  # the default sort: last updated first


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def dossiers(coordinator: User, structure: Structure) -> list[Patient]:
    return [
        create_test_patient(
            coordinator,
            structure,
            birth_name=birth_name,
            first_name=first_name,
            sex=sex,
            **({"commune_id": commune} if commune else {}),
        )
        for birth_name, first_name, sex, commune in PEOPLE
    ]


def open_signed_in(
    new_context: Callable[..., BrowserContext],
    user: User,
    live_server: LiveServer,
    acting_as: Structure | None = None,
    **context_options: object,
) -> Page:
    """A page whose session is already open, optionally acting as a structure."""
    client = Client()
    client.force_login(user)
    if acting_as is not None:
        session = client.session
        session[ACTING_STRUCTURE_KEY] = str(acting_as.public_id)
        session.save()
    context = new_context(**context_options)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def open_active_file(page: Page, url: str = "/patients/") -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="File active des dossiers")).to_be_visible()


def results_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Dossiers de la file active")


def listed_names(page: Page) -> Locator:
    """The patients' names, in the order of the list (one link per row, in the "Nom" cell)."""
    return results_table(page).locator("td[data-label='Nom'] > a")


def name_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Nom du patient", exact=True)


def count_line(page: Page) -> Locator:
    return page.locator("#resultats").get_by_text(re.compile(r"\d+ dossiers?\.$"))


def saved_filters_menu(page: Page) -> Locator:
    """Open "Mes filtres ▼" (Bootstrap dropdown) and return its menu."""
    page.get_by_role("button", name="Mes filtres ▼").click()
    menu = page.locator(".dropdown-menu.show")
    expect(menu).to_be_visible()
    return menu


def mark_document(page: Page) -> None:
    """A flag on `window` that a full page load would wipe out."""
    page.evaluate("window.__marker = 1")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was fully reloaded"


# --- SRCH-2: filtering with htmx -----------------------------------------------------------


def test_name_filter_swaps_the_results_in_place_and_pushes_the_url(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
) -> None:
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure)
    open_active_file(page)
    expect(count_line(page)).to_have_text(re.compile(r"15 dossiers\.$"))
    expect(listed_names(page)).to_have_count(10)
    mark_document(page)

    # Accents, hyphen and case folded: "lefevre" finds "Lefèvre-Dupré", by prefix.
    name_box(page).fill("lefevre")
    page.get_by_role("button", name="Rechercher les patients").click()

    expect(listed_names(page)).to_have_text(["LEFÈVRE-DUPRÉ Chloé"])
    expect(count_line(page)).to_have_text(re.compile(r"1 dossier\.$"))
    expect(page).to_have_url(re.compile(r"/patients/\?(.+&)?nom=lefevre(&|$)"))
    assert_same_document(page)

    # The apostrophe too: "o connor" is the same key as "O'Connor".
    name_box(page).fill("o connor")
    page.get_by_role("button", name="Rechercher les patients").click()
    expect(listed_names(page)).to_have_text(["O'CONNOR Liam"])
    expect(page).to_have_url(re.compile(r"nom=o(\+|%20)connor(&|$)"))

    # History: each search is a step back, restored without a reload.
    page.go_back()
    expect(page).to_have_url(re.compile(r"nom=lefevre(&|$)"))
    expect(listed_names(page)).to_have_text(["LEFÈVRE-DUPRÉ Chloé"])
    page.go_back()
    expect(page).to_have_url(re.compile(r"/patients/$"))
    expect(count_line(page)).to_have_text(re.compile(r"15 dossiers\.$"))
    expect(listed_names(page)).to_have_count(10)
    assert_same_document(page)

    # A name nobody bears: the list says so.
    name_box(page).fill("zzz")
    page.get_by_role("button", name="Rechercher les patients").click()
    expect(page.locator("#resultats")).to_contain_text("Aucun dossier ne correspond à ces critères.")
    expect(results_table(page)).to_have_count(0)
    assert_same_document(page)


# --- SRCH-3: sorting, page size, pagination -----------------------------------------------


def test_sorting_by_name_page_size_and_pagination(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
) -> None:
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure)
    open_active_file(page)
    header = results_table(page).get_by_role("columnheader").filter(has_text="Nom")
    expect(header).not_to_have_attribute("aria-sort", re.compile("."))
    mark_document(page)

    header.get_by_role("link").click()
    expect(header.get_by_role("link")).to_have_text("Nom ▲")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(listed_names(page)).to_have_text(BY_NAME[:10])
    expect(page).to_have_url(re.compile(r"tri=nom(&|$)"))

    header.get_by_role("link").click()
    expect(header.get_by_role("link")).to_have_text("Nom ▼")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(listed_names(page)).to_have_text(BY_NAME[::-1][:10])
    expect(page).to_have_url(re.compile(r"tri=-nom(&|$)"))
    assert_same_document(page)

    # The page size keeps the sort chosen in the header.
    page.get_by_label("Nombre d'items par page").select_option("25")
    expect(listed_names(page)).to_have_text(BY_NAME[::-1])
    expect(page).to_have_url(re.compile(r"taille=25(&|$)"))
    expect(page).to_have_url(re.compile(r"tri=-nom(&|$)"))
    expect(page.get_by_role("navigation", name="Pagination")).to_have_count(0)
    assert_same_document(page)

    page.get_by_label("Nombre d'items par page").select_option("10")
    expect(listed_names(page)).to_have_text(BY_NAME[::-1][:10])
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(pagination).to_contain_text("Page 1 sur 2")

    pagination.get_by_role("link", name="Suivant").click()
    expect(pagination).to_contain_text("Page 2 sur 2")
    expect(listed_names(page)).to_have_text(BY_NAME[::-1][10:])
    expect(page).to_have_url(re.compile(r"page=2(&|$)"))
    expect(pagination.get_by_role("link", name="Suivant")).to_have_count(0)
    expect(header.get_by_role("link")).to_have_text("Nom ▼")

    # Sorting again from page 2 starts over on page 1.
    header.get_by_role("link").click()
    expect(header.get_by_role("link")).to_have_text("Nom ▲")
    expect(listed_names(page)).to_have_text(BY_NAME[:10])
    expect(pagination).to_contain_text("Page 1 sur 2")
    expect(pagination.get_by_role("link", name="Précédent")).to_have_count(0)


# --- SRCH-4: saved filters ----------------------------------------------------------------


def test_saved_filter_becomes_the_default_search_then_is_deleted(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
) -> None:
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    open_active_file(page)
    expect(saved_filters_menu(page)).to_contain_text("Aucun filtre enregistré.")
    page.keyboard.press("Escape")

    page.get_by_label("Ville ou code postal").fill("antibes")
    page.get_by_role("button", name="Rechercher les patients").click()
    expect(listed_names(page)).to_have_text(IN_ANTIBES)

    menu = saved_filters_menu(page)
    menu.get_by_label("Mémoriser ces filtres sous le nom").fill("Patients d'Antibes")
    menu.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("status")).to_contain_text("Le filtre « Patients d'Antibes » est enregistré.")
    saved = SavedFilter.objects.get(user=coordinator)
    # The criteria typed, and the page size (a field of the form too); no empty field, no page.
    assert saved.query == "ville=antibes&taille=10"
    expect(page).to_have_url(re.compile(rf"/patients/\?{saved.query}&filtre={saved.public_id}$"))
    expect(listed_names(page)).to_have_text(IN_ANTIBES)
    menu = saved_filters_menu(page)
    expect(menu.get_by_role("link", name="Patients d'Antibes", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )

    menu.get_by_role("button", name="Appliquer « Patients d'Antibes » par défaut").click()
    expect(page.get_by_role("status")).to_contain_text(
        "« Patients d'Antibes » est votre recherche par défaut ★."
    )
    menu = saved_filters_menu(page)
    expect(menu.get_by_role("link", name="Patients d'Antibes (par défaut)", exact=True)).to_be_visible()
    default_button = menu.get_by_role("button", name="Ne plus appliquer « Patients d'Antibes » par défaut")
    # Icons from the vendored set (no emoji a system may lack), on 44 px touch targets.
    expect(default_button.locator("i.bi-star-fill")).to_have_count(1)
    box = default_button.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    delete_button = menu.get_by_role("button", name="Supprimer le filtre « Patients d'Antibes »")
    expect(delete_button.locator("i.bi-trash3")).to_have_count(1)
    box = delete_button.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44

    # A new session: "File active" lands on the default search, and the URL says so.
    sign_out(page)
    sign_in(page, "coordinatrice")
    expect(page.get_by_role("heading", name="Bonjour Claire")).to_be_visible()
    page.get_by_role("navigation", name="Menu latéral").get_by_role("link", name="File active").click()
    expect(page.get_by_role("heading", name="File active des dossiers")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/patients/\?{saved.query}&filtre={saved.public_id}$"))
    expect(page.get_by_label("Ville ou code postal")).to_have_value("antibes")
    expect(listed_names(page)).to_have_text(IN_ANTIBES)
    expect(count_line(page)).to_have_text(re.compile(r"2 dossiers\.$"))

    # Deleting asks for confirmation, then the filter is gone (and with it the default).
    menu = saved_filters_menu(page)
    menu.get_by_role("button", name="Supprimer le filtre « Patients d'Antibes »").click()
    expect(page.get_by_role("status")).to_contain_text("Le filtre « Patients d'Antibes » est supprimé.")
    assert dialogs == ["Supprimer le filtre « Patients d'Antibes » ? Cette action est irréversible."]
    expect(saved_filters_menu(page)).to_contain_text("Aucun filtre enregistré.")
    expect(page.get_by_role("link", name=re.compile("Patients d'Antibes"))).to_have_count(0)
    assert not SavedFilter.objects.filter(user=coordinator).exists()

    # Without a default, the active file opens on the whole list again.
    open_active_file(page)
    expect(page).to_have_url(re.compile(r"/patients/$"))
    expect(count_line(page)).to_have_text(re.compile(r"15 dossiers\.$"))


# --- On a phone -----------------------------------------------------------------------------


def test_phone_shows_cards_without_horizontal_scroll(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
) -> None:
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure, viewport=PHONE_VIEWPORT)
    open_active_file(page)
    table = results_table(page)
    expect(listed_names(page)).to_have_count(10)

    # .table-cards: no header row, each dossier a block whose cells carry their label.
    expect(table.locator("thead")).to_be_hidden()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(10)
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
    labels = rows.first.locator("td").evaluate_all(
        "cells => cells.map(cell => getComputedStyle(cell, '::before').content)"
    )
    assert labels[0] == '"Nom : "', labels
    # Issue 23: the card shows what matters; the rest on demand; an empty value reads "—".
    shown = [cell.get_attribute("data-label") for cell in rows.first.locator("td").all() if cell.is_visible()]
    assert shown == ["Nom", "Date de naissance", "Statut", "Parcours", "Tâches", "Actions"], shown
    expect(rows.first.locator('td[data-label="Tâches"]')).to_have_text("—")
    more = rows.first.get_by_role("button", name=re.compile("^Plus de détails"))
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(rows.first.get_by_role("button", name=re.compile("^Moins de détails"))).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(rows.first.locator('td[data-label="Date de décès"]')).to_be_visible()
    expect(rows.first.locator('td[data-label="Date de décès"]')).to_have_text("—")
    expect(rows.nth(1).locator('td[data-label="Date de décès"]')).to_be_hidden()
    for cell in rows.first.locator("td").all():
        label = cell.get_attribute("data-label")
        assert label, cell.inner_html()
        expect(cell).to_have_accessible_name(re.compile(rf"^{re.escape(label)} :( |$)"))
    first_card = rows.first.bounding_box()
    assert first_card is not None and first_card["width"] <= PHONE_VIEWPORT["width"]

    widths = page.evaluate(
        """() => ({
            page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            body: [document.body.scrollWidth, document.body.clientWidth],
            results: [document.querySelector('.table-responsive').scrollWidth,
                      document.querySelector('.table-responsive').clientWidth],
        })"""
    )
    for name, (scroll, client) in widths.items():
        assert scroll <= client, f"{name} scrolls horizontally: {widths}"


# --- RGAA -----------------------------------------------------------------------------------


def test_active_file_with_filters_and_saved_filters_open_is_accessible(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
    axe: Axe,
) -> None:
    Favourite.objects.create(user=coordinator, patient=dossiers[2])
    SavedFilter.objects.create(
        user=coordinator, name="Mes patientes", query="sexe=F", is_default=False, created_by=coordinator
    )
    # No transitions: axe must not measure a button's colours halfway through its hover effect.
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure, reduced_motion="reduce")
    open_active_file(page, "/patients/?tous=1&tri=nom")
    expect(listed_names(page)).to_have_count(10)

    page.get_by_text("Plus de critères").click()
    expect(page.get_by_role("group", name="Statuts")).to_be_visible()
    expect(page.get_by_label("Nom/Prénom du professionnel")).to_be_visible()
    assert_accessible(axe, page)

    # Filtered (htmx), then "Mes filtres" open with a saved filter and the form to save this one.
    name_box(page).fill("m")
    page.get_by_role("button", name="Rechercher les patients").click()
    expect(listed_names(page)).to_have_text(["MARTIN Léa", "MICHEL Zoé", "MOREAU Arthur"])
    menu = saved_filters_menu(page)
    expect(menu.get_by_role("link", name="Mes patientes")).to_be_visible()
    expect(menu.get_by_label("Mémoriser ces filtres sous le nom")).to_be_visible()
    assert_accessible(axe, page)


# --- Issue 23: multiple choices ------------------------------------------------------------


def zone_filter(page: Page) -> tuple[Locator, Locator]:
    group = page.get_by_role("group", name="Zones géographiques")
    return group, group.get_by_role("button", name=re.compile(r"^Zones géographiques "))


def test_zones_are_chosen_from_a_drop_down_of_checkboxes_with_the_keyboard(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
    axe: Axe,
) -> None:
    """No Ctrl-click list box: a button names what is chosen, ↓ opens the list and enters it (a
    search box first when the list is long), Space ticks, Échap closes; the search sends every
    zone ticked."""
    antibes = Zone.objects.create(name="Pays d'Antibes")
    antibes.communes.add(Commune.objects.get(code=ANTIBES))
    empty = [Zone.objects.create(name=f"Secteur {n}") for n in range(1, 8)]
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure, reduced_motion="reduce")
    open_active_file(page, "/patients/?tous=1")
    mark_document(page)
    page.get_by_text("Plus de critères").click()
    group, toggle = zone_filter(page)
    expect(toggle).to_have_accessible_name("Zones géographiques Indifférent")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(group.get_by_role("checkbox")).to_have_count(0)  # closed: the list is hidden

    toggle.focus()
    page.keyboard.press("ArrowDown")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    search = group.get_by_role("searchbox", name="Rechercher : Zones géographiques")
    expect(search).to_be_focused()
    expect(group.get_by_role("checkbox")).to_have_count(8)
    page.keyboard.type("antib")
    expect(group.get_by_role("checkbox")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("checkbox", name="Pays d'Antibes")).to_be_focused()
    page.keyboard.press("Space")
    expect(group.get_by_role("checkbox", name="Pays d'Antibes")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
    search.fill("")
    page.keyboard.press("ArrowDown")  # the first zone by name: Pays d'Antibes
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("checkbox", name="Secteur 1")).to_be_focused()
    page.keyboard.press("Enter")  # ticks, does not send the form half chosen
    expect(group.get_by_role("checkbox", name="Secteur 1")).to_be_checked()
    expect(toggle).to_have_accessible_name("Zones géographiques 2 choix : Pays d'Antibes, Secteur 1")
    assert_accessible(axe, page)
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(group.get_by_role("checkbox")).to_have_count(0)

    # Opened with a click, closed by a click elsewhere or by leaving it with Tab.
    toggle.click()
    expect(group.get_by_role("checkbox")).to_have_count(8)
    page.get_by_role("heading", name="Rechercher un patient").click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Shift+Tab")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    page.get_by_role("button", name="Rechercher les patients").click()
    expect(listed_names(page)).to_have_text(IN_ANTIBES)
    assert_same_document(page)
    expect(page).to_have_url(re.compile(rf"zone={antibes.public_id}.*zone={empty[0].public_id}"))
    page.reload()
    group, toggle = zone_filter(page)
    expect(toggle).to_have_accessible_name("Zones géographiques 2 choix : Pays d'Antibes, Secteur 1")


def test_zones_are_chosen_without_javascript_too(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
) -> None:
    antibes = Zone.objects.create(name="Pays d'Antibes")
    antibes.communes.add(Commune.objects.get(code=ANTIBES))
    Zone.objects.create(name="Secteur 1")
    page = open_signed_in(
        new_context, coordinator, live_server, acting_as=structure, java_script_enabled=False
    )
    open_active_file(page, "/patients/?tous=1")
    page.get_by_text("Plus de critères").click()
    group = page.get_by_role("group", name="Zones géographiques")
    expect(group.get_by_role("button")).to_have_count(0)
    group.get_by_role("checkbox", name="Pays d'Antibes").check()
    page.get_by_role("button", name="Rechercher les patients").click()
    expect(page).to_have_url(re.compile(rf"zone={antibes.public_id}"))
    expect(listed_names(page)).to_have_text(IN_ANTIBES)


# --- Issue 23: the column chooser ----------------------------------------------------------


def test_columns_chosen_with_the_keyboard_are_kept_for_the_person(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    dossiers: list[Patient],
    live_server: LiveServer,
    axe: Axe,
) -> None:
    page = open_signed_in(new_context, coordinator, live_server, acting_as=structure, reduced_motion="reduce")
    open_active_file(page, "/patients/?tous=1&tri=nom")
    table = results_table(page)
    expect(table.get_by_role("columnheader", name="Sexe")).to_have_count(1)
    chooser = page.locator("details.column-chooser")
    summary = chooser.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    group = page.get_by_role("group", name="Colonnes affichées")
    expect(group).to_be_visible()
    assert_accessible(axe, page)
    for label in ("Sexe", "CP/Commune", "Date de mise à jour"):
        box = group.get_by_role("checkbox", name=label, exact=True)
        expect(box).to_be_checked()
        box.focus()
        page.keyboard.press("Space")
        expect(box).not_to_be_checked()
    page.get_by_role("button", name="Enregistrer les colonnes").press("Enter")
    expect(page.get_by_text("Les colonnes choisies sont enregistrées.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"tri=nom"))  # back to the same search
    expect(listed_names(page)).to_have_count(10)
    for label in ("Sexe", "CP/Commune", "Date de mise à jour"):
        header = re.compile("^" + re.escape(label).replace("/", r"\/"))
        expect(table.get_by_role("columnheader", name=header)).to_have_count(0)
    expect(table.get_by_role("columnheader", name=re.compile(r"^Statut"))).to_have_count(1)
    # Kept on the server: another browser of the same person shows the same columns.
    other = open_signed_in(new_context, coordinator, live_server, acting_as=structure)
    open_active_file(other, "/patients/?tous=1")
    expect(results_table(other).get_by_role("columnheader", name="Sexe")).to_have_count(0)
    expect(results_table(other).get_by_role("columnheader", name="Tâches")).to_have_count(1)
