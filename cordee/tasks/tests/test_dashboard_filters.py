"""TSK-4: the dashboard's "Destinataire(s)" and "Action(s)" filters — only what one's own tasks
hold is offered, a filter only narrows, and a tampered value reveals nothing and never fails."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from cordee.careteam.models import CircleMember
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import Task, TaskChange, TaskLevel, TaskType
from tests.factories import accept_current_terms, make_membership, make_user

from .helpers import actor_for, make_task, member_row

DASHBOARD = reverse("tasks:dashboard")
NOT_OFFERED = "Ce choix ne figure pas parmi vos tâches : il n&#x27;est pas appliqué."


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def world(coordinator, structure, dossier, maternity) -> SimpleNamespace:
    """Tasks on the coordinator's dossier, and a dossier of another structure they cannot see."""
    me = actor_for(coordinator, structure)
    nurse = make_user(username="idel", last_name="Idel", first_name="Nina")
    physio = make_user(username="kine", last_name="Kine", first_name="Karl")
    for person in (nurse, physio):
        accept_current_terms(person)
    nurse_row = CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=True)
    physio_row = CircleMember.objects.create(patient=dossier, user=physio, is_habilitated=True)
    mine = member_row(dossier, user=coordinator)
    ours = member_row(dossier, structure=structure)
    make_task(me, dossier, "Pour moi", recipients=[mine], action="Action 1 — Soins infirmiers")
    make_task(me, dossier, "Pour moi et l'IDEL", recipients=[mine, nurse_row], action="Action 2 — Aide")
    make_task(me, dossier, "Pour la structure", recipients=[ours])
    # On a dossier I see, but addressed to someone else: not on my dashboard, only on the dossier's.
    make_task(me, dossier, "Pour le kiné seul", recipients=[physio_row], action="Action 3 — Kiné")

    midwife = make_user(username="sagefemme", last_name="Sage", first_name="Sophie")
    make_membership(user=midwife, structure=maternity)
    secret = create_test_patient(
        midwife, maternity, birth_name="Secret", first_name="Zoé", birth_date=datetime.date(2023, 1, 2)
    )
    hidden = make_user(username="cache", last_name="Cache", first_name="Samuel")
    hidden_row = CircleMember.objects.create(patient=secret, user=hidden, is_habilitated=True)
    make_task(
        actor_for(midwife, maternity),
        secret,
        "Tâche cachée",
        recipients=[hidden_row, member_row(secret, structure=maternity)],
        action="Action secrète",
    )
    return SimpleNamespace(nurse=nurse, physio=physio, hidden=hidden, maternity=maternity, secret=secret)


def _labels(response) -> list[str]:
    assert response.status_code == 200
    return sorted(task.label for task in response.context["page"].object_list)


def _offered(response, field: str) -> list[str]:
    return [label for _, label in response.context["form"].fields[field].choices]


def test_the_recipient_picker_offers_only_the_recipients_of_my_tasks(acting, world) -> None:
    response = acting.get(DASHBOARD)
    assert _offered(response, "destinataire") == ["COORDIN Claire", "IDEL Nina", "DAC Test Azur (structure)"]
    page = response.content.decode()
    assert 'name="destinataire"' in page and "Destinataire(s)" in page
    for never in ("KINE Karl", "CACHE Samuel", "SAGE Sophie", "Maternité Test", "Tâche cachée"):
        assert never not in page


def test_opened_from_the_dossier_the_picker_offers_that_dossiers_recipients(acting, world, dossier) -> None:
    response = acting.get(DASHBOARD, {"patient": str(dossier.public_id)})
    assert _offered(response, "destinataire") == [
        "COORDIN Claire",
        "IDEL Nina",
        "KINE Karl",
        "DAC Test Azur (structure)",
    ]
    assert "CACHE Samuel" not in response.content.decode()
    chosen = acting.get(
        DASHBOARD, {"patient": str(dossier.public_id), "destinataire": f"p-{world.physio.public_id}"}
    )
    assert _labels(chosen) == ["Pour le kiné seul"]


def test_filter_by_a_person_a_structure_or_several(acting, world, coordinator, structure) -> None:
    nurse = f"p-{world.nurse.public_id}"
    dac = f"s-{structure.public_id}"
    assert _labels(acting.get(DASHBOARD, {"destinataire": nurse})) == ["Pour moi et l'IDEL"]
    assert _labels(acting.get(DASHBOARD, {"destinataire": dac})) == ["Pour la structure"]
    assert _labels(acting.get(DASHBOARD, {"destinataire": [nurse, dac]})) == [
        "Pour la structure",
        "Pour moi et l'IDEL",
    ]
    me = acting.get(DASHBOARD, {"destinataire": f"p-{coordinator.public_id}"})
    assert _labels(me) == ["Pour moi", "Pour moi et l'IDEL"]
    # The choice stays in the URL-driven form: selected, and carried by the sort links.
    page = me.content.decode()
    assert f'<option value="p-{coordinator.public_id}" selected>' in page
    assert f"destinataire=p-{coordinator.public_id}&amp;tri=" in page


@pytest.mark.parametrize(
    "tamper",
    [
        lambda w: f"p-{w.hidden.public_id}",  # a person of a dossier I cannot see
        lambda w: f"s-{w.maternity.public_id}",  # a structure of that dossier
        lambda w: f"p-{w.physio.public_id}",  # in my dossier's circle, but on none of my tasks
        lambda w: f"p-{uuid.uuid4()}",
        lambda w: "p-pas-un-identifiant",
        lambda w: "x" * 5000,
        lambda w: "s-'; DROP TABLE tasks_task; --",
    ],
)
def test_a_tampered_recipient_is_ignored_and_reveals_nothing(acting, world, tamper) -> None:
    value = tamper(world)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = acting.get(DASHBOARD, {"destinataire": value, "motif": "moi"}, **headers)
        # Dropped, the other filters still apply; nothing of the hidden dossier shows.
        assert _labels(response) == ["Pour moi", "Pour moi et l'IDEL"]
        page = response.content.decode()
        for never in ("Tâche cachée", "CACHE Samuel", "Maternité Test", "Secret", "KINE Karl"):
            assert never not in page
    assert NOT_OFFERED in acting.get(DASHBOARD, {"destinataire": value}).content.decode()


def test_a_stranger_filtering_on_my_name_sees_nothing(world, coordinator, stranger, client_for) -> None:
    response = client_for(stranger).get(DASHBOARD, {"destinataire": f"p-{coordinator.public_id}"})
    assert _labels(response) == []
    assert _offered(response, "destinataire") == []
    assert "COORDIN Claire" not in response.content.decode()


def test_the_action_picker_and_filter(acting, world, dossier) -> None:
    response = acting.get(DASHBOARD)
    assert _offered(response, "action") == ["Action 1 — Soins infirmiers", "Action 2 — Aide"]
    assert "Action(s)" in response.content.decode()
    assert _labels(acting.get(DASHBOARD, {"action": "Action 2 — Aide"})) == ["Pour moi et l'IDEL"]
    both = acting.get(DASHBOARD, {"action": ["Action 2 — Aide", "Action 1 — Soins infirmiers"]})
    assert _labels(both) == ["Pour moi", "Pour moi et l'IDEL"]
    # The "Actions" column shows the task's plan action.
    assert '<td data-label="Actions" class="small">Action 2 — Aide</td>' in both.content.decode()
    from_dossier = acting.get(DASHBOARD, {"patient": str(dossier.public_id)})
    assert "Action 3 — Kiné" in _offered(from_dossier, "action")
    assert "Action secrète" not in _offered(from_dossier, "action")


@pytest.mark.parametrize("value", ["Action secrète", "Action 3 — Kiné", "", "\x00", "é" * 3000])
def test_a_tampered_action_is_ignored_and_reveals_nothing(acting, world, value) -> None:
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = acting.get(DASHBOARD, {"action": value}, **headers)
        assert _labels(response) == ["Pour la structure", "Pour moi", "Pour moi et l'IDEL"]
        assert "Tâche cachée" not in response.content.decode()


def test_the_plan_action_is_set_on_creation_and_its_change_kept_in_history(acting, dossier) -> None:
    url = reverse("tasks:create", kwargs={"public_id": dossier.public_id})
    form = acting.get(url).content.decode()
    assert "Action du plan" in form and "plan personnalisé (PPCS)" in form
    acting.post(
        url,
        {
            "task_type": TaskType.objects.get(label="Relance").pk,
            "label": "Bilan du PPCS",
            "level": TaskLevel.objects.get(label="Information").pk,
            "status": "TODO",
            "due_at": "2030-01-04T09:00",
            "action": "Action 1 — Orthophonie",
        },
    )
    task = Task.objects.get()
    assert task.action == "Action 1 — Orthophonie"
    edit = reverse("tasks:edit", kwargs={"public_id": dossier.public_id, "task_id": task.public_id})
    acting.post(
        edit,
        {
            "task_type": task.task_type_id,
            "label": task.label,
            "level": task.level_id,
            "due_at": "2030-01-04T09:00",
            "action": "Action 2 — Kinésithérapie",
            "version": task.version,
        },
    )
    task.refresh_from_db()
    assert task.action == "Action 2 — Kinésithérapie"
    assert TaskChange.objects.filter(task=task, description="Modifié : action du plan").exists()


@pytest.mark.parametrize(
    "params",
    [
        {"statut": "HACK"},
        {"contexte": "tout-le-monde"},
        {"debut": "hier", "fin": "31/02/2024"},
        {"zone": "x", "type": "abc", "niveau": "999999"},
        {"patient": "pas-un-uuid"},
        {"page": "-1"},
        {"page": "99999"},
        {"destinataire": ["", "p-", "s-", "-", "p"]},
        {"action": "x" * 10_000, "motif": "y" * 10_000},
    ],
)
def test_garbage_in_the_url_never_fails(acting, world, params) -> None:
    assert acting.get(DASHBOARD, params).status_code == 200
    assert acting.get(DASHBOARD, params, HTTP_HX_REQUEST="true").status_code == 200


def test_a_dossier_one_cannot_see_stays_not_found(acting, world) -> None:
    assert acting.get(DASHBOARD, {"patient": str(world.secret.public_id)}).status_code == 404


def test_a_large_scope_offers_what_its_soonest_open_tasks_hold(acting, world, dossier, monkeypatch) -> None:
    """At regional scale the pickers read the soonest open tasks only (an indexed read); a
    dossier's own tasks are offered whole."""
    from cordee.tasks import filters

    soonest = Task.objects.filter(label="Pour moi et l'IDEL").get()
    Task.objects.exclude(pk=soonest.pk).update(due_at=soonest.due_at + datetime.timedelta(days=30))
    monkeypatch.setattr(filters, "OPTIONS_CAP", 1)
    assert _offered(acting.get(DASHBOARD), "destinataire") == ["COORDIN Claire", "IDEL Nina"]
    assert _offered(acting.get(DASHBOARD), "action") == ["Action 2 — Aide"]
    whole = acting.get(DASHBOARD, {"patient": str(dossier.public_id)})
    assert "KINE Karl" in _offered(whole, "destinataire")
    # A closed task's recipients are not among the soonest open ones.
    Task.objects.filter(pk=soonest.pk).update(status="DONE")
    assert "IDEL Nina" not in _offered(acting.get(DASHBOARD), "destinataire")
