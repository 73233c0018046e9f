"""ACC-2 … ACC-5 in a browser: sign-in, CGU on first visit, acting as a structure, sign-out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cordee.accounts.models import Membership, Structure, TermsAcceptance
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    StructureFactory,
    UserFactory,
    accept_current_terms,
)

pytestmark = pytest.mark.e2e


def test_first_sign_in_accepts_cgu_then_acts_as_structure_and_signs_out(page: Page) -> None:
    structure = StructureFactory.create(name="DAC Azur Ouest", kind=Structure.Kind.DAC)
    user = UserFactory.create(username="claire.coordin", first_name="Claire", last_name="Coordin")
    MembershipFactory.create(user=user, structure=structure, role=Membership.Role.SUPERUSER)

    sign_in(page, "claire.coordin")

    # ACC-3: the CGU come before any other page.
    expect(page).to_have_url(re.compile(r"/cgu/"))
    expect(page.get_by_role("heading", name="Conditions générales d'utilisation de Cordée")).to_be_visible()
    expect(page.get_by_role("region", name="Texte des CGU")).to_contain_text("1. Objet")
    page.get_by_role("button", name="Accepter et continuer").click()
    expect(page.get_by_text("Vous devez accepter les CGU pour accéder à Cordée.")).to_be_visible()
    page.get_by_label("J'ai lu et j'accepte les conditions générales d'utilisation").check()
    page.get_by_role("button", name="Accepter et continuer").click()

    expect(page.get_by_role("heading", name="Bonjour Claire")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    assert TermsAcceptance.objects.filter(user=user).exists()
    acting = page.get_by_role("region", name="Vous agissez en tant que")
    expect(acting).to_contain_text("COORDIN Claire (personne physique)")

    # ACC-5: the top-bar menu switches the actor when a structure's button is pressed.
    switch = page.get_by_role("button", name=re.compile("^Agir en tant que"))
    switch.click()
    page.get_by_role("button", name="DAC Azur Ouest", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Vous agissez maintenant en tant que DAC Azur Ouest.")
    expect(acting).to_contain_text("DAC Azur Ouest (personne morale)")
    expect(acting).to_contain_text("Droits : Super utilisateur")
    expect(switch).to_have_text(re.compile("DAC Azur Ouest"))
    side_menu = page.get_by_role("navigation", name="Menu latéral")
    expect(side_menu.get_by_role("link", name="Ma structure")).to_be_visible()

    # Back to oneself.
    switch.click()
    page.get_by_role("button", name="COORDIN Claire (personne physique)", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Vous agissez maintenant en votre nom propre.")
    expect(acting).to_contain_text("COORDIN Claire (personne physique)")

    # ACC-4: the logout button, top right.
    sign_out(page)
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_role("status")).to_contain_text("Vous êtes déconnecté(e).")
    page.goto("/")
    expect(page.get_by_role("heading", name="Connexion à Cordée")).to_be_visible()


def test_wrong_password_is_refused_with_a_french_message(page: Page) -> None:
    UserFactory.create(username="marc.membre")

    sign_in(page, "marc.membre", "pas-le-bon-mot-de-passe")

    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_role("heading", name="Connexion à Cordée")).to_be_visible()
    expect(page.get_by_label("Identifiant")).to_have_value("marc.membre")
    expect(page.get_by_role("button", name="Déconnexion")).to_have_count(0)


def test_signed_in_page_requested_anonymously_comes_back_after_sign_in(page: Page) -> None:
    accept_current_terms(UserFactory.create(username="eric.etranger", first_name="Eric"))

    page.goto("/profil/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/profil/"))
    page.get_by_label("Identifiant").fill("eric.etranger")
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    expect(page.get_by_text("eric.etranger", exact=True)).to_be_visible()
