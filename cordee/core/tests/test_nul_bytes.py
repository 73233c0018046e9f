"""Issue 24: a NUL byte (or another control character) typed anywhere is a French message or
ignored — never stored, never a 500 (PostgreSQL refuses NUL in any text it is sent)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.careteam.models import FavouriteGroup
from cordee.patients.models import SavedFilter


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def test_a_favourite_group_named_with_a_nul_byte_is_refused(acting) -> None:
    response = acting.post(reverse("groups:list"), {"name": "Kinés\x00"})
    assert response.status_code == 200
    assert "caractère nul" in response.content.decode()
    assert not FavouriteGroup.objects.exists()


def test_a_favourite_group_name_too_long_is_refused_not_cut(acting) -> None:
    response = acting.post(reverse("groups:list"), {"name": "K" * 101})
    assert response.status_code == 200
    assert not FavouriteGroup.objects.exists()


def test_a_saved_filter_named_with_a_nul_byte_is_refused(acting) -> None:
    response = acting.post(
        reverse("patients:filter_save"), {"name": "Mes\x00patients", "query": "nom=martin"}
    )
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()
    page = acting.get(response["Location"]).content.decode()
    assert "caractère nul" in page


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("patients:list", {"nom": "mar\x00tin", "ville": "\x00"}),
        ("tasks:dashboard", {"motif": "\x00"}),
        ("tasks:choose_patient", {"nom": "du\x00pont"}),
        ("groups:list", {"nom": "\x00"}),
        ("supervision:supervision", {"nom": "\x00"}),
        ("territory:commune_search", {"q": "Ni\x00ce"}),
    ],
)
def test_search_boxes_ignore_nul_bytes(acting, name, params) -> None:
    assert acting.get(reverse(name), params).status_code == 200


def test_dossier_searches_ignore_nul_bytes(acting, dossier) -> None:
    kwargs = {"public_id": dossier.public_id}
    assert acting.get(reverse("patients:link_add", kwargs=kwargs), {"q": "a\x00"}).status_code == 200
    assert acting.get(reverse("pathways:tab", kwargs=kwargs), {"q": "\x00"}).status_code == 200
