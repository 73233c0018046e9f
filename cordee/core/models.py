"""The base every Cordée row stands on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """A UUID public id for URLs (never the integer key), timestamps and the author."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class OutgoingMail(models.Model):
    """NOT-2: one e-mail to one address, written in the transaction of the change it tells of —
    so a change that commits always has its mail, and a rolled-back one never does — and sent by
    the task worker, never during the request (`cordee.core.mail`).

    The row is the mail's state: claimed by one sender at a time (an atomic update), retried with
    backoff when the SMTP server fails, given up after the last attempt (an administrator may
    retry it), and reclaimed when its sender died mid-send. Its Message-ID is fixed at creation:
    a mail re-sent after such a crash is the same message, which mail clients show once.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", "En attente"
        SENDING = "SENDING", "En cours d'envoi"
        SENT = "SENT", "Envoyé"
        FAILED = "FAILED", "Échec (plus de nouvel essai)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    to = models.EmailField("destinataire")
    subject = models.CharField("objet", max_length=200)
    # Either the text itself, or a renderer registered by an app and its parameters: the body is
    # then written at sending time (an activation link's single-use token never rests here).
    body = models.TextField("texte", blank=True)
    renderer = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    next_attempt_at = models.DateTimeField("prochain essai", default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    last_error = models.CharField("dernière erreur", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outgoing_mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def message_id(self) -> str:
        return f"<{self.public_id}@cordee>"


class ListColumns(models.Model):
    """Issue 23: the columns a professional chose to see in one of the busy lists (the active
    file), kept on the server so that the choice follows them from one screen to another.
    Without a row, the list's default columns (`cordee.core.columns`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    list_name = models.CharField("liste", max_length=30)
    columns = models.JSONField("colonnes affichées", default=list)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "colonnes choisies"
        verbose_name_plural = "colonnes choisies"
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="list_columns_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list_name}: {', '.join(self.columns)}"
