"""NOT-1 by e-mail (through NOT-2's outbox): a real SMTP server on loopback receives what happened
and a link — never the patient's name nor anything of their health."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.services import notify_password_changed
from cordee.core.models import OutgoingMail
from cordee.notifications import services
from cordee.notifications.kinds import CATALOGUE, Kind
from cordee.notifications.models import Notification
from cordee.notifications.tests.conftest import Circle
from cordee.tasks import services as task_services
from cordee.tasks.tests.helpers import make_task
from tests.smtp_sink import SmtpSink

HEALTH_WORDS = ["MARTIN", "Martin", "Léa", "Lea", "IRM", "épilepsie", "Bilan"]


def test_a_task_s_mails_reach_the_smtp_server_without_health_data(
    circle: Circle, smtp_sink: SmtpSink, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CORDEE_SITE_URL = "https://cordee.example"
    with django_capture_on_commit_callbacks(execute=True):
        make_task(
            circle.actor(circle.coordinator, circle.structure),
            circle.dossier,
            "Bilan IRM pour épilepsie",
            recipients=[circle.row(circle.pediatrician)],
        )

    by_address = {str(message["To"]): message for message in smtp_sink.messages}
    assert set(by_address) == {"pediatre@example.org", "membre@example.org", "secretaire@example.org"}
    assigned = by_address["pediatre@example.org"]
    assert str(assigned["Subject"]).strip() == "Cordée — une nouvelle tâche vous concerne"
    body = assigned.get_content()
    assert "Une nouvelle tâche vous concerne dans Cordée." in body
    assert "https://cordee.example" + reverse("notifications:centre") in body
    assert "https://cordee.example" + reverse("notifications:preferences") in body
    for message in smtp_sink.messages:
        text = message.get_content() + str(message["Subject"])
        assert not [word for word in HEALTH_WORDS if word in text], text
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {OutgoingMail.State.SENT}


def test_no_event_s_mail_can_name_a_patient() -> None:
    """The mails are written from the catalogue alone: no sentence has room for a name."""
    for event in CATALOGUE.values():
        body = services._mail_body(event.kind)
        assert "{" not in body and "%" not in body
        assert event.mail in body and event.mail_subject.startswith("Cordée — ")


def test_the_password_mail_follows_the_switch(
    circle: Circle, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.set_preference(circle.member, Kind.PASSWORD_CHANGED, "mail", False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify_password_changed(circle.member)
    assert mail.outbox == []
    assert circle.member.pk in set(
        Notification.objects.filter(kind=Kind.PASSWORD_CHANGED).values_list("recipient", flat=True)
    )


def test_the_activation_mail_is_the_account_s_only_mail(
    admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cordee.accounts.models import Profession, RegistrationRequest
    from cordee.accounts.services import submit_registration, validate_registration

    with django_capture_on_commit_callbacks(execute=True):
        registration = submit_registration(
            RegistrationRequest(
                profession=Profession.objects.get(code="medecin"),
                last_name="Nouveau",
                first_name="Nina",
                email="nina@example.org",
            )
        )
    to_admin = [message for message in mail.outbox if message.to == [admin_user.email]]
    assert [message.subject for message in to_admin] == [
        "Cordée — une nouvelle demande d'inscription est arrivée"
    ]
    assert "Nouveau" not in to_admin[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = validate_registration(registration, admin=admin_user)
    assert [message.subject for message in mail.outbox] == ["Cordée — votre inscription est validée"]
    assert Notification.objects.filter(recipient=user, kind=Kind.ACCOUNT_CREATED).count() == 1


def test_the_daily_summary_replaces_the_mails_and_counts_without_naming(
    circle: Circle, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    services.set_daily_digest(circle.pediatrician, True)
    services.set_preference(circle.pediatrician, Kind.TASK_CHANGED, "mail", False)
    author = circle.actor(circle.coordinator, circle.structure)
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(author, circle.dossier, "Bilan IRM", recipients=[circle.row(circle.pediatrician)])
        make_task(author, circle.dossier, "Bilan épilepsie")
        task_services.edit_task(author, task, {"label": "Bilan IRM cérébrale"}, task.version)
    assert "pediatre@example.org" not in {str(message["To"]) for message in smtp_sink.messages}
    # One of them read already: not counted.
    Notification.objects.filter(recipient=circle.pediatrician, kind=Kind.TASK_ADDED).update(
        read_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests() == 1
    (summary,) = [m for m in smtp_sink.messages if str(m["To"]) == "pediatre@example.org"]
    assert str(summary["Subject"]).strip() == "Cordée — votre récapitulatif du jour"
    body = summary.get_content()
    assert "- 1 × Une nouvelle tâche vous concerne dans Cordée" in body
    assert "a été ajoutée" not in body  # read
    assert "modifiée" not in body  # its Mail switch is off
    assert not [word for word in HEALTH_WORDS if word in body]

    # The next summary tells only what came since.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests() == 0
