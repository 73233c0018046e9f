"""ACC-1 in a browser: registration request, validation by a platform administrator, activation
link and first sign-in; refusal; the commune picker (TER-1) on the registration form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cordee.accounts.models import RegistrationRequest, User
from cordee.core.identifiers import rpps_with_key
from tests.e2e.conftest import last_email_body, sign_in
from tests.factories import UserFactory, accept_current_terms

pytestmark = pytest.mark.e2e

APPLICANT_EMAIL = "lea.lambert@example.org"
NEW_PASSWORD = "Parcours-Cocon-2026!"


@pytest.fixture
def platform_admin(db: None) -> User:
    user = UserFactory.create(
        username="adminplateforme",
        first_name="Ada",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
        profession=None,
        rpps=None,
    )
    accept_current_terms(user)
    return user


def fill_registration(page: Page, rpps: str) -> None:
    page.goto("/inscription/")
    expect(page.get_by_role("heading", name="Inscription")).to_be_visible()
    page.get_by_label("Fonction").select_option(label="Médecin")
    page.get_by_label("Numéro RPPS").fill(rpps)
    page.get_by_role("textbox", name="Nom", exact=True).fill("Lambert")
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label("E-mail de contact").fill(APPLICANT_EMAIL)
    page.get_by_role("button", name="Envoyer ma demande d'inscription").click()


def open_pending_request(admin_page: Page) -> None:
    admin_page.get_by_role("navigation", name="Menu latéral").get_by_role(
        "link", name="Demandes d'inscription"
    ).click()
    expect(admin_page.get_by_role("heading", name="Demandes d'inscription")).to_be_visible()
    row = admin_page.get_by_role("row").filter(has_text="LAMBERT Léa")
    expect(row).to_contain_text(APPLICANT_EMAIL)
    row.get_by_role("link", name=re.compile("^Examiner")).click()
    expect(admin_page.get_by_role("heading", name="Demande d'inscription de LAMBERT Léa")).to_be_visible()


def test_registration_validated_then_first_sign_in(
    new_context: Callable[..., BrowserContext], platform_admin: User, site_url: str
) -> None:
    rpps = rpps_with_key("1000012345")
    applicant = new_context().new_page()

    # An invalid RPPS key is refused next to the field, the form keeps what was typed.
    fill_registration(applicant, rpps[:-1] + str((int(rpps[-1]) + 1) % 10))
    expect(
        applicant.get_by_text("Ce numéro RPPS n'est pas valide (clé de contrôle incorrecte).")
    ).to_be_visible()
    expect(applicant.get_by_label("Numéro RPPS")).to_have_attribute("aria-invalid", "true")
    expect(applicant.get_by_label("E-mail de contact")).to_have_value(APPLICANT_EMAIL)

    fill_registration(applicant, rpps)
    expect(applicant.get_by_role("heading", name="Demande d'inscription envoyée")).to_be_visible()
    last_email_body(APPLICANT_EMAIL, "votre demande d'inscription a bien été reçue")

    # The platform administrator validates, in their own browser.
    admin = new_context().new_page()
    sign_in(admin, "adminplateforme")
    expect(admin.get_by_role("heading", name="Bonjour Ada")).to_be_visible()
    open_pending_request(admin)
    expect(admin.get_by_role("definition").filter(has_text=rpps)).to_be_visible()
    admin.get_by_role("button", name="Valider l'inscription").click()
    expect(admin.get_by_role("status")).to_contain_text("Inscription validée : le compte « lea.lambert »")
    expect(admin.get_by_text("Aucune demande.")).to_be_visible()

    # The applicant reads the e-mail: identifier and single-use activation link.
    body = last_email_body(APPLICANT_EMAIL, "votre inscription est validée")
    identifier = re.search(r"Votre identifiant : (\S+)", body)
    link = re.search(r"(https?://\S+/compte/activer/\S+/)", body)
    assert identifier, body
    assert link, body
    assert link.group(1).startswith(site_url)
    assert identifier.group(1) == "lea.lambert"

    applicant.goto(link.group(1))
    expect(applicant.get_by_role("heading", name="Choisir mon mot de passe")).to_be_visible()
    applicant.get_by_label(re.compile(r"^Nouveau mot de passe")).fill(NEW_PASSWORD)
    applicant.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    applicant.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(applicant.get_by_role("status")).to_contain_text(
        "Votre mot de passe est enregistré : vous pouvez vous connecter."
    )
    expect(applicant.get_by_role("heading", name="Connexion à Cordée")).to_be_visible()

    # The link is single-use.
    applicant.goto(link.group(1))
    expect(applicant.get_by_role("heading", name="Lien invalide ou expiré")).to_be_visible()

    sign_in(applicant, identifier.group(1), NEW_PASSWORD)
    expect(applicant).to_have_url(re.compile(r"/cgu/"))
    expect(applicant.get_by_role("button", name="Accepter et continuer")).to_be_visible()
    applicant.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
    applicant.get_by_role("button", name="Accepter et continuer").click()
    expect(applicant.get_by_role("heading", name="Bonjour Léa")).to_be_visible()


def test_registration_refused_with_a_reason(
    new_context: Callable[..., BrowserContext], platform_admin: User, site_url: str
) -> None:
    applicant = new_context().new_page()
    fill_registration(applicant, rpps_with_key("1000054321"))
    expect(applicant.get_by_role("heading", name="Demande d'inscription envoyée")).to_be_visible()

    admin = new_context().new_page()
    sign_in(admin, "adminplateforme")
    open_pending_request(admin)
    admin.get_by_role("button", name="Refuser la demande").click()
    expect(admin.get_by_text("Veuillez indiquer le motif du refus.")).to_be_visible()
    admin.get_by_label("Motif du refus (communiqué au demandeur)").fill("Numéro RPPS introuvable.")
    admin.get_by_role("button", name="Refuser la demande").click()
    expect(admin.get_by_role("status")).to_contain_text("La demande a été refusée")

    admin.get_by_role("link", name="Refusée").click()
    expect(admin.get_by_role("row").filter(has_text="LAMBERT Léa")).to_be_visible()
    assert RegistrationRequest.objects.get(email=APPLICANT_EMAIL).status == RegistrationRequest.Status.REFUSED
    assert not User.objects.filter(email=APPLICANT_EMAIL).exists()
    body = last_email_body(APPLICANT_EMAIL, "n'a pas été acceptée")
    assert "Numéro RPPS introuvable." in body


def test_commune_picker_lists_matching_communes(page: Page, all_communes: None) -> None:
    """TER-1, issue 23: one combobox (WAI-ARIA 1.2): typed text asks the server's matches,
    listed under the box with the first one selected (aria-activedescendant); ↓/↑ move, Entrée
    chooses (without sending the form), Échap closes; by name or by postal code."""
    page.goto("/inscription/")
    commune = page.get_by_role("combobox", name="Ville d'exercice", exact=True)
    listbox = page.get_by_role("listbox", name="Communes trouvées")
    code = page.locator("[data-commune-code][name=commune]")
    expect(commune).to_have_attribute("aria-expanded", "false")
    commune.fill("Nice")
    expect(listbox.get_by_role("option", name=re.compile(r"^Nice \(06000"))).to_have_count(1)
    expect(commune).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(commune).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "?")
    expect(page.get_by_text(re.compile(r"^\d+ communes? trouvées?"))).to_be_visible()
    commune.press("ArrowDown")
    second = listbox.get_by_role("option").nth(1)
    if listbox.get_by_role("option").count() > 1:
        expect(second).to_have_attribute("aria-selected", "true")
        commune.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    commune.press("Enter")
    expect(listbox).to_be_hidden()
    expect(commune).to_have_attribute("aria-expanded", "false")
    expect(commune).to_have_value(re.compile(r"^Nice \(06000\)$"))
    expect(code).to_have_value("06088")
    expect(page.get_by_text("Veuillez indiquer votre fonction.")).to_have_count(0)  # the form not sent

    commune.fill("zzzz")
    expect(code).to_have_value("")  # typing again forgets the choice
    expect(page.get_by_text("Aucune commune ne correspond à « zzzz ».")).to_be_visible()
    expect(listbox).to_be_hidden()

    # By postal code too; Échap closes the list, a second one empties the box.
    commune.fill("06000")
    expect(listbox.get_by_role("option", name=re.compile(r"^Nice \(06000"))).to_have_count(1)
    commune.press("Escape")
    expect(listbox).to_be_hidden()
    expect(commune).to_have_value("06000")
    commune.press("Escape")
    expect(commune).to_have_value("")
    # A click chooses too.
    commune.fill("Antibes")
    listbox.get_by_role("option", name=re.compile(r"^Antibes \(")).click()
    expect(code).to_have_value("06004")
