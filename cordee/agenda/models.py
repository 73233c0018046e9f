"""AGD-1: agendas of professionals and structures — appointments, their types and participants.

An appointment sits in the agendas of its participants (persons and structures). It may name a
patient; the name is shown only to whoever may see that dossier (`careteam.access`). A private
appointment shows "Occupé" and nothing else to anyone but its author and the persons taking part.
Appointments are never deleted by a user: "Supprimer" stamps `deleted_at` (data safety).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup, Q

from cordee.core.models import BaseModel

# The far end of "no end" for a recurring series, so that a range test stays one index range.
OPEN_END = datetime.datetime(2101, 1, 1, tzinfo=datetime.UTC)


@models.BigAutoField.register_lookup
class KeyAmong(Lookup[int]):
    """`pk__among=[…]`: `IN (…)`, but on PostgreSQL one array parameter (`= ANY(%s)`): the week's
    few hundred appointments by key as an IN list of as many parameters cost the server twice the
    time (parsing and planning 364 constants: 45 ms against 20 ms in the bench) and psycopg a
    parse of the long statement on every request (too long for its cache)."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s::bigint[])", [*params, values]


class Colour(models.TextChoices):
    """A fixed palette: each class in agenda.css pairs a pale background with a dark border and
    dark text (contrast ≥ 4.5:1, RGAA 3.2), so a type's colour never carries the meaning alone —
    its label is always written too."""

    BLUE = "bleu", "Bleu"
    GREEN = "vert", "Vert"
    PURPLE = "violet", "Violet"
    ORANGE = "orange", "Orange"
    TEAL = "turquoise", "Turquoise"
    RED = "rouge", "Rouge"
    GREY = "gris", "Gris"


class EventType(models.Model):
    """AGD-1: configurable event types (reference data: Prévention, RCP, RCV Adulte…)."""

    label = models.CharField("type", max_length=100, unique=True)
    colour = models.CharField("couleur", max_length=12, choices=Colour.choices, default=Colour.BLUE)
    ordering = models.PositiveSmallIntegerField("ordre", default=100)
    is_active = models.BooleanField("actif", default=True)

    class Meta:
        ordering = ["ordering", "label"]
        verbose_name = "type d'évènement"
        verbose_name_plural = "types d'évènement"

    def __str__(self) -> str:
        return self.label


class Appointment(BaseModel):
    class Status(models.TextChoices):
        CONFIRMED = "CONFIRMED", "Confirmé"
        CANCELLED = "CANCELLED", "Annulé"

    class Place(models.TextChoices):
        ADDRESS = "ADDRESS", "À une adresse"
        TELECONSULTATION = "TELE", "Téléconsultation"

    class Repeat(models.TextChoices):
        NONE = "", "Ne se répète pas"
        WEEKLY = "WEEKLY", "Chaque semaine"
        MONTHLY = "MONTHLY", "Chaque mois"

    title = models.CharField("titre", max_length=200)
    event_type = models.ForeignKey(EventType, verbose_name="type", on_delete=models.PROTECT)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    all_day = models.BooleanField("toute la journée", default=False)
    place_kind = models.CharField("lieu", max_length=10, choices=Place.choices, default=Place.ADDRESS)
    address = models.CharField("adresse", max_length=200, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name="patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    is_private = models.BooleanField("privé", default=False)
    notes = models.TextField("notes", blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    structure = models.ForeignKey(
        "accounts.Structure",
        verbose_name="créé au nom de",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Recurrence (RFC 5545): the rule is expanded by dateutil on the Paris wall clock, so a
    # weekly 10:00 stays 10:00 across the daylight-saving changes. `exdates` are the Paris dates
    # of the occurrences taken out of the series ("supprimer cette occurrence").
    repeat = models.CharField("répétition", max_length=10, choices=Repeat.choices, blank=True, default="")
    repeat_until = models.DateField("jusqu'au", null=True, blank=True)
    exdates = models.JSONField("occurrences retirées", default=list, blank=True)
    # An occurrence changed on its own ("cette occurrence", RFC 5545 RECURRENCE-ID) is a row of
    # its own pointing to its series, `recurrence_id` the original start of the occurrence it
    # replaces; the series lists that day in `exdates` too, so its expansion never shows both.
    # The iCalendar feed tells the two apart: a day of `exdates` with an override is sent as the
    # override's RECURRENCE-ID, one without as an EXDATE (cancelled).
    series = models.ForeignKey(
        "self",
        verbose_name="série",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overrides",
        editable=False,
    )
    recurrence_id = models.DateTimeField("occurrence remplacée", null=True, blank=True, editable=False)
    # An override cancelled because its whole series was ("Annuler toute la série"), not on its
    # own: restoring the series restores these and only these — an occurrence cancelled one by
    # one before stays cancelled (issue 18).
    cancelled_with_series = models.BooleanField(default=False, db_default=False, editable=False)
    # The end of the last occurrence (`ends_at` for a single one, OPEN_END for an endless series):
    # "what touches this week" is then `starts_at < end AND last_ends_at > start`.
    last_ends_at = models.DateTimeField(editable=False)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        indexes = [
            models.Index(
                fields=["patient", "starts_at"],
                condition=Q(deleted_at__isnull=True, patient__isnull=False),
                name="agenda_patient_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="agenda_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, recurrence_id__isnull=True)
                | Q(series__isnull=False, recurrence_id__isnull=False, repeat=""),
                name="agenda_override_of_a_series",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"],
                condition=Q(series__isnull=False),
                name="agenda_one_override_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_recurring(self) -> bool:
        return bool(self.repeat)

    @property
    def is_override(self) -> bool:
        return self.series_id is not None


class Participant(models.Model):
    """A person or a structure in whose agenda the appointment sits.

    Each row carries its appointment's range (copied by `agenda.services` on every write): one
    agenda's week is then a range of this table's own index, without reading the appointments
    of the other agendas of the region."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    structure = models.ForeignKey(
        "accounts.Structure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(editable=False)
    last_ends_at = models.DateTimeField(editable=False)
    is_live = models.BooleanField(default=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(structure__isnull=True))
                | (Q(user__isnull=True) & Q(structure__isnull=False)),
                name="agenda_participant_person_or_structure",
            ),
            models.UniqueConstraint(fields=["appointment", "user"], name="agenda_participant_user_once"),
            models.UniqueConstraint(
                fields=["appointment", "structure"], name="agenda_participant_structure_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "starts_at", "last_ends_at"],
                condition=Q(is_live=True, user__isnull=False),
                name="agenda_user_range_idx",
            ),
            models.Index(
                fields=["structure", "starts_at", "last_ends_at"],
                condition=Q(is_live=True, structure__isnull=False),
                name="agenda_structure_range_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.structure)


class FeedToken(models.Model):  # noqa: DJ008 - a secret, never shown
    """The secret of one person's iCalendar feed: revoked by deleting, regenerated by replacing.

    Only a SHA-256 of the token is stored: a copy of the database does not open anyone's feed."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="agenda_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # "Initiales du patient" in the feed (issue 18: never the name; a setting may allow initials).
    show_initials = models.BooleanField("initiales du patient dans le flux", default=False)
    # The agendas of the structures the person is an active member of, beside their own: a
    # private appointment there is "Occupé", and no patient is named, not even by initials.
    with_structures = models.BooleanField("agendas de mes structures dans le flux", default=False)

    class Meta:
        verbose_name = "flux iCalendar"
        verbose_name_plural = "flux iCalendar"
