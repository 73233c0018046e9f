"""Issue 24 (high): a due moment or a filter date far outside any care never reaches the database
and never breaks a page; one stored before the fix is found and repaired."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from cordee.tasks.models import Task, TaskLevel, TaskRecipient, TaskType
from cordee.tasks.tests.helpers import actor_for, make_task

OUT_OF_RANGE = "Veuillez indiquer une date entre le 01/01/1900 et le 31/12/2100."


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _form(due_at: str) -> dict[str, object]:
    return {
        "task_type": TaskType.objects.get(label="Relance").pk,
        "label": "Rappeler la maman",
        "level": TaskLevel.objects.get(label="Important").pk,
        "status": "TODO",
        "due_at": due_at,
    }


@pytest.mark.parametrize("due_at", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T23:59"])
def test_a_task_due_out_of_range_is_refused_beside_the_field(acting, dossier, due_at) -> None:
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    response = acting.post(url, _form(due_at))
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert not Task.objects.exists()


def test_an_edit_to_year_one_changes_nothing(acting, coordinator, structure, dossier) -> None:
    task = make_task(actor_for(coordinator, structure), dossier, "Bilan")
    due = task.due_at
    url = reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    response = acting.post(url, {**_form("0001-01-01T00:00"), "version": task.version})
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    task.refresh_from_db()
    assert task.due_at == due and task.version == 1


@pytest.mark.parametrize(
    "query",
    [
        {"debut": "0001-01-01"},
        {"fin": "9999-12-31"},
        {"debut": "0001-01-01", "fin": "9999-12-31"},
        {"debut": "99999-01-01"},
    ],
)
def test_dashboard_filters_out_of_range_are_a_french_message(acting, coordinator, structure, dossier, query):
    make_task(actor_for(coordinator, structure), dossier, "Bilan")
    response = acting.get(reverse("tasks:dashboard"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bilan" in page  # the bad bound is dropped, the rest of the page still answers
    assert OUT_OF_RANGE in page or "Saisissez une date valide" in page


def _store_year_one(task: Task) -> None:
    """What the probe did before the fix: on PostgreSQL, the year-1 BC timestamp Paris's
    0001-01-01T00:00 became in UTC; on SQLite, year 1 itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tasks_task SET due_at = '0001-12-31 23:50:39+00 BC' WHERE id = %s", [task.pk]
            )
            cursor.execute(
                "UPDATE tasks_taskrecipient SET task_due_at = '0001-12-31 23:50:39+00 BC' WHERE task_id = %s",
                [task.pk],
            )
    else:
        year_one = datetime.datetime(1, 1, 1, 12, tzinfo=datetime.UTC)
        Task.objects.filter(pk=task.pk).update(due_at=year_one)
        TaskRecipient.objects.filter(task=task).update(task_due_at=year_one)


def test_check_dates_finds_and_repairs_a_stored_year_one(acting, coordinator, structure, dossier) -> None:
    task = make_task(actor_for(coordinator, structure), dossier, "Bilan empoisonné")
    _store_year_one(task)
    with pytest.raises(CommandError, match="hors de 1900"):
        call_command("check_dates")
    call_command("check_dates", "--repair")
    task.refresh_from_db()
    assert task.due_at == datetime.datetime(1900, 1, 1, 12, tzinfo=datetime.UTC)
    assert TaskRecipient.objects.get(task=task).task_due_at == task.due_at
    call_command("check_dates")  # nothing left
    detail = acting.get(reverse("patients:detail", kwargs={"public_id": dossier.public_id}))
    assert detail.status_code == 200 and "Bilan empoisonné" in detail.content.decode()
    assert acting.get(reverse("tasks:dashboard")).status_code == 200


HUGE_ID = "99999999999999999999"


@pytest.mark.parametrize("query", [{"type": HUGE_ID}, {"niveau": HUGE_ID}, {"niveau": "-" + HUGE_ID}])
def test_dashboard_ids_beyond_64_bits_are_dropped_not_a_500(acting, query) -> None:
    response = acting.get(reverse("tasks:dashboard"), query)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


@pytest.mark.parametrize("field", ["recipients", "task_type", "level"])
def test_a_task_with_an_id_beyond_64_bits_is_refused(acting, dossier, field) -> None:
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    response = acting.post(url, {**_form("2026-12-01T09:30"), field: HUGE_ID})
    assert response.status_code == 200
    assert not Task.objects.exists()


def test_a_comment_of_100000_characters_is_refused_with_its_counter(acting, dossier) -> None:
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    assert 'maxlength="2000"' in acting.get(url).content.decode()  # app.js counts down from it
    response = acting.post(url, {**_form("2026-12-01T09:30"), "comment": "x" * 100_000})
    assert response.status_code == 200
    assert "2000 caractères" in response.content.decode()
    assert not Task.objects.exists()
