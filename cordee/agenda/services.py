"""Appointment writes (AGD-1, AGD-2): one transaction, a version check, the dossier's story and
the access journal when a patient is named, and the participants told after commit.

Rules enforced here, whatever the form says:
- the end comes after the start; both within the project's plausible dates (issue 24);
- a patient may be named only by who may see that dossier (`careteam.access`);
- every participant's agenda must be within the author's reach (`agendas.Reach`);
- a change made on a page older than the appointment's last change is refused (SEC-4);
- nothing is ever deleted: "supprimer" stamps the row, which then leaves every agenda.
Overlaps for a participant are returned as warnings: told to the author, never blocking.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.agenda import recurrence
from cordee.agenda.agendas import Reach
from cordee.agenda.models import Appointment, Participant
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.forms import EARLIEST_DAY, LATEST_DAY
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce

EDITABLE = [
    "title",
    "event_type",
    "starts_at",
    "ends_at",
    "all_day",
    "place_kind",
    "address",
    "commune",
    "patient",
    "is_private",
    "notes",
    "repeat",
    "repeat_until",
]


class StaleAppointmentError(Exception):
    """SEC-4: the appointment changed since the page was shown."""

    message = (
        "Ce rendez-vous a été modifié par quelqu'un d'autre entre-temps : votre changement n'a pas été "
        "enregistré. Le rendez-vous est affiché dans son état actuel."
    )


@dataclass(frozen=True)
class Attendees:
    users: list[User]
    structures: list[Structure]

    @property
    def user_ids(self) -> set[int]:
        return {user.pk for user in self.users}

    @property
    def structure_ids(self) -> set[int]:
        return {structure.pk for structure in self.structures}


def check_times(appointment: Appointment) -> None:
    """French messages for the times, whatever reached the service (a form, an htmx move)."""
    errors: dict[str, str] = {}
    for name in ("starts_at", "ends_at"):
        moment = getattr(appointment, name)
        if moment is None:
            errors[name] = "Veuillez indiquer la date et l'heure."
        elif not EARLIEST_DAY <= clock.date_of(moment) <= LATEST_DAY:
            errors[name] = (
                f"Veuillez indiquer une date entre le {EARLIEST_DAY:%d/%m/%Y} et le {LATEST_DAY:%d/%m/%Y}."
            )
    if not errors and appointment.ends_at <= appointment.starts_at:
        errors["ends_at"] = "La fin du rendez-vous doit être postérieure à son début."
    if not errors and appointment.repeat_until is not None:
        if appointment.repeat_until < clock.date_of(appointment.starts_at):
            errors["repeat_until"] = "La fin de la répétition ne peut pas précéder le premier rendez-vous."
        elif appointment.repeat_until > LATEST_DAY:
            errors["repeat_until"] = f"Veuillez indiquer une date avant le {LATEST_DAY:%d/%m/%Y}."
    if (
        not errors
        and appointment.repeat
        and appointment.ends_at - appointment.starts_at
        > datetime.timedelta(days=7 if appointment.repeat == Appointment.Repeat.WEEKLY else 28)
    ):
        errors["ends_at"] = "Un rendez-vous qui se répète ne peut pas durer plus longtemps que sa période."
    if errors:
        raise ValidationError(errors)


def _check_patient(actor: Actor, appointment: Appointment, previous_patient_id: int | None) -> None:
    if appointment.patient_id is None or appointment.patient_id == previous_patient_id:
        return
    assert appointment.patient is not None
    if not can(actor, Perm.VIEW, appointment.patient):
        raise ValidationError({"patient": "Vous ne pouvez lier qu'un dossier que vous pouvez consulter."})


def _check_attendees(actor: Actor, attendees: Attendees, reach: Reach) -> None:
    if not attendees.users and not attendees.structures:
        raise ValidationError({"participants": "Choisissez au moins un agenda pour ce rendez-vous."})
    if not (attendees.user_ids <= reach.user_ids and attendees.structure_ids <= reach.structure_ids):
        raise ValidationError(
            {
                "participants": (
                    "Un participant doit être vous-même, une de vos structures ou un de leurs membres."
                )
            }
        )


def _sync_participants(appointment: Appointment, attendees: Attendees) -> None:
    """Participant rows follow the appointment's range and state (their index is the agenda)."""
    live = appointment.deleted_at is None
    wanted = {("u", u.pk) for u in attendees.users} | {("s", s.pk) for s in attendees.structures}
    existing: dict[tuple[str, int], int] = {
        ("u" if p.user_id else "s", p.user_id or p.structure_id or 0): p.pk
        for p in Participant.objects.filter(appointment=appointment)
    }
    Participant.objects.filter(pk__in=[pk for key, pk in existing.items() if key not in wanted]).delete()
    Participant.objects.bulk_create(
        [
            Participant(
                appointment=appointment,
                user_id=pk if kind == "u" else None,
                structure_id=pk if kind == "s" else None,
                starts_at=appointment.starts_at,
                last_ends_at=appointment.last_ends_at,
                is_live=live,
            )
            for kind, pk in sorted(wanted - set(existing))
        ]
    )
    _follow(appointment)


def _follow(appointment: Appointment) -> None:
    Participant.objects.filter(appointment=appointment).update(
        starts_at=appointment.starts_at,
        last_ends_at=appointment.last_ends_at,
        is_live=appointment.deleted_at is None,
    )


def attendees_of(appointment: Appointment) -> Attendees:
    rows = list(Participant.objects.filter(appointment=appointment).select_related("user", "structure"))
    return Attendees(
        users=[row.user for row in rows if row.user is not None],
        structures=[row.structure for row in rows if row.structure is not None],
    )


def overlaps(appointment: Appointment, attendees: Attendees) -> list[str]:
    """AGD-1: "X a déjà « Y » à ce moment" for each participant busy elsewhere (a warning).

    The first occurrences in the coming year are compared, so a weekly series is checked too."""
    horizon = min(appointment.last_ends_at, appointment.starts_at + datetime.timedelta(days=366))
    mine = recurrence.occurrences(appointment, appointment.starts_at, horizon, limit=60)
    if not mine or (not attendees.users and not attendees.structures):
        return []
    first, last = mine[0].starts_at, mine[-1].ends_at
    rows = (
        Participant.objects.filter(is_live=True, starts_at__lt=last, last_ends_at__gt=first)
        .filter(Q(user__in=attendees.users) | Q(structure__in=attendees.structures))
        .exclude(appointment=appointment)
        .exclude(appointment__status=Appointment.Status.CANCELLED)
        .select_related("appointment", "user", "structure")[:200]
    )
    warnings = []
    for row in rows:
        theirs = recurrence.occurrences(row.appointment, first, last, limit=400)
        clash = next(
            (o for o in theirs for m in mine if o.starts_at < m.ends_at and o.ends_at > m.starts_at), None
        )
        if clash is None:
            continue
        who = row.user.display_name if row.user is not None else row.structure.name  # type: ignore[union-attr]
        title = "Occupé" if row.appointment.is_private else row.appointment.title
        when = clock.local(clash.starts_at)
        warnings.append(f"{who} a déjà « {title} » le {when:%d/%m/%Y à %H:%M}.")
    return sorted(set(warnings))


# The journal's action codes (audit.wording gives each its sentence); the feed says `what`.
JOURNAL_ACTIONS = {
    "ajouté": "appointment_added",
    "modifié": "appointment_changed",
    "annulé": "appointment_cancelled",
    "rétabli": "appointment_restored",
    "supprimé": "appointment_deleted",
}
OCCURRENCE_REMOVED = "appointment_occurrence_removed"
OCCURRENCE_CHANGED = "appointment_occurrence_changed"
SERIES_ENDED = "appointment_series_ended"


def _story(actor: Actor, appointment: Appointment, what: str, action: str | None = None) -> None:
    """The dossier's feed and journal, when the appointment names a patient. A private
    appointment's story tells no title: the circle reads the feed."""
    if appointment.patient is None:
        return
    when = clock.local(appointment.starts_at)
    title = "rendez-vous privé" if appointment.is_private else f"« {appointment.title} »"
    record_event(
        actor,
        appointment.patient,
        Event.Kind.APPOINTMENT,
        f"Rendez-vous {what} : {title}, le {when:%d/%m/%Y à %H:%M}",
        appointment=str(appointment.public_id),
    )
    journal(actor, appointment.patient, action or JOURNAL_ACTIONS[what], what=str(appointment.public_id))


def _tell(actor: Actor, appointment: Appointment, kind: Notice, attendees: Attendees) -> None:
    """AGD-2: the persons (and the members of the structures) in whose agenda it sits hear of a
    change made by someone else; no patient is named (an agenda is not a dossier)."""
    when = clock.local(appointment.starts_at)
    announce(
        kind,
        actor,
        users=attendees.users,
        structures=attendees.structures,
        data={
            "appointment": str(appointment.public_id),
            "label": "Occupé" if appointment.is_private else appointment.title,
            "when": f"{when:%d/%m/%Y à %H:%M}",
        },
    )


def _bump(appointment: Appointment, expected_version: int) -> None:
    updated = Appointment.objects.filter(
        pk=appointment.pk, version=expected_version, deleted_at__isnull=True
    ).update(version=F("version") + 1)
    if updated == 0:
        raise StaleAppointmentError
    appointment.version = expected_version + 1


def create_appointment(
    actor: Actor, appointment: Appointment, attendees: Attendees, reach: Reach | None = None
) -> list[str]:
    """Create it in the participants' agendas; returns the overlap warnings."""
    check_times(appointment)
    _check_attendees(actor, attendees, reach or Reach(actor))
    _check_patient(actor, appointment, None)
    with transaction.atomic():
        appointment.created_by = actor.user
        appointment.structure = actor.structure
        appointment.last_ends_at = recurrence.last_end(appointment)
        appointment.save()
        _sync_participants(appointment, attendees)
        _story(actor, appointment, "ajouté")
        _tell(actor, appointment, Notice.APPOINTMENT_ADDED, attendees)
    return overlaps(appointment, attendees)


def edit_appointment(
    actor: Actor,
    appointment: Appointment,
    changes: dict[str, Any],
    attendees: Attendees,
    expected_version: int,
    reach: Reach | None = None,
    *,
    check_attendees: bool = True,
) -> list[str]:
    """Change what the form shows; participants removed hear of it as a cancellation. A move
    (`check_attendees=False`) keeps the participants as they are."""
    previous_patient = appointment.patient_id
    before = attendees_of(appointment)
    was_series, previous_start = appointment.is_recurring, appointment.starts_at
    for name in EDITABLE:
        if name in changes:
            setattr(appointment, name, changes[name])
    check_times(appointment)
    if check_attendees:
        _check_attendees(actor, attendees, reach or Reach(actor))
    _check_patient(actor, appointment, previous_patient)
    with transaction.atomic():
        _bump(appointment, expected_version)
        appointment.last_ends_at = recurrence.last_end(appointment)
        if was_series:  # its exceptions follow its new start (or leave a rule that lost their day)
            appointment.exdates = _exdates_rebased(
                appointment, appointment.exdates or [], previous_start, appointment.starts_at
            )
        appointment.save()
        if was_series:
            _move_overrides(
                Appointment.objects.filter(series=appointment),
                appointment,
                previous_start,
                appointment.starts_at,
            )
        _sync_participants(appointment, attendees)
        _story(actor, appointment, "modifié")
        _tell(actor, appointment, Notice.APPOINTMENT_CHANGED, attendees)
        removed = Attendees(
            [u for u in before.users if u.pk not in attendees.user_ids],
            [s for s in before.structures if s.pk not in attendees.structure_ids],
        )
        if removed.users or removed.structures:
            _tell(actor, appointment, Notice.APPOINTMENT_CANCELLED, removed)
    return overlaps(appointment, attendees)


def move_appointment(
    actor: Actor, appointment: Appointment, starts_at: datetime.datetime, expected_version: int
) -> list[str]:
    """Move it to another start, keeping its (wall-clock) duration."""
    duration = timezone.make_naive(appointment.ends_at, clock.paris()) - timezone.make_naive(
        appointment.starts_at, clock.paris()
    )
    ends_at = timezone.make_aware(timezone.make_naive(starts_at, clock.paris()) + duration, clock.paris())
    attendees = attendees_of(appointment)
    return edit_appointment(
        actor,
        appointment,
        {"starts_at": starts_at, "ends_at": ends_at},
        attendees,
        expected_version,
        check_attendees=False,
    )


def _overrides_of(series: Appointment) -> Any:
    return Appointment.objects.filter(series=series, deleted_at__isnull=True)


def cancel_appointment(actor: Actor, appointment: Appointment, expected_version: int) -> None:
    """It stays in the agendas, crossed out, so everyone sees the slot was given back. A series'
    occurrences changed on their own are cancelled with it ("toute la série")."""
    with transaction.atomic():
        _bump(appointment, expected_version)
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status", "version", "updated_at"])
        # Only the overrides still confirmed, marked as cancelled with the series: one cancelled
        # on its own before stays cancelled when the series is restored.
        _overrides_of(appointment).exclude(status=Appointment.Status.CANCELLED).update(
            status=Appointment.Status.CANCELLED,
            cancelled_with_series=True,
            version=F("version") + 1,
            updated_at=clock.now(),
        )
        _story(actor, appointment, "annulé")
        _tell(actor, appointment, Notice.APPOINTMENT_CANCELLED, attendees_of(appointment))


def restore_appointment(actor: Actor, appointment: Appointment, expected_version: int) -> None:
    with transaction.atomic():
        _bump(appointment, expected_version)
        appointment.status = Appointment.Status.CONFIRMED
        appointment.cancelled_with_series = False
        appointment.save(update_fields=["status", "cancelled_with_series", "version", "updated_at"])
        _overrides_of(appointment).filter(cancelled_with_series=True).update(
            status=Appointment.Status.CONFIRMED,
            cancelled_with_series=False,
            version=F("version") + 1,
            updated_at=clock.now(),
        )
        _story(actor, appointment, "rétabli")
        _tell(actor, appointment, Notice.APPOINTMENT_CHANGED, attendees_of(appointment))


def delete_appointment(actor: Actor, appointment: Appointment, expected_version: int) -> None:
    """Soft delete: the row stays (data safety), it leaves every agenda and list."""
    with transaction.atomic():
        _bump(appointment, expected_version)
        appointment.deleted_at = timezone.now()
        appointment.deleted_by = actor.user
        appointment.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
        _follow(appointment)
        overrides = list(_overrides_of(appointment).values_list("pk", flat=True))
        if overrides:  # a series' occurrences changed on their own leave the agendas with it
            Appointment.objects.filter(pk__in=overrides).update(
                deleted_at=appointment.deleted_at, deleted_by=actor.user, version=F("version") + 1
            )
            Participant.objects.filter(appointment_id__in=overrides).update(is_live=False)
        _story(actor, appointment, "supprimé")
        _tell(actor, appointment, Notice.APPOINTMENT_DELETED, attendees_of(appointment))


NO_OCCURRENCE = "Ce rendez-vous n'a pas d'occurrence ce jour-là."


def remove_occurrence(
    actor: Actor, appointment: Appointment, day: datetime.date, expected_version: int
) -> None:
    """An exception to a series (RFC 5545 EXDATE): the occurrence of `day` is taken out."""
    if not appointment.is_recurring or not recurrence.is_occurrence_day(appointment, day):
        raise ValidationError({"occurrence": NO_OCCURRENCE})
    with transaction.atomic():
        _bump(appointment, expected_version)
        appointment.exdates = sorted({*(appointment.exdates or []), day.isoformat()})
        appointment.save(update_fields=["exdates", "version", "updated_at"])
        _story(actor, appointment, f"retiré le {day:%d/%m/%Y} de la série", OCCURRENCE_REMOVED)
        _tell(actor, appointment, Notice.APPOINTMENT_CANCELLED, attendees_of(appointment))


# --- one occurrence of a series (RFC 5545 RECURRENCE-ID) ---------------------------------------


class Scope:
    """What a change made from one occurrence of a series applies to (as calendars ask)."""

    ONE = "occurrence"
    FOLLOWING = "suivantes"
    ALL = "serie"
    CHOICES = [
        (ONE, "Cette occurrence"),
        (FOLLOWING, "Cette occurrence et les suivantes"),
        (ALL, "Toute la série"),
    ]


def _occurrence_of(
    series: Appointment, day: datetime.date
) -> tuple[recurrence.Occurrence, Appointment | None]:
    """The series' occurrence of `day` (Paris) where its rule places it, and the override that
    replaces it when it was changed on its own (RECURRENCE-ID): "cette occurrence et les
    suivantes" may start there too."""
    if not series.is_recurring or series.is_override:
        raise ValidationError({"occurrence": NO_OCCURRENCE})
    occurrence = recurrence.occurrence_on(series, day)
    if occurrence is not None:
        return occurrence, None
    override = (
        Appointment.objects.filter(
            series=series,
            deleted_at__isnull=True,
            recurrence_id__gte=clock.start_of_day(day),
            recurrence_id__lt=clock.start_of_day(day + datetime.timedelta(days=1)),
        )
        .select_related("patient")
        .first()
    )
    if override is None or override.recurrence_id is None:
        raise ValidationError({"occurrence": NO_OCCURRENCE})
    end = recurrence.with_wall_duration(override.recurrence_id, (series.starts_at, series.ends_at))
    return recurrence.Occurrence(series, override.recurrence_id, end), override


def _exdates_rebased(
    target: Appointment, days: list[str], before: datetime.datetime, after: datetime.datetime
) -> list[str]:
    """Days taken out of a series (its occurrences at `before`'s wall-clock time), as the days of
    `target`'s occurrences once the one at `before` starts at `after` (RFC 5545 EXDATE names an
    occurrence's start): a split or a move with a new day or time keeps them on the occurrences
    they were made for. A day that names no occurrence of `target` any more is left out."""
    time = clock.local(before).time()
    kept = set()
    for day in days:
        moment = recurrence.shifted(clock.at(datetime.date.fromisoformat(day), time), before, after)
        if recurrence.is_start(target, moment):
            kept.add(clock.date_of(moment).isoformat())
    return sorted(kept)


def _move_overrides(
    overrides: Any, target: Appointment, before: datetime.datetime, after: datetime.datetime
) -> None:
    """Each override follows its occurrence into `target` (its RECURRENCE-ID moved as the
    occurrence at `before` moved to `after`); one whose occurrence `target` no longer has becomes
    an appointment of its own, where it was — what the agendas showed stays."""
    later_first = after > before  # one series' own overrides: never two on one occurrence
    for override in sorted(overrides, key=lambda o: o.recurrence_id, reverse=later_first):
        moment = recurrence.shifted(override.recurrence_id, before, after)
        if recurrence.is_start(target, moment):
            if override.series_id == target.pk and override.recurrence_id == moment:
                continue
            override.series, override.recurrence_id = target, moment
        else:
            override.series, override.recurrence_id = None, None
        override.version += 1
        override.save(update_fields=["series", "recurrence_id", "version", "updated_at"])


def _copy_of(series: Appointment, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Appointment:
    """A new row carrying what the series says, from one of its occurrences on."""
    return Appointment(
        title=series.title,
        event_type_id=series.event_type_id,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=series.all_day,
        place_kind=series.place_kind,
        address=series.address,
        commune_id=series.commune_id,
        patient=series.patient,
        is_private=series.is_private,
        notes=series.notes,
        status=series.status,
        structure_id=series.structure_id,
        created_by_id=series.created_by_id,
    )


def edit_occurrence(
    actor: Actor,
    series: Appointment,
    day: datetime.date,
    changes: dict[str, Any],
    attendees: Attendees,
    expected_version: int,
    reach: Reach | None = None,
    *,
    scope: str,
    check_attendees: bool = True,
) -> tuple[Appointment, list[str]]:
    """Change a series from its occurrence of `day` (Paris):
    - "cette occurrence": a row of its own replaces that occurrence (RECURRENCE-ID), the series
      lists the day as taken out; the series' version is checked and bumped (SEC-4);
    - "cette occurrence et les suivantes": the series ends the day before, a new series starts
      at the occurrence with the changes (the occurrences changed on their own and taken out
      after it go with it), as calendars split a series;
    - "toute la série": the series itself; a new start or end given for the occurrence moves
      every occurrence by the same wall-clock difference.
    Returns the row changed (the override, the new series or the series) and the overlaps."""
    occurrence, override = _occurrence_of(series, day)
    if override is not None and scope == Scope.ONE:
        raise ValidationError({"occurrence": NO_OCCURRENCE})  # the override is edited itself
    changes = dict(changes)
    if override is not None:
        # The page showed the override: what differs from it is what was changed, for it and the
        # following occurrences; the rest stays as the series says (its rule included).
        changes = {
            name: value
            for name, value in changes.items()
            if name in ("starts_at", "ends_at") or getattr(override, name) != value
        }
    shown = (override.starts_at, override.ends_at) if override is not None else None
    # New start and end for the occurrence as the rule places it: the same wall-clock
    # differences as the ones made to what the page showed.
    base_start, base_end = shown or (occurrence.starts_at, occurrence.ends_at)
    asked = (changes.get("starts_at", base_start), changes.get("ends_at", base_end))
    start = recurrence.shifted(occurrence.starts_at, base_start, asked[0])
    end = recurrence.shifted(occurrence.ends_at, base_end, asked[1])
    first = scope == Scope.FOLLOWING and occurrence.starts_at == series.starts_at
    if scope == Scope.ALL or first:
        changes["starts_at"] = recurrence.shifted(series.starts_at, occurrence.starts_at, start)
        changes["ends_at"] = recurrence.with_wall_duration(changes["starts_at"], (start, end))
        with transaction.atomic():
            warnings = edit_appointment(
                actor, series, changes, attendees, expected_version, reach, check_attendees=check_attendees
            )
            if override is not None:
                _override_follows(override, changes, asked, attendees)
        return series, warnings
    if scope not in (Scope.ONE, Scope.FOLLOWING):
        raise ValidationError({"portee": "Choisissez à quoi s'applique la modification."})
    row = _copy_of(series, start, end)
    if scope == Scope.FOLLOWING:
        row.repeat, row.repeat_until = series.repeat, series.repeat_until
    else:
        row.series, row.recurrence_id = series, occurrence.starts_at
    for name in EDITABLE:
        if name in ("starts_at", "ends_at"):
            continue
        if name in changes and not (scope == Scope.ONE and name in ("repeat", "repeat_until")):
            setattr(row, name, changes[name])
    if not row.repeat:
        row.repeat_until = None
    check_times(row)
    if scope == Scope.FOLLOWING:
        # The days taken out from this occurrence on go with the new series, on its occurrences.
        row.exdates = _exdates_rebased(
            row, [d for d in series.exdates or [] if d >= day.isoformat()], occurrence.starts_at, start
        )
    if check_attendees:
        _check_attendees(actor, attendees, reach or Reach(actor))
    _check_patient(actor, row, series.patient_id)
    before = attendees_of(series)
    with transaction.atomic():
        _bump(series, expected_version)
        if scope == Scope.ONE:
            series.exdates = sorted({*(series.exdates or []), day.isoformat()})
            series.save(update_fields=["exdates", "version", "updated_at"])
        else:
            series.repeat_until = day - datetime.timedelta(days=1)
            series.exdates = [d for d in series.exdates or [] if d < day.isoformat()]
            series.last_ends_at = recurrence.last_end(series)
            series.save(update_fields=["repeat_until", "exdates", "last_ends_at", "version", "updated_at"])
            _follow(series)
        row.last_ends_at = recurrence.last_end(row)
        row.save()
        if scope == Scope.FOLLOWING:
            if override is not None:
                _override_follows(override, changes, asked, attendees)
            # The occurrences changed on their own from here on belong to the new series, each
            # on the occurrence it replaces there (RECURRENCE-ID), whatever the new day or time.
            _move_overrides(
                Appointment.objects.filter(series=series, recurrence_id__gte=occurrence.starts_at),
                row,
                occurrence.starts_at,
                start,
            )
        _sync_participants(row, attendees)
        _story(actor, row, "modifié", OCCURRENCE_CHANGED if scope == Scope.ONE else None)
        _tell(actor, row, Notice.APPOINTMENT_CHANGED, attendees)
        removed = Attendees(
            [u for u in before.users if u.pk not in attendees.user_ids],
            [s for s in before.structures if s.pk not in attendees.structure_ids],
        )
        if removed.users or removed.structures:
            _tell(actor, row, Notice.APPOINTMENT_CANCELLED, removed)
    return row, overlaps(row, attendees)


def _override_follows(
    override: Appointment,
    changes: dict[str, Any],
    asked: tuple[datetime.datetime, datetime.datetime],
    attendees: Attendees,
) -> None:
    """The override a change to "the following occurrences" or "the whole series" was made from
    (its page): it takes the fields changed, the start and end given, the participants."""
    override.refresh_from_db()  # its series and RECURRENCE-ID may just have moved
    for name in EDITABLE:
        if name in changes and name not in ("starts_at", "ends_at", "repeat", "repeat_until"):
            setattr(override, name, changes[name])
    override.starts_at, override.ends_at = asked
    check_times(override)
    override.last_ends_at = override.ends_at
    override.version += 1
    override.save()
    _sync_participants(override, attendees)


def move_occurrence(
    actor: Actor, series: Appointment, day: datetime.date, starts_at: datetime.datetime, expected_version: int
) -> tuple[Appointment, list[str]]:
    """Move one occurrence of a series (a drag in the week), keeping its wall-clock duration (one
    changed on its own already is moved on its own row)."""
    occurrence, _ = _occurrence_of(series, day)
    ends_at = recurrence.with_wall_duration(starts_at, (occurrence.starts_at, occurrence.ends_at))
    return edit_occurrence(
        actor,
        series,
        day,
        {"starts_at": starts_at, "ends_at": ends_at},
        attendees_of(series),
        expected_version,
        scope=Scope.ONE,
        check_attendees=False,
    )


def cancel_occurrences(
    actor: Actor, series: Appointment, day: datetime.date, expected_version: int, *, scope: str
) -> None:
    """Cancel from one occurrence: that one only (EXDATE), it and the following ones (the series
    ends the day before; the later occurrences changed on their own are cancelled too, and stand
    alone), or the whole series. "Cette occurrence et les suivantes" may start from an occurrence
    changed on its own (it is cancelled with the following ones)."""
    occurrence, _ = _occurrence_of(series, day)
    if scope == Scope.ONE:
        remove_occurrence(actor, series, day, expected_version)
        return
    if scope == Scope.ALL or occurrence.starts_at == series.starts_at:
        cancel_appointment(actor, series, expected_version)
        return
    if scope != Scope.FOLLOWING:
        raise ValidationError({"portee": "Choisissez à quoi s'applique l'annulation."})
    with transaction.atomic():
        _bump(series, expected_version)
        series.repeat_until = day - datetime.timedelta(days=1)
        series.exdates = [d for d in series.exdates or [] if d < day.isoformat()]
        series.last_ends_at = recurrence.last_end(series)
        series.save(update_fields=["repeat_until", "exdates", "last_ends_at", "version", "updated_at"])
        _follow(series)
        told = attendees_of(series)
        # The occurrences changed on their own from the cut on: the series no longer has them,
        # so they stop naming it (no RECURRENCE-ID past its end, in the week or the feed) and
        # stay, cancelled, where the agendas showed them — appointments of their own, which
        # restoring the series never brings back (not `cancelled_with_series`); each may still
        # be restored on its own page. The deleted ones let go of the series too.
        later = Appointment.objects.filter(series=series, recurrence_id__gte=clock.start_of_day(day))
        dropped = list(later.filter(deleted_at__isnull=True).exclude(status=Appointment.Status.CANCELLED))
        later.update(
            series=None,
            recurrence_id=None,
            status=Appointment.Status.CANCELLED,
            cancelled_with_series=False,
            version=F("version") + 1,
            updated_at=clock.now(),
        )
        _story(actor, series, f"arrêté à partir du {day:%d/%m/%Y}", SERIES_ENDED)
        _tell(actor, series, Notice.APPOINTMENT_CANCELLED, told)
        for row in dropped:  # who took part in a moved occurrence only hears of it too
            theirs = attendees_of(row)
            others = Attendees(
                [u for u in theirs.users if u.pk not in told.user_ids],
                [s for s in theirs.structures if s.pk not in told.structure_ids],
            )
            if others.users or others.structures:
                _tell(actor, row, Notice.APPOINTMENT_CANCELLED, others)
