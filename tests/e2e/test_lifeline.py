"""The life line in a browser (ACT-3), as the booklet's "La ligne de vie" page shows it: a
period chosen, the arrows moving it back a quarter, a mark opened; axe-core on the page."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from cordee.accounts.models import Structure, User
from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_dossier import open_as_structure, open_dossier, section

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def test_move_back_a_quarter_and_open_a_mark(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    dossier: Patient,
    axe: Axe,
) -> None:
    Patient.objects.filter(pk=dossier.pk).update(created_at=timezone.now() - datetime.timedelta(days=300))
    Task.objects.create(
        patient=dossier,
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Information"),
        label="Bilan orthophonique",
        due_at=timezone.now() - datetime.timedelta(days=120),
        status=TaskStatus.DONE,
    )
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, dossier)
    section(page, "6. Ligne de vie").get_by_role("link", name="Ouvrir la ligne de vie").click()
    expect(page.get_by_role("heading", level=1, name="Ligne de vie")).to_be_visible()
    line = page.locator("#ligne-de-vie")
    expect(line.locator("a.lifeline-mark", has_text="Bilan orthophonique")).to_have_count(0)
    assert_accessible(axe, page)

    line.get_by_role("link", name="Période précédente").click()
    mark = page.locator("a.lifeline-mark", has_text="Bilan orthophonique")
    expect(mark).to_have_count(1)
    page.get_by_text("Les faits de la période en tableau").click()
    expect(page.get_by_role("cell", name="Bilan orthophonique (Traité)")).to_be_visible()
    mark.click()
    expect(page.get_by_role("heading", name="Bilan orthophonique")).to_be_visible()


def test_the_enlarged_tasks_panel_takes_the_life_lines_place_and_stays_so(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    coordinator: User,
    structure: Structure,
    dossier: Patient,
    axe: Axe,
) -> None:
    """Fiche 25: the tasks panel's enlarge button swaps it with the life line, for this user, on
    every dossier, until the reduce button puts them back — usable with the keyboard."""
    Task.objects.create(
        patient=dossier,
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Information"),
        label="Appeler la PMI",
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    page = open_as_structure(new_context, coordinator, structure, live_server)
    open_dossier(page, dossier)
    tasks = section(page, "4. Tâches")
    expect(tasks.get_by_role("table")).to_have_count(0)
    tasks.get_by_role("button", name="Agrandir l'encart des tâches").focus()
    page.keyboard.press("Enter")

    tasks = section(page, "4. Tâches")
    expect(tasks.get_by_role("columnheader", name="Échéance")).to_be_visible()
    expect(tasks.get_by_role("link", name="Appeler la PMI")).to_be_visible()
    life_line = section(page, "6. Ligne de vie")
    assert life_line.bounding_box()["y"] < tasks.bounding_box()["y"]  # type: ignore[index]
    assert_accessible(axe, page)

    page.reload()  # remembered
    expect(section(page, "4. Tâches").get_by_role("table")).to_have_count(1)
    section(page, "4. Tâches").get_by_role("button", name="Réduire l'encart des tâches").click()
    expect(section(page, "4. Tâches").get_by_role("table")).to_have_count(0)
    tasks, life_line = section(page, "4. Tâches"), section(page, "6. Ligne de vie")
    assert tasks.bounding_box()["y"] < life_line.bounding_box()["y"]  # type: ignore[index]
