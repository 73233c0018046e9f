"""Issue 23: the administration names every section in French; moments read "03/12/2026 à 22:44"
on the Paris clock."""

from __future__ import annotations

import datetime
import html

from django.template import Context, Template
from django.utils import timezone


def test_the_admin_index_names_the_libraries_sections_in_french(admin_user, client_for) -> None:
    page = html.unescape(client_for(admin_user).get("/admin/").content.decode())
    for english in (
        "Axes",
        "TOTP devices",
        "Task Results",
        "Otp_Totp",
        "Otp_Static",
        "Tasks Database Backend",
    ):
        assert f">{english}<" not in page, english
    for french in (
        "Connexions et blocages",
        "Double authentification — applications",
        "Applications d'authentification (TOTP)",
        "Travaux en arrière-plan",
        "Travaux (courriels, notifications)",
    ):
        assert french in page, french


def test_an_apps_own_admin_page_keeps_its_french_name(admin_user, client_for) -> None:
    page = html.unescape(client_for(admin_user).get("/admin/otp_totp/").content.decode())
    assert "Double authentification — applications" in page
    assert client_for(admin_user).get("/admin/no_such_app/").status_code == 404


def _moment(value: object) -> str:
    return Template("{% load cordee %}{{ value|moment }}").render(Context({"value": value}))


def test_a_moment_reads_as_people_read_it_on_the_paris_clock() -> None:
    winter = datetime.datetime(2026, 12, 3, 21, 44, tzinfo=datetime.UTC)
    summer = datetime.datetime(2026, 7, 3, 21, 44, tzinfo=datetime.UTC)
    assert _moment(winter) == "03/12/2026 à 22:44"
    assert _moment(summer) == "03/07/2026 à 23:44"
    # Whatever zone the request activated.
    with timezone.override(datetime.UTC):
        assert _moment(winter) == "03/12/2026 à 22:44"
    assert _moment(None) == "—" and _moment("2026-12-03") == "—"
