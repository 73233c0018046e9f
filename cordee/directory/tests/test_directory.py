"""DIR-1 directory search and DIR-3 invitations."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cordee.accounts.models import Membership, Profession, Structure
from cordee.directory.models import Invitation
from tests.factories import make_membership, make_structure, make_user


@pytest.fixture
def region(db) -> dict[str, object]:
    dac = make_structure(name="DAC Côte d'Émeraude", kind=Structure.Kind.DAC, commune_id="06088")
    cabinet = make_structure(name="Cabinet des Pins", kind=Structure.Kind.PRACTICE, commune_id="83137")
    pediatre = make_user(
        username="p1",
        last_name="Lefèvre-Dupré",
        first_name="Anaïs",
        specialty="Pédiatrie",
        commune_id="06088",
    )
    psy = make_user(
        username="p2",
        last_name="Martin",
        first_name="Louis",
        profession=Profession.objects.get(code="psychologue"),
        rpps=None,
        adeli="831234567",
        commune_id="83137",
    )
    make_membership(user=pediatre, structure=dac)
    make_membership(user=psy, structure=cabinet)
    return {"dac": dac, "cabinet": cabinet, "pediatre": pediatre, "psy": psy}


def _names(response) -> list[str]:
    return [user.last_name for user in response.context["page"].object_list]


def test_search_by_name_ignores_accents_case_and_hyphens(region, member, client_for) -> None:
    client = client_for(member)
    assert _names(client.get(reverse("directory:search"), {"nom": "lefevre dupre"})) == ["Lefèvre-Dupré"]
    assert _names(client.get(reverse("directory:search"), {"nom": "DUPRÉ"})) == ["Lefèvre-Dupré"]


def test_search_by_city_name_or_postal_code(region, member, client_for) -> None:
    client = client_for(member)
    assert _names(client.get(reverse("directory:search"), {"ville": "toulon"})) == ["Martin"]
    by_postal_code = _names(client.get(reverse("directory:search"), {"ville": "06000"}))
    assert "Lefèvre-Dupré" in by_postal_code and "Martin" not in by_postal_code


def test_search_by_coordination_structure_and_profession(region, member, client_for) -> None:
    client = client_for(member)
    by_dac = client.get(reverse("directory:search"), {"structure": str(region["dac"].public_id)})
    assert _names(by_dac) == ["Lefèvre-Dupré"]
    by_profession = client.get(reverse("directory:search"), {"profession": "psychologue"})
    assert _names(by_profession) == ["Martin"]


def test_structures_tab(region, member, client_for) -> None:
    response = client_for(member).get(reverse("directory:search"), {"type": "structures", "ville": "83000"})
    assert [s.name for s in response.context["page"].object_list] == ["Cabinet des Pins"]


def test_htmx_requests_get_the_results_only(region, member, client_for) -> None:
    response = client_for(member).get(reverse("directory:search"), {"nom": "martin"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and "MARTIN" in page


def test_results_are_paginated_with_a_constant_query_count(
    member, client_for, django_assert_max_num_queries, structure
) -> None:
    client = client_for(member)
    for i in range(45):
        make_membership(user=make_user(username=f"page{i}"), structure=structure)
    # Session, user, gate (2FA, CGU), menu, form choices, counts (registered, national
    # directory), page, prefetch, session touch: bounded whatever the data.
    with django_assert_max_num_queries(15):
        first = client.get(reverse("directory:search"))
    assert len(first.context["page"].object_list) == 20
    for i in range(45, 90):
        make_membership(user=make_user(username=f"page{i}"), structure=structure)
    with django_assert_max_num_queries(17):
        client.get(reverse("directory:search"), {"page": "3"})


def test_bad_search_input_changes_nothing_and_does_not_fail(member, client_for) -> None:
    response = client_for(member).get(
        reverse("directory:search"), {"structure": "pas-un-uuid", "profession": "inconnue", "page": "zz"}
    )
    assert response.status_code == 200


def test_professional_card(region, member, client_for) -> None:
    page = (
        client_for(member)
        .get(reverse("directory:professional", kwargs={"public_id": region["psy"].public_id}))
        .content.decode()
    )
    assert "831234567" in page and "Cabinet des Pins" in page


def test_invite_a_colleague_sends_a_signed_link(
    member, structure, client_for, django_capture_on_commit_callbacks, settings
):
    settings.CORDEE_SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member, acting_as=structure).post(
            reverse("directory:invite"),
            {"email": "Confrere@Example.org", "last_name": "Durand", "message": "Bienvenue"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "confrere@example.org"
    assert invitation.created_by == member and invitation.structure == structure
    body = str(mail.outbox[0].body)
    assert "Bienvenue" in body and structure.name in body
    link = re.search(r"http://testserver(/inscription/\?invitation=\S+)", body)
    assert link is not None
    page = Client().get(link.group(1))
    assert page.context["invitation"] == invitation
    assert page.context["form"].initial["email"] == "confrere@example.org"


def test_an_expired_invitation_says_so(member, client_for, settings) -> None:
    from cordee.directory.services import invitation_token

    invitation = Invitation.objects.create(email="ancien@example.org", created_by=member)
    token = invitation_token(invitation)
    settings.CORDEE_INVITATION_MAX_AGE_DAYS = 0
    page = Client().get(reverse("accounts:register"), {"invitation": token})
    assert page.status_code == 200
    assert "Ce lien d&#x27;invitation a expiré" in page.content.decode()
    assert page.context["invitation"] is None
    tampered = Client().get(reverse("accounts:register"), {"invitation": token + "x"})
    assert (
        "n&#x27;est pas valide" in tampered.content.decode()
        or "n'est pas valide" in tampered.content.decode()
    )


def test_inviting_requires_a_valid_new_email(member, client_for) -> None:
    client = client_for(member)
    bad = client.post(reverse("directory:invite"), {"email": "pas-un-email"})
    assert "Saisissez une adresse e-mail valide." in bad.content.decode()
    known = client.post(reverse("directory:invite"), {"email": member.email})
    assert "déjà un compte" in known.content.decode()
    assert Invitation.objects.count() == 0


def test_a_registration_through_an_invitation_keeps_the_link(member, client_for) -> None:
    from cordee.accounts.models import RegistrationRequest
    from cordee.core.identifiers import rpps_with_key
    from cordee.directory.services import invitation_token

    invitation = Invitation.objects.create(email="invite@example.org", created_by=member)
    Client().post(
        reverse("accounts:register"),
        {
            "invitation": invitation_token(invitation),
            "profession": str(Profession.objects.get(code="medecin").pk),
            "rpps": rpps_with_key("1055555555"),
            "last_name": "Invité",
            "first_name": "Ines",
            "email": "invite@example.org",
        },
    )
    assert RegistrationRequest.objects.get().invitation == invitation


def test_membership_inactive_hides_structure_from_card(region, member, client_for) -> None:
    Membership.objects.filter(user=region["psy"]).update(is_active=False)
    page = (
        client_for(member)
        .get(reverse("directory:professional", kwargs={"public_id": region["psy"].public_id}))
        .content.decode()
    )
    assert "Cabinet des Pins" not in page


def test_inviting_from_a_circle_returns_to_it_with_the_colleague_addable(
    coordinator, structure, dossier, client_for, stranger
) -> None:
    """Issue 23: "Inviter un confrère" from the circle no longer loses the patient."""
    from cordee.careteam.models import CircleMember

    acting = client_for(coordinator, acting_as=structure)
    add = acting.get(reverse("careteam:add_professional", kwargs={"public_id": dossier.public_id}))
    invite_url = f"{reverse('directory:invite')}?dossier={dossier.public_id}"
    assert f'href="{invite_url}"' in add.content.decode()
    page = acting.get(invite_url).content.decode()
    assert f'name="dossier" value="{dossier.public_id}"' in page and "Retour au cercle de soins" in page

    response = acting.post(
        reverse("directory:invite"),
        {
            "email": "kine@example.org",
            "last_name": "Durand",
            "first_name": "Paul",
            "dossier": dossier.public_id,
        },
    )
    assert response.status_code == 302
    back = response["Location"]
    assert back.startswith(reverse("careteam:add_manual", kwargs={"public_id": dossier.public_id}))
    form = acting.get(back).content.decode()
    assert 'value="Durand"' in form and 'value="Paul"' in form and 'value="kine@example.org"' in form
    assert Invitation.objects.filter(email="kine@example.org").exists()
    assert not CircleMember.objects.filter(patient=dossier, manual_last_name="Durand").exists()

    # Someone who may not manage that circle gets the policy's answer, and no invitation leaves.
    refused = client_for(stranger).post(
        reverse("directory:invite"),
        {"email": "x@example.org", "last_name": "X", "dossier": dossier.public_id},
    )
    assert refused.status_code == 404
    assert not Invitation.objects.filter(email="x@example.org").exists()
    assert (
        client_for(coordinator).get(f"{reverse('directory:invite')}?dossier=pas-un-uuid").status_code == 404
    )
