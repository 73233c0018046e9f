"""NOT-1: the bell, the notification centre and the preferences of the personal profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cordee.audit.models import Access
from cordee.careteam import services as circle_services
from cordee.notifications import services
from cordee.notifications.kinds import CATALOGUE, Kind
from cordee.notifications.models import Notification, Preference
from cordee.notifications.tests.conftest import Circle
from cordee.tasks.tests.helpers import make_task

PATIENT = "MARTIN Léa"


@pytest.fixture
def task_told(circle: Circle, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return make_task(
            circle.actor(circle.coordinator, circle.structure),
            circle.dossier,
            "Relancer la famille",
            recipients=[circle.row(circle.pediatrician)],
        )


def page(response: Any) -> str:
    return str(response.content.decode())


def test_the_bell_counts_the_unread_and_the_pages_do_not_pay_for_it(
    circle: Circle, task_told: Any, client_for: Any
) -> None:
    client = client_for(circle.pediatrician)
    home = page(client.get(reverse("core:home")))
    assert f'hx-get="{reverse("notifications:bell")}"' in home and 'hx-trigger="load, every 60s"' in home

    # Only the count's box is swapped in: a session sent to the CGU gets that page, never shown.
    assert 'hx-select="#notification-count-box"' in home
    bell = page(client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true"))
    assert bell.startswith('<span id="notification-count-box">')
    assert 'data-unread="1"' in bell and "1 non lue" in bell

    Notification.objects.filter(recipient=circle.pediatrician).update(read_at="2026-01-01T00:00:00Z")
    assert "aucune non lue" in page(client.get(reverse("notifications:bell")))


def test_the_bell_stops_counting_at_a_hundred(circle: Circle, client_for: Any) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=circle.member, kind=Kind.PASSWORD_CHANGED) for _ in range(120)
    )
    assert services.unread_count(circle.member) == 100
    assert "99+" in page(client_for(circle.member).get(reverse("notifications:bell")))


def test_the_centre_lists_newest_first_names_the_item_and_links_to_it(
    circle: Circle, task_told: Any, client_for: Any
) -> None:
    services.fan_out(services.Announcement(kind=Kind.PASSWORD_CHANGED, users=(circle.pediatrician.pk,)))
    client = client_for(circle.pediatrician)
    text = page(client.get(reverse("notifications:centre")))

    assert text.index("Le mot de passe de votre compte a été modifié") < text.index("vous a affecté la tâche")
    assert (
        "COORDIN Claire (DAC Test Azur) vous a affecté la tâche « Relancer la famille »"
        f" (dossier de {PATIENT})." in text
    )
    assert "2 notifications non lues" in text and "Tout marquer comme lu" in text

    told = Notification.objects.get(recipient=circle.pediatrician, kind=Kind.TASK_ASSIGNED)
    opened = client.get(reverse("notifications:open", kwargs={"public_id": told.public_id}))
    assert opened.status_code == 302
    assert opened["Location"] == reverse(
        "tasks:edit", kwargs={"public_id": circle.dossier.public_id, "task_id": task_told.public_id}
    )
    told.refresh_from_db()
    assert told.is_read
    assert "1 notification non lue" in page(client.get(reverse("notifications:centre")))


def test_an_entry_names_no_patient_once_the_reader_may_no_longer_see_the_dossier(
    circle: Circle, task_told: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        circle_services.remove_habilitation(circle.actor(circle.coordinator), circle.row(circle.pediatrician))
    client = client_for(circle.pediatrician)
    text = page(client.get(reverse("notifications:centre")))

    assert PATIENT not in text and "MARTIN" not in text and "Relancer la famille" not in text
    assert "Une tâche vous a été affectée sur un dossier que vous ne pouvez plus consulter." in text
    assert "a retiré votre habilitation sur un dossier : vous ne pouvez plus le consulter." in text

    # Its link leads nowhere near the dossier.
    told = Notification.objects.get(recipient=circle.pediatrician, kind=Kind.TASK_ASSIGNED)
    opened = client.get(reverse("notifications:open", kwargs={"public_id": told.public_id}))
    assert opened["Location"] == reverse("notifications:centre")

    # Habilitated again, the entries name the patient again.
    row = circle.dossier.circle.get(user=circle.pediatrician)
    row.is_habilitated = True
    row.save()
    assert PATIENT in page(client.get(reverse("notifications:centre")))


def test_an_entry_reached_through_a_structure_is_read_as_that_structure_s_member(
    circle: Circle, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_task(circle.actor(circle.pediatrician), circle.dossier, "Bilan")
    client = client_for(circle.member)
    text = page(client.get(reverse("notifications:centre")))
    assert f"au dossier de {PATIENT}" in text and "en tant que DAC Test Azur" in text

    # Out of the structure, the dossier is closed to them: the entry no longer names it.
    circle.member.memberships.update(is_active=False)
    text = page(client.get(reverse("notifications:centre")))
    assert (
        PATIENT not in text
        and "Une tâche a été ajoutée sur un dossier que vous ne pouvez plus consulter." in text
    )


def test_someone_else_s_notification_does_not_exist(circle: Circle, task_told: Any, client_for: Any) -> None:
    told = Notification.objects.get(recipient=circle.pediatrician, kind=Kind.TASK_ASSIGNED)
    url = reverse("notifications:open", kwargs={"public_id": told.public_id})
    assert client_for(circle.stranger).get(url).status_code == 404
    assert client_for(circle.coordinator).get(url).status_code == 404
    told.refresh_from_db()
    assert not told.is_read
    assert client_for(circle.stranger).get("/notifications/pas-un-identifiant/").status_code == 404


def test_mark_all_read_reads_one_s_own_only(circle: Circle, task_told: Any, client_for: Any) -> None:
    assert client_for(circle.pediatrician).get(reverse("notifications:mark_all_read")).status_code == 405
    response = client_for(circle.pediatrician).post(reverse("notifications:mark_all_read"), follow=True)
    assert "Toutes vos notifications sont marquées comme lues." in page(response)
    assert not Notification.objects.filter(recipient=circle.pediatrician, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=circle.member, read_at__isnull=True).exists()


def test_the_centre_s_query_count_does_not_grow_with_entries(
    circle: Circle,
    client_for: Any,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(circle.member)
    with django_capture_on_commit_callbacks(execute=True):
        make_task(circle.actor(circle.pediatrician), circle.dossier, "Bilan")
    client.get(reverse("notifications:centre"))  # warm the session
    with django_assert_max_num_queries(CENTRE_QUERIES) as small:
        assert client.get(reverse("notifications:centre")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(40):
            make_task(circle.actor(circle.pediatrician), circle.dossier, f"Tâche {n}")
    services.fan_out(services.Announcement(kind=Kind.PASSWORD_CHANGED, users=(circle.member.pk,)))
    with django_assert_max_num_queries(CENTRE_QUERIES) as large:
        response = client.get(reverse("notifications:centre"))
    assert "Tâche 39" in page(response) and "Page 1 sur 2" in page(response)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_preferences_show_the_seed_s_table_with_its_defaults(circle: Circle, client_for: Any) -> None:
    text = page(client_for(circle.member).get(reverse("notifications:preferences")))
    for label in (
        "Une notification lorsque une tâche est ajoutée",
        "Une notification lorsque une tâche est modifiée",
        "Une notification lorsqu&#x27;un patient/usager est décédé",
        "Suppression d&#x27;une habilitation sur un patient",
        "Modification du mot de passe",
    ):
        assert label in text
    assert "Inscription d&#x27;un nouveau utilisateur" not in text  # administrators only
    assert text.count('type="checkbox"') == 2 * (len(CATALOGUE) - 1)
    # Every switch on, and the mails one by one (the radio's " checked").
    assert text.count(" checked") == 2 * (len(CATALOGUE) - 1) + 1
    assert 'id="rhythm-each" checked' in text and 'id="rhythm-daily" checked' not in text


def test_a_switch_is_saved_at_once_alone(circle: Circle, client_for: Any) -> None:
    client = client_for(circle.member)
    url = reverse("notifications:preferences")
    # The table is posted as it stands, with the one switch that changed named.
    response = client.post(
        url,
        {"kind": Kind.TASK_ADDED, "channel": "mail", "TASK_ADDED:app": "on", "DOSSIER_READ:mail": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Mail désactivée" in page(response)
    assert services.preferences_of(circle.member)[Kind.TASK_ADDED] == (False, True)
    assert Preference.objects.filter(user=circle.member).count() == 1

    client.post(
        url, {"kind": Kind.TASK_ADDED, "channel": "mail", "TASK_ADDED:mail": "on"}, HTTP_HX_REQUEST="true"
    )
    assert services.preferences_of(circle.member)[Kind.TASK_ADDED] == (True, True)


@pytest.mark.parametrize(
    ("kind", "channel"),
    [("NOPE", "mail"), (Kind.TASK_ADDED, "sms"), (Kind.REGISTRATION, "mail"), ("TASK\x00", "app"), ("", "")],
)
def test_an_unknown_switch_changes_nothing(circle: Circle, client_for: Any, kind: str, channel: str) -> None:
    response = client_for(circle.member).post(
        reverse("notifications:preferences"), {"kind": kind, "channel": channel}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Préférence inconnue" in page(response)
    assert not Preference.objects.exists()


def test_without_script_the_whole_table_is_saved(circle: Circle, client_for: Any) -> None:
    checked = {f"{kind}:{channel}": "on" for kind in CATALOGUE for channel in ("mail", "app")}
    del checked["DOSSIER_READ:mail"], checked["DOSSIER_READ:app"], checked["TASK_CHANGED:app"]
    response = client_for(circle.member).post(reverse("notifications:preferences"), checked, follow=True)
    assert "Vos préférences de notification sont enregistrées." in page(response)
    chosen = services.preferences_of(circle.member)
    assert chosen[Kind.DOSSIER_READ] == (False, False)
    assert chosen[Kind.TASK_CHANGED] == (True, False)
    assert chosen[Kind.TASK_ADDED] == (True, True)
    assert not Preference.objects.filter(kind=Kind.REGISTRATION).exists()  # not theirs to choose


# Session and user, the actor's structure (top bar), the count of the page, the page, the
# dossiers' visibility (one per structure involved), the unread count.
CENTRE_QUERIES = 12


def test_the_daily_summary_is_chosen_at_once(circle: Circle, client_for: Any) -> None:
    client = client_for(circle.member)
    url = reverse("notifications:preferences")
    response = client.post(url, {"setting": "rhythm", "rhythm": "daily"}, HTTP_HX_REQUEST="true")
    assert "Enregistré : un récapitulatif par jour, à 7 h." in page(response)
    assert services.daily_digest(circle.member)
    refused = client.post(url, {"setting": "rhythm", "rhythm": "hourly"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and services.daily_digest(circle.member)
    client.post(url, {"setting": "rhythm", "rhythm": "each"}, HTTP_HX_REQUEST="true")
    assert not services.daily_digest(circle.member)


def test_the_centre_journals_the_patients_it_names_and_only_those(
    circle: Circle, task_told: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 24: a list naming patients is an access — one journal row per dossier named."""
    client = client_for(circle.pediatrician)
    client.get(reverse("notifications:centre"))
    named = Access.objects.filter(action="list_notifications", user=circle.pediatrician)
    assert list(named.values_list("patient", "what")) == [(circle.dossier.pk, "centre de notifications")]

    with django_capture_on_commit_callbacks(execute=True):
        circle_services.remove_habilitation(circle.actor(circle.coordinator), circle.row(circle.pediatrician))
    client.get(reverse("notifications:centre"))  # the entries no longer name the patient
    assert named.count() == 1
