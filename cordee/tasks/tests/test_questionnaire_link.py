"""TSK-1 / TSK-4: a task may name a questionnaire of its dossier ("Questionnaire" column);
only the dossier's forms the actor may read can be linked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cordee.pathways.models import Theme
from cordee.pathways.testing import make_form, make_questionnaire
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskType


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _post(form_id: str = "", **extra: object) -> dict[str, object]:
    return {
        "task_type": TaskType.objects.get(label="Relance").pk,
        "label": "Compléter le cahier",
        "level": TaskLevel.objects.get(label="Information").pk,
        "status": "TODO",
        "due_at": "2030-01-04T09:00",
        "form": form_id,
        **extra,
    }


def test_a_task_links_a_form_of_its_dossier_shown_on_the_dashboard(acting, dossier) -> None:
    version = make_questionnaire(title="Évaluation de test")
    form = make_form(version, dossier)
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    assert "Évaluation de test" in acting.get(url).content.decode()
    assert acting.post(url, _post(str(form.pk))).status_code == 302
    task = Task.objects.get()
    assert task.form == form
    page = acting.get(reverse("tasks:dashboard"), {"statut": ["TODO"]}).content.decode()
    assert "Questionnaire" in page and "Évaluation de test" in page
    detail = acting.get(
        reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    )
    assert "Questionnaire lié" in detail.content.decode()


def test_a_form_of_another_dossier_cannot_be_linked(acting, dossier, dossier_of_other_structure) -> None:
    version = make_questionnaire()
    foreign = make_form(version, dossier_of_other_structure)
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    response = acting.post(url, _post(str(foreign.pk)))
    assert response.status_code == 200
    assert "Choisissez un questionnaire de ce dossier." in response.content.decode()
    assert not Task.objects.exists()


def test_a_form_of_a_reserved_theme_is_neither_offered_nor_named(acting, dossier) -> None:
    reserved = Theme.objects.get(code="sante-mentale")
    Theme.objects.filter(pk=reserved.pk).update(is_restricted=True)
    version = make_questionnaire(code="reserve", theme="sante-mentale", title="Bilan réservé")
    form = make_form(version, dossier)
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    assert "Bilan réservé" not in acting.get(url).content.decode()
    assert acting.post(url, _post(str(form.pk))).status_code == 200
    assert not Task.objects.exists()


def test_changing_the_linked_form_is_kept_in_history(acting, dossier) -> None:
    first = make_form(make_questionnaire(code="q1", title="Premier"), dossier)
    second = make_form(make_questionnaire(code="q2", title="Second"), dossier)
    acting.post(reverse("tasks:create", kwargs={"public_id": dossier.public_id}), _post(str(first.pk)))
    task = Task.objects.get()
    edit = reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    data = _post(str(second.pk), version=task.version)
    data.pop("status")
    assert acting.post(edit, data).status_code == 302
    task.refresh_from_db()
    assert task.form == second
    assert TaskChange.objects.filter(task=task, description__contains="questionnaire lié").exists()
