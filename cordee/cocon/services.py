"""COC-1 / COC-3 writes: inclusion, its calendar, the end of follow-up."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.careteam.models import CircleMember
from cordee.cocon.models import Inclusion, InclusionCriterion, ScheduledStep
from cordee.cocon.schedule import BY_CODE, missed_from, windows
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.pathways import services as pathways
from cordee.pathways.models import DossierTheme, FormResponse, FormStatus, Theme
from cordee.patients.models import Patient

# Cocon follows newborns: inclusion in the first two years of life.
MAX_AGE_AT_INCLUSION = relativedelta(years=2)


class StaleInclusionError(Exception):
    message = (
        "L'inclusion a été modifiée par quelqu'un d'autre entre-temps : vos changements n'ont pas "
        "été enregistrés. Vérifiez les informations affichées."
    )


@dataclass(frozen=True)
class InclusionInput:
    inclusion_date: datetime.date
    gestational_age_weeks: int
    gestational_age_days: int
    birth_weight_g: int
    birth_length_cm: Decimal | None
    birth_head_circumference_cm: Decimal | None
    criteria: list[InclusionCriterion]
    referring_maternity: Structure | None
    referent_pediatrician: User


def referent_choices(patient: Patient) -> list[User]:
    """The referent must be able to open the dossier: a habilitated person of the circle."""
    rows = CircleMember.objects.filter(
        patient=patient,
        removed_at__isnull=True,
        is_habilitated=True,
        sharing_refused=False,
        user__isnull=False,
    ).select_related("user", "user__profession")
    return sorted({row.user for row in rows if row.user is not None}, key=lambda user: user.display_name)


def _check(patient: Patient, data: InclusionInput) -> None:
    errors: dict[str, str] = {}
    today = clock.today()
    if data.inclusion_date > today:
        errors["inclusion_date"] = "La date d'inclusion ne peut pas être dans le futur."
    elif data.inclusion_date < patient.birth_date:
        errors["inclusion_date"] = "La date d'inclusion précède la date de naissance."
    elif data.inclusion_date > patient.birth_date + MAX_AGE_AT_INCLUSION:
        errors["inclusion_date"] = "Cocon suit les nouveau-nés : l'inclusion se fait avant l'âge de 2 ans."
    if data.referent_pediatrician not in referent_choices(patient):
        errors["referent_pediatrician"] = (
            "Le pédiatre référent doit être un membre habilité du cercle de soins."
        )
    if not data.criteria:
        errors["criteria"] = "Cochez au moins un critère d'inclusion."
    if errors:
        raise ValidationError(errors)


def include(actor: Actor, patient: Patient, data: InclusionInput) -> Inclusion:
    """COC-1: the newborn joins the pathway; the Cocon theme is added to the Parcours tab and
    the notebook calendar is computed."""
    if not can(actor, Perm.FILL_FORMS, patient):
        raise PermissionDenied
    _check(patient, data)
    with transaction.atomic():
        if Inclusion.objects.select_for_update().filter(patient=patient).exists():
            raise ValidationError("Cet enfant est déjà inclus dans le parcours Cocon.")
        inclusion = Inclusion.objects.create(
            patient=patient,
            created_by=actor.user,
            structure=actor.structure,
            **{field: value for field, value in data.__dict__.items() if field != "criteria"},
        )
        inclusion.criteria.set(data.criteria)
        theme = Theme.objects.get(code="cocon")
        if not DossierTheme.objects.filter(patient=patient, theme=theme, removed_at__isnull=True).exists():
            # As the Parcours tab adds a theme (at the end, with its event).
            pathways.add_theme(actor, patient, theme)
        refresh_schedule(inclusion)
        record_event(
            actor,
            patient,
            Event.Kind.COCON_INCLUDED,
            f"Inclusion dans le parcours Cocon ({inclusion.gestational_age_label}, "
            f"{inclusion.birth_weight_g} g)",
            importance=Event.Importance.IMPORTANT,
        )
        journal(actor, patient, "cocon_include", what=str(inclusion.public_id))
    return inclusion


def edit_inclusion(
    actor: Actor, inclusion: Inclusion, data: InclusionInput, expected_version: int
) -> Inclusion:
    patient = inclusion.patient
    if not can(actor, Perm.FILL_FORMS, patient):
        raise PermissionDenied
    _check(patient, data)
    with transaction.atomic():
        fields = {field: value for field, value in data.__dict__.items() if field != "criteria"}
        updated = Inclusion.objects.filter(pk=inclusion.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now(), **fields
        )
        if not updated:
            raise StaleInclusionError
        inclusion.refresh_from_db()
        inclusion.criteria.set(data.criteria)
        refresh_schedule(inclusion)
        record_event(actor, patient, Event.Kind.COCON_CHANGED, "Inclusion Cocon modifiée")
        journal(actor, patient, "cocon_edit_inclusion", what=str(inclusion.public_id))
    return inclusion


def end_inclusion(actor: Actor, inclusion: Inclusion, ended_on: datetime.date, reason: str) -> None:
    """The child leaves the pathway: no more reminders; the calendar and notebooks stay."""
    if not can(actor, Perm.FILL_FORMS, inclusion.patient):
        raise PermissionDenied
    if inclusion.ended_on is not None:
        raise ValidationError("Cet enfant est déjà sorti du parcours Cocon.")
    if reason not in Inclusion.EndReason.values:
        raise ValidationError({"end_reason": "Choisissez un motif de sortie."})
    if ended_on < inclusion.inclusion_date or ended_on > clock.today():
        raise ValidationError({"ended_on": "La date de sortie doit être entre l'inclusion et aujourd'hui."})
    with transaction.atomic():
        Inclusion.objects.filter(pk=inclusion.pk).update(
            ended_on=ended_on, end_reason=reason, version=F("version") + 1, updated_at=timezone.now()
        )
        record_event(
            actor,
            inclusion.patient,
            Event.Kind.COCON_ENDED,
            f"Sortie du parcours Cocon : {Inclusion.EndReason(reason).label}",
            importance=Event.Importance.IMPORTANT,
        )
        journal(actor, inclusion.patient, "cocon_end", what=Inclusion.EndReason(reason).label)


def _consultation_date(form: FormResponse) -> datetime.date:
    raw = form.answers.get("date_consultation")
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError:
        return clock.date_of(form.closed_at) if form.closed_at else clock.today()


def refresh_schedule(inclusion: Inclusion) -> None:
    """Recompute the windows and what is done; idempotent, keeps reminders already created."""
    patient = inclusion.patient
    closed = (
        FormResponse.objects.filter(
            patient=patient,
            status=FormStatus.CLOSED,
            questionnaire_version__questionnaire__code__in=list(BY_CODE),
        )
        .select_related("questionnaire_version__questionnaire")
        .order_by("closed_at")
    )
    done: dict[str, tuple[datetime.date, FormResponse]] = {}
    for notebook in closed:
        code = notebook.questionnaire_version.questionnaire.code
        consulted = _consultation_date(notebook)
        if code not in done or consulted < done[code][0]:
            done[code] = (consulted, notebook)
    existing = {row.step: row for row in ScheduledStep.objects.filter(inclusion=inclusion)}
    calendar = windows(patient.birth_date, inclusion.gestational_age_total_days)
    for rank, window in enumerate(calendar, start=1):
        code = window.step.code
        following = calendar[rank] if rank < len(calendar) else None
        day: datetime.date | None = None
        form: FormResponse | None = None
        if code in done:
            day, form = done[code]
        values = {
            "rank": rank,
            "opens_on": window.opens,
            "closes_on": window.closes,
            "target_on": window.target,
            "missed_from": missed_from(window, following),
            "done_on": day,
            "form": form,
        }
        row = existing.get(code)
        if row is None:
            ScheduledStep.objects.create(inclusion=inclusion, step=code, **values)
        elif any(getattr(row, key) != value for key, value in values.items()):
            ScheduledStep.objects.filter(pk=row.pk).update(**values)
