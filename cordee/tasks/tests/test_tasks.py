"""TSK-1..4: tasks on the dossier, the status cycle, the dashboard; refusals change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cordee.activity.models import Event
from cordee.careteam.models import CircleMember
from cordee.patients.models import PatientLink, RelationType
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskRecipient, TaskStatus, TaskType
from tests.factories import accept_current_terms, make_user


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


def _form(**overrides):
    data = {
        "task_type": TaskType.objects.get(label="Relance").pk,
        "label": "Rappeler la maman pour le bilan",
        "level": TaskLevel.objects.get(label="Important").pk,
        "status": "TODO",
        "due_at": "2026-12-01T09:30",
        "comment": "Pas de réponse au premier appel",
    }
    data.update(overrides)
    return data


def _create_url(patient) -> str:
    return reverse("tasks:create", kwargs={"public_id": patient.public_id})


def test_create_a_task_from_the_dossier_with_the_creator_as_recipient(acting, coordinator, dossier) -> None:
    page = acting.get(_create_url(dossier)).content.decode()
    assert "il est recommandé de ne pas vous retirer" in page
    mine = CircleMember.objects.get(patient=dossier, user=coordinator)
    assert f'value="{mine.pk}" ' in page and "checked" in page
    response = acting.post(_create_url(dossier), _form(recipients=[mine.pk]))
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.status == TaskStatus.TODO
    assert list(task.recipients.values_list("user", flat=True)) == [coordinator.pk]
    assert TaskChange.objects.filter(task=task).count() == 1
    assert Event.objects.filter(patient=dossier, kind=Event.Kind.TASK_CREATED).exists()
    detail = acting.get(reverse("patients:detail", kwargs={"public_id": dossier.public_id})).content.decode()
    assert "4. Tâches" in detail
    assert "Rappeler la maman pour le bilan" in detail


def test_no_recipient_means_the_creator(acting, coordinator, dossier) -> None:
    acting.post(_create_url(dossier), _form())
    assert list(TaskRecipient.objects.values_list("user", flat=True)) == [coordinator.pk]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"label": ""}, "Veuillez indiquer le libellé de la tâche."),
        ({"task_type": ""}, "Veuillez choisir le type de tâche."),
        ({"due_at": ""}, "Veuillez indiquer la date d&#x27;échéance."),
        ({"due_at": "demain"}, "Date et heure invalides."),
    ],
)
def test_bad_input_is_refused_in_french(acting, dossier, overrides, message) -> None:
    response = acting.post(_create_url(dossier), _form(**overrides))
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_recipients_must_be_habilitated_members_of_the_circle(acting, dossier, member, stranger) -> None:
    unhabilitated = CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    response = acting.post(_create_url(dossier), _form(recipients=[unhabilitated.pk]))
    assert response.status_code == 200
    assert not Task.objects.exists()


def test_the_status_cycle_and_read_only_when_done(acting, coordinator, structure, dossier) -> None:
    acting.post(_create_url(dossier), _form())
    task = Task.objects.get()
    url = reverse("tasks:advance", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    seen = []
    for _ in range(4):
        task.refresh_from_db()
        response = acting.post(url, {"version": task.version}, HTTP_HX_REQUEST="true")
        task.refresh_from_db()
        seen.append(task.status)
        assert task.get_status_display() in response.content.decode()
    assert seen == ["IN_PROGRESS", "DONE", "CANCELLED", "TODO"]
    assert TaskChange.objects.filter(task=task).count() == 5  # created + four changes
    # Done: read-only until set back.
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    task.refresh_from_db()
    edit_url = reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    page = acting.get(edit_url).content.decode()
    assert "n'est plus modifiable" in page
    acting.post(edit_url, {**_form(label="Changé"), "version": task.version})
    task.refresh_from_db()
    assert task.label != "Changé"


def test_a_stale_status_click_changes_nothing(acting, dossier) -> None:
    acting.post(_create_url(dossier), _form())
    task = Task.objects.get()
    url = reverse("tasks:advance", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    acting.post(url, {"version": 1}, HTTP_HX_REQUEST="true")
    response = acting.post(url, {"version": 1}, HTTP_HX_REQUEST="true")
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    garbage = acting.post(url, {"version": "x"}, HTTP_HX_REQUEST="true")
    assert garbage.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_strangers_and_unhabilitated_members_cannot_touch_a_task(
    acting, dossier, member, stranger, client_for
) -> None:
    acting.post(_create_url(dossier), _form())
    task = Task.objects.get()
    CircleMember.objects.create(patient=dossier, user=member, is_habilitated=False)
    url = reverse("tasks:advance", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    assert client_for(stranger).post(url, {"version": 1}).status_code == 404
    assert client_for(member).post(url, {"version": 1}).status_code == 403
    task.refresh_from_db()
    assert (task.status, task.version) == (TaskStatus.TODO, 1)
    # Tampering: a task id of another dossier under a dossier one may open.
    other = create_test_patient(dossier.created_by, dossier.created_by_structure, birth_name="Autre")
    tampered = reverse("tasks:advance", kwargs={"public_id": other.public_id, "task_id": task.public_id})
    assert acting.post(tampered, {"version": 1}).status_code == 404


def test_dashboard_defaults_to_open_tasks_assigned_to_me_or_my_structure(
    acting, coordinator, structure, dossier, client_for
) -> None:
    for label, status in (("Ouverte", "TODO"), ("En cours", "IN_PROGRESS"), ("Finie", "DONE")):
        acting.post(_create_url(dossier), _form(label=label, status=status))
    structure_row = CircleMember.objects.get(patient=dossier, structure=structure)
    acting.post(_create_url(dossier), _form(label="Pour la structure", recipients=[structure_row.pk]))
    labels = {task.label for task in acting.get(reverse("tasks:dashboard")).context["page"].object_list}
    assert labels == {"Ouverte", "En cours", "Pour la structure"}
    as_self = {
        t.label for t in client_for(coordinator).get(reverse("tasks:dashboard")).context["page"].object_list
    }
    assert as_self == {"Ouverte", "En cours"}
    # From the dossier: every status of that patient.
    from_dossier = acting.get(reverse("tasks:dashboard"), {"patient": str(dossier.public_id)})
    assert {t.label for t in from_dossier.context["page"].object_list} == {
        "Ouverte",
        "En cours",
        "Finie",
        "Pour la structure",
    }


def test_dashboard_filters_and_overdue(acting, dossier) -> None:
    acting.post(_create_url(dossier), _form(label="Ancienne", due_at="2020-01-01T08:00"))
    acting.post(_create_url(dossier), _form(label="Future", due_at="2030-01-01T08:00"))
    page = acting.get(reverse("tasks:dashboard"))
    assert "En retard" in page.content.decode()
    ranged = acting.get(reverse("tasks:dashboard"), {"debut": "2029-01-01", "fin": "2031-01-01"})
    assert [t.label for t in ranged.context["page"].object_list] == ["Future"]
    motif = acting.get(reverse("tasks:dashboard"), {"motif": "ancien"})
    assert [t.label for t in motif.context["page"].object_list] == ["Ancienne"]
    bad = acting.get(reverse("tasks:dashboard"), {"debut": "2031-01-01", "fin": "2029-01-01", "zone": "x"})
    assert "ne peut pas précéder" in bad.content.decode()


def test_a_common_task_on_linked_dossiers(acting, coordinator, structure, dossier) -> None:
    sibling = create_test_patient(coordinator, structure, first_name="Hugo", sex="M")
    PatientLink.objects.create(
        from_patient=dossier, to_patient=sibling, relation=RelationType.objects.get(label="Frère / sœur")
    )
    acting.post(_create_url(dossier), _form(linked="on"))
    tasks = list(Task.objects.all())
    assert {t.patient_id for t in tasks} == {dossier.pk, sibling.pk}
    assert len({t.common_id for t in tasks}) == 1
    assert tasks[0].common_id is not None


def test_dashboard_query_count_is_constant(acting, dossier) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        acting.get(reverse("tasks:dashboard"))  # the session's last-seen mark settles first
        with CaptureQueriesContext(connection) as queries:
            acting.get(reverse("tasks:dashboard"))
        return len(queries)

    for index in range(3):
        acting.post(_create_url(dossier), _form(label=f"T{index}"))
    few = count()
    for index in range(15):
        acting.post(_create_url(dossier), _form(label=f"U{index}"))
    assert count() == few
    assert few <= 16


def test_a_recipient_who_lost_habilitation_no_longer_sees_the_task(acting, dossier, structure) -> None:
    nurse = make_user(username="idel")
    accept_current_terms(nurse)
    row = CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=True)
    acting.post(_create_url(dossier), _form(recipients=[row.pk]))
    from django.test import Client

    client = Client()
    client.force_login(nurse)
    assert len(client.get(reverse("tasks:dashboard")).context["page"].object_list) == 1
    CircleMember.objects.filter(pk=row.pk).update(
        is_habilitated=False, habilitation_removed_at=timezone.now()
    )
    assert len(client.get(reverse("tasks:dashboard")).context["page"].object_list) == 0


def test_the_status_click_never_redirects_off_site(acting, dossier) -> None:
    acting.post(_create_url(dossier), _form())
    task = Task.objects.get()
    url = reverse("tasks:advance", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    response = acting.post(url, {"version": 1, "next": "https://evil.example/"})
    assert response["Location"] == f"/patients/{dossier.public_id}/"
