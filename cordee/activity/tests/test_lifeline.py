"""ACT-3: the life line — its facts from forms, stays, tasks, documents and status, each shown
only to who may read it; periods and arrows bounded by the dossier's creation; a constant
number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Profession, User
from cordee.activity.lifeline import facts, window
from cordee.careteam.models import CircleMember, RightsRule, Section
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.patients.models import Hospitalisation, Patient
from cordee.tasks.models import Task, TaskLevel, TaskStatus, TaskType
from tests.factories import accept_current_terms, make_user


def url(patient: Patient, query: str = "") -> str:
    return reverse("activity:lifeline", args=[patient.public_id]) + (f"?{query}" if query else "")


def add_task(patient: Patient, label: str, due: datetime.datetime, status: str = TaskStatus.TODO) -> Task:
    return Task.objects.create(
        patient=patient,
        task_type=TaskType.objects.get(label="Relance"),
        level=TaskLevel.objects.get(label="Information"),
        label=label,
        due_at=due,
        status=status,
    )


def test_the_quarter_shows_stays_tasks_and_the_creation_with_links(
    dossier: Patient, acting: Actor, coordinator_client: Client
) -> None:
    today = clock.today()
    Hospitalisation.objects.create(
        patient=dossier, establishment_name="CHU de Nice", start_date=today - datetime.timedelta(days=10)
    )
    task = add_task(dossier, "Visite à domicile", timezone.now() + datetime.timedelta(days=5))
    add_task(dossier, "Bilan ancien", timezone.now() - datetime.timedelta(days=400))
    page = coordinator_client.get(url(dossier)).content.decode()
    assert "CHU de Nice" in page and "Visite à domicile (À traiter)" in page and "Dossier créé" in page
    assert "Bilan ancien" not in page  # outside the quarter
    assert reverse("tasks:edit", args=[dossier.public_id, task.public_id]) in page
    assert "<svg" in page and "aujourd'hui" in page and "en cours" in page


def test_stays_and_tasks_are_hidden_from_who_may_not_read_them(
    dossier: Patient, acting: Actor, client_for: Callable[..., Client]
) -> None:
    Hospitalisation.objects.create(
        patient=dossier, establishment_name="CHU de Nice", start_date=clock.today()
    )
    add_task(dossier, "Visite à domicile", timezone.now() + datetime.timedelta(days=5))
    social = make_user(
        username="assistante", profession=Profession.objects.get(code="assistant-service-social")
    )
    accept_current_terms(social)
    CircleMember.objects.create(patient=dossier, user=social, is_habilitated=True)
    RightsRule.objects.filter(
        profession__isnull=True, role__isnull=True, section=Section.HOSPITALISATIONS
    ).delete()
    RightsRule.objects.filter(section=Section.TASKS).delete()
    page = client_for(social).get(url(dossier)).content.decode()
    assert "CHU de Nice" not in page and "Visite à domicile" not in page
    assert "Dossier créé" in page
    assert all(fact.lane == "statut" for fact in facts(Actor(social), dossier, window(dossier, "tout", None)))


def test_the_arrows_move_by_a_period_and_stop_at_the_dossiers_creation(
    dossier: Patient, coordinator_client: Client
) -> None:
    Patient.objects.filter(pk=dossier.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    dossier.refresh_from_db()
    add_task(dossier, "Il y a quatre mois", timezone.now() - datetime.timedelta(days=120), TaskStatus.DONE)
    first = coordinator_client.get(url(dossier)).content.decode()
    assert "Il y a quatre mois" not in first and "Période précédente</span></a>" in first
    shown = window(dossier, "trimestre", None)
    back = coordinator_client.get(url(dossier, f"periode=trimestre&fin={shown.shifted(-1)}")).content.decode()
    assert "Il y a quatre mois (Traité)" in back
    # Two quarters back is the dossier's beginning: no further.
    oldest = window(dossier, "trimestre", shown.shifted(-3))
    assert (
        oldest.start >= clock.date_of(dossier.created_at) - datetime.timedelta(days=1)
        or not oldest.can_go_back
    )
    assert not oldest.can_go_back


def test_bad_dates_and_periods_are_ignored_not_a_500(dossier: Patient, coordinator_client: Client) -> None:
    for query in (
        "fin=2026-13-45",
        "fin=0001-01-01",
        "fin=9999-12-31",
        "periode=siecle",
        "fin=%00",
        "fin=" + "9" * 40,
    ):
        assert coordinator_client.get(url(dossier, query)).status_code == 200


def test_the_life_lines_query_count_does_not_grow(
    dossier: Patient, coordinator_client: Client, django_assert_num_queries
) -> None:
    coordinator_client.get(url(dossier))
    # The request (4: the CGU's check is one query, the actor switcher's structures come with
    # the actor), the dossier's policy (5), then one query per source: stays, tasks, forms
    # (reserved themes as a subquery), document categories and documents, status events.
    with django_assert_num_queries(20) as few:  # AGD-1: appointments, their agendas, the reach
        coordinator_client.get(url(dossier))
    for index in range(30):
        add_task(dossier, f"Tâche {index}", timezone.now() + datetime.timedelta(days=index % 20))
        Hospitalisation.objects.create(
            patient=dossier,
            establishment_name=f"CH {index}",
            start_date=clock.today() - datetime.timedelta(days=index),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        page = coordinator_client.get(url(dossier)).content.decode()
    assert "Tâche 29" in page and "CH 29" in page


def test_the_dossier_page_shows_the_life_line(
    dossier: Patient, coordinator_client: Client, coordinator: User
) -> None:
    add_task(dossier, "Visite à domicile", timezone.now() + datetime.timedelta(days=5))
    page = coordinator_client.get(reverse("patients:detail", args=[dossier.public_id])).content.decode()
    assert "6. Ligne de vie" in page and "Visite à domicile (À traiter)" in page
