"""NOT-1: what each professional is told, and how they chose to be told."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cordee.notifications.kinds import Kind


class Notification(models.Model):
    """One event told to one professional in the application.

    It keeps references, not a text: what the entry shows is decided when it is read (a reader
    who may no longer see the dossier is not told the patient's name). `via_structure` is the
    structure of the circle through which it reached them — the dossier is checked as that
    structure's member would see it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField("événement", max_length=30, choices=Kind.choices)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    via_structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who did it, and for which structure (none for the platform's own events).
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The item's references and the few words that name it (a task's label, a group's name).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("reçue le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        indexes = [
            # The centre: a recipient's entries, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_centre_idx"),
            # The bell: a recipient's unread entries only.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(fields=["patient"], name="notification_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """A professional's choice for one event; without a row, the seed's default (both on)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField("événement", max_length=30, choices=Kind.choices)
    by_mail = models.BooleanField("mail", default=True)
    in_app = models.BooleanField("application", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: mail={self.by_mail} application={self.in_app}"


class DossierRead(models.Model):
    """ "Un professionnel accède à un dossier" is told once per reader, dossier and Paris day:
    the first read of the day inserts this row and tells the circle; the next ones find it."""

    reader = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "patient", "day"], name="notification_dossier_read_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.patient_id} {self.day}"


class MailRhythm(models.Model):
    """How a professional wants their e-mails: one per notification (no row, the default) or a
    daily summary sent at 7:00 Paris time (`manage.py send_digests`)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="+")
    daily_digest = models.BooleanField("récapitulatif quotidien", default=False)
    last_digest_at = models.DateTimeField("dernier récapitulatif", default=timezone.now)

    class Meta:
        verbose_name = "rythme des e-mails"
        verbose_name_plural = "rythmes des e-mails"

    def __str__(self) -> str:
        return f"{self.user_id}: {'quotidien' if self.daily_digest else 'à chaque notification'}"


class DayListSent(models.Model):
    """The day's list of appointments (AGD-2) sent to one professional for one Paris day: the
    first run of `send_day_lists` that morning inserts it, with the notification and the mail,
    in one transaction; a second run (or a second worker at once) finds it and sends nothing."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="notification_day_list_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
