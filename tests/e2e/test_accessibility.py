"""RGAA: axe-core on the main pages (no "serious" or "critical" violation), and the layout on a
phone, where the side menu hides behind the "Ouvrir le menu" button."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Profession, RegistrationRequest, Structure, User
from cordee.core.identifiers import rpps_with_key
from cordee.directory.importer import Importer
from cordee.directory.models import DirectoryImport, DirectoryProfessional
from cordee.directory.tests.extract import SAMPLE
from tests.e2e.conftest import PHONE_VIEWPORT, force_sign_in
from tests.factories import MembershipFactory, StructureFactory, UserFactory, accept_current_terms

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page) -> None:
    violations = axe.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['html'][:160]}" for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe-core on {page.url}:\n{report}"


@dataclass
class World:
    """A small directory: a DAC with a coordinator and a member, an administrator, a request."""

    structure: Structure
    coordinator: User
    member: User
    admin: User
    newcomer: User


@pytest.fixture
def world(db: None) -> World:
    structure = StructureFactory.create(
        name="DAC Test Azur", kind=Structure.Kind.DAC, address="12 avenue Jean Médecin"
    )
    StructureFactory.create(name="Maternité du Port", kind=Structure.Kind.MATERNITY)
    coordinator = UserFactory.create(username="coordinatrice", first_name="Claire", last_name="Coordin")
    MembershipFactory.create(user=coordinator, structure=structure, role=Membership.Role.SUPERUSER)
    member = UserFactory.create(
        username="membre",
        first_name="Marc",
        last_name="Membre",
        profession=Profession.objects.get(code="infirmier"),
        rpps=None,
        adeli="069876543",
        phone="0493000000",
        commune_id="06088",
    )
    MembershipFactory.create(user=member, structure=structure, function="Infirmier coordinateur")
    admin = UserFactory.create(
        username="adminplateforme", is_staff=True, is_superuser=True, profession=None, rpps=None
    )
    for user in (coordinator, member, admin):
        accept_current_terms(user)
    newcomer = UserFactory.create(username="nouveau", first_name="Nina", last_name="Nouveau")
    RegistrationRequest.objects.create(
        profession=Profession.objects.get(code="sage-femme"),
        rpps=rpps_with_key("1000077777"),
        last_name="Lambert",
        first_name="Léa",
        email="lea.lambert@example.org",
        commune_id="06088",
        message="Sage-femme libérale à Nice.",
    )
    return World(structure, coordinator, member, admin, newcomer)


def _national() -> DirectoryProfessional:
    """The shipped sample's region imported (DIR-2); its pediatrician."""
    if not DirectoryProfessional.objects.exists():
        Importer(
            lambda: SAMPLE.open("rb"), departements=frozenset({"04", "05", "06", "13", "83", "84"})
        ).run()
    return DirectoryProfessional.objects.get(last_name="AUBERT-LENOIR")


def _import_run() -> DirectoryImport:
    """A finished run with its rejected lines, as the task worker leaves it."""
    report = Importer(lambda: SAMPLE.open("rb")).run()
    return DirectoryImport.objects.create(
        file_name=SAMPLE.name,
        status=DirectoryImport.Status.DONE,
        total_lines=report.total_lines,
        lines_read=report.lines,
        counts=report.counts(),
        rejections=[list(item) for item in report.rejections],
    )


@dataclass(frozen=True)
class PageCase:
    user: str | None  # attribute of World, None for an anonymous visitor
    url: Callable[[World], str]
    heading: str


PAGES = {
    "connexion": PageCase(None, lambda w: "/connexion/", "Connexion à Cordée"),
    "inscription": PageCase(None, lambda w: "/inscription/", "Inscription"),
    "cgu": PageCase("newcomer", lambda w: "/cgu/", "Conditions générales d'utilisation de Cordée"),
    "accueil": PageCase("coordinator", lambda w: "/", "Bonjour Claire"),
    "profil": PageCase("coordinator", lambda w: "/profil/", "Mon profil"),
    "mot-de-passe": PageCase("coordinator", lambda w: "/profil/mot-de-passe/", "Modifier mon mot de passe"),
    "securite": PageCase("coordinator", lambda w: "/profil/securite/", "Double authentification (TOTP)"),
    "ma-structure": PageCase(
        "coordinator", lambda w: f"/structures/{w.structure.public_id}/", "Membres et droits"
    ),
    "annuaire": PageCase("coordinator", lambda w: "/annuaire/", "Annuaire régional"),
    "annuaire-structures": PageCase(
        "coordinator", lambda w: "/annuaire/?type=structures", "Annuaire régional"
    ),
    "annuaire-professionnel": PageCase(
        "coordinator", lambda w: f"/annuaire/professionnels/{w.member.public_id}/", "MEMBRE Marc"
    ),
    "annuaire-structure": PageCase(
        "coordinator", lambda w: f"/annuaire/structures/{w.structure.public_id}/", "DAC Test Azur"
    ),
    "invitation": PageCase("coordinator", lambda w: "/annuaire/inviter/", "Inviter un confrère"),
    "annuaire-national": PageCase(
        "coordinator",
        lambda w: f"/annuaire/annuaire-national/{_national().public_id}/",
        "Docteur AUBERT-LENOIR",
    ),
    "annuaire-recherche-non-inscrits": PageCase(
        "coordinator", lambda w: (_national(), "/annuaire/?nom=aubert")[1], "Annuaire régional"
    ),
    "import-annuaire": PageCase(
        "admin", lambda w: "/annuaire/administration/imports/", "Import de l'annuaire national"
    ),
    "import-annuaire-resultat": PageCase(
        "admin",
        lambda w: f"/annuaire/administration/imports/{_import_run().public_id}/",
        "Import de l'annuaire national — PS_LibreAcces_Personne_activite_exemple.txt",
    ),
    "demandes-inscription": PageCase(
        "admin", lambda w: "/administration/inscriptions/", "Demandes d'inscription"
    ),
    "demande-inscription": PageCase(
        "admin",
        lambda w: f"/administration/inscriptions/{RegistrationRequest.objects.get().public_id}/",
        "Demande d'inscription de LAMBERT Léa",
    ),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(
    name: str, world: World, new_context: Callable[..., BrowserContext], live_server: LiveServer, axe: Axe
) -> None:
    case = PAGES[name]
    context = new_context()
    if case.user is not None:
        force_sign_in(context, getattr(world, case.user), live_server.url)
    page = context.new_page()

    page.goto(case.url(world))

    expect(page.get_by_role("heading", name=case.heading).first).to_be_visible()
    assert_accessible(axe, page)


def test_forms_with_errors_stay_accessible(
    world: World, new_context: Callable[..., BrowserContext], live_server: LiveServer, axe: Axe
) -> None:
    anonymous = new_context().new_page()
    anonymous.goto("/inscription/")
    anonymous.get_by_role("combobox", name="Ville d'exercice", exact=True).fill("Nice")
    found = anonymous.get_by_role("listbox", name="Communes trouvées")
    expect(found.get_by_role("option", name=re.compile("^Nice \\(06000"))).to_have_count(1)
    assert_accessible(axe, anonymous)  # the combobox open
    anonymous.get_by_role("button", name="Envoyer ma demande d'inscription").click()
    expect(anonymous.get_by_text("Veuillez indiquer votre fonction.")).to_be_visible()
    assert_accessible(axe, anonymous)

    anonymous.goto("/connexion/")
    anonymous.get_by_role("button", name="Se connecter").click()
    expect(anonymous.get_by_text("Veuillez indiquer votre identifiant.")).to_be_visible()
    assert_accessible(axe, anonymous)

    context = new_context()
    force_sign_in(context, world.coordinator, live_server.url)
    page = context.new_page()
    page.goto("/annuaire/inviter/")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Veuillez indiquer l'adresse e-mail du confrère.")).to_be_visible()
    assert_accessible(axe, page)


def test_phone_layout_hides_the_side_menu_behind_a_button(
    world: World, new_context: Callable[..., BrowserContext], live_server: LiveServer, axe: Axe
) -> None:
    context = new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    force_sign_in(context, world.coordinator, live_server.url)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Bonjour Claire")).to_be_visible()

    side_menu = page.locator("#menu-lateral")
    open_button = page.get_by_role("button", name="Ouvrir le menu")
    expect(side_menu).to_be_hidden()
    expect(open_button).to_be_visible()
    # Nothing wider than the screen: no horizontal scrolling (RGAA 10.11).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert_accessible(axe, page)

    open_button.click()
    expect(side_menu).to_be_visible()
    directory_link = side_menu.get_by_role("link", name="Annuaire")
    expect(directory_link).to_be_in_viewport()
    assert_accessible(axe, page)

    side_menu.get_by_role("button", name="Fermer le menu").click()
    expect(side_menu).to_be_hidden()

    open_button.click()
    directory_link.click()
    expect(page.get_by_role("heading", name="Annuaire régional")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/annuaire/$"))
    expect(side_menu).to_be_hidden()
    # The results table turns into cards: each cell names its column.
    expect(page.locator("td[data-label='Profession']").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert_accessible(axe, page)


def test_desktop_layout_shows_the_side_menu(
    world: World, new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    context = new_context(viewport={"width": 1280, "height": 800})
    force_sign_in(context, world.coordinator, live_server.url)
    page = context.new_page()
    page.goto("/")
    expect(
        page.get_by_role("navigation", name="Menu latéral").get_by_role("link", name="Annuaire")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Ouvrir le menu")).to_be_hidden()
