"""E-mail leaves the request path through the Tasks API (NOT-2)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email_task(recipients: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def queue_email(recipients: list[str], subject: str, body: str) -> None:
    """Send once the surrounding transaction commits, so a rolled-back change mails nobody."""
    transaction.on_commit(lambda: send_email_task.enqueue(recipients, subject, body))


def absolute_url(path: str) -> str:
    return settings.CORDEE_SITE_URL.rstrip("/") + path
