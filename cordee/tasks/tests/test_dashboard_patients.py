"""TSK-4: the dashboard's "Patient(s)" filter — a picker searching, by name, the dossiers of the
tasks addressed to me or my structure — and its "Nombre d'items par page" (10 by default, as in
the seed). A dossier I cannot see, or none of whose tasks are mine, is never offered nor named,
and a tampered value is dropped with its error, never a 500."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cordee.careteam.models import CircleMember
from cordee.patients.testing import create_test_patient
from cordee.tasks.models import TaskStatus
from tests.factories import accept_current_terms, make_membership, make_user

from .helpers import actor_for, make_task, member_row
from .test_dashboard_filters import NOT_OFFERED, Choice, _labels, _on_the_page, _pick

DASHBOARD = reverse("tasks:dashboard")
PICKER = reverse("tasks:picker", args=["patients"])
TOO_SHORT = "Tapez au moins deux lettres du nom."
# Names of the dossiers never offered: not visible to me, or without a task of mine.
NEVER = ("DUPUIS", "Tâche de la maternité", "DURAND")


@pytest.fixture
def acting(coordinator, structure, client_for):
    return client_for(coordinator, acting_as=structure)


@pytest.fixture
def region(coordinator, structure, dossier, maternity) -> SimpleNamespace:
    me = actor_for(coordinator, structure)
    dupont = create_test_patient(
        coordinator, structure, birth_name="Dupont", first_name="Jules", birth_date=datetime.date(2022, 5, 1)
    )
    # Born Martin, known as Lefèvre: found by either name.
    lefevre = create_test_patient(
        coordinator,
        structure,
        birth_name="Martin",
        used_name="Lefèvre",
        first_name="Inès",
        birth_date=datetime.date(2021, 2, 3),
    )
    # A dossier I see whose only task is addressed to someone else: not on my dashboard.
    durand = create_test_patient(coordinator, structure, birth_name="Durand", first_name="Anna")
    nurse = make_user(username="idel", last_name="Idel", first_name="Nina")
    accept_current_terms(nurse)
    nurse_row = CircleMember.objects.create(patient=durand, user=nurse, is_habilitated=True)
    make_task(me, durand, "Pour l'IDEL seule", recipients=[nurse_row])

    make_task(me, dossier, "Martin — pour moi", recipients=[member_row(dossier, user=coordinator)])
    make_task(me, dupont, "Dupont — pour la structure", recipients=[member_row(dupont, structure=structure)])
    make_task(
        me,
        dupont,
        "Dupont — traitée",
        recipients=[member_row(dupont, structure=structure)],
        status=TaskStatus.DONE,
    )
    make_task(me, lefevre, "Lefèvre — pour moi", recipients=[member_row(lefevre, user=coordinator)])

    # Another structure's dossier, with a task addressed to its own structure: never mine.
    midwife = make_user(username="sagefemme", last_name="Sage", first_name="Sophie")
    make_membership(user=midwife, structure=maternity)
    dupuis = create_test_patient(midwife, maternity, birth_name="Dupuis", first_name="Zoé")
    make_task(
        actor_for(midwife, maternity),
        dupuis,
        "Tâche de la maternité",
        recipients=[member_row(dupuis, structure=maternity)],
    )
    return SimpleNamespace(dupont=dupont, lefevre=lefevre, durand=durand, dupuis=dupuis, martin=dossier)


def _value(patient) -> str:
    return str(patient.public_id)


def test_the_picker_searches_by_name_the_dossiers_of_my_tasks(acting, region) -> None:
    html, choices = _pick(acting, "patients", "du")
    assert choices == [Choice(_value(region.dupont), "DUPONT Jules (01/05/2022)", False)]
    for never in NEVER:
        assert never not in html
    # Accents, case and the used name; the birth name too.
    for typed in ("LEFE", "lefè", "Lefevre"):
        assert _pick(acting, "patients", typed)[1] == [
            Choice(_value(region.lefevre), "LEFÈVRE Inès (né(e) MARTIN) (03/02/2021)", False)
        ]
    # By the name shown: the used name first.
    assert [choice.label for choice in _pick(acting, "patients", "mart")[1]] == [
        "LEFÈVRE Inès (né(e) MARTIN) (03/02/2021)",
        "MARTIN Léa (14/03/2024)",
    ]
    assert [choice.label for choice in _pick(acting, "patients", "lef")[1]] == [
        "LEFÈVRE Inès (né(e) MARTIN) (03/02/2021)"
    ]
    # Nobody of a dossier I cannot see, nor of one whose tasks are not mine.
    for typed in ("dupuis", "durand", "zoé"):
        html, choices = _pick(acting, "patients", typed)
        assert choices == [] and f"Aucun choix ne correspond à « {typed} »." in html


def test_the_picker_waits_for_two_letters(acting, region) -> None:
    html, choices = _pick(acting, "patients", "d")
    assert choices == [] and TOO_SHORT in html
    html, choices = _pick(acting, "patients", "")
    assert choices == [] and TOO_SHORT not in html and "Aucun" not in html
    page = acting.get(DASHBOARD).content.decode()
    assert 'id="recherche-patients"' in page and f'hx-get="{PICKER}"' in page
    assert "Tapez au moins deux lettres du nom ; cochez un ou plusieurs patients." in page


def test_filter_on_one_patient_or_several_whatever_the_statuses_and_sort(acting, region) -> None:
    dupont, lefevre = _value(region.dupont), _value(region.lefevre)
    # The default list (open tasks by due date: the inboxes' walk) and the other paths.
    assert _labels(acting.get(DASHBOARD, {"patients": dupont})) == ["Dupont — pour la structure"]
    assert _labels(acting.get(DASHBOARD, {"patients": dupont, "tri": "libelle"})) == [
        "Dupont — pour la structure"
    ]
    every_status = {"patients": dupont, "statut": [s.value for s in TaskStatus]}
    assert _labels(acting.get(DASHBOARD, every_status)) == ["Dupont — pour la structure", "Dupont — traitée"]
    assert _labels(acting.get(DASHBOARD, {"patients": dupont, "statut": "DONE"})) == ["Dupont — traitée"]
    several = acting.get(DASHBOARD, {"patients": [lefevre, dupont]})
    assert _labels(several) == ["Dupont — pour la structure", "Lefèvre — pour moi"]
    # Chosen, they are named on the page, checked; the sort links carry them.
    assert _on_the_page(several, "patients") == [
        Choice(dupont, "DUPONT Jules (01/05/2022)", True),
        Choice(lefevre, "LEFÈVRE Inès (né(e) MARTIN) (03/02/2021)", True),
    ]
    assert f"patients={lefevre}&amp;patients={dupont}&amp;tri=" in several.content.decode()
    # With other filters: they narrow together.
    assert _labels(acting.get(DASHBOARD, {"patients": [lefevre, dupont], "contexte": "moi"})) == [
        "Lefèvre — pour moi"
    ]


def test_the_chosen_patients_come_first_in_the_picker(acting, region) -> None:
    _, choices = _pick(acting, "patients", "mart", patients=[_value(region.martin)])
    assert choices == [
        Choice(_value(region.martin), "MARTIN Léa (14/03/2024)", True),
        Choice(_value(region.lefevre), "LEFÈVRE Inès (né(e) MARTIN) (03/02/2021)", False),
    ]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: _value(r.dupuis),  # a dossier I cannot see
        lambda r: _value(r.durand),  # a dossier I see, none of whose tasks is mine
        lambda r: str(uuid.uuid4()),
        lambda r: "pas-un-identifiant",
        lambda r: "x" * 5000,
        lambda r: "\x00",
    ],
)
def test_a_tampered_patient_is_dropped_and_reveals_nothing(acting, region, tamper) -> None:
    response = acting.get(DASHBOARD, {"patients": tamper(region)})
    assert response.status_code == 200
    page = response.content.decode()
    assert NOT_OFFERED in page
    # Not applied: my open tasks, all of them.
    assert _labels(response) == ["Dupont — pour la structure", "Lefèvre — pour moi", "Martin — pour moi"]
    for never in NEVER:
        assert never not in page
    assert _on_the_page(response, "patients") == []
    html, _ = _pick(acting, "patients", "du", patients=tamper(region))
    for never in NEVER:
        assert never not in html


def test_opened_from_a_dossier_there_is_no_patient_picker(acting, region) -> None:
    page = acting.get(DASHBOARD, {"patient": _value(region.dupont)}).content.decode()
    assert 'id="recherche-patients"' not in page
    assert "Dupont — traitée" in page  # that dossier's tasks, every status


def test_the_picker_query_count_does_not_grow_with_the_dossiers(
    acting, coordinator, structure, region
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _, choices = _pick(acting, "patients", "du", patients=[_value(region.dupont)])
        assert choices
        return len(captured)

    queries()  # the session's first writes (sign-in instant, last seen) happen here
    before = queries()
    me = actor_for(coordinator, structure)
    for n in range(25):
        patient = create_test_patient(coordinator, structure, birth_name=f"Dubois{n:02}", first_name="Paul")
        make_task(me, patient, f"Tâche {n}", recipients=[member_row(patient, structure=structure)])
    assert queries() == before
    html, choices = _pick(acting, "patients", "dubois")
    assert len(choices) == 20 and "D'autres choix existent : précisez la recherche." in html


# --- Nombre d'items par page -------------------------------------------------------------------


@pytest.fixture
def twelve(coordinator, structure, dossier) -> None:
    me = actor_for(coordinator, structure)
    mine = member_row(dossier, user=coordinator)
    for n in range(12):
        make_task(me, dossier, f"Tâche {n:02}", recipients=[mine], due_in=datetime.timedelta(days=n + 1))


def test_ten_tasks_a_page_by_default_as_in_the_seed(acting, twelve) -> None:
    response = acting.get(DASHBOARD)
    assert [task.label for task in response.context["page"].object_list] == [
        f"Tâche {n:02}" for n in range(10)
    ]
    page = response.content.decode()
    assert "12 tâches." in page and "Page 1 sur 2" in page
    assert '<label class="small" for="id_taille">Nombre d\'items par page</label>' in page
    second = acting.get(DASHBOARD, {"page": 2})
    assert [task.label for task in second.context["page"].object_list] == ["Tâche 10", "Tâche 11"]


def test_the_number_of_items_per_page_is_chosen_and_kept(acting, twelve) -> None:
    response = acting.get(DASHBOARD, {"taille": 25})
    assert len(response.context["page"].object_list) == 12
    page = response.content.decode()
    assert '<option value="25" selected>25</option>' in page
    assert "taille=25&amp;tri=" in page  # the sort links keep it
    for wrong in ("7", "abc", "-1", "100000", "\x00"):
        response = acting.get(DASHBOARD, {"taille": wrong})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 10
