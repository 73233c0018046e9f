"""Fiche 25: "L'encart des tâches peut remplacer la ligne de vie en cliquant sur le bouton
d'agrandissement" — each user's choice, remembered, and only a matter of layout: the page reads
the same data with the same number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cordee.accounts.models import User
from cordee.careteam.models import RightsRule, Section

from .helpers import actor_for, make_task

SIZE_URL = reverse("tasks:panel_size")


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _page(client, dossier) -> str:
    response = client.get(reverse("patients:detail", kwargs={"public_id": dossier.public_id}))
    assert response.status_code == 200
    page: str = response.content.decode()
    return page


def _tasks_panel(page: str) -> str:
    start = page.index('aria-labelledby="s4"')
    return page[start : page.index("</section>", start)]


def _order(page: str, *headings: str) -> list[str]:
    """The given panel headings as the page lays them out, first to last."""
    return sorted(headings, key=page.index)


def test_by_default_the_tasks_panel_sits_beside_the_status_and_the_life_line_runs_across(
    acting, dossier
) -> None:
    page = _page(acting, dossier)
    assert _order(page, "4. Tâches", "3. Hospitalisations", "6. Ligne de vie") == [
        "4. Tâches",
        "3. Hospitalisations",
        "6. Ligne de vie",
    ]
    assert "Agrandir l&#x27;encart des tâches" in page or "Agrandir l'encart des tâches" in page
    assert '<th scope="col">Niveau</th>' not in page


def test_enlarging_swaps_the_panels_and_is_remembered_for_that_user_only(
    acting, coordinator, member, structure, dossier, client_for
) -> None:
    make_task(actor_for(coordinator, structure), dossier, "Appeler la PMI")
    detail = reverse("patients:detail", kwargs={"public_id": dossier.public_id})
    response = acting.post(SIZE_URL, {"agrandi": "1", "next": detail})
    assert response.status_code == 302
    assert response["Location"] == f"{detail}#s4"
    coordinator.refresh_from_db()
    assert coordinator.tasks_panel_enlarged is True

    page = _page(acting, dossier)
    assert _order(page, "4. Tâches", "3. Hospitalisations", "6. Ligne de vie") == [
        "6. Ligne de vie",
        "3. Hospitalisations",
        "4. Tâches",
    ]
    assert '<th scope="col">Niveau</th>' in page  # the enlarged panel is a table
    assert page.count('id="s4"') == 1 and page.count('id="s6"') == 1  # swapped, not doubled
    assert "Réduire l&#x27;encart des tâches" in page or "Réduire l'encart des tâches" in page

    # Someone else's dossier page keeps its own layout.
    assert User.objects.get(pk=member.pk).tasks_panel_enlarged is False

    acting.post(SIZE_URL, {"agrandi": "0", "next": detail})
    page = _page(acting, dossier)
    assert page.index("4. Tâches") < page.index("6. Ligne de vie")


def test_the_enlarged_panel_lists_more_open_tasks(acting, coordinator, structure, dossier) -> None:
    me = actor_for(coordinator, structure)
    for n in range(30):
        make_task(me, dossier, f"Tâche numéro {n:02d}")
    assert _tasks_panel(_page(acting, dossier)).count(">Tâche numéro") == 10
    acting.post(SIZE_URL, {"agrandi": "1"})
    shown = _tasks_panel(_page(acting, dossier))
    assert shown.count(">Tâche numéro") == 25
    assert "Tâche numéro 00" in shown and "Tâche numéro 24" in shown  # soonest due first


def test_both_layouts_read_the_dossier_with_the_same_number_of_queries(acting, dossier) -> None:
    _page(acting, dossier)  # warm the session and the caches
    with CaptureQueriesContext(connection) as reduced:
        _page(acting, dossier)
    acting.post(SIZE_URL, {"agrandi": "1"})
    _page(acting, dossier)
    with CaptureQueriesContext(connection) as enlarged:
        _page(acting, dossier)
    assert len(enlarged) == len(reduced)


@pytest.mark.parametrize("value", ["", "2", "oui", "1; DROP TABLE", "\x00"])
def test_an_unknown_size_changes_nothing_and_says_so_in_french(acting, coordinator, value) -> None:
    response = acting.post(SIZE_URL, {"agrandi": value}, follow=True)
    assert response.status_code == 200
    assert "Taille de l&#x27;encart des tâches inconnue" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.tasks_panel_enlarged is False


def test_the_return_address_stays_on_the_site(acting) -> None:
    response = acting.post(SIZE_URL, {"agrandi": "1", "next": "https://ailleurs.example/piege"})
    assert response["Location"] == "/#s4"


def test_the_button_is_a_post_and_needs_a_signed_in_user(client, coordinator) -> None:
    assert client.get(SIZE_URL).status_code in {302, 405}
    response = client.post(SIZE_URL, {"agrandi": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    coordinator.refresh_from_db()
    assert coordinator.tasks_panel_enlarged is False


def test_without_the_right_to_read_tasks_the_choice_leaves_the_life_line_in_place(
    acting, coordinator, dossier
) -> None:
    coordinator.tasks_panel_enlarged = True
    coordinator.save(update_fields=["tasks_panel_enlarged"])
    RightsRule.objects.filter(section=Section.TASKS).delete()
    page = _page(acting, dossier)
    assert "4. Tâches" not in page
    assert page.count("6. Ligne de vie") == 1
