"""Issue 24: the lists and pickers that name dossiers journal one row per dossier shown, in one
statement per request — the tasks dashboard, its "Patient(s)" picker, the new task's patient
choice, the linked dossiers' choice and the notification centre."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cordee.audit.models import Access
from cordee.patients.testing import create_test_patient

from .helpers import actor_for, make_task


def _shown(action: str) -> dict[str, int]:
    rows = Access.objects.filter(action=action).select_related("patient")
    names: dict[str, int] = {}
    for row in rows:
        assert row.patient is not None
        names[row.patient.birth_name] = names.get(row.patient.birth_name, 0) + 1
    return names


def test_the_dashboard_journals_the_dossiers_of_its_rows(
    client_for: Any, coordinator: Any, structure: Any, dossier: Any
) -> None:
    me = actor_for(coordinator, structure)
    other = create_test_patient(coordinator, structure, birth_name="Sanstache")
    make_task(me, dossier, "Relance 1")
    make_task(me, dossier, "Relance 2")  # two rows, one dossier: one journal row
    client = client_for(coordinator, structure)
    page = client.get(reverse("tasks:dashboard")).content.decode()
    assert "MARTIN" in page and "SANSTACHE" not in page
    assert _shown("list_tasks") == {"Martin": 1}
    row = Access.objects.get(action="list_tasks")
    assert (row.user, row.structure, row.what) == (coordinator, structure, "tableau des tâches")
    assert other.pk not in Access.objects.filter(action="list_tasks").values_list("patient", flat=True)


def test_the_patient_picker_journals_what_it_proposes_for_one_query(
    client_for: Any, coordinator: Any, structure: Any, dossier: Any
) -> None:
    me = actor_for(coordinator, structure)
    for index in range(3):
        make_task(me, create_test_patient(coordinator, structure, birth_name=f"Marchand{index}"), "Bilan")
    make_task(me, dossier, "Bilan")
    create_test_patient(coordinator, structure, birth_name="Zorro")  # seen, but no task of mine
    client = client_for(coordinator, structure)
    url = reverse("tasks:picker", args=["patients"])
    client.get(url, {"q": "zz"})  # the session's last-seen mark settles first

    def count(typed: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"q": typed}, HTTP_HX_REQUEST="true").status_code == 200
        return len(queries)

    nothing = count("zo")  # the same search, finding one dossier that the picker does not propose
    assert _shown("list_picker") == {}
    assert count("ma") == nothing + 1  # the four found, journaled in one statement
    assert _shown("list_picker") == {"Martin": 1, "Marchand0": 1, "Marchand1": 1, "Marchand2": 1}
    # Too short to search: nothing shown, nothing journaled.
    count("m")
    assert sum(_shown("list_picker").values()) == 4


def test_choosing_the_patient_of_a_new_task_journals_the_matches(
    client_for: Any, coordinator: Any, structure: Any, dossier: Any
) -> None:
    client = client_for(coordinator, structure)
    client.get(reverse("tasks:choose_patient"), {"nom": "mar"})
    assert _shown("list_picker") == {"Martin": 1}
    client.get(reverse("tasks:choose_patient"), {"nom": "x"})
    assert _shown("list_picker") == {"Martin": 1}


def test_choosing_a_dossier_to_link_journals_the_matches(
    client_for: Any, coordinator: Any, structure: Any, dossier: Any
) -> None:
    create_test_patient(coordinator, structure, birth_name="Martineau", first_name="Paul")
    client = client_for(coordinator, structure)
    url = reverse("patients:link_add", args=[dossier.public_id])
    assert "MARTINEAU" in client.get(url, {"q": "mart"}).content.decode()
    assert _shown("list_picker") == {"Martineau": 1}  # not the dossier itself: not proposed
