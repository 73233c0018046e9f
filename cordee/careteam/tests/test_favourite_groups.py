"""CIR-8: favourite groups — create, fill, share, add or habilitate a whole group at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.activity.models import Event
from cordee.careteam.models import CircleMember, FavouriteGroup, FavouriteGroupShare
from tests.factories import accept_current_terms, make_user


@pytest.fixture
def pediatricians(db):
    return [make_user(username=f"ped{i}", last_name=f"Pediatre{i}", specialty="Pédiatrie") for i in range(3)]


@pytest.fixture
def group(coordinator, pediatricians):
    group = FavouriteGroup.objects.create(owner=coordinator, name="Pédiatres Cocon")
    group.members.add(*pediatricians)
    return group


def test_create_a_group_and_fill_it(coordinator, pediatricians, client_for) -> None:
    client = client_for(coordinator)
    empty = client.post(reverse("groups:list"), {"name": "  "})
    assert "Veuillez indiquer le nom du groupe." in empty.content.decode()
    response = client.post(reverse("groups:list"), {"name": "Kinés du Var"})
    group = FavouriteGroup.objects.get(owner=coordinator)
    assert response["Location"] == reverse("groups:detail", kwargs={"public_id": group.public_id})
    again = client.post(reverse("groups:list"), {"name": "kinés du var"})
    assert "déjà un groupe de ce nom" in again.content.decode()
    found = client.get(response["Location"], {"nom": "pediatre1"}).content.decode()
    assert "PEDIATRE1" in found
    client.post(response["Location"], {"professional": str(pediatricians[1].public_id), "action": "add"})
    assert list(group.members.all()) == [pediatricians[1]]


def test_share_a_group_with_a_colleague(coordinator, member, group, client_for) -> None:
    url = reverse("groups:detail", kwargs={"public_id": group.public_id})
    client_for(coordinator).post(url, {"professional": str(member.public_id), "action": "share"})
    share = FavouriteGroupShare.objects.get()
    assert (share.user, share.shared_by) == (member, coordinator)
    colleague = client_for(member)
    assert "Pédiatres Cocon" in colleague.get(reverse("groups:list")).content.decode()
    # The colleague sees the group but cannot change it.
    page = colleague.get(url).content.decode()
    assert "Partagé par" in page
    colleague.post(url, {"professional": str(member.public_id), "action": "add"})
    assert member not in group.members.all()


def test_someone_elses_unshared_group_does_not_exist(stranger, group, client_for) -> None:
    assert (
        client_for(stranger).get(reverse("groups:detail", kwargs={"public_id": group.public_id})).status_code
        == 404
    )


def test_habilitate_a_whole_group_on_a_circle(
    coordinator, structure, dossier, group, pediatricians, client_for
) -> None:
    client = client_for(coordinator, acting_as=structure)
    url = reverse("careteam:add_group", kwargs={"public_id": dossier.public_id})
    ask = client.post(url, {"group": str(group.public_id), "habilitated": "1"})
    assert "Voulez-vous vraiment habiliter" in ask.content.decode()
    assert not CircleMember.objects.filter(user__in=pediatricians).exists()
    client.post(url, {"group": str(group.public_id), "habilitated": "1", "confirmed": "1"})
    rows = CircleMember.objects.filter(patient=dossier, user__in=pediatricians)
    assert rows.count() == 3
    assert all(row.is_habilitated for row in rows)
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.CIRCLE_CHANGED).count() == 3
    accept_current_terms(pediatricians[0])
    assert (
        client_for(pediatricians[0])
        .get(reverse("patients:detail", kwargs={"public_id": dossier.public_id}))
        .status_code
        == 200
    )


def test_a_group_one_may_not_use_is_refused(
    coordinator, structure, dossier, stranger, pediatricians, client_for
) -> None:
    foreign = FavouriteGroup.objects.create(owner=stranger, name="Étranger")
    foreign.members.add(*pediatricians)
    response = client_for(coordinator, acting_as=structure).post(
        reverse("careteam:add_group", kwargs={"public_id": dossier.public_id}),
        {"group": str(foreign.public_id), "habilitated": "0"},
        follow=True,
    )
    assert "Choisissez un groupe de favoris." in response.content.decode()
    assert not CircleMember.objects.filter(user__in=pediatricians).exists()
