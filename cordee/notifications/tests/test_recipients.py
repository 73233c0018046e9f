"""NOT-1: each event reaches exactly the people concerned — not the author, not those the dossier
is closed to, not those who switched it off — and the reads of a dossier are told once a day."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from cordee.careteam import groups
from cordee.careteam import services as circle_services
from cordee.careteam.models import FavouriteGroup, RightsRule
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.models import OutgoingMail
from cordee.notifications import services
from cordee.notifications.kinds import Kind
from cordee.notifications.models import DossierRead, Notification, Preference
from cordee.notifications.tests.conftest import Circle
from cordee.pathways import services as pathway_services
from cordee.pathways.models import Theme
from cordee.patients import dossier_services
from cordee.patients.models import DossierStatus
from cordee.tasks import services as task_services
from cordee.tasks.tests.helpers import make_task, member_row


def told(kind: Kind) -> dict[str, str | None]:
    """Who was told of `kind`: username → the structure it reached them through."""
    return {
        n.recipient.username: (n.via_structure.name if n.via_structure else None)
        for n in Notification.objects.filter(kind=kind).select_related("recipient", "via_structure")
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """Call a service and run what it left for after the commit (the fan-out, the mails)."""

    def call(function: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def test_a_new_task_is_told_to_the_circle_who_may_read_tasks_but_not_its_author(
    circle: Circle, run: Any
) -> None:
    run(make_task, circle.actor(circle.pediatrician), circle.dossier, "Relancer la famille")

    assert told(Kind.TASK_ADDED) == {
        "coordinatrice": None,
        "membre": "DAC Test Azur",
        "secretaire": None,
    }
    # The task is the author's own ("none means me"): nobody else hears it is assigned.
    assert told(Kind.TASK_ASSIGNED) == {}


def test_a_task_s_recipients_hear_it_is_assigned_to_them_and_not_also_that_it_was_added(
    circle: Circle, run: Any
) -> None:
    recipients = [member_row(circle.dossier, structure=circle.structure), circle.row(circle.secretary)]
    run(
        make_task,
        circle.actor(circle.coordinator, circle.structure),
        circle.dossier,
        "Bilan",
        recipients=recipients,
    )

    assert told(Kind.TASK_ASSIGNED) == {"membre": "DAC Test Azur", "secretaire": None}
    assert told(Kind.TASK_ADDED) == {"pediatre": None}


def test_the_rights_matrix_decides_who_hears_of_tasks(circle: Circle, run: Any) -> None:
    """CIR-2: a secretary the matrix does not open "Tâches" to is not told of a task."""
    rule = RightsRule.objects.get(section="TASKS", profession=None, role=None, theme=None)
    rule.profession_id = circle.pediatrician.profession_id
    rule.save()

    run(make_task, circle.actor(circle.coordinator, circle.structure), circle.dossier, "Bilan")

    assert "secretaire" not in told(Kind.TASK_ADDED)
    assert "pediatre" in told(Kind.TASK_ADDED)


def test_a_switched_off_event_is_neither_shown_nor_mailed(circle: Circle, run: Any) -> None:
    services.set_preference(circle.pediatrician, Kind.TASK_ADDED, "app", False)
    services.set_preference(circle.secretary, Kind.TASK_ADDED, "mail", False)
    mail.outbox.clear()

    run(make_task, circle.actor(circle.coordinator, circle.structure), circle.dossier, "Bilan")

    assert set(told(Kind.TASK_ADDED)) == {"membre", "secretaire"}
    mailed = {address for message in mail.outbox for address in message.to}
    # The pediatrician still wanted the mail; the secretary still sees it in the application.
    assert mailed == {"pediatre@example.org", "membre@example.org"}


def test_a_task_s_change_and_status_are_told_to_its_recipients_and_its_author_only(
    circle: Circle, run: Any
) -> None:
    task = make_task(
        circle.actor(circle.coordinator, circle.structure),
        circle.dossier,
        "Bilan",
        recipients=[circle.row(circle.pediatrician)],
    )
    Notification.objects.all().delete()

    run(task_services.advance_status, circle.actor(circle.pediatrician), task, task.version)
    assert told(Kind.TASK_STATUS) == {"coordinatrice": None}
    status = Notification.objects.get(kind=Kind.TASK_STATUS)
    assert status.data["previous"] == "À traiter" and status.data["status"] == "En cours"

    task.refresh_from_db()
    run(
        task_services.edit_task,
        circle.actor(circle.coordinator),
        task,
        {"label": "Bilan complet"},
        task.version,
    )
    assert told(Kind.TASK_CHANGED) == {"pediatre": None}
    assert Notification.objects.get(kind=Kind.TASK_CHANGED).data["fields"] == "libellé"


def test_a_recipient_the_dossier_is_closed_to_since_is_not_told(circle: Circle, run: Any) -> None:
    task = make_task(
        circle.actor(circle.coordinator, circle.structure),
        circle.dossier,
        "Bilan",
        recipients=[circle.row(circle.pediatrician)],
    )
    circle_services.remove_habilitation(circle.actor(circle.coordinator), circle.row(circle.pediatrician))

    run(task_services.advance_status, circle.actor(circle.coordinator), task, task.version)

    assert told(Kind.TASK_STATUS) == {}


def test_dossier_status_death_and_theme_are_told_to_the_circle(circle: Circle, run: Any) -> None:
    author = circle.actor(circle.coordinator, circle.structure)
    expected = {"membre": "DAC Test Azur", "pediatre": None, "secretaire": None}
    dossier = circle.dossier

    run(
        dossier_services.change_status,
        author,
        dossier,
        DossierStatus.ARCHIVED,
        expected_version=dossier.version,
        checklist_confirmed=True,
    )
    assert told(Kind.DOSSIER_STATUS) == expected
    assert Notification.objects.filter(kind=Kind.DOSSIER_STATUS).first().data == {  # type: ignore[union-attr]
        "previous": "Actif",
        "status": "Archivé",
    }

    dossier.refresh_from_db()
    run(
        dossier_services.change_status,
        author,
        dossier,
        DossierStatus.ACTIVE,
        expected_version=dossier.version,
    )
    dossier.refresh_from_db()
    run(
        dossier_services.declare_death,
        author,
        dossier,
        expected_version=dossier.version,
        death_date=None,
        declared_on=clock.today(),
        country=None,
        place="",
    )
    assert told(Kind.PATIENT_DECEASED) == expected

    run(pathway_services.add_theme, author, dossier, Theme.objects.get(code="handicap"))
    assert told(Kind.THEME_ADDED) == expected


def test_a_removed_habilitation_is_told_to_whom_it_was_removed_from(circle: Circle, run: Any) -> None:
    run(
        circle_services.remove_habilitation, circle.actor(circle.coordinator), circle.row(circle.pediatrician)
    )
    assert told(Kind.HABILITATION_REMOVED) == {"pediatre": None}

    run(circle_services.delete_member, circle.actor(circle.coordinator), circle.row(circle.secretary))
    assert told(Kind.HABILITATION_REMOVED) == {"pediatre": None, "secretaire": None}

    # Removing someone who had no habilitation tells nobody of a lost habilitation.
    run(circle_services.delete_member, circle.actor(circle.coordinator), circle.row(circle.unhabilitated))
    assert "nonhabilite" not in told(Kind.HABILITATION_REMOVED)


def test_a_shared_favourite_group_is_told_to_the_colleague_once(circle: Circle, run: Any) -> None:
    group = FavouriteGroup.objects.create(owner=circle.coordinator, name="Pédiatres du Var")
    run(groups.share_group, circle.coordinator, group, circle.pediatrician)
    run(groups.share_group, circle.coordinator, group, circle.pediatrician)  # already shared

    assert told(Kind.GROUP_SHARED) == {"pediatre": None}
    assert Notification.objects.get(kind=Kind.GROUP_SHARED).data["label"] == "Pédiatres du Var"


def test_the_reads_of_a_dossier_are_told_once_per_reader_dossier_and_day(
    circle: Circle, client_for: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    url = f"/patients/{circle.dossier.public_id}/"
    reader = client_for(circle.pediatrician)
    with django_capture_on_commit_callbacks(execute=True):
        assert reader.get(url).status_code == 200
        assert reader.get(url).status_code == 200
    assert told(Kind.DOSSIER_READ) == {"coordinatrice": None, "membre": "DAC Test Azur", "secretaire": None}
    assert Notification.objects.filter(kind=Kind.DOSSIER_READ).count() == 3

    # Another reader the same day is told on their own.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(circle.secretary).get(url)
    assert Notification.objects.filter(kind=Kind.DOSSIER_READ, author=circle.secretary).count() == 3

    # Another server process (its own memory) finds the day's row: nobody is told twice.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reader.get(url)
    assert Notification.objects.filter(kind=Kind.DOSSIER_READ, author=circle.pediatrician).count() == 3

    # The next day (Paris), the first reader's read is told again.
    tomorrow = clock.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        reader.get(url)
    assert Notification.objects.filter(kind=Kind.DOSSIER_READ, author=circle.pediatrician).count() == 6
    assert DossierRead.objects.filter(reader=circle.pediatrician).count() == 2


def test_a_refused_read_tells_nobody(
    circle: Circle, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(circle.stranger).get(f"/patients/{circle.dossier.public_id}/").status_code == 404
        assert client_for(circle.refused).get(f"/patients/{circle.dossier.public_id}/").status_code == 404
    assert not Notification.objects.exists()
    assert not DossierRead.objects.exists()


def test_a_rolled_back_change_tells_nobody(circle: Circle, run: Any) -> None:
    task = make_task(circle.actor(circle.coordinator, circle.structure), circle.dossier, "Bilan")
    Notification.objects.all().delete()
    with pytest.raises(task_services.StaleTaskError):
        run(task_services.advance_status, circle.actor(circle.pediatrician), task, task.version + 5)
    assert not Notification.objects.exists()


def test_account_events_reach_the_account_s_owner_and_registrations_the_administrators(
    circle: Circle, admin_user: Any, run: Any
) -> None:
    run(
        services.announce,
        Kind.PASSWORD_CHANGED,
        None,
        users=[circle.pediatrician],
    )
    assert told(Kind.PASSWORD_CHANGED) == {"pediatre": None}

    from cordee.accounts.models import Profession, RegistrationRequest
    from cordee.accounts.services import submit_registration

    registration = RegistrationRequest(
        profession=Profession.objects.get(code="medecin"),
        last_name="Nouveau",
        first_name="Nina",
        email="nina@example.org",
    )
    run(submit_registration, registration)
    assert told(Kind.REGISTRATION) == {"adminplateforme": None}


def test_an_inactive_professional_is_not_told(circle: Circle, run: Any) -> None:
    circle.pediatrician.is_active = False
    circle.pediatrician.save()
    run(make_task, circle.actor(circle.coordinator, circle.structure), circle.dossier, "Bilan")
    assert "pediatre" not in told(Kind.TASK_ADDED)


def _status_event(circle: Circle) -> services.Announcement:
    return services.Announcement(
        kind=Kind.DOSSIER_STATUS,
        author=circle.coordinator.pk,
        patient=circle.dossier.pk,
        circle=True,
        data={"previous": "Actif", "status": "Sortie"},
    )


def test_the_fan_out_s_queries_do_not_grow_with_its_recipients(
    circle: Circle, django_assert_num_queries: Any
) -> None:
    """Set-based whatever the circle: one query finds the recipients with their paths, the
    matrix, their switches and mail rhythm; one insert writes the notifications, one the mails
    (in a savepoint here, the test's transaction around it)."""
    from cordee.accounts.models import Membership, Structure
    from tests.factories import make_user

    with django_assert_num_queries(FAN_OUT_QUERIES):
        assert services.fan_out(_status_event(circle)) == 3
    Notification.objects.all().delete()

    # 30 professionals more, and a structure of 10 members: some switched the application or the
    # mail off, some wait for the daily summary — the same queries.
    for n in range(30):
        user = make_user(username=f"pro-large-{n}")
        circle.dossier.circle.create(user=user, is_habilitated=True)
        if n % 10 == 0:
            services.set_preference(user, Kind.DOSSIER_STATUS, "app", False)
        if n % 10 == 1:
            services.set_preference(user, Kind.DOSSIER_STATUS, "mail", False)
        if n % 10 == 2:
            services.set_daily_digest(user, True)
    team = Structure.objects.create(name="SSIAD Grand Cercle")
    for n in range(10):
        Membership.objects.create(user=make_user(username=f"ssiad-{n}"), structure=team)
    circle.dossier.circle.create(structure=team, is_habilitated=True)
    OutgoingMail.objects.all().delete()

    with django_assert_num_queries(FAN_OUT_QUERIES):
        assert services.fan_out(_status_event(circle)) == 3 + 27 + 10
    assert Notification.objects.filter(kind=Kind.DOSSIER_STATUS).count() == 40
    assert Notification.objects.filter(kind=Kind.DOSSIER_STATUS, via_structure=team).count() == 10
    # Mailed: the 3, the 27 who kept the mail on and mail at each event, the 10 members.
    assert OutgoingMail.objects.count() == 3 + 24 + 10
    mailed = OutgoingMail.objects.first()
    assert mailed is not None and mailed.body == "" and mailed.params == {"kind": "DOSSIER_STATUS"}
    entry = Notification.objects.filter(kind=Kind.DOSSIER_STATUS).first()
    assert entry is not None and entry.data == {"previous": "Actif", "status": "Sortie"}
    assert entry.author_id == circle.coordinator.pk and entry.patient_id == circle.dossier.pk
    assert entry.read_at is None and timezone.now() >= entry.created_at
    assert len(set(Notification.objects.values_list("public_id", flat=True))) == 40


def test_a_role_opens_the_section_through_the_row_it_is_held_on(circle: Circle, run: Any) -> None:
    """CIR-2 by role: the matrix opens "Tâches" to one role only. A professional holding it on
    their own row hears in their name; the structure's members hear through the structure when
    the structure's row holds it; a member holding it on neither row is not told."""
    from cordee.careteam.models import CircleRole

    role = CircleRole.objects.order_by("pk").first()
    assert role is not None
    rule = RightsRule.objects.get(section="TASKS", profession=None, role=None, theme=None)
    rule.role = role
    rule.save()
    circle.row(circle.secretary).roles.add(role)

    run(make_task, circle.actor(circle.pediatrician), circle.dossier, "Bilan")
    assert told(Kind.TASK_ADDED) == {"secretaire": None}

    Notification.objects.all().delete()
    member_row(circle.dossier, structure=circle.structure).roles.add(role)
    run(make_task, circle.actor(circle.pediatrician), circle.dossier, "Bilan")
    # The coordinator has a row of her own (without the role) and is a member of the DAC.
    assert told(Kind.TASK_ADDED) == {
        "secretaire": None,
        "membre": "DAC Test Azur",
        "coordinatrice": "DAC Test Azur",
    }


def test_preferences_without_a_row_are_the_seed_s_defaults(circle: Circle) -> None:
    assert all(choice == (True, True) for choice in services.preferences_of(circle.member).values())
    services.set_preference(circle.member, Kind.DOSSIER_READ, "mail", False)
    services.set_preference(circle.member, Kind.DOSSIER_READ, "app", False)
    services.set_preference(circle.member, Kind.DOSSIER_READ, "app", True)
    assert services.preferences_of(circle.member)[Kind.DOSSIER_READ] == (False, True)
    assert Preference.objects.filter(user=circle.member).count() == 1
    with pytest.raises(ValueError, match="inconnue"):
        services.set_preference(circle.member, "NOPE", "mail", False)
    assert services.preferences_of(Actor(circle.member).user)[Kind.TASK_ADDED] == (True, True)


# The recipients (one query), the notifications' insert, the mails' insert, and the savepoint
# around them (its opening and release).
FAN_OUT_QUERIES = 5
