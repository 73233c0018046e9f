"""Issue 24: with DEBUG off, a body Django refuses to read answers the French 400 page, and
nothing is written (Django's own page was English "Bad Request (400)")."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from cordee.tasks.models import Task

FRENCH = "Requête invalide"


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _create_url(dossier) -> str:
    return reverse("tasks:create", kwargs={"public_id": dossier.public_id})


@override_settings(DEBUG=False)
def test_too_many_fields(acting, dossier) -> None:
    data = {f"champ{index}": "x" for index in range(1500)}
    response = acting.post(_create_url(dossier), data)
    assert response.status_code == 400
    assert FRENCH in response.content.decode() and "Bad Request" not in response.content.decode()
    assert not Task.objects.exists()


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body(acting, dossier) -> None:
    response = acting.post(_create_url(dossier), {"label": "x" * 5000})
    assert response.status_code == 400
    assert FRENCH in response.content.decode()
    assert not Task.objects.exists()


@override_settings(DEBUG=False)
def test_a_malformed_multipart_body(acting, dossier) -> None:
    response = acting.generic(
        "POST",
        _create_url(dossier),
        b'--zzz\r\nContent-Disposition: form-data; name="label"\r\n\r\nabc',  # never closed
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert FRENCH in response.content.decode()
    assert not Task.objects.exists()
