"""The UI shell: side menu per rights (ACC-6), acting-as switch (ACC-5), French error pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership
from cordee.core.middleware import ACTING_STRUCTURE_KEY


def test_side_menu_shows_only_what_the_rights_allow(member, admin_user, structure, client_for) -> None:
    page = client_for(member).get(reverse("core:home")).content.decode()
    assert "Annuaire" in page
    assert "Demandes d&#x27;inscription" not in page and "Demandes d'inscription" not in page
    assert "Ma structure" not in page

    acting = client_for(member, acting_as=structure).get(reverse("core:home")).content.decode()
    assert "Ma structure" in acting

    admin_page = client_for(admin_user).get(reverse("core:home")).content.decode()
    assert "Demandes d&#x27;inscription" in admin_page or "Demandes d'inscription" in admin_page
    assert reverse("admin:index") in admin_page


def test_logout_button_is_in_the_top_bar(member, client_for) -> None:
    page = client_for(member).get(reverse("core:home")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in page
    assert "Déconnexion" in page


def test_switch_to_a_structure_and_back(member, structure, client_for) -> None:
    client = client_for(member)
    response = client.post(reverse("accounts:switch_actor"), {"structure": str(structure.public_id)})
    assert response.status_code == 302
    assert client.session[ACTING_STRUCTURE_KEY] == str(structure.public_id)
    home = client.get(reverse("core:home")).content.decode()
    assert "Vous agissez en tant que" in home and structure.name in home

    client.post(reverse("accounts:switch_actor"), {"structure": ""})
    assert ACTING_STRUCTURE_KEY not in client.session


def test_switch_to_a_structure_one_does_not_belong_to_is_refused(stranger, structure, client_for) -> None:
    client = client_for(stranger)
    response = client.post(reverse("accounts:switch_actor"), {"structure": str(structure.public_id)})
    assert response.status_code == 404
    assert ACTING_STRUCTURE_KEY not in client.session
    assert client.post(reverse("accounts:switch_actor"), {"structure": "pas-un-uuid"}).status_code == 404


def test_a_removed_member_stops_acting_for_the_structure(member, structure, client_for) -> None:
    client = client_for(member, acting_as=structure)
    Membership.objects.filter(user=member, structure=structure).update(is_active=False)
    page = client.get(reverse("core:home")).content.decode()
    assert "(personne physique)" in page
    assert ACTING_STRUCTURE_KEY not in client.session


def test_switch_ignores_an_external_next_url(member, structure, client_for) -> None:
    response = client_for(member).post(
        reverse("accounts:switch_actor"), {"structure": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_error_pages_are_french(member, client_for) -> None:
    response = client_for(member).get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = Client().get("/cette-page-n-existe-pas/")
    assert response.status_code in (302, 404)


def test_403_page_is_french(member, client_for) -> None:
    response = client_for(member).get(reverse("accounts:registration_list"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_500_page_is_french_and_self_contained(rf) -> None:
    from cordee.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_the_acting_switch_is_a_menu_of_buttons_naming_each_structure_in_full(
    member, structure, client_for
) -> None:
    """Issue 23, WCAG 3.2.2: no select switching the actor on change; one button per choice."""
    page = client_for(member, acting_as=structure).get(reverse("core:home")).content.decode()
    switch = page.split('class="dropdown acting-switch', 1)[1].split("</form>", 1)[0]
    assert "<select" not in switch and "data-autosubmit" not in switch
    assert f'<button type="submit" name="structure" value="{structure.public_id}"' in switch
    assert f"{structure.name}</button>" in switch
    assert '<button type="submit" name="structure" value=""' in switch
    assert f'Agir en tant que : </span><span class="acting-name">{structure.name}</span>' in switch
