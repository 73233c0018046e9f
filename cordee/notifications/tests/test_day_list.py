"""AGD-2, NOT-2: "la liste des rendez-vous de la journée", each morning at 7:00 Paris time.

Exactly the professionals with appointments that day (their own agenda, their structures'),
nobody else; private ones as "Occupé"; a series' occurrence in, a removed occurrence, a
cancelled or a deleted appointment out; on the days the clocks change; once a day however often
it runs; by a real SMTP server on loopback, with no title and no patient in the mail."""

from __future__ import annotations

import contextlib
import datetime
import io
import threading
from typing import Any

import time_machine
from django.core.management import call_command
from django.db import connection

from cordee.accounts.models import Structure, User
from cordee.agenda import services as agenda
from cordee.agenda.models import Appointment
from cordee.agenda.tests.helpers import actor_of, at, book
from cordee.core.models import OutgoingMail
from cordee.notifications import services
from cordee.notifications.day_list import send_day_lists
from cordee.notifications.entries import entries
from cordee.notifications.kinds import Kind
from cordee.notifications.models import DayListSent, Notification
from tests.factories import make_membership, make_user
from tests.smtp_sink import SmtpSink

DAY = datetime.date(2027, 1, 12)  # a Tuesday in winter (Paris = UTC+1)
MORNING = at(DAY, 7)
HEALTH_WORDS = ["MARTIN", "Martin", "épilepsie", "Bilan", "Secret", "Consultation"]


def _told() -> dict[int, int]:
    """Who got the day's list in the application, and how many appointments it counts."""
    return {n.recipient_id: n.data["count"] for n in Notification.objects.filter(kind=Kind.DAY_LIST)}


def _mails(sink: SmtpSink) -> dict[str, str]:
    return {
        str(m["To"]): m.get_content()
        for m in sink.messages
        if " ".join(str(m["Subject"]).split()).startswith("Cordée — vos rendez-vous de la journée (")
    }


def test_exactly_the_professionals_with_appointments_that_day(
    coordinator: User, member: User, stranger: User, structure: Structure
) -> None:
    former = make_user(username="ancien")
    make_membership(user=former, structure=structure, is_active=False)
    tomorrow_only = make_user(username="demain")
    make_membership(user=tomorrow_only, structure=structure)
    actor = actor_of(coordinator, structure)
    book(actor, DAY, 10, users=[member])  # the member's own agenda
    book(actor, DAY, 14, users=[], structures=[structure])  # the DAC's: its active members
    book(actor, DAY - datetime.timedelta(days=1), 22, minutes=90, users=[tomorrow_only])  # ends at 23:30
    book(actor, DAY + datetime.timedelta(days=1), 0, minutes=30, users=[tomorrow_only])  # 00:00 next day

    run = send_day_lists(MORNING)

    assert _told() == {coordinator.pk: 1, member.pk: 2, tomorrow_only.pk: 1}
    assert stranger.pk not in _told() and former.pk not in _told()
    assert (run.day, run.told, run.already) == (DAY, 3, 0)


def test_nobody_without_appointments_hears_anything(coordinator: User, member: User) -> None:
    book(actor_of(coordinator), DAY + datetime.timedelta(days=1), 10)
    run = send_day_lists(MORNING)
    assert run.told == 0 and not Notification.objects.filter(kind=Kind.DAY_LIST).exists()
    assert not DayListSent.objects.exists() and not OutgoingMail.objects.exists()


def test_the_mail_lists_times_and_types_never_a_title_nor_a_patient(
    coordinator: User,
    member: User,
    structure: Structure,
    dossier: Any,
    smtp_sink: SmtpSink,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CORDEE_SITE_URL = "https://cordee.example"
    actor = actor_of(coordinator, structure)
    book(actor, DAY, 9, users=[member], title="Bilan épilepsie", patient=dossier)
    # Private, in the DAC's agenda: its author reads the type, a member not taking part "Occupé".
    book(actor, DAY, 15, minutes=30, users=[], structures=[structure], title="Secret", is_private=True)

    with django_capture_on_commit_callbacks(execute=True):
        send_day_lists(MORNING)

    mails = _mails(smtp_sink)
    assert set(mails) == {"coordinatrice@example.org", "membre@example.org"}
    assert "- 09:00–10:00 : Prévention (votre agenda)" in mails["membre@example.org"]
    assert "- 15:00–15:30 : Occupé (DAC Test Azur)" in mails["membre@example.org"]
    assert "- 15:00–15:30 : Prévention (DAC Test Azur)" in mails["coordinatrice@example.org"]
    assert "09:00" not in mails["coordinatrice@example.org"]  # not in her agenda
    assert "du mardi 12 janvier 2027" in mails["membre@example.org"]
    assert "https://cordee.example/agenda/?vue=jour&date=2027-01-12" in mails["membre@example.org"]
    patient_words = [dossier.birth_name, dossier.first_name, dossier.birth_name.upper()]
    for message in smtp_sink.messages:
        text = message.get_content() + str(message["Subject"])
        assert not [word for word in HEALTH_WORDS + patient_words if word in text], text
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {OutgoingMail.State.SENT}


def test_a_series_occurrence_is_listed_and_a_removed_one_is_not(coordinator: User) -> None:
    actor = actor_of(coordinator)
    weekly = book(actor, DAY - datetime.timedelta(days=14), 9, repeat=Appointment.Repeat.WEEKLY)
    removed = book(actor, DAY - datetime.timedelta(days=7), 11, repeat=Appointment.Repeat.WEEKLY)
    agenda.remove_occurrence(actor, removed, DAY, removed.version)
    ended = book(
        actor,
        DAY - datetime.timedelta(days=21),
        13,
        repeat=Appointment.Repeat.WEEKLY,
        repeat_until=DAY - datetime.timedelta(days=1),
    )
    monthly_elsewhere = book(actor, DAY - datetime.timedelta(days=14), 16, repeat=Appointment.Repeat.MONTHLY)
    assert weekly.pk and ended.pk and monthly_elsewhere.pk

    send_day_lists(MORNING)

    assert _told() == {coordinator.pk: 1}


def test_cancelled_and_deleted_appointments_are_left_out(coordinator: User, member: User) -> None:
    actor = actor_of(coordinator)
    cancelled = book(actor, DAY, 9, users=[member])
    deleted = book(actor, DAY, 11, users=[member])
    book(actor, DAY, 14, users=[member])
    agenda.cancel_appointment(actor, cancelled, cancelled.version)
    agenda.delete_appointment(actor, deleted, deleted.version)
    only_cancelled = book(actor, DAY, 16, users=[coordinator])
    agenda.cancel_appointment(actor, only_cancelled, only_cancelled.version)

    send_day_lists(MORNING)

    assert _told() == {member.pk: 1}


def test_seven_o_clock_in_paris_on_the_day_the_clocks_go_forward(
    coordinator: User, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    """28 March 2027: 7:00 in Paris is 05:00 UTC (06:00 UTC the day before); a weekly 10:00 begun
    in winter is still 10:00."""
    spring = datetime.date(2027, 3, 28)
    book(actor_of(coordinator), spring - datetime.timedelta(days=14), 10, repeat=Appointment.Repeat.WEEKLY)
    early = datetime.datetime(2027, 3, 28, 4, 59, tzinfo=datetime.UTC)
    seven = datetime.datetime(2027, 3, 28, 5, 0, tzinfo=datetime.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_day_lists(early).early
        assert not Notification.objects.filter(kind=Kind.DAY_LIST).exists()
        run = send_day_lists(seven)

    assert (run.day, run.told) == (spring, 1)
    body = _mails(smtp_sink)["coordinatrice@example.org"]
    assert "dimanche 28 mars 2027" in body and "- 10:00–11:00 : Prévention (votre agenda)" in body


def test_seven_o_clock_in_paris_on_the_day_the_clocks_go_back(coordinator: User) -> None:
    autumn = datetime.date(2027, 10, 31)  # 7:00 in Paris is 06:00 UTC again
    book(actor_of(coordinator), autumn, 8)
    assert send_day_lists(datetime.datetime(2027, 10, 31, 5, 59, tzinfo=datetime.UTC)).early
    assert send_day_lists(datetime.datetime(2027, 10, 31, 6, 0, tzinfo=datetime.UTC)).told == 1


def test_run_twice_the_same_morning_it_sends_once(
    coordinator: User, member: User, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    book(actor_of(coordinator), DAY, 10, users=[coordinator, member])
    with django_capture_on_commit_callbacks(execute=True):
        first = send_day_lists(MORNING)
        second = send_day_lists(MORNING + datetime.timedelta(minutes=15))
        third = send_day_lists(at(DAY, 21))

    assert (first.told, first.mailed, first.already) == (2, 2, 0)
    assert (second.told, second.mailed, second.already) == (0, 0, 2) and third.told == 0
    assert Notification.objects.filter(kind=Kind.DAY_LIST).count() == 2
    assert sorted(_mails(smtp_sink)) == ["coordinatrice@example.org", "membre@example.org"]
    assert len(smtp_sink.messages) == 2
    # The next morning is another day.
    with django_capture_on_commit_callbacks(execute=True):
        book(actor_of(coordinator), DAY + datetime.timedelta(days=1), 10)
        assert send_day_lists(MORNING + datetime.timedelta(days=1)).told == 1


def test_the_command_says_what_it_did_and_sends_once(coordinator: User, member: User) -> None:
    book(actor_of(coordinator), DAY, 10, users=[coordinator, member])
    out = io.StringIO()
    with time_machine.travel(MORNING, tick=False):
        call_command("send_day_lists", stdout=out)
    with time_machine.travel(MORNING + datetime.timedelta(minutes=15), tick=False):
        call_command("send_day_lists", stdout=out)

    assert out.getvalue().splitlines() == [
        "12/01/2027 : 2 professionnel(s) prévenu(s), 2 e-mail(s) mis dans la file d'envoi, "
        "0 déjà prévenu(s) aujourd'hui.",
        "12/01/2027 : 0 professionnel(s) prévenu(s), 0 e-mail(s) mis dans la file d'envoi, "
        "2 déjà prévenu(s) aujourd'hui.",
    ]
    assert OutgoingMail.objects.count() == 2 and DayListSent.objects.count() == 2


def test_before_seven_the_command_sends_nothing(coordinator: User) -> None:
    book(actor_of(coordinator), DAY, 10)
    out = io.StringIO()
    with time_machine.travel(at(DAY, 6, 59), tick=False):
        call_command("send_day_lists", stdout=out)
    assert "Avant 7 h" in out.getvalue() and not DayListSent.objects.exists()


def test_each_channel_follows_its_switch_and_the_summary_does_not_count_it(
    coordinator: User,
    member: User,
    stranger: User,
    structure: Structure,
    smtp_sink: SmtpSink,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_membership(user=stranger, structure=structure)  # now a colleague
    services.set_preference(coordinator, Kind.DAY_LIST, "mail", False)
    services.set_preference(member, Kind.DAY_LIST, "app", False)
    services.set_preference(stranger, Kind.DAY_LIST, "mail", False)
    services.set_preference(stranger, Kind.DAY_LIST, "app", False)
    services.set_daily_digest(member, True)  # the list is mailed all the same
    book(actor_of(coordinator, structure), DAY, 10, users=[], structures=[structure])

    with django_capture_on_commit_callbacks(execute=True):
        send_day_lists(MORNING)
        assert services.send_digests() == 0  # nothing else to summarise: the list is not counted

    assert set(_told()) == {coordinator.pk}
    assert set(_mails(smtp_sink)) == {"membre@example.org"}


def test_the_entry_leads_to_the_day_in_the_agenda(coordinator: User) -> None:
    book(actor_of(coordinator), DAY, 10)
    book(actor_of(coordinator), DAY, 15)
    send_day_lists(MORNING)
    (entry,) = entries(coordinator, list(Notification.objects.filter(kind=Kind.DAY_LIST)))
    assert entry.text == "Vos rendez-vous du mardi 12 janvier 2027 : 2 rendez-vous."
    assert entry.url == "/agenda/?vue=jour&date=2027-01-12"


def test_two_schedulers_at_once_tell_each_professional_once(
    reloaded_reference_data: None, coordinator: User, member: User, structure: Structure
) -> None:
    """On PostgreSQL the runs overlap (the unique row holds the second until the first commits);
    SQLite takes one writer at a time, which the test does too."""
    colleagues = [make_user(username=f"collegue{n}") for n in range(6)]
    for colleague in colleagues:
        make_membership(user=colleague, structure=structure)
    book(actor_of(coordinator, structure), DAY, 10, users=[], structures=[structure])
    barrier = threading.Barrier(3)
    one_at_a_time = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    runs: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with one_at_a_time:
                runs.append(send_day_lists(MORNING).told)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    people = 2 + len(colleagues)
    assert sum(runs) == people
    assert Notification.objects.filter(kind=Kind.DAY_LIST).count() == people
    lists = OutgoingMail.objects.filter(subject__startswith="Cordée — vos rendez-vous de la journée")
    assert lists.count() == people and lists.values("to").distinct().count() == people
    assert DayListSent.objects.count() == people
