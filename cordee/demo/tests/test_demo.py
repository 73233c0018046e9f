from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django import DjangoDbBlocker

from cordee.accounts.models import Membership, Structure, User
from cordee.territory.models import Zone

# The demo takes seconds to load: the module loads it once, on one xdist worker, and each test
# runs in a savepoint on top of it (as Django's setUpTestData does for a class).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """`load_demo` run once for the module; what it printed. Rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_load_demo_is_idempotent_and_prints_each_account(demo: str) -> None:
    counts = (
        User.objects.count(),
        Structure.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
    )
    assert counts[0] >= 40 and counts[1] >= 10 and counts[3] >= 3
    lines = demo.splitlines()
    assert all(re.fullmatch(r"Compte démo : \S+ / \S+ — .+", line) for line in lines)
    roles = " ".join(lines)
    for needed in ("administrateur", "coordinatrice", "pédiatre", "infirmière", "sans structure"):
        assert needed in roles

    from cordee.documents.models import Document

    documents = Document.objects.filter(source=Document.Source.UPLOAD)
    assert {d.category.code for d in documents} == {"10", "COORDINATION"}
    assert all(d.content_type == "application/pdf" for d in documents)
    assert documents.filter(visibility=Document.Visibility.SHARED).exists()
    added = documents.count()

    from cordee.referrals.models import Referral

    # DEM-1 / ACC-8: the DAC is a listed resource team with requests on its dashboard.
    dac = Structure.objects.get(name="DAC Azur Coordination")
    assert dac.resource_team.is_listed
    requests = Referral.objects.filter(team=dac)
    assert requests.count() == 4
    assert requests.filter(status=Referral.Status.CANCELLED).count() == 1
    assert requests.exclude(answer="").exclude(assignee=None).count() == 1

    call_command("load_demo", stdout=io.StringIO())
    assert documents.count() == added
    assert requests.count() == 4
    assert (
        User.objects.count(),
        Structure.objects.count(),
        Membership.objects.count(),
        Zone.objects.count(),
    ) == counts


def test_demo_accounts_can_sign_in(demo: str, client) -> None:
    coordinator = User.objects.get(username="coordinatrice")
    assert coordinator.memberships.get().role == Membership.Role.SUPERUSER
    assert coordinator.memberships.get().structure.kind == Structure.Kind.DAC
    response = client.post("/connexion/", {"username": "pediatre", "password": "Cordee-Demo-2026"})
    assert response.status_code == 302
    assert not User.objects.get(username="kine").memberships.exists()


def test_every_persona_finds_work_as_their_role_implies(demo: str) -> None:
    """Issue 23: `make run` shows the product at work, for each demo persona, dated from today."""
    import datetime

    from django.db.models import Count

    from cordee.careteam.access import visible_dossiers
    from cordee.cocon.models import Inclusion, ScheduledStep
    from cordee.core import clock
    from cordee.core.actor import Actor
    from cordee.pathways.models import FormResponse
    from cordee.tasks.models import OPEN_STATUSES, Task, TaskRecipient

    today = clock.today()
    cocon_children = set(Inclusion.objects.values_list("patient_id", flat=True))
    for username in ("coordinatrice", "pediatre", "infirmiere", "kine"):
        user = User.objects.get(username=username)
        seen = set(visible_dossiers(Actor(user=user)).values_list("pk", flat=True))
        assert seen, username
        open_tasks = TaskRecipient.objects.filter(user=user, task__status__in=OPEN_STATUSES)
        assert open_tasks.exists(), username
        if username != "coordinatrice":
            assert seen & cocon_children, username  # a Cocon child in their circle
    assert FormResponse.objects.filter(created_by__username="coordinatrice").exists()
    assert FormResponse.objects.filter(created_by__username="pediatre").exists()

    # The Cocon reminders exist at load, one open at most per child, none piled up for tonight.
    reminders = Task.objects.filter(task_type__label="Consultation de suivi", status__in=OPEN_STATUSES)
    assert reminders.exists()
    per_child = reminders.values("patient").annotate(n=Count("pk")).values_list("n", flat=True)
    assert max(per_child) == 1
    assert ScheduledStep.objects.filter(reminder__in=reminders, missed_from__lte=today).count() == 0
    assert all(clock.date_of(task.due_at) >= today for task in reminders)

    # Dates move with today: recent consultations, and no evaluation in the future.
    latest = max(clock.date_of(form.updated_at) for form in FormResponse.objects.all())
    assert latest == today
    days = [
        datetime.date.fromisoformat(f.answers["date_evaluation"])
        for f in FormResponse.objects.filter(answers__has_key="date_evaluation")
    ]
    assert days and max(days) <= today and min(days) >= today - datetime.timedelta(days=90)


def test_the_demo_shows_the_dossiers_life_and_a_fortnight_of_appointments(demo: str) -> None:
    """ACT-1, ACT-2, AGD-1 in `make run`: a "très important" note, the seed's memo in each
    visibility, and this week's and next week's appointments dated from today — each reader
    seeing what the rules let them, the patient never in a title."""
    from cordee.activity.models import Event, Note
    from cordee.agenda.models import Appointment, Participant
    from cordee.core import clock
    from cordee.core.actor import Actor
    from cordee.memos.models import Memo, Visibility
    from cordee.memos.services import visible_memos

    notes = Note.objects.select_related("event")
    assert notes.filter(event__importance=Event.Importance.VERY_IMPORTANT).count() == 1
    assert {memo.visibility for memo in Memo.objects.all()} == {
        Visibility.PUBLIC,
        Visibility.SHARED,
        Visibility.PRIVATE,
    }
    shared = Memo.objects.get(visibility=Visibility.SHARED)
    nurse, physio = User.objects.get(username="infirmiere"), User.objects.get(username="kine")
    assert shared in visible_memos(Actor(user=nurse), shared.patient)
    private = Memo.objects.get(visibility=Visibility.PRIVATE)
    assert private not in visible_memos(Actor(user=nurse), private.patient)
    assert private not in visible_memos(Actor(user=physio), private.patient)

    monday = clock.today() - datetime.timedelta(days=clock.today().weekday())
    appointments = Appointment.objects.all()
    starts = {clock.date_of(a.starts_at) for a in appointments}
    assert min(starts) >= monday and max(starts) < monday + datetime.timedelta(days=14)
    assert appointments.filter(repeat=Appointment.Repeat.WEEKLY).exists()
    assert appointments.filter(patient__isnull=False).count() >= 4
    private_one = appointments.get(is_private=True)
    assert list(
        Participant.objects.filter(appointment=private_one).values_list("structure_id", flat=True)
    ) == [None]
    names = set(appointments.exclude(patient=None).values_list("patient__birth_name", flat=True))
    assert not any(name in a.title for a in appointments for name in names)
    assert set(appointments.values_list("created_by__username", flat=True)) == {"coordinatrice", "pediatre"}

    call_command("load_demo", stdout=io.StringIO())  # idempotent
    assert Appointment.objects.count() == appointments.count()
    assert Note.objects.count() == notes.count()
