"""Issue 24: nothing carrying dossier data is kept by a browser or a proxy (shared computers in
practices): `Cache-Control: no-store` on every answer to a signed-in person (the URL walk checks
it for refusals too); the public pages keep their ordinary caching."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize(
    "name", ["patients:detail", "patients:consent_document", "tasks:dashboard", "patients:list"]
)
def test_dossier_pages_and_the_consent_pdf_are_never_stored(
    name, coordinator, structure, dossier, client_for
):
    kwargs = {"public_id": dossier.public_id} if "consent" in name or "detail" in name else {}
    response = client_for(coordinator, acting_as=structure).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    control = response["Cache-Control"]
    assert "no-store" in control and "private" in control and "max-age=0" in control


@pytest.mark.django_db
def test_the_sign_in_page_is_not_marked(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert "no-store" not in response.get("Cache-Control", "")
