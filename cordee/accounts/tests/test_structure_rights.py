"""ACC-6: "Utilisateur" / "Super utilisateur" per structure."""

from __future__ import annotations

from django.urls import reverse

from cordee.accounts.models import Membership


def _url(structure, membership) -> str:
    return reverse(
        "accounts:member_role",
        kwargs={"public_id": structure.public_id, "membership_id": membership.public_id},
    )


def test_a_super_user_acting_for_the_structure_changes_rights(
    coordinator, member, structure, client_for
) -> None:
    target = Membership.objects.get(user=member, structure=structure)
    page = client_for(coordinator, acting_as=structure).get(
        reverse("accounts:structure_detail", kwargs={"public_id": structure.public_id})
    )
    assert f'id="role-{target.public_id}"' in page.content.decode()
    client_for(coordinator, acting_as=structure).post(_url(structure, target), {"role": "SUPERUSER"})
    target.refresh_from_db()
    assert target.role == Membership.Role.SUPERUSER


def test_a_super_user_acting_as_themself_cannot(coordinator, member, structure, client_for) -> None:
    target = Membership.objects.get(user=member, structure=structure)
    response = client_for(coordinator).post(_url(structure, target), {"role": "SUPERUSER"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Membership.Role.USER


def test_a_plain_user_cannot_and_nothing_changes(coordinator, member, structure, client_for) -> None:
    target = Membership.objects.get(user=coordinator, structure=structure)
    response = client_for(member, acting_as=structure).post(_url(structure, target), {"role": "USER"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Membership.Role.SUPERUSER
    page = client_for(member, acting_as=structure).get(
        reverse("accounts:structure_detail", kwargs={"public_id": structure.public_id})
    )
    assert "role-" not in page.content.decode()


def test_the_last_super_user_keeps_the_role(coordinator, structure, client_for) -> None:
    own = Membership.objects.get(user=coordinator, structure=structure)
    response = client_for(coordinator, acting_as=structure).post(
        _url(structure, own), {"role": "USER"}, follow=True
    )
    assert "au moins un super utilisateur" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Membership.Role.SUPERUSER


def test_an_unknown_role_is_refused(coordinator, member, structure, client_for) -> None:
    target = Membership.objects.get(user=member, structure=structure)
    response = client_for(coordinator, acting_as=structure).post(
        _url(structure, target), {"role": "ROI"}, follow=True
    )
    assert "Droit inconnu" in response.content.decode()
    target.refresh_from_db()
    assert target.role == Membership.Role.USER
