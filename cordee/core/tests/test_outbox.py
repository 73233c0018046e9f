"""NOT-2, the outbox: a mail is a row written with the change it tells of, sent by the worker to a
real SMTP server (aiosmtpd on loopback), retried with backoff while the server refuses, given up
after the last attempt (an administrator may retry it), and never sent twice — a mail whose
sender died is taken back after the lease and re-sent under the same Message-ID."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from cordee.core import mail
from cordee.core.models import OutgoingMail
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
State = OutgoingMail.State


@pytest.fixture
def quick(settings: Any) -> None:
    settings.CORDEE_MAIL_RETRY_SECONDS = [60, 300]
    settings.CORDEE_MAIL_LEASE_SECONDS = 120


def _later(seconds: int) -> None:
    """Move every pending mail's next attempt into the past, as if `seconds` went by."""
    OutgoingMail.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_mail_is_written_with_its_change_and_sent_after_commit(
    smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (row,) = mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
        assert smtp_sink.messages == []  # nothing leaves during the request's transaction
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1 and row.sent_at is not None
    (received,) = smtp_sink.messages
    assert received["To"] == "a@example.org" and received["Subject"] == "Cordée — essai"
    assert received["Message-ID"] == row.message_id
    assert received.get_content().strip() == "Bonjour."


def test_a_rolled_back_change_mails_nobody(
    smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                mail.queue_email(["a@example.org"], "Cordée — annulé", "Rien.")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and not OutgoingMail.objects.exists() and smtp_sink.messages == []


def test_with_the_database_s_task_backend_the_job_commits_with_its_mails(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Production's backend: the job is a row written in the mails' transaction (one commit), so a
    rolled-back change leaves neither mail nor job, and nothing waits for the commit hooks."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    try:
        with transaction.atomic():
            mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
            raise RuntimeError
    except RuntimeError:
        pass
    assert not OutgoingMail.objects.exists() and not DBTaskResult.objects.exists()

    with django_capture_on_commit_callbacks() as hooks, transaction.atomic():
        (row,) = mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
        (job,) = DBTaskResult.objects.all()
    assert hooks == []
    assert job.task_path.endswith(".send_mails") and job.args_kwargs["args"] == [[row.pk]]


def test_refused_mails_are_retried_with_backoff_then_given_up(smtp_sink: SmtpSink, quick: None) -> None:
    (row,) = mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
    smtp_sink.refusing = True
    assert mail.deliver(row.pk) is False
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)  # the first wait
    assert "451" in row.last_error and "Bonjour" not in row.last_error
    assert mail.deliver_due().sent == 0  # not due yet: nothing tried
    assert smtp_sink.refused == 1
    for attempt in (2, 3):
        _later(300)
        mail.deliver_due()
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.state == State.FAILED and smtp_sink.refused == 3 and smtp_sink.messages == []
    # An administrator retries it once the server accepts again.
    smtp_sink.refusing = False
    mail.retry(row)
    assert mail.deliver_due().sent == 1
    row.refresh_from_db()
    assert row.state == State.SENT and smtp_sink.message_ids() == [row.message_id]


def test_a_server_that_cannot_be_reached_is_retried(settings: Any, smtp_sink: SmtpSink, quick: None) -> None:
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]
    (row,) = mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
    assert mail.deliver(row.pk) is False
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    settings.EMAIL_PORT = smtp_sink.port  # the server is back
    _later(60)
    assert mail.deliver_due().sent == 1
    assert smtp_sink.message_ids() == [row.message_id]


def test_a_mail_is_sent_once_even_when_its_sender_dies(smtp_sink: SmtpSink, quick: None) -> None:
    (row,) = mail.queue_email(["a@example.org"], "Cordée — essai", "Bonjour.")
    # A sender claims it, then dies before telling: nobody else sends it while the lease runs…
    now = timezone.now()
    assert mail._claim(row.pk, now) is True
    assert mail._claim(row.pk, now) is False  # a second sender at the same time
    assert mail.deliver(row.pk) is False and mail.deliver_due().sent == 0
    assert smtp_sink.messages == []
    # …then it is taken back and sent, under the Message-ID it was born with.
    OutgoingMail.objects.filter(pk=row.pk).update(claimed_at=now - datetime.timedelta(seconds=121))
    assert mail.deliver_due().sent == 1
    assert smtp_sink.message_ids() == [row.message_id]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 2)
    assert mail.deliver_due().sent == 0 and len(smtp_sink.messages) == 1


def test_deliver_mails_command_sends_what_is_due(smtp_sink: SmtpSink, quick: None, capsys: Any) -> None:
    smtp_sink.refusing = True
    rows = mail.queue_email(["a@example.org", "b@example.org", "a@example.org"], "Cordée — essai", "Bonjour.")
    assert len(rows) == 2  # one row per address
    smtp_sink.refusing = False
    _later(60)
    call_command("deliver_mails")
    assert "Courriels envoyés : 2 ; à réessayer : 0." in capsys.readouterr().out
    assert sorted(smtp_sink.message_ids()) == sorted(row.message_id for row in rows)


def test_the_activation_link_is_written_when_sent_never_stored(
    smtp_sink: SmtpSink, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cordee.accounts.models import Profession, RegistrationRequest
    from cordee.accounts.services import validate_registration

    request = RegistrationRequest.objects.create(
        profession=Profession.objects.get(code="medecin"),
        last_name="Lambert",
        first_name="Hélène",
        email="helene.lambert@example.org",
        rpps="10000000006",
    )
    with django_capture_on_commit_callbacks(execute=True):
        user = validate_registration(request, admin=admin_user)
    row = OutgoingMail.objects.get(to="helene.lambert@example.org", renderer="accounts.activation")
    assert row.body == "" and row.params == {"user_pk": user.pk}
    assert row.state == State.SENT
    body = smtp_sink.messages[-1].get_content()
    token = body.split("/compte/activer/")[1].split("/")[1]
    assert default_token_generator.check_token(user, token)
    assert token not in str(row.params)
