"""Issue 22: a database that cannot be reached (restarting, failing over) gets the French
"service momentanément indisponible" page with 503 and Retry-After — not a 500, no stack trace."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from cordee.core.views import server_error


@login_not_required
def _unreachable(request: HttpRequest) -> HttpResponse:
    """A real connection attempt to a database that is not there: the driver's own failure."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings.update(HOST="127.0.0.1", PORT="1")
    else:
        settings.update(NAME="/nonexistent-directory/cordee.sqlite3")
    wrapper = type(connections[connection.alias])
    wrapper(settings, alias="unreachable").ensure_connection()
    return HttpResponse("unreachable")


@login_not_required
def _bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug, not an outage")


urlpatterns = [path("outage/", _unreachable), path("bug/", _bug)]
handler500 = server_error


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_unreachable_database_answers_503_in_french() -> None:
    response = Client(raise_request_exception=False).get("/outage/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_bug_stays_a_500() -> None:
    response = Client(raise_request_exception=False).get("/bug/")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()
