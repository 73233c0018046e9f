"""The patient dossier in a browser, as the training booklet walks through it: search before
create (IDV-2), the seed's messages (IDV-3), consent (CON-1), provisional identity (IDV-4),
special cases (IDV-6), death (DOS-3), hospitalisations (DOS-4), linked dossiers (DOS-6), the
stranger's 404 (SEC-1), "Qui a consulté ce dossier" (SEC-2) and axe-core on every page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.core.middleware import ACTING_STRUCTURE_KEY
from cordee.patients.models import Patient, Sex
from cordee.patients.testing import create_test_patient
from tests.e2e.conftest import force_sign_in
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

NICE = "06088"
STAND_INS = "1er prénom de naissance, date de naissance, commune de naissance"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# --- Helpers -------------------------------------------------------------------------------


def open_as_structure(
    new_context: Callable[..., BrowserContext], user: User, structure: Structure, live_server: LiveServer
) -> Page:
    """A signed-in page whose session already acts as `structure` ("Agir en tant que")."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTING_STRUCTURE_KEY] = str(structure.public_id)
    session.save()
    context = new_context()
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def open_as_person(new_context: Callable[..., BrowserContext], user: User, live_server: LiveServer) -> Page:
    context = new_context()
    force_sign_in(context, user, live_server.url)
    return context.new_page()


def side_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu latéral")


def commune_select(page: Page, label: str) -> Locator:
    """The commune picker: one combobox (issue 23), named after its field."""
    return page.get_by_role("combobox", name=label, exact=True)


def commune_code(page: Page, label: str) -> Locator:
    """The hidden field the combobox puts the chosen commune's code in."""
    picker = page.locator(".commune-combobox").filter(has=commune_select(page, label))
    return picker.locator("[data-commune-code]")


def commune_options(page: Page, label: str) -> Locator:
    """The combobox's matches, in the listbox it controls."""
    listbox = commune_select(page, label).get_attribute("aria-controls")
    return page.locator(f"#{listbox}").get_by_role("option")


def pick_commune(page: Page, label: str, query: str, option: str) -> None:
    """The commune picker (TER-1): type in the combobox, wait for the server's matches, click one."""
    commune_select(page, label).fill(query)
    choice = commune_options(page, label).filter(has_text=option)
    expect(choice).to_have_count(1)
    choice.click()
    expect(commune_code(page, label)).not_to_have_value("")


def fill_traits(page: Page, birth_name: str, first_name: str, birth_date: str, sex: str) -> None:
    page.get_by_role("textbox", name="Nom de naissance", exact=True).fill(birth_name)
    page.get_by_role("textbox", name="1er prénom de naissance", exact=True).fill(first_name)
    page.get_by_label("Date de naissance").fill(birth_date)
    page.get_by_role("combobox", name="Sexe").select_option(label=sex)


def give_consent(page: Page) -> None:
    page.get_by_role(
        "checkbox", name="J'atteste que le patient est consentant à la création de ce dossier"
    ).check()
    page.get_by_role("combobox", name="Consentement recueilli auprès de").select_option(
        label="Le patient / l'usager lui-même"
    )


def open_dossier(page: Page, patient: Patient) -> None:
    page.goto(f"/patients/{patient.public_id}/")
    expect(page.get_by_role("heading", level=1, name=patient.display_name)).to_be_visible()


def section(page: Page, title: str) -> Locator:
    return page.get_by_role("region", name=title, exact=True)


def dossier_header(page: Page) -> Locator:
    """The dossier's header (name, badges): a <header> inside <main>, so not a landmark."""
    return page.locator("header.dossier-header")


def active_file_row(page: Page, display_name: str) -> Locator:
    side_menu(page).get_by_role("link", name="File active").click()
    expect(page.get_by_role("heading", name="File active des dossiers")).to_be_visible()
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=display_name, exact=True))


def stranger_knocks(page: Page, patient: Patient) -> None:
    """SEC-1: out of the circle, the dossier does not exist — the French 404 page."""
    response = page.goto(f"/patients/{patient.public_id}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_text("La page demandée n'existe pas ou vous n'y avez pas accès.")).to_be_visible()
    expect(page.get_by_text(patient.display_name)).to_have_count(0)


# --- The booklet ---------------------------------------------------------------------------


def test_search_before_create_proposes_a_similar_dossier_then_keeps_the_traits(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    existing = create_test_patient(
        coordinator,
        structure,
        birth_name="Lefèvre",
        first_name="Chloé",
        birth_date=datetime.date(2024, 3, 14),
    )
    page = open_as_person(new_context, coordinator, live_server)
    page.goto("/")
    page.get_by_role("button", name=re.compile("^Agir en tant que")).click()
    page.get_by_role("button", name="DAC Test Azur", exact=True).click()
    expect(page.get_by_text("Vous agissez maintenant en tant que DAC Test Azur.")).to_be_visible()

    side_menu(page).get_by_role("link", name="File active").click()
    expect(page.get_by_role("heading", name="File active des dossiers")).to_be_visible()
    page.get_by_role("link", name="Créer un nouveau patient").first.click()
    expect(page.get_by_role("heading", name="Créer un nouveau patient")).to_be_visible()

    # No accent, one letter changed: the same person for identity vigilance.
    fill_traits(page, "Lefebvre", "Chloe", "2024-03-14", "Féminin")
    pick_commune(page, "Commune de naissance", "Nice", "Nice (")
    page.get_by_role("button", name="Rechercher si le patient est existant").click()

    propositions = section(page, "Propositions")
    expect(propositions.get_by_role("heading", name="Propositions")).to_be_visible()
    candidate = propositions.get_by_role("row").filter(has_text="LEFÈVRE")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("Chloé")
    expect(candidate).to_contain_text("14/03/2024")
    expect(candidate).to_contain_text("orthographe proche")
    expect(candidate.get_by_role("link", name="Ouvrir le dossier")).to_have_attribute(
        "href", f"/patients/{existing.public_id}/"
    )

    propositions.get_by_role("link", name="Créer le patient").click()
    expect(page.get_by_role("heading", name="Création du patient")).to_be_visible()
    expect(page.get_by_role("textbox", name="Nom de naissance", exact=True)).to_have_value("Lefebvre")
    expect(page.get_by_role("textbox", name="1er prénom de naissance", exact=True)).to_have_value("Chloe")
    expect(page.get_by_label("Date de naissance")).to_have_value("2024-03-14")
    expect(page.get_by_role("combobox", name="Sexe")).to_have_value(Sex.FEMALE)
    expect(page.get_by_role("combobox", name="Pays de naissance")).to_have_value("99100")
    expect(commune_code(page, "Commune de naissance")).to_have_value(NICE)
    expect(commune_select(page, "Commune de naissance")).to_have_value(re.compile(r"^Nice \(06"))


def test_creation_form_names_each_missing_trait(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    page = open_as_structure(new_context, coordinator, structure, live_server)
    # The strict traits are typed in the search before creation, which names each one missing.
    page.goto("/patients/nouveau/identite/")
    expect(page.get_by_role("heading", name="Créer un nouveau patient")).to_be_visible()
    expect(page.get_by_text("recherchez si le patient existe déjà", exact=False)).to_be_visible()

    page.get_by_role("button", name="Rechercher si le patient est existant").click()

    for message in (
        "Veuillez indiquer le nom de naissance",
        "Veuillez indiquer le 1er prénom de naissance",
        "Veuillez indiquer la date",
        "Veuillez indiquer le sexe",
        "Veuillez indiquer la ville",
    ):
        expect(page.get_by_text(message, exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Nom de naissance", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert not Patient.objects.exists()


def test_consent_refused_then_given_creates_the_dossier(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/patients/nouveau/")
    fill_traits(page, "Dupont", "Jeanne", "1948-06-02", "Féminin")
    pick_commune(page, "Commune de naissance", "Nice", "Nice (")
    page.get_by_role("button", name="Rechercher si le patient est existant").click()
    page.get_by_role("link", name="Créer le patient").click()

    page.get_by_role("button", name="Créer le patient").click()
    expect(
        page.get_by_text("Attention, vous ne pouvez pas créer le patient sans son consentement.", exact=True)
    ).to_be_visible()
    assert not Patient.objects.exists()
    # What was typed stays.
    expect(page.get_by_role("textbox", name="Nom de naissance", exact=True)).to_have_value("Dupont")
    expect(commune_code(page, "Commune de naissance")).to_have_value(NICE)

    give_consent(page)
    page.get_by_role("button", name="Créer le patient").click()

    expect(page.get_by_role("heading", level=1, name="DUPONT Jeanne")).to_be_visible()
    expect(page.get_by_text("Le dossier de DUPONT Jeanne a été créé.")).to_be_visible()
    circle = section(page, "5. Cercle de soins")
    expect(circle.get_by_text("auto-habilitation")).to_have_count(2)  # the coordinator and the DAC
    expect(circle.get_by_role("listitem").filter(has_text="DAC Test Azur")).to_contain_text(
        "auto-habilitation"
    )
    expect(section(page, "Consentement")).to_contain_text("le patient / l'usager lui-même")


def test_provisional_identity_is_flagged_on_the_dossier_and_in_the_active_file(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    page = open_as_structure(new_context, coordinator, structure, live_server)
    page.goto("/patients/nouveau/")
    fill_traits(page, "Durand", "À DEMANDER", "1900-01-01", "Masculin")
    pick_commune(page, "Commune de naissance", "99999", "Commune inconnue (99999)")
    page.get_by_role("button", name="Rechercher si le patient est existant").click()
    page.get_by_role("link", name="Créer le patient").click()
    give_consent(page)
    page.get_by_role("button", name="Créer le patient").click()

    header = dossier_header(page)
    expect(page.get_by_role("heading", level=1, name="DURAND À DEMANDER")).to_be_visible()
    expect(header.get_by_text("Identité provisoire", exact=True)).to_be_visible()
    # The stand-in values are named, on the dossier and in the badge's tooltip.
    expect(header.get_by_role("paragraph").filter(has_text="à compléter")).to_have_text(
        f"Identité provisoire : à compléter ({STAND_INS})."
    )
    expect(header.get_by_title(f"Traits provisoires : {STAND_INS}")).to_be_visible()
    expect(section(page, "1. Informations administratives")).to_contain_text(
        "Commune inconnue (99999), FRANCE"
    )

    row = active_file_row(page, "DURAND À DEMANDER")
    expect(row).to_have_count(1)
    expect(row.get_by_text("Identité provisoire", exact=True)).to_be_visible()
    expect(row.get_by_title(f"Traits provisoires : {STAND_INS}")).to_be_visible()
    expect(row).to_contain_text("01/01/1900")


def test_homonym_and_doubtful_flags_show_as_badges(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    header = dossier_header(page)
    expect(header.get_by_text("Homonyme", exact=True)).to_have_count(0)

    section(page, "1. Informations administratives").get_by_role("link", name="Modifier").click()
    expect(page.get_by_role("heading", name="Informations administratives — MARTIN Léa")).to_be_visible()
    page.get_by_role("checkbox", name="Identité homonyme").check()
    page.get_by_role("checkbox", name="Identité douteuse").check()
    page.get_by_role("button", name="Mettre à jour").click()

    expect(page.get_by_text("L'identité du patient a été mise à jour.")).to_be_visible()
    expect(header.get_by_text("Homonyme", exact=True)).to_be_visible()
    expect(header.get_by_text("Identité douteuse", exact=True)).to_be_visible()
    expect(section(page, "Fil d'actualité")).to_contain_text(
        "Identité modifiée : identité homonyme, identité douteuse"
    )

    row = active_file_row(page, "MARTIN Léa")
    expect(row.get_by_text("Homonyme", exact=True)).to_be_visible()
    expect(row.get_by_text("Identité douteuse", exact=True)).to_be_visible()


def test_death_declared_with_unknown_date(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)

    section(page, "2. Statut du dossier").get_by_role("link", name="Déclarer le décès").click()
    expect(page.get_by_role("heading", name="Déclarer le décès du patient — MARTIN Léa")).to_be_visible()
    page.get_by_role("checkbox", name="Non connu").check()
    page.get_by_role("combobox", name="Lieu du décès").select_option(label="Domicile")
    page.get_by_role("button", name="Confirmer les informations").click()

    expect(page.get_by_text("Le décès du patient a été déclaré.")).to_be_visible()
    status = section(page, "2. Statut du dossier")
    expect(status.get_by_text("Décédé", exact=True)).to_be_visible()
    expect(status).to_contain_text("date non connue")
    expect(status).to_contain_text("domicile")
    expect(status.get_by_role("link", name="Déclarer le décès")).to_have_count(0)
    expect(section(page, "Fil d'actualité")).to_contain_text("Décès du patient déclaré")


def test_hospitalisation_and_linked_dossiers(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    live_server: LiveServer,
) -> None:
    mother = create_test_patient(
        coordinator, structure, first_name="Sophie", birth_date=datetime.date(1990, 7, 21)
    )
    baby = create_test_patient(coordinator, structure)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, mother)

    stays = section(page, "3. Hospitalisations")
    expect(stays).to_contain_text("Aucune hospitalisation.")
    stays.get_by_role("link", name="Ajouter une hospitalisation").click()
    expect(page.get_by_role("heading", name="Ajouter une hospitalisation — MARTIN Sophie")).to_be_visible()
    page.get_by_role("textbox", name="Établissement (hors annuaire)").fill("Clinique du Parc Impérial")
    page.get_by_role("textbox", name="Service").fill("Maternité")
    page.get_by_label("Date d'entrée").fill("2024-03-13")
    page.get_by_label("Date de sortie").fill("2024-03-18")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("L'hospitalisation a été enregistrée.")).to_be_visible()
    expect(stays.get_by_role("listitem")).to_have_count(1)
    expect(stays.get_by_role("listitem")).to_contain_text(
        "Clinique du Parc Impérial — Maternité : du 13/03/2024 au 18/03/2024"
    )

    links = section(page, "Dossiers liés")
    links.get_by_role("link", name="Lier un dossier").click()
    expect(page.get_by_role("heading", name="Lier un dossier à celui de MARTIN Sophie")).to_be_visible()
    page.get_by_role("searchbox", name="Nom du patient").fill("martin")
    page.get_by_role("button", name="Rechercher").click()
    other = page.get_by_role("combobox", name="Patient à lier")
    expect(other.locator("option", has_text="MARTIN Léa")).to_have_count(1)
    expect(other.locator("option", has_text="MARTIN Sophie")).to_have_count(0)  # not to itself
    other.select_option(label="MARTIN Léa")
    page.get_by_role("combobox", name="Type de relation").select_option(label="Parent")
    page.get_by_role("button", name="Créer la relation").click()

    expect(page.get_by_text("Les dossiers sont liés.")).to_be_visible()
    # Sophie is the parent: her page shows her child, the child's page shows her parent.
    expect(links.get_by_role("listitem")).to_have_text(re.compile(r"^Enfant : MARTIN Léa"))
    links.get_by_role("link", name="MARTIN Léa").click()
    expect(page.get_by_role("heading", level=1, name="MARTIN Léa")).to_be_visible()
    assert page.url.endswith(f"/patients/{baby.public_id}/")
    expect(section(page, "Dossiers liés").get_by_role("listitem")).to_have_text(
        re.compile(r"^Parent : MARTIN Sophie")
    )


def test_stranger_gets_page_not_found_and_an_empty_active_file(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    stranger: User,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    page = open_as_person(new_context, stranger, live_server)

    stranger_knocks(page, patient)
    response = page.goto(f"/patients/{patient.public_id}/identite/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()

    side_menu(page).get_by_role("link", name="File active").click()
    expect(page.get_by_role("heading", name="File active des dossiers")).to_be_visible()
    expect(page.get_by_text("Aucun dossier dans votre file active.")).to_be_visible()
    expect(page.get_by_text("MARTIN Léa")).to_have_count(0)


def test_access_journal_shows_the_strangers_refused_attempt(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    stranger: User,
    live_server: LiveServer,
) -> None:
    patient = create_test_patient(coordinator, structure)
    stranger_knocks(open_as_person(new_context, stranger, live_server), patient)

    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    page.get_by_role("link", name="Qui a consulté ce dossier").click()
    expect(page.get_by_role("heading", name="Qui a consulté ce dossier — MARTIN Léa")).to_be_visible()

    refused = page.get_by_role("row").filter(has_text="ETRANGER Eric")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("personne physique")
    expect(refused).to_contain_text("Refusé (dossier introuvable pour cet utilisateur)")
    # The coordinator's own visits are there too, allowed.
    expect(
        page.get_by_role("row").filter(has_text="COORDIN Claire").filter(has_text="Autorisé").first
    ).to_be_visible()


# --- Accessibility -------------------------------------------------------------------------


@dataclass
class Dossiers:
    patient: Patient
    relative: Patient


@dataclass(frozen=True)
class DossierPage:
    url: Callable[[Dossiers], str]
    heading: str
    submit: str | None = None  # a button to press first, for a page showing its errors
    shows: str | None = None  # a text to wait for after that
    as_stranger: bool = False  # seen by a professional outside the circle, as a person
    fill: Callable[[Page], None] | None = None  # what to type before pressing `submit`


def _lea_searched(page: Page) -> None:
    fill_traits(page, "Martin", "Lea", "2024-03-14", "Féminin")
    pick_commune(page, "Commune de naissance", "Nice", "Nice (")


DOSSIER_PAGES = {
    "file-active": DossierPage(lambda d: "/patients/", "File active des dossiers"),
    "file-active-vide": DossierPage(lambda d: "/patients/", "File active des dossiers", as_stranger=True),
    "recherche-avant-creation": DossierPage(
        lambda d: "/patients/nouveau/",
        "Créer un nouveau patient",
        submit="Rechercher si le patient est existant",
        shows="Aucune proposition ne correspond à la personne ?",
        fill=_lea_searched,
    ),
    "recherche-en-erreur": DossierPage(
        lambda d: "/patients/nouveau/",
        "Créer un nouveau patient",
        submit="Rechercher si le patient est existant",
        shows="Veuillez indiquer le nom de naissance",
    ),
    "dossier": DossierPage(lambda d: f"/patients/{d.patient.public_id}/", "MARTIN Léa"),
    "identite": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/identite/", "Informations administratives — MARTIN Léa"
    ),
    "statut": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/statut/", "Statut du dossier — MARTIN Léa"
    ),
    "deces": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/deces/", "Déclarer le décès du patient — MARTIN Léa"
    ),
    "hospitalisation": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/hospitalisations/ajouter/",
        "Ajouter une hospitalisation — MARTIN Léa",
    ),
    "lien": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/liens/ajouter/?q=martin",
        "Lier un dossier à celui de MARTIN Léa",
    ),
    "journal-des-acces": DossierPage(
        lambda d: f"/patients/{d.patient.public_id}/journal/", "Qui a consulté ce dossier — MARTIN Léa"
    ),
}


@pytest.mark.parametrize("name", list(DOSSIER_PAGES))
def test_dossier_page_has_no_serious_accessibility_violation(
    name: str,
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    stranger: User,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    case = DOSSIER_PAGES[name]
    dossiers = Dossiers(
        patient=create_test_patient(coordinator, structure),
        relative=create_test_patient(
            coordinator, structure, first_name="Sophie", birth_date=datetime.date(1990, 7, 21)
        ),
    )
    if case.as_stranger:
        page = open_as_person(new_context, stranger, live_server)
    else:
        page = open_as_structure(new_context, coordinator, structure, live_server)

    page.goto(case.url(dossiers))
    expect(page.get_by_role("heading", name=case.heading).first).to_be_visible()
    if case.fill is not None:
        case.fill(page)
    if case.submit is not None:
        page.get_by_role("button", name=case.submit).click()
    if case.shows is not None:
        expect(page.get_by_text(case.shows, exact=True)).to_be_visible()
    assert_accessible(axe, page)
