"""TSK-3: after a status click in the dossier's "4. Tâches" panel, its counts by status follow —
swapped out of band from the same answer, for one more query."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cordee.careteam.models import CircleMember
from cordee.tasks.models import Task, TaskStatus

from .helpers import actor_for, make_task


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def task(coordinator, structure, dossier) -> Task:
    me = actor_for(coordinator, structure)
    make_task(me, dossier, "Déjà en cours", status=TaskStatus.IN_PROGRESS)
    return make_task(me, dossier, "Appeler la PMI")


def _advance(task: Task) -> str:
    return reverse("tasks:advance", kwargs={"public_id": task.patient.public_id, "task_id": task.public_id})


def _counts(html: str) -> dict[str, int]:
    """The panel's counts, from the (possibly out-of-band) `#taches-compteurs` paragraph."""
    match = re.search(r'<p [^>]*id="taches-compteurs"[^>]*>(.*?)</p>', html, re.S)
    assert match is not None
    return {label: int(n) for label, n in re.findall(r"([^<>]+?) : <strong>(\d+)</strong>", match.group(1))}


def test_the_dossier_panel_shows_the_counts_and_asks_for_them_on_a_click(acting, task, dossier) -> None:
    page = acting.get(reverse("patients:detail", kwargs={"public_id": dossier.public_id})).content.decode()
    assert _counts(page) == {"À traiter": 1, "En cours": 1, "Traité": 0, "Annulé": 0}
    assert 'aria-live="polite"' in page
    assert page.count('<input type="hidden" name="panneau" value="1">') == 2  # one per status button
    assert "hx-swap-oob" not in page


def test_a_status_click_from_the_panel_answers_with_the_new_counts(acting, task) -> None:
    response = acting.post(_advance(task), {"version": 1, "panneau": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "En cours<span" in html  # the swapped button itself
    assert 'hx-swap-oob="innerHTML"' in html
    assert _counts(html) == {"À traiter": 0, "En cours": 2, "Traité": 0, "Annulé": 0}
    # The new button keeps asking, so the next click refreshes them again.
    assert 'name="panneau"' in html
    html = acting.post(
        _advance(task), {"version": 2, "panneau": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert _counts(html) == {"À traiter": 0, "En cours": 1, "Traité": 1, "Annulé": 0}


def test_a_stale_click_still_shows_the_true_counts(acting, task) -> None:
    acting.post(_advance(task), {"version": 1}, HTTP_HX_REQUEST="true")
    html = acting.post(
        _advance(task), {"version": 1, "panneau": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in html
    assert _counts(html) == {"À traiter": 0, "En cours": 2, "Traité": 0, "Annulé": 0}
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_elsewhere_the_click_answers_with_the_button_only(acting, task) -> None:
    """The dashboard and the task page have no panel: no counts asked, none sent."""
    dashboard = acting.get(reverse("tasks:dashboard")).content.decode()
    assert 'name="panneau"' not in dashboard
    html = acting.post(_advance(task), {"version": 1}, HTTP_HX_REQUEST="true").content.decode()
    assert "taches-compteurs" not in html and "hx-swap-oob" not in html
    # Without htmx, the usual redirect.
    response = acting.post(_advance(task), {"version": 2, "panneau": "1"})
    assert response.status_code == 302


def test_the_counts_cost_one_query(acting, coordinator, structure, dossier) -> None:
    me = actor_for(coordinator, structure)
    tasks = [make_task(me, dossier, f"T{index}") for index in range(3)]

    def cost(task: Task, extra: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            acting.post(_advance(task), {"version": 1, **extra}, HTTP_HX_REQUEST="true")
        return len(queries)

    cost(tasks[0], {})  # the session's last-seen mark settles first
    without = cost(tasks[1], {})
    assert cost(tasks[2], {"panneau": "1"}) == without + 1


def test_a_member_without_habilitation_gets_no_counts(task, dossier, member, client_for) -> None:
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    response = client_for(member).post(_advance(task), {"version": 1, "panneau": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "taches-compteurs" not in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.version) == (TaskStatus.TODO, 1)
