"""The care circle in a browser, as the training booklet walks through it ("Le Cercle de soins",
"Recherche annuaire ROR", "Ajout manuel"): the seed's table (CIR-1), a pediatrician found in the
directory and habilitated after the confirmation, then given a role (CIR-3, CIR-5), who then
opens the dossier from their active file until the habilitation is withdrawn (CIR-6); a relative
added by hand, never with access; a member deleted; axe-core on every circle page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Membership, Profession, Structure, User
from cordee.careteam import services
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.actor import Actor
from cordee.patients.models import Patient
from cordee.patients.testing import create_test_patient
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import active_file_row, open_as_person, open_as_structure, open_dossier, section
from tests.factories import accept_current_terms, make_structure, make_user

pytestmark = pytest.mark.e2e

PEDIATRICIAN = "GARNIER Lucie"
SEED_COLUMNS = [
    "Nom",
    "Informations",
    "Profession et spécialité",
    "Contact établissement",
    "Type",
    "Accès au dossier",
    "Ajouté le",
    "Statut du dossier",
    "Rôle(s)",
    "Description",
    "Actions",
]
BAD_PHONE = "Numéro de téléphone invalide : 10 chiffres commençant par 0 (ou +33…)."


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def pediatrician(db: None) -> User:
    """A registered professional of the directory, in no structure and no circle yet."""
    user = make_user(
        username="pediatre",
        last_name="Garnier",
        first_name="Lucie",
        profession=Profession.objects.get(code="medecin"),
        specialty="Pédiatrie",
    )
    accept_current_terms(user)
    return user


@pytest.fixture
def patient(coordinator: User, structure: Structure) -> Patient:
    return create_test_patient(coordinator, structure)


# --- Helpers -------------------------------------------------------------------------------


def as_coordinator(coordinator: User, structure: Structure) -> Actor:
    return Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))


def role(label: str) -> CircleRole:
    return CircleRole.objects.get(label=label)


def circle_url(patient: Patient) -> str:
    return f"/patients/{patient.public_id}/cercle/"


def open_circle(page: Page, patient: Patient) -> Locator:
    page.goto(circle_url(patient))
    return circle_table(page, patient)


def circle_table(page: Page, patient: Patient) -> Locator:
    expect(
        page.get_by_role("heading", level=1, name=f"Cercle de soins — {patient.display_name}")
    ).to_be_visible()
    return page.get_by_role("table", name="Membres du cercle de soins")


def member_row(table: Locator, name: str) -> Locator:
    """A member's row, by the name its "Nom" cell starts with (other cells may name a structure)."""
    return table.get_by_role("row").filter(
        has=column(table.page, "Nom").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\b"))
    )


def column(row: Locator | Page, header: str) -> Locator:
    """One cell of a row by its column: each cell repeats its header in data-label (the table
    turns into cards on a phone), the only link from a cell to its header Playwright can use."""
    return row.locator(f'td[data-label="{header}"]')


# --- The booklet ---------------------------------------------------------------------------


def test_coordinator_adds_a_pediatrician_with_habilitation_and_a_role(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    pediatrician: User,
    patient: Patient,
    live_server: LiveServer,
) -> None:
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, patient)
    section(page, "5. Cercle de soins").get_by_role("link", name="Voir le cercle de soins").click()

    table = circle_table(page, patient)
    expect(table.get_by_role("columnheader")).to_have_text(SEED_COLUMNS)
    # Whoever creates a dossier is in its circle, and so is the structure they act for.
    expect(table.get_by_text("auto-habilitation", exact=True)).to_have_count(2)
    expect(column(member_row(table, "DAC Test Azur"), "Nom")).to_contain_text("auto-habilitation")
    expect(column(member_row(table, "COORDIN Claire"), "Accès au dossier")).to_have_text("✓ Habilité")
    expect(member_row(table, PEDIATRICIAN)).to_have_count(0)

    page.get_by_role("link", name="Ajouter un professionnel ou un aidant").click()
    expect(
        page.get_by_role("heading", name=f"Ajouter un professionnel ou un aidant — {patient.display_name}")
    ).to_be_visible()
    page.get_by_role("textbox", name="Nom", exact=True).fill("garnier")
    page.get_by_role("button", name="Rechercher dans l'annuaire").click()

    found = (
        page.get_by_role("table", name="Professionnels trouvés").get_by_role("row").filter(has_text="GARNIER")
    )
    expect(found).to_have_count(1)
    expect(column(found, "Prénoms")).to_have_text("Lucie")
    expect(column(found, "Profession")).to_have_text("Médecin")
    expect(column(found, "Spécialités")).to_have_text("Pédiatrie")
    found.get_by_role("button", name=f"Ajouter AVEC habilitation {PEDIATRICIAN}").click()

    # The seed's question, asked before anything is written.
    question = page.get_by_role("alertdialog", name="Habilité")
    expect(question).to_contain_text(
        f"Voulez-vous vraiment habiliter {PEDIATRICIAN} ? Il intégrera le cercle de soins et pourra "
        f"consulter et modifier le dossier de {patient.display_name}."
    )
    assert not CircleMember.objects.filter(user=pediatrician).exists()
    question.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name=f"Modifier : {PEDIATRICIAN}")).to_be_visible()
    expect(
        page.get_by_text(f"{PEDIATRICIAN} a été ajouté(e) au cercle de soins : précisez son rôle.")
    ).to_be_visible()
    expect(page.get_by_role("checkbox", name="Habilité", exact=True)).to_be_checked()
    page.get_by_role("checkbox", name="Médecin traitant").check()
    page.get_by_role("button", name="Mettre à jour").click()

    expect(page.get_by_text(f"{PEDIATRICIAN} : informations mises à jour.")).to_be_visible()
    row = member_row(circle_table(page, patient), PEDIATRICIAN)
    expect(row).to_have_count(1)
    expect(column(row, "Accès au dossier")).to_have_text("✓ Habilité")
    expect(column(row, "Rôle(s)")).to_have_text("Médecin traitant")
    expect(column(row, "Profession et spécialité")).to_have_text("Médecin — Pédiatrie")
    expect(column(row, "Type")).to_have_text("Personne")
    expect(column(row, "Ajouté le")).to_contain_text("(COORDIN Claire)")

    # The pediatrician, on their own computer: the dossier is now in their active file.
    colleague = open_as_person(new_context, pediatrician, live_server)
    colleague.goto("/")
    in_active_file = active_file_row(colleague, patient.display_name)
    expect(in_active_file).to_have_count(1)
    in_active_file.get_by_role("link", name=patient.display_name, exact=True).click()
    expect(colleague.get_by_role("heading", level=1, name=patient.display_name)).to_be_visible()
    expect(section(colleague, "5. Cercle de soins")).to_contain_text(PEDIATRICIAN)


def test_removing_the_habilitation_closes_the_dossier_to_the_pediatrician(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    pediatrician: User,
    patient: Patient,
    live_server: LiveServer,
) -> None:
    services.add_professional(
        as_coordinator(coordinator, structure),
        patient,
        pediatrician,
        habilitated=True,
        roles=[role("Médecin traitant")],
    )
    colleague = open_as_person(new_context, pediatrician, live_server)
    open_dossier(colleague, patient)

    page = open_as_structure(new_context, coordinator, structure, live_server)
    row = member_row(open_circle(page, patient), PEDIATRICIAN)
    row.get_by_role("button", name=f"Retirer l'habilitation de {PEDIATRICIAN}").click()

    expect(page.get_by_text(f"L'habilitation de {PEDIATRICIAN} est retirée.")).to_be_visible()
    # Still listed, with the seed's "Plus d'habilitation"; nothing left to withdraw.
    expect(column(row, "Accès au dossier")).to_have_text("Plus d'habilitation")
    expect(column(row, "Rôle(s)")).to_have_text("Médecin traitant")
    expect(row.get_by_role("button", name=re.compile("^Retirer l'habilitation"))).to_have_count(0)

    response = colleague.reload()
    assert response is not None and response.status == 403
    expect(colleague.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(colleague.get_by_text(patient.display_name)).to_have_count(0)
    expect(active_file_row(colleague, patient.display_name)).to_have_count(0)
    expect(colleague.get_by_text("Aucun dossier dans votre file active.")).to_be_visible()


def test_manual_add_of_a_relative_who_never_gets_access(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    patient: Patient,
    live_server: LiveServer,
) -> None:
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_circle(page, patient)
    page.get_by_role("link", name="Ajouter un professionnel ou un aidant").click()
    page.get_by_role("link", name="Ajout manuel").click()
    expect(
        page.get_by_role("heading", name=f"Ajout manuel de personne — {patient.display_name}")
    ).to_be_visible()
    expect(
        page.get_by_text("ne pourra en aucun cas accéder au dossier de coordination", exact=False)
    ).to_be_visible()

    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Sophie")
    mobile = page.get_by_role("textbox", name="Numéro de mobile")
    mobile.fill("06 12 34")
    page.get_by_role("combobox", name="Lien avec le patient/usager").select_option(label="Parent")
    page.get_by_role("checkbox", name="Aidant principal").check()
    page.get_by_role("button", name="Ajouter la personne au cercle de soins").click()

    # The French message next to the field, and tied to it for screen readers; the rest stays.
    expect(page.get_by_text(BAD_PHONE, exact=True)).to_be_visible()
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_accessible_description(BAD_PHONE)
    expect(page.get_by_role("textbox", name="Prénom", exact=True)).to_have_value("Sophie")
    expect(page.get_by_role("checkbox", name="Aidant principal")).to_be_checked()
    assert not CircleMember.objects.filter(is_manual=True).exists()

    mobile.fill("06 12 34 56 78")
    page.get_by_role("button", name="Ajouter la personne au cercle de soins").click()

    expect(page.get_by_text("MARTIN Sophie a été ajouté(e) au cercle de soins.")).to_be_visible()
    row = member_row(circle_table(page, patient), "MARTIN Sophie")
    expect(row).to_have_count(1)
    expect(column(row, "Type")).to_have_text("Personne")
    expect(column(row, "Accès au dossier")).to_have_text("Aucun accès")
    expect(column(row, "Rôle(s)")).to_have_text("Aidant principal")
    expect(column(row, "Informations")).to_contain_text("Mobile : 0612345678")
    expect(column(row, "Informations")).to_contain_text("Parent")
    # Never any access, so nothing to withdraw.
    expect(row.get_by_role("button", name=re.compile("^Retirer l'habilitation"))).to_have_count(0)

    # The dossier's own summary of the circle names her too.
    page.get_by_role("link", name="Retour au dossier").click()
    relative = section(page, "5. Cercle de soins").get_by_role("listitem").filter(has_text="MARTIN Sophie")
    expect(relative).to_have_count(1)
    expect(relative).to_contain_text("Aucun accès")


def test_deleted_member_is_no_longer_listed(
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    pediatrician: User,
    patient: Patient,
    live_server: LiveServer,
) -> None:
    services.add_professional(as_coordinator(coordinator, structure), patient, pediatrician, habilitated=True)
    page = open_as_structure(new_context, coordinator, structure, live_server)
    table = open_circle(page, patient)
    expect(table.get_by_role("row")).to_have_count(4)  # the header, the coordinator, the DAC, her
    expect(page.get_by_text("3 éléments", exact=True)).to_be_visible()

    member_row(table, PEDIATRICIAN).get_by_role("button", name=f"Supprimer {PEDIATRICIAN}").click()

    expect(page.get_by_text(f"{PEDIATRICIAN} ne fait plus partie du cercle de soins.")).to_be_visible()
    expect(member_row(table, PEDIATRICIAN)).to_have_count(0)
    expect(table.get_by_role("row")).to_have_count(3)
    expect(page.get_by_text("2 éléments", exact=True)).to_be_visible()
    # Out of the circle, the dossier no longer exists for her.
    colleague = open_as_person(new_context, pediatrician, live_server)
    response = colleague.goto(f"/patients/{patient.public_id}/")
    assert response is not None and response.status == 404


# --- Accessibility -------------------------------------------------------------------------


@dataclass
class Circle:
    patient: Patient
    pediatrician: CircleMember  # habilitated, "Médecin traitant"
    nurse: CircleMember  # added without habilitation
    relative: CircleMember  # added by hand


@dataclass(frozen=True)
class CirclePage:
    url: Callable[[Circle], str]
    heading: str
    act: Callable[[Page], None] | None = None  # what to do first (fill, press a button)
    shows: str | None = None  # a text to wait for after that


def _ask_to_habilitate(page: Page) -> None:
    page.get_by_role("button", name="Ajouter AVEC habilitation").click()


def _mistype_the_mobile(page: Page) -> None:
    page.get_by_role("textbox", name="Numéro de mobile").fill("12")
    page.get_by_role("textbox", name="Email", exact=True).fill("pas-une-adresse")
    page.get_by_role("textbox", name="Code postal").fill("6000")
    page.get_by_role("button", name="Ajouter la personne au cercle de soins").click()


def _habilitate_in_the_edit_form(page: Page) -> None:
    page.get_by_role("checkbox", name="Habilité", exact=True).check()
    page.get_by_role("button", name="Mettre à jour").click()


CIRCLE_PAGES = {
    "cercle": CirclePage(lambda c: circle_url(c.patient), "Cercle de soins — MARTIN Léa"),
    "ajout-professionnel-resultats": CirclePage(
        lambda c: f"{circle_url(c.patient)}professionnel/?nom=martin",
        "Ajouter un professionnel ou un aidant — MARTIN Léa",
        shows="Ajouter AVEC habilitation",
    ),
    "confirmation-habilitation": CirclePage(
        lambda c: f"{circle_url(c.patient)}professionnel/?nom=martin",
        "Ajouter un professionnel ou un aidant — MARTIN Léa",
        act=_ask_to_habilitate,
        shows="Voulez-vous vraiment habiliter MARTIN Paul ?",
    ),
    "modifier-membre": CirclePage(
        lambda c: f"{circle_url(c.patient)}{c.pediatrician.public_id}/", f"Modifier : {PEDIATRICIAN}"
    ),
    "modifier-membre-confirmation": CirclePage(
        lambda c: f"{circle_url(c.patient)}{c.nurse.public_id}/",
        "Modifier : ROUX Hugo",
        act=_habilitate_in_the_edit_form,
        shows="Voulez-vous vraiment habiliter le professionnel ROUX Hugo ?",
    ),
    "modifier-personne": CirclePage(
        lambda c: f"{circle_url(c.patient)}{c.relative.public_id}/", "Modifier : MARTIN Sophie"
    ),
    "ajout-manuel-en-erreur": CirclePage(
        lambda c: f"{circle_url(c.patient)}ajout-manuel/",
        "Ajout manuel de personne — MARTIN Léa",
        act=_mistype_the_mobile,
        shows=BAD_PHONE,
    ),
    "ajout-structure": CirclePage(
        lambda c: f"{circle_url(c.patient)}structure/?nom=port",
        "Ajouter ou habiliter une structure — MARTIN Léa",
        shows="Maternité du Port",
    ),
}


@pytest.mark.parametrize("name", list(CIRCLE_PAGES))
def test_circle_page_has_no_serious_accessibility_violation(
    name: str,
    new_context: Callable[..., BrowserContext],
    coordinator: User,
    structure: Structure,
    pediatrician: User,
    patient: Patient,
    live_server: LiveServer,
    axe: Axe,
) -> None:
    case = CIRCLE_PAGES[name]
    actor = as_coordinator(coordinator, structure)
    nurse = make_user(
        username="infirmier",
        last_name="Roux",
        first_name="Hugo",
        profession=Profession.objects.get(code="infirmier"),
    )
    make_user(username="medecin-martin", last_name="Martin", first_name="Paul")  # found by "martin"
    make_structure(name="Maternité du Port", kind=Structure.Kind.MATERNITY)
    relative = CircleMember(
        manual_last_name="Martin",
        manual_first_name="Sophie",
        manual_mobile="0612345678",
        manual_relationship="PARENT",
    )
    circle = Circle(
        patient=patient,
        pediatrician=services.add_professional(
            actor, patient, pediatrician, habilitated=True, roles=[role("Médecin traitant")]
        ),
        nurse=services.add_professional(actor, patient, nurse, habilitated=False),
        relative=services.add_manual(actor, patient, relative, [role("Aidant principal")]),
    )
    page = open_as_structure(new_context, coordinator, structure, live_server)

    page.goto(case.url(circle))
    expect(page.get_by_role("heading", name=case.heading).first).to_be_visible()
    if case.act is not None:
        case.act(page)
    if case.shows is not None:
        expect(page.get_by_text(case.shows).first).to_be_visible()
    assert_accessible(axe, page)
