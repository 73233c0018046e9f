"""Dossier life: status and closing (DOS-2), death (DOS-3), stays (DOS-4), favourites (DOS-5),
links (DOS-6). Each write: one transaction, the change, an activity event, a journal entry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.patients.models import (
    DischargeReason,
    DossierStatus,
    Favourite,
    Hospitalisation,
    Patient,
    PatientLink,
    RelationType,
)
from cordee.patients.services import ConcurrentEditError

# DOS-2: what must be settled before a dossier is closed. Apps that hold open work on a dossier
# (questionnaires, tasks) register a function here returning French descriptions of it.
CLOSING_CHECKS: list[Callable[[Patient], list[str]]] = []

ALLOWED_TRANSITIONS = {
    DossierStatus.ACTIVE: {DossierStatus.DISCHARGED, DossierStatus.ARCHIVED},
    DossierStatus.DISCHARGED: {DossierStatus.ACTIVE, DossierStatus.ARCHIVED},
    DossierStatus.ARCHIVED: {DossierStatus.ACTIVE},
    DossierStatus.DECEASED: {DossierStatus.ARCHIVED},
}


def closing_checklist(patient: Patient) -> list[str]:
    return [item for check in CLOSING_CHECKS for item in check(patient)]


def _bump_version(patient: Patient, expected_version: int) -> None:
    updated = Patient.objects.filter(pk=patient.pk, version=expected_version).update(version=F("version") + 1)
    if updated == 0:
        raise ConcurrentEditError
    patient.version = expected_version + 1


def change_status(
    actor: Actor,
    patient: Patient,
    status: str,
    *,
    expected_version: int,
    reason: DischargeReason | None = None,
    checklist_confirmed: bool = False,
) -> Patient:
    """DOS-2: "sortie" needs a reason; closing needs the seed's checklist done or confirmed."""
    current = DossierStatus(patient.status)
    target = DossierStatus(status)
    if target == DossierStatus.DECEASED:
        raise ValidationError({"status": "Le décès se déclare avec le formulaire « Déclarer le décès »."})
    if target not in ALLOWED_TRANSITIONS[current]:
        raise ValidationError(
            {"status": f"Un dossier « {current.label} » ne peut pas passer au statut « {target.label} »."}
        )
    if target == DossierStatus.DISCHARGED and reason is None:
        raise ValidationError({"reason": "Veuillez choisir le motif de sortie."})
    closing = target in (DossierStatus.DISCHARGED, DossierStatus.ARCHIVED)
    if closing and not checklist_confirmed and closing_checklist(patient):
        raise ValidationError(
            {"checklist_confirmed": "Clôturez les éléments en cours ou confirmez la clôture malgré eux."}
        )
    with transaction.atomic():
        _bump_version(patient, expected_version)
        patient.status = target
        patient.discharge_reason = reason if target == DossierStatus.DISCHARGED else None
        patient.status_changed_at = timezone.now()
        patient.save()
        summary = f"Statut du dossier : {current.label} → {target.label}"
        if reason is not None and target == DossierStatus.DISCHARGED:
            summary += f" (motif : {reason.label})"
        record_event(
            actor,
            patient,
            Event.Kind.STATUS_CHANGED,
            summary,
            importance=Event.Importance.IMPORTANT,
            previous=current.value,
            status=target.value,
        )
        journal(actor, patient, "change_status", what=target.value)
        announce(
            Notice.DOSSIER_STATUS,
            actor,
            patient=patient,
            circle=True,
            data={"previous": current.label, "status": target.label},
        )
    return patient


def declare_death(
    actor: Actor,
    patient: Patient,
    *,
    expected_version: int,
    death_date: datetime.date | None,
    declared_on: datetime.date,
    country: Any,
    place: str,
) -> Patient:
    """DOS-3: date of death or "Non connu", declaration date, country and place."""
    today = clock.today()
    errors = {}
    if death_date is not None and death_date > today:
        errors["death_date"] = "La date du décès ne peut pas être dans le futur."
    if death_date is not None and death_date < patient.birth_date:
        errors["death_date"] = "La date du décès ne peut pas précéder la date de naissance."
    if declared_on > today:
        errors["declared_on"] = "La date de déclaration ne peut pas être dans le futur."
    if death_date is not None and declared_on < death_date:
        errors["declared_on"] = "La déclaration ne peut pas précéder le décès."
    if errors:
        raise ValidationError(errors)
    if patient.status == DossierStatus.DECEASED:
        raise ValidationError({"death_date": "Le décès de ce patient est déjà déclaré."})
    with transaction.atomic():
        _bump_version(patient, expected_version)
        patient.status = DossierStatus.DECEASED
        patient.status_changed_at = timezone.now()
        patient.discharge_reason = None
        patient.death_date = death_date
        patient.death_date_unknown = death_date is None
        patient.death_declared_on = declared_on
        patient.death_country = country
        patient.death_place = place
        patient.save()
        record_event(
            actor,
            patient,
            Event.Kind.DEATH_DECLARED,
            "Décès du patient déclaré",
            importance=Event.Importance.VERY_IMPORTANT,
        )
        journal(actor, patient, "declare_death")
        announce(Notice.PATIENT_DECEASED, actor, patient=patient, circle=True)
    return patient


def save_hospitalisation(actor: Actor, patient: Patient, stay: Hospitalisation) -> Hospitalisation:
    """DOS-4: past or planned stays; dates must be in order."""
    if stay.end_date and stay.end_date < stay.start_date:
        raise ValidationError({"end_date": "La date de sortie ne peut pas précéder la date d'entrée."})
    creating = stay.pk is None
    with transaction.atomic():
        stay.patient = patient
        if creating:
            stay.created_by = actor.user
        stay.save()
        kind = Event.Kind.HOSPITALISATION_ADDED if creating else Event.Kind.HOSPITALISATION_CHANGED
        verb = "ajoutée" if creating else "modifiée"
        record_event(
            actor,
            patient,
            kind,
            f"Hospitalisation {verb} : {stay.establishment_label} à partir du {stay.start_date:%d/%m/%Y}",
            hospitalisation=str(stay.public_id),
        )
        journal(actor, patient, "save_hospitalisation", what=str(stay.public_id))
    return stay


def cancel_hospitalisation(actor: Actor, stay: Hospitalisation) -> None:
    """Entered by mistake: kept, marked cancelled (SEC-3, no hard delete)."""
    with transaction.atomic():
        stay.cancelled_at = timezone.now()
        stay.save(update_fields=["cancelled_at", "updated_at"])
        record_event(
            actor,
            stay.patient,
            Event.Kind.HOSPITALISATION_CHANGED,
            f"Hospitalisation annulée : {stay.establishment_label} du {stay.start_date:%d/%m/%Y}",
        )
        journal(actor, stay.patient, "cancel_hospitalisation", what=str(stay.public_id))


def toggle_favourite(actor: Actor, patient: Patient) -> bool:
    """DOS-5: favourites belong to the person, even when acting as a structure."""
    with transaction.atomic():
        deleted, _ = Favourite.objects.filter(user=actor.user, patient=patient).delete()
        if deleted:
            return False
        Favourite.objects.create(user=actor.user, patient=patient)
        return True


def link_dossiers(actor: Actor, patient: Patient, other: Patient, relation: RelationType) -> PatientLink:
    """DOS-6: both dossiers must be open to the actor; the link reads both ways."""
    if other.pk == patient.pk:
        raise ValidationError({"other": "Un dossier ne peut pas être lié à lui-même."})
    if not can(actor, Perm.MANAGE_LINKS, other):
        raise PermissionDenied
    already = PatientLink.objects.filter(removed_at__isnull=True).filter(
        from_patient__in=[patient, other], to_patient__in=[patient, other]
    )
    if already.exists():
        raise ValidationError({"other": "Ces deux dossiers sont déjà liés."})
    with transaction.atomic():
        link = PatientLink.objects.create(
            from_patient=patient, to_patient=other, relation=relation, created_by=actor.user
        )
        for subject, label, target in (
            (patient, relation.label, other),
            (other, relation.reverse_label, patient),
        ):
            record_event(
                actor,
                subject,
                Event.Kind.LINK_ADDED,
                f"Dossier lié : {label} — {target.display_name}",
                link=str(link.public_id),
            )
            journal(actor, subject, "link_dossiers", what=str(link.public_id))
    return link


def unlink_dossiers(actor: Actor, link: PatientLink) -> None:
    with transaction.atomic():
        link.removed_at = timezone.now()
        link.save(update_fields=["removed_at", "updated_at"])
        for subject in (link.from_patient, link.to_patient):
            record_event(
                actor,
                subject,
                Event.Kind.LINK_REMOVED,
                "Lien entre dossiers retiré",
                link=str(link.public_id),
            )
            journal(actor, subject, "unlink_dossiers", what=str(link.public_id))
