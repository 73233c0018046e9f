"""`make bench` at tiny scale, on whichever database the suite runs (COPY on PostgreSQL,
batched INSERTs on SQLite): the generator fills the region coherently and the runner measures
every scenario through the real views and prints its BENCH lines."""

from __future__ import annotations

import io
import re

import pytest

from bench.generate import Scale, generate
from bench.run import percentile, run
from cordee.accounts.models import Structure
from cordee.careteam.access import visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.core.text import search_key
from cordee.patients.models import Patient
from cordee.tasks.models import OPEN_STATUSES, Task, TaskRecipient, TaskStatus
from cordee.territory.models import Zone

pytestmark = pytest.mark.django_db

DOSSIERS = 200


def test_the_generator_builds_a_coherent_region() -> None:
    out = io.StringIO()
    region = generate(DOSSIERS, seed=1, out=out)
    scale = Scale.of(DOSSIERS)

    assert Patient.objects.count() == DOSSIERS
    assert Structure.objects.count() >= scale.structures
    # Names are stored as typed, keys exactly as the model computes them.
    for patient in Patient.objects.all():
        assert patient.birth_name_key == search_key(patient.birth_name)
        assert patient.first_name_key == search_key(patient.first_name)
        assert patient.used_name_key == search_key(patient.used_name)
        assert patient.public_id is not None and patient.created_at <= patient.updated_at
    # About three circle rows a dossier; the big structure and the pediatrician as sized.
    assert 2.5 * DOSSIERS <= CircleMember.objects.count() <= 3.5 * DOSSIERS
    membership = region.coordinator.memberships.get()
    assert membership.structure == region.big_structure
    assert visible_dossiers(Actor(user=region.coordinator, membership=membership)).count() >= (
        scale.big_structure_dossiers - 1  # a dossier may have been merged away
    )
    assert visible_dossiers(Actor(user=region.pediatrician)).count() >= scale.pediatrician_dossiers - 1
    assert Zone.objects.filter(communes__isnull=False).exists()
    assert "Generated 200 dossiers" in out.getvalue()

    # Tasks: three a dossier, each addressed to someone of its circle, live and habilitated (the
    # big structure, on its own dossiers); the big structure receives exactly its open tasks.
    assert Task.objects.count() == scale.tasks
    assert not Task.objects.filter(recipients__isnull=True).exists()
    open_received = Task.objects.filter(
        recipients__structure=region.big_structure, status__in=OPEN_STATUSES
    ).distinct()
    assert open_received.count() == scale.big_structure_open_tasks
    assert {status for status, _ in TaskStatus.choices} == set(Task.objects.values_list("status", flat=True))
    live = CircleMember.objects.filter(removed_at__isnull=True, is_habilitated=True, sharing_refused=False)
    for recipient in TaskRecipient.objects.select_related("task")[:300]:
        member = live.filter(patient_id=recipient.task.patient_id)
        if recipient.user_id is not None:
            member = member.filter(user_id=recipient.user_id)
        else:
            member = member.filter(structure_id=recipient.structure_id or 0)
        assert member.exists() or recipient.user_id == region.coordinator.pk, recipient

    # A second run finds the region and leaves it alone.
    again = io.StringIO()
    generate(DOSSIERS, seed=1, out=again)
    assert Patient.objects.count() == DOSSIERS
    assert "already generated" in again.getvalue()


def test_the_runner_measures_every_scenario_through_the_views() -> None:
    generate(DOSSIERS, seed=2, out=io.StringIO())
    out = io.StringIO()

    results = run(2, warmup=0, out=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("BENCH ")]
    assert [line.split()[1] for line in lines] == [
        "active_file_structure",
        "name_prefix_pediatrician",
        "name_prefix_structure",
        "fuzzy_name",
        "combined_filters",
        "search_before_create",
        "task_dashboard_structure",
        "task_zone_due_range",
        "task_zone_due_range_htmx",
        "task_patient_picker",
        "api_dossier_search",
        "fhir_patient_search",
    ]
    pattern = re.compile(
        r"^BENCH \w+ n=200 p50_ms=[\d.]+ p95_ms=[\d.]+ p99_ms=[\d.]+ queries=\d+ floor_p95_ms=[\d.]+$"
    )
    assert all(pattern.match(line) for line in lines), lines
    assert all(len(result.timings) == 2 and len(result.floor) == 2 for result in results)
    # The dashboard's scenarios list the structure's tasks, filtered in the second; the picker
    # searches the dossiers of its tasks by name (at 200 dossiers, none may be named so: on
    # PostgreSQL, no dossier is then read).
    by_name = {result.scenario.name: result for result in results}
    assert all("/taches/choix/patients/?q=" in url for url in by_name["task_patient_picker"].scenario.urls)
    tasks = {
        name: result for name, result in by_name.items() if name.startswith("task_") and "picker" not in name
    }
    assert len(tasks["task_dashboard_structure"].scenario.urls) == 1
    assert all("zone=" in url and "debut=" in url for url in tasks["task_zone_due_range"].scenario.urls)
    assert all(
        any("tasks_task" in sql for sql in statements) for r in tasks.values() for statements in r.statements
    )


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    values = [n / 1000 for n in range(1, 101)]  # 1 … 100 ms
    assert percentile(values, 50) == pytest.approx(50)
    assert percentile(values, 95) == pytest.approx(95)
    assert percentile(values, 99) == pytest.approx(99)
    assert percentile([0.004], 95) == pytest.approx(4)
