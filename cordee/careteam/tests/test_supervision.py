"""CIR-7: a structure's super user adds or removes one professional in several circles at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.accounts.models import Membership
from cordee.audit.models import Access
from cordee.careteam.models import CircleMember
from cordee.patients.testing import create_test_patient
from tests.factories import accept_current_terms, make_membership, make_user

URL = "/habilitations/"


@pytest.fixture
def dossiers(coordinator, structure):
    return [
        create_test_patient(coordinator, structure, birth_name=name, first_name="Alix")
        for name in ("Arnaud", "Blanc", "Colin")
    ]


@pytest.fixture
def nurse(structure):
    user = make_user(username="infirmier", last_name="Soin", first_name="Ines")
    make_membership(user=user, structure=structure, role=Membership.Role.USER)
    accept_current_terms(user)
    return user


def _post(client, dossiers, professional, action):
    return client.post(
        URL,
        {
            "dossiers": [str(d.public_id) for d in dossiers],
            "professional": str(professional.public_id),
            "action": action,
        },
    )


def test_the_page_lists_the_structures_dossiers_and_circles(
    coordinator, structure, dossiers, client_for
) -> None:
    assert reverse("supervision:supervision") == URL
    page = client_for(coordinator, acting_as=structure).get(URL).content.decode()
    for name in ("ARNAUD", "BLANC", "COLIN"):
        assert name in page
    assert "Coordin" in page.upper() or "COORDIN" in page
    assert Access.objects.filter(action="supervision").count() == 3


def test_add_with_habilitation_in_several_circles_then_remove(
    coordinator, structure, dossiers, nurse, client_for
) -> None:
    client = client_for(coordinator, acting_as=structure)
    _post(client, dossiers[:2], nurse, "add_habilitated")
    rows = CircleMember.objects.filter(user=nurse, removed_at__isnull=True)
    assert {r.patient_id for r in rows} == {dossiers[0].pk, dossiers[1].pk}
    assert all(r.is_habilitated for r in rows)

    _post(client, dossiers[:2], nurse, "remove_habilitation")
    assert not CircleMember.objects.filter(user=nurse, is_habilitated=True).exists()
    assert CircleMember.objects.filter(user=nurse, removed_at__isnull=True).count() == 2

    _post(client, dossiers[:1], nurse, "delete")
    assert CircleMember.objects.filter(user=nurse, removed_at__isnull=True).count() == 1


def test_a_dossier_outside_the_structure_refuses_the_whole_batch(
    coordinator, structure, dossiers, nurse, maternity
) -> None:
    from django.core.exceptions import PermissionDenied

    from cordee.careteam.services import BulkAction, apply_to_circles
    from cordee.core.actor import Actor

    make_membership(user=coordinator, structure=maternity, role=Membership.Role.USER)
    elsewhere = create_test_patient(coordinator, maternity, birth_name="Ailleurs")
    actor = Actor(user=coordinator, membership=Membership.objects.get(user=coordinator, structure=structure))
    before = CircleMember.objects.count()
    with pytest.raises(PermissionDenied):
        apply_to_circles(actor, [*dossiers, elsewhere], nurse, BulkAction.ADD_HABILITATED)
    assert CircleMember.objects.count() == before
    assert not CircleMember.objects.filter(user=nurse).exists()


def test_refusals_change_nothing(
    coordinator, member, structure, dossiers, nurse, client_for, maternity
) -> None:
    before = CircleMember.objects.count()
    # A plain user of the structure.
    assert client_for(member, acting_as=structure).post(URL, {}).status_code == 403
    # The super user acting as themself.
    assert client_for(coordinator).get(URL).status_code == 403
    # A professional from outside the structure.
    outsider = make_user(username="dehors")
    client = client_for(coordinator, acting_as=structure)
    follow = client.post(
        URL,
        {"dossiers": [str(dossiers[0].public_id)], "professional": str(outsider.public_id), "action": "add"},
        follow=True,
    )
    assert "Choisissez un professionnel de la structure" in follow.content.decode()
    # A dossier the structure does not supervise is silently not among the choices.
    other = create_test_patient(coordinator, structure, birth_name="Dubois")
    CircleMember.objects.filter(patient=other, structure=structure).update(is_habilitated=False)
    _post(client, [other], nurse, "add")
    assert not CircleMember.objects.filter(patient=other, user=nurse).exists()
    # Garbage ids and unknown actions: a French message, never a server error.
    bad = client.post(URL, {"dossiers": ["pas-un-uuid"], "professional": "x", "action": "zz"}, follow=True)
    assert bad.status_code == 200
    assert "Choisissez un professionnel" in bad.content.decode()
    assert CircleMember.objects.count() == before + 2  # the two auto-habilitation rows of `other`


def test_the_menu_shows_the_page_to_structure_super_users_only(
    coordinator, member, structure, client_for
) -> None:
    assert "Gérer les habilitations" in client_for(coordinator, acting_as=structure).get("/").content.decode()
    assert "Gérer les habilitations" not in client_for(member, acting_as=structure).get("/").content.decode()
    assert "Gérer les habilitations" not in client_for(coordinator).get("/").content.decode()
