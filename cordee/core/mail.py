"""E-mail through the outbox (NOT-2): written in the change's transaction, sent by the task worker.

- `queue_email` writes one `OutgoingMail` row per address inside the caller's transaction, and
  after commit asks the task worker to send them (the fast path);
- `deliver` sends one row: claimed by an atomic update (two senders never both send it), sent
  with its fixed Message-ID, then marked sent — or, when the SMTP server fails, put back with the
  next attempt's time (backoff), or given up after the last attempt;
- `deliver_due` (the `deliver_mails` command, every minute from cron) sends what is due: the
  mails to retry, those whose enqueueing was lost, and those whose sender died mid-send (held
  longer than the lease).
Apps that must write a mail's text at sending time (a single-use link) register a renderer.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from cordee.core.bulk import insert_rows
from cordee.core.models import OutgoingMail
from cordee.core.text import clip_to

logger = logging.getLogger(__name__)
Renderer = Callable[..., str]
_RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    """An app's way to write a mail's text when it is sent (called from its AppConfig.ready)."""
    _RENDERERS[name] = renderer


def queue_email(
    recipients: Sequence[str], subject: str, body: str = "", *, renderer: str = "", **params: object
) -> QuerySet[OutgoingMail]:
    """Rows in the caller's transaction (a rolled-back change mails nobody; a committed one is
    never without its mail), sent by the worker once it commits. One insert whatever the number
    of addresses, without a model object each (`core.bulk`); the rows are returned as a lazy
    query (read only by whoever looks at them)."""
    if renderer and renderer not in _RENDERERS:
        raise ValueError(f"unknown mail renderer {renderer!r}")
    addresses = [address for address in dict.fromkeys(recipients) if address]
    now = timezone.now()
    ids = insert_rows(
        OutgoingMail,
        ("public_id", "to"),
        [(uuid.uuid4(), address) for address in addresses],
        {
            "created_at": now,
            "subject": clip_to(OutgoingMail, "subject", subject),
            "body": body,
            "renderer": renderer,
            "params": params,
            "state": OutgoingMail.State.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
        },
        returning=True,
    )
    if ids:
        _enqueue(ids)
    return OutgoingMail.objects.filter(pk__in=ids).order_by("pk")


def _enqueue(ids: list[int]) -> None:
    """The database's task backend (production's) makes the job a row: written in the mails'
    transaction, it commits with them — one commit instead of two after a change, and no mail
    left for the sweep when the process dies between them; the worker cannot see it before.
    Other backends run the job at once: they are asked after the commit."""
    if transaction.get_connection().in_atomic_block and isinstance(send_mails.get_backend(), DatabaseBackend):
        send_mails.enqueue(ids)
    else:
        transaction.on_commit(lambda: send_mails.enqueue(ids))


@task()
def send_mails(ids: list[int]) -> int:
    return _deliver_all(ids)


def _deliver_all(ids: list[int]) -> int:
    """One SMTP connection for the batch: each mail is marked sent as soon as the server took it,
    without waiting for the session's end — the narrowest window in which a worker's death could
    make a mail go twice (then under its same Message-ID)."""
    connection = get_connection()
    sent = 0
    with contextlib.suppress(Exception):  # unreachable: each mail records its failed attempt
        connection.open()
    try:
        for mail_id in ids:
            sent += deliver(mail_id, connection)
    finally:
        with contextlib.suppress(Exception):  # a broken session: nothing left to tell the server
            connection.close()
    return sent


def _claim(mail_id: int, now: datetime.datetime) -> bool:
    stale = now - datetime.timedelta(seconds=settings.CORDEE_MAIL_LEASE_SECONDS)
    due = Q(state=OutgoingMail.State.PENDING, next_attempt_at__lte=now) | Q(
        state=OutgoingMail.State.SENDING, claimed_at__lt=stale
    )
    claimed = OutgoingMail.objects.filter(due, pk=mail_id).update(
        state=OutgoingMail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def deliver(mail_id: int, connection: BaseEmailBackend | None = None) -> bool:
    """Send one mail if it is due and nobody else is sending it; True when it left."""
    now = timezone.now()
    if not _claim(mail_id, now):
        return False
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        body = _RENDERERS[mail.renderer](**mail.params) if mail.renderer else mail.body
        message = EmailMessage(
            mail.subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [mail.to],
            headers={"Message-ID": mail.message_id},
        )
        message.send()
    except Exception as exc:  # the SMTP server, the network, a renderer: retried, then given up
        _failed(mail, exc)
        return False
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=OutgoingMail.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _failed(mail: OutgoingMail, exc: Exception) -> None:
    waits = settings.CORDEE_MAIL_RETRY_SECONDS
    # Never the message text in logs or rows: the error's kind and the server's words only.
    error = clip_to(OutgoingMail, "last_error", f"{type(exc).__name__}: {exc}")
    if mail.attempts > len(waits):
        state, next_attempt = OutgoingMail.State.FAILED, timezone.now()
        logger.error(
            "mail %s given up after %s attempts: %s", mail.public_id, mail.attempts, type(exc).__name__
        )
    else:
        state = OutgoingMail.State.PENDING
        next_attempt = timezone.now() + datetime.timedelta(seconds=waits[mail.attempts - 1])
        logger.warning("mail %s attempt %s failed: %s", mail.public_id, mail.attempts, type(exc).__name__)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=state, next_attempt_at=next_attempt, claimed_at=None, last_error=error
    )


@dataclass(frozen=True)
class Delivery:
    sent: int
    left: int


def deliver_due(limit: int = 500) -> Delivery:
    """What is due now: retries, lost enqueues, mails whose sender died (held past the lease)."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.CORDEE_MAIL_LEASE_SECONDS)
    due = OutgoingMail.objects.filter(
        Q(state=OutgoingMail.State.PENDING, next_attempt_at__lte=now)
        | Q(state=OutgoingMail.State.SENDING, claimed_at__lt=stale)
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    sent = _deliver_all(ids)
    return Delivery(sent=sent, left=len(ids) - sent)


def retry(mail: OutgoingMail) -> None:
    """An administrator gives a failed mail another round of attempts."""
    OutgoingMail.objects.filter(pk=mail.pk, state=OutgoingMail.State.FAILED).update(
        state=OutgoingMail.State.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: send_mails.enqueue([mail.pk]))


def absolute_url(path: str) -> str:
    return settings.CORDEE_SITE_URL.rstrip("/") + path
