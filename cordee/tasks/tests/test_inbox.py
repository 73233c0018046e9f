"""TSK-4 at regional scale: the inboxes (each recipient row carries its task's openness and due
date) and the dashboard's walk through them must give exactly what the plain query gives.

The plain query (tasks addressed to me and/or my structure, filtered, sorted by due date) is the
reference: the walk is an optimisation and may never change a page.
"""

from __future__ import annotations

import datetime
import itertools
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from cordee.careteam.access import visible_dossiers, visible_through
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.testing import create_test_patient
from cordee.tasks import filters, services
from cordee.tasks.models import OPEN_STATUSES, Task, TaskLevel, TaskRecipient, TaskStatus, TaskType
from cordee.territory.models import Commune, Zone
from tests.factories import accept_current_terms, make_user

from .helpers import actor_for, make_task, member_row

DAY = datetime.timedelta(days=1)


def _mirrors(task: Task) -> set[tuple[bool, datetime.datetime]]:
    return set(TaskRecipient.objects.filter(task=task).values_list("task_open", "task_due_at"))


def test_recipient_rows_follow_their_task_through_every_write(coordinator, structure, dossier) -> None:
    me = actor_for(coordinator, structure)
    nurse = make_user(username="idel", last_name="Idel", first_name="Nina")
    nurse_row = CircleMember.objects.create(patient=dossier, user=nurse, is_habilitated=True)
    task = make_task(me, dossier, "Appeler", recipients=[member_row(dossier, user=coordinator), nurse_row])
    assert _mirrors(task) == {(True, task.due_at)}

    # The status cycle: open, open, closed (done), closed (cancelled), open again.
    expected_open = [True, False, False, True]
    for is_open in expected_open:
        task = services.advance_status(me, task, task.version)
        assert task.is_open is is_open
        assert _mirrors(task) == {(is_open, task.due_at)}

    later = task.due_at + 3 * DAY
    task = services.edit_task(me, task, {"due_at": later}, task.version)
    assert _mirrors(task) == {(True, later)}


def test_a_refused_status_change_leaves_the_copies_unchanged(coordinator, structure, dossier) -> None:
    me = actor_for(coordinator, structure)
    task = make_task(me, dossier, "Appeler")
    before = _mirrors(task)
    with pytest.raises(services.StaleTaskError):
        services.advance_status(me, task, task.version + 5)
    assert _mirrors(task) == before


@pytest.fixture
def inbox_world(coordinator, structure, dossier) -> SimpleNamespace:
    """Tasks to me, to my structure, to both, to someone else, open and closed, spread over the
    weeks around today, on two dossiers."""
    me = actor_for(coordinator, structure)
    other = create_test_patient(
        coordinator,
        structure,
        birth_name="Abadie",
        first_name="Jules",
        birth_date=datetime.date(2022, 6, 1),
        commune_id="06004",
    )
    nurse = make_user(username="idel", last_name="Idel", first_name="Nina")
    accept_current_terms(nurse)
    rows = {}
    for patient in (dossier, other):
        nurse_row = CircleMember.objects.create(patient=patient, user=nurse, is_habilitated=True)
        rows[patient.pk] = {
            "moi": [member_row(patient, user=coordinator)],
            "structure": [member_row(patient, structure=structure)],
            "les deux": [member_row(patient, user=coordinator), member_row(patient, structure=structure)],
            "autre": [nurse_row],
        }
    # Five statuses against six dates: every addressee gets every status near every date.
    statuses = itertools.cycle(
        [TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.TODO, TaskStatus.CANCELLED]
    )
    levels = itertools.cycle(["Information", "Important", "Urgent"])
    made = 0
    for patient, who, offset in itertools.product(
        (dossier, other), sorted(rows[dossier.pk]), (-20, -3, -1, 0, 2, 9, 30)
    ):
        task = Task(
            task_type=TaskType.objects.get(label="Relance"),
            level=TaskLevel.objects.get(label=next(levels)),
            label=f"{who} {offset}",
            status=next(statuses),
            # Two tasks share each due date: the tie is broken by the task's id, both ways.
            due_at=timezone.now().replace(microsecond=0) + offset * DAY,
        )
        services.create_task(me, patient, task, rows[patient.pk][who])
        made += 1
    return SimpleNamespace(me=me, made=made, other=other)


def _reference(actor: Actor, context: str, data: dict[str, Any], sort: str) -> list[int]:
    tasks = Task.objects.filter(visible_through(actor)).filter(status__in=data["statut"])
    tasks = filters.apply_filters(tasks, data, visible_dossiers(actor))
    tasks = tasks.filter(filters.assigned_to(actor, context))
    return list(tasks.order_by(*filters.SORTS[sort]).values_list("pk", flat=True))


def _walked(actor: Actor, context: str, data: dict[str, Any], sort: str, limit: int = 1001) -> list[int]:
    return filters.inbox_ids(actor, context, data["statut"], data, sort, limit)


OPEN = [status.value for status in OPEN_STATUSES]


@pytest.mark.parametrize("context", ["", "moi", "structure"])
@pytest.mark.parametrize("sort", ["echeance", "-echeance"])
@pytest.mark.parametrize(
    "statuses",
    [OPEN, [TaskStatus.TODO.value], [TaskStatus.IN_PROGRESS.value]],
    ids=["ouvertes", "todo", "encours"],
)
@pytest.mark.parametrize("due", [(None, None), (-3, 2), (0, None), (None, 0)], ids=str)
def test_the_inbox_walk_gives_the_plain_querys_list(inbox_world, context, sort, statuses, due) -> None:
    today = timezone.localdate()
    data: dict[str, Any] = {"statut": statuses}
    if due[0] is not None:
        data["debut"] = today + due[0] * DAY
    if due[1] is not None:
        data["fin"] = today + due[1] * DAY
    assert filters.inbox_applies(statuses, sort)
    expected = _reference(inbox_world.me, context, data, sort)
    assert expected, "the world must give each case something to list"
    assert _walked(inbox_world.me, context, data, sort) == expected


def test_a_task_addressed_to_me_and_my_structure_is_listed_once(inbox_world) -> None:
    walked = _walked(inbox_world.me, "", {"statut": OPEN}, "echeance")
    assert len(walked) == len(set(walked))
    both = Task.objects.filter(label__startswith="les deux", status__in=OPEN).values_list("pk", flat=True)
    assert set(both) <= set(walked)


def test_the_walk_stops_at_the_limit_in_order(inbox_world) -> None:
    expected = _reference(inbox_world.me, "", {"statut": OPEN}, "echeance")
    assert _walked(inbox_world.me, "", {"statut": OPEN}, "echeance", limit=3) == expected[:3]


def test_other_filters_apply_through_the_task(inbox_world) -> None:
    data = {"statut": OPEN, "niveau": list(TaskLevel.objects.filter(label="Urgent")), "motif": "structure"}
    expected = _reference(inbox_world.me, "", data, "echeance")
    assert expected
    assert _walked(inbox_world.me, "", data, "echeance") == expected


def test_the_walk_is_not_used_beyond_open_tasks_by_due_date() -> None:
    every = [status.value for status in TaskStatus]
    assert not filters.inbox_applies(every, "echeance")
    assert not filters.inbox_applies([], "echeance")
    assert not filters.inbox_applies(OPEN, "libelle")
    assert filters.inbox_applies(OPEN, "-echeance")


def test_the_dashboard_lists_the_same_tasks_either_way(
    inbox_world, coordinator, structure, client_for
) -> None:
    """Through the view: the default list (walked) equals the same list sorted by due date the
    plain way — obtained by asking every open status one by one is not possible, so the check is
    against the reference query itself."""
    acting = client_for(coordinator, acting_as=structure)
    response = acting.get("/taches/")
    shown = [task.pk for task in response.context["page"].object_list]
    assert shown == _reference(inbox_world.me, "", {"statut": OPEN}, "echeance")[: len(shown)]
    assert shown


@pytest.fixture
def zones(inbox_world, dossier) -> SimpleNamespace:
    nice = Zone.objects.create(name="Nice")
    nice.communes.add(Commune.objects.get(code=dossier.commune_id))
    antibes = Zone.objects.create(name="Antibes")
    antibes.communes.add(Commune.objects.get(code="06004"))
    both = Zone.objects.create(name="Littoral")
    both.communes.add(*Commune.objects.filter(code__in=[dossier.commune_id, "06004"]))
    empty = Zone.objects.create(name="Haut-Var")
    return SimpleNamespace(nice=nice, antibes=antibes, both=both, empty=empty)


@pytest.mark.parametrize("zone", ["nice", "antibes", "both", "empty"])
@pytest.mark.parametrize("context", ["", "structure"])
@pytest.mark.parametrize("due", [(None, None), (-3, 2)], ids=str)
def test_the_zone_is_tested_on_the_inbox_rows_dossier(inbox_world, zones, zone, context, due) -> None:
    today = timezone.localdate()
    data: dict[str, Any] = {"statut": OPEN, "zone": [getattr(zones, zone)]}
    if due[0] is not None:
        data["debut"], data["fin"] = today + due[0] * DAY, today + due[1] * DAY
    expected = _reference(inbox_world.me, context, data, "echeance")
    assert bool(expected) is (zone != "empty")
    assert _walked(inbox_world.me, context, data, "echeance") == expected


def test_a_dossier_one_may_no_longer_see_leaves_the_inbox(inbox_world, coordinator, structure) -> None:
    """The inbox rows carry the dossier: visibility is tested on it, like everywhere else."""
    before = _walked(inbox_world.me, "", {"statut": OPEN}, "echeance")
    on_other = set(Task.objects.filter(patient=inbox_world.other).values_list("pk", flat=True))
    assert on_other & set(before)
    CircleMember.objects.filter(patient=inbox_world.other).filter(
        Q(user=coordinator) | Q(structure=structure)
    ).update(is_habilitated=False)
    after = _walked(inbox_world.me, "", {"statut": OPEN}, "echeance")
    assert not on_other & set(after)
    assert after == _reference(inbox_world.me, "", {"statut": OPEN}, "echeance")
    assert set(after) == set(before) - on_other


def test_the_recipient_rows_carry_their_tasks_dossier(inbox_world) -> None:
    rows = TaskRecipient.objects.select_related("task")
    assert rows.exists()
    assert all(row.patient_id == row.task.patient_id for row in rows)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_walk_goes_on_past_dossiers_one_no_longer_sees(
    inbox_world, coordinator, structure, limit
) -> None:
    """The soonest inbox rows are on a dossier that left one's sight: the first `limit` visible
    tasks are still found, in order (the walk is taken further)."""
    soonest = _walked(inbox_world.me, "", {"statut": OPEN}, "echeance")[:6]
    hidden = Task.objects.get(pk=soonest[0]).patient
    CircleMember.objects.filter(patient=hidden).filter(Q(user=coordinator) | Q(structure=structure)).update(
        is_habilitated=False
    )
    expected = _reference(inbox_world.me, "", {"statut": OPEN}, "echeance")
    assert expected and not Task.objects.filter(pk__in=expected, patient=hidden).exists()
    assert _walked(inbox_world.me, "", {"statut": OPEN}, "echeance", limit=limit) == expected[:limit]
