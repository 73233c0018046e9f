"""COC-3 reminders: a task for the referent pediatrician, once per step — never twice, even with
two runs at once — one open at a time per child, for its current step (issue 23: missed steps
do not pile up), and none for a child out of the pathway, discharged, deceased, or whose
referent left the circle."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.careteam import services as careteam
from cordee.careteam.models import CircleMember
from cordee.cocon import services
from cordee.cocon.models import Inclusion, ScheduledStep
from cordee.cocon.reminders import TASK_TYPE, create_reminders, pending
from cordee.cocon.tests.conftest import actor_for, close_notebook
from cordee.core.actor import Actor
from cordee.patients.models import DossierStatus, Patient
from cordee.tasks.models import Task, TaskRecipient, TaskStatus
from tests.factories import accept_current_terms, make_user

TODAY = timezone.localdate


@pytest.fixture
def included(make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]) -> Inclusion:
    """400 days old, born at 30 weeks: 330 days corrected, the 3, 6 and 9-month windows opened."""
    return include_child(make_newborn(days_old=400), gestational_age_days=0)


def _opened(inclusion: Inclusion) -> list[str]:
    return list(
        ScheduledStep.objects.filter(inclusion=inclusion, opens_on__lte=TODAY())
        .order_by("rank")
        .values_list("step", flat=True)
    )


def test_one_reminder_per_child_for_its_current_step_and_a_second_run_creates_none(
    included: Inclusion, coordinator: User
) -> None:
    opened = _opened(included)
    assert opened == ["cocon-3-mois", "cocon-6-mois", "cocon-9-mois"]
    first = create_reminders(TODAY())
    assert (first.created, first.skipped_no_referent) == (1, 0)
    second = create_reminders(TODAY())
    assert (second.created, second.skipped_no_referent) == (0, 0)
    # The 3 and 6-month consultations are missed (the 9-month window is open): no task of their own.
    rows = ScheduledStep.objects.filter(inclusion=included, reminder__isnull=False)
    assert [row.step for row in rows] == ["cocon-9-mois"]
    reminder = rows[0].reminder
    assert reminder is not None and reminder.label.startswith("Cocon : suivi des 9 mois ")
    assert create_reminders(TODAY() + datetime.timedelta(days=1)).created == 0
    # The 12-month window opens while the 9-month reminder is still open: it does not pile up.
    twelve = ScheduledStep.objects.get(inclusion=included, step="cocon-12-mois")
    assert create_reminders(twelve.opens_on - datetime.timedelta(days=1)).created == 0
    assert create_reminders(twelve.opens_on).created == 0
    # Settled ("Traité"), the next step gets its own reminder, once.
    Task.objects.filter(pk=reminder.pk).update(status=TaskStatus.DONE)
    assert create_reminders(twelve.opens_on).created == 1
    assert create_reminders(twelve.opens_on).created == 0
    assert Task.objects.filter(patient=included.patient).count() == 2


def test_a_child_with_years_of_missed_consultations_gets_one_reminder(
    make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> None:
    """The demo had ten urgent tasks due tonight for one child: one, for the age it is now."""
    # Included just before 2 years old: the 3, 6, 9, 12 and 18-month windows all opened.
    included = include_child(make_newborn(days_old=720), gestational_age_days=0)
    assert len(_opened(included)) == 5
    assert create_reminders(TODAY()).created == 1
    task = Task.objects.get(patient=included.patient)
    current = ScheduledStep.objects.get(inclusion=included, reminder=task)
    assert current.opens_on <= TODAY() < current.missed_from
    assert timezone.localtime(task.due_at).date() >= TODAY()


def test_the_task_is_the_referent_s_and_says_what_and_when(
    make_newborn: Callable[..., Patient],
    include_child: Callable[..., Inclusion],
    coordinator: User,
    client_for: Callable[..., object],
) -> None:
    # 370 days old at 30 weeks: 300 days corrected, the 9-month window open.
    due_child = include_child(make_newborn(days_old=370), gestational_age_days=0)
    nine = ScheduledStep.objects.get(inclusion=due_child, step="cocon-9-mois")
    assert nine.opens_on <= TODAY() <= nine.closes_on
    # Another child, whose 9-month window closed yesterday: late, before it counts as missed.
    late_child = include_child(make_newborn(days_old=370), gestational_age_days=0)
    late_day = nine.closes_on + datetime.timedelta(days=1)
    assert late_day < nine.missed_from
    ScheduledStep.objects.filter(inclusion=late_child).update(
        opens_on=F("opens_on") - (late_day - TODAY()),
        closes_on=F("closes_on") - (late_day - TODAY()),
        missed_from=F("missed_from") - (late_day - TODAY()),
    )
    create_reminders(TODAY())
    due = (
        ScheduledStep.objects.select_related("reminder")
        .get(inclusion=due_child, step="cocon-9-mois")
        .reminder
    )
    late_row = ScheduledStep.objects.select_related("reminder").get(inclusion=late_child, step="cocon-9-mois")
    late = late_row.reminder
    assert late is not None and due is not None
    assert late.label == "Cocon : suivi des 9 mois en retard" and late.level.label == "Urgent"
    assert due.label == "Cocon : suivi des 9 mois à réaliser" and due.level.label == "Important"
    assert due.task_type.label == TASK_TYPE and due.status == TaskStatus.TODO
    assert timezone.localtime(due.due_at).date() == nine.closes_on
    # Late: a week to see the child (not "today at 18:00"), before the consultation is missed.
    assert timezone.localtime(late.due_at).date() == min(
        TODAY() + datetime.timedelta(days=7), late_row.missed_from - datetime.timedelta(days=1)
    )
    assert timezone.localtime(late.due_at).date() > TODAY()
    assert f"{nine.opens_on:%d/%m/%Y}" in due.comment and f"{nine.closes_on:%d/%m/%Y}" in due.comment
    for task in (late, due):
        recipients = list(TaskRecipient.objects.filter(task=task))
        assert [(r.user_id, r.structure_id) for r in recipients] == [(coordinator.pk, None)]
        assert task.created_by == coordinator
    # On the referent's task dashboard.
    page = client_for(coordinator).get(reverse("tasks:dashboard"))  # type: ignore[attr-defined]
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        "Cocon : suivi des 9 mois à réaliser" in content and "Cocon : suivi des 9 mois en retard" in content
    )


@pytest.mark.usefixtures("shipped")
def test_a_step_done_gets_no_reminder(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> None:
    patient = make_newborn(days_old=200)
    inclusion = include_child(patient, gestational_age_days=0)
    assert _opened(inclusion) == ["cocon-3-mois"]
    close_notebook(actor, patient, "cocon-3-mois", TODAY())
    assert create_reminders(TODAY()).created == 0
    assert not Task.objects.exists()


def test_no_reminder_after_the_end_of_follow_up(actor: Actor, included: Inclusion) -> None:
    services.end_inclusion(actor, included, TODAY(), Inclusion.EndReason.WITHDRAWN)
    assert create_reminders(TODAY()).created == 0
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": DossierStatus.DISCHARGED},
        {"status": DossierStatus.DECEASED, "death_date": datetime.date(2026, 1, 1)},
        {"death_date": datetime.date(2026, 1, 1)},  # a death date recorded, status not (yet) changed
        {"status": DossierStatus.ARCHIVED},
    ],
)
def test_no_reminder_for_a_dossier_discharged_deceased_or_archived(
    included: Inclusion, change: dict[str, object]
) -> None:
    Patient.objects.filter(pk=included.patient_id).update(**change)
    assert create_reminders(TODAY()).created == 0
    assert not Task.objects.exists()


def _second_pediatrician(actor: Actor, patient: Patient) -> User:
    user = make_user(username="pediatre2", last_name="Second", first_name="Sofia")
    accept_current_terms(user)
    careteam.add_professional(actor, patient, user, habilitated=True)
    return user


@pytest.mark.parametrize("how", ["deleted", "habilitation_removed", "sharing_refused"])
def test_no_reminder_when_the_referent_left_the_circle(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion], how: str
) -> None:
    patient = make_newborn(days_old=400)
    referent = _second_pediatrician(actor, patient)
    inclusion = include_child(patient, referent_pediatrician=referent)
    member = CircleMember.objects.get(patient=patient, user=referent)
    if how == "deleted":
        careteam.delete_member(actor, member)
    elif how == "habilitation_removed":
        careteam.remove_habilitation(actor, member)
    else:
        CircleMember.objects.filter(pk=member.pk).update(sharing_refused=True)
    outcome = create_reminders(TODAY())
    assert (outcome.created, outcome.skipped_no_referent) == (0, 1)
    assert not Task.objects.exists()
    assert not ScheduledStep.objects.filter(inclusion=inclusion, reminder__isnull=False).exists()
    # Nobody else got it (the structure, the coordinator who included).
    assert not TaskRecipient.objects.exists()


def test_a_referent_back_in_the_circle_gets_the_reminders_once(
    actor: Actor, make_newborn: Callable[..., Patient], include_child: Callable[..., Inclusion]
) -> None:
    patient = make_newborn(days_old=400)
    referent = _second_pediatrician(actor, patient)
    include_child(patient, referent_pediatrician=referent)
    careteam.remove_habilitation(actor, CircleMember.objects.get(patient=patient, user=referent))
    assert create_reminders(TODAY()).skipped_no_referent == 1
    careteam.ensure_in_circle(actor, patient, referent, habilitated=True)
    assert create_reminders(TODAY()).created == 1
    assert create_reminders(TODAY()).created == 0
    assert set(TaskRecipient.objects.values_list("user_id", flat=True)) == {referent.pk}


def test_the_management_command_refreshes_and_reminds(included: Inclusion) -> None:
    from io import StringIO

    from django.core.management import call_command

    ScheduledStep.objects.filter(inclusion=included).delete()
    out = StringIO()
    call_command("cocon_schedule", stdout=out)
    assert "Calendriers à jour : 1 ; tâches créées : 1" in out.getvalue()
    assert ScheduledStep.objects.filter(inclusion=included).count() == 11
    out = StringIO()
    call_command("cocon_schedule", stdout=out)
    assert "tâches créées : 0" in out.getvalue()


# --- two runs at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED) ----------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_runs_create_each_reminder_once(
    reloaded_reference_data: None,
    coordinator: User,
    structure: Structure,
    make_newborn: Callable[..., Patient],
) -> None:
    actor = actor_for(coordinator, structure)
    from cordee.cocon.tests.conftest import inclusion_input

    children = [make_newborn(days_old=400 + index) for index in range(12)]
    for child in children:
        services.include(actor, child, inclusion_input(coordinator, gestational_age_days=0))
    # One reminder per child, for its current step.
    expected = pending(TODAY()).values("inclusion").distinct().count()
    assert expected == 12
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(create_reminders(TODAY()).created)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(results) == expected
    assert Task.objects.count() == expected
    assert ScheduledStep.objects.filter(reminder__isnull=False).count() == expected
    assert (
        len(set(ScheduledStep.objects.exclude(reminder=None).values_list("reminder_id", flat=True)))
        == expected
    )
