"""Dossier writes: one transaction each, the change, its activity event, its journal entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.merge import flag_potential_duplicates
from cordee.patients.models import Consent, IdentityStatus, Patient

IDENTITY_FIELDS = [
    "birth_name",
    "first_name",
    "birth_first_names",
    "birth_date",
    "sex",
    "birth_country",
    "birth_commune",
    "used_name",
    "used_first_name",
    "twin_rank",
    "nir",
    "email",
    "mobile",
    "address",
    "commune",
    "identity_status",
    "id_document",
    "id_document_checked_on",
    "is_homonym",
    "is_doubtful",
    "is_fictitious",
]


STRICT_TRAITS = {"birth_name", "first_name", "birth_date", "sex", "birth_commune", "used_name"}


class ConcurrentEditError(Exception):
    """SEC-4: someone saved the dossier since this form was opened."""

    message = (
        "Ce dossier a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert. "
        "Vos modifications n'ont pas été enregistrées : rechargez la page pour voir la version actuelle."
    )


@dataclass(frozen=True)
class ConsentInput:
    given_by: str
    given_by_detail: str = ""


def check_validated_identity(patient: Patient) -> None:
    """IDV-5: a validated identity carries no stand-in value, and a checked, accepted document."""
    if patient.identity_status != IdentityStatus.VALIDATED:
        return
    errors: dict[str, str] = {}
    if patient.provisional_traits:
        errors["identity_status"] = (
            "Une identité validée ne peut pas comporter de valeur provisoire "
            "(À DEMANDER, 01/01/1900, 99999) : " + ", ".join(patient.provisional_traits) + "."
        )
    if patient.is_fictitious or patient.is_doubtful:
        errors["identity_status"] = "Une identité douteuse ou fictive ne peut pas être validée."
    if not patient.id_document:
        errors["id_document"] = "Indiquez la pièce d'identité vérifiée pour valider l'identité."
    if not patient.id_document_checked_on:
        errors["id_document_checked_on"] = "Indiquez la date de vérification de la pièce d'identité."
    if errors:
        raise ValidationError(errors)


def create_patient(actor: Actor, patient: Patient, consent: ConsentInput) -> Patient:
    """IDV-1 + CON-1: only while acting as a structure, never without the consent attestation.

    The creator and the structure are habilitated automatically ("auto-habilitation", CIR-1).
    """
    if actor.structure is None:
        raise PermissionDenied("Un dossier se crée en agissant en tant que structure.")
    if not patient.used_name:
        patient.used_name = patient.birth_name
    if not patient.used_first_name:
        patient.used_first_name = patient.first_name
    check_validated_identity(patient)
    with transaction.atomic():
        patient.created_by = actor.user
        patient.created_by_structure = actor.structure
        patient.save()
        Consent.objects.create(
            patient=patient,
            given_by=consent.given_by,
            given_by_detail=consent.given_by_detail,
            structure=actor.structure,
            created_by=actor.user,
        )
        for row in (CircleMember(user=actor.user), CircleMember(structure=actor.structure)):
            row.patient = patient
            row.is_habilitated = True
            row.is_auto_habilitation = True
            row.created_by = actor.user
            row.save()
        record_event(actor, patient, Event.Kind.CREATED, "Dossier créé")
        journal(actor, patient, "create")
        flag_potential_duplicates(patient)
    return patient


def update_identity(
    actor: Actor, patient: Patient, changes: dict[str, Any], expected_version: int
) -> Patient:
    """SEC-4: saved only if nobody saved since `expected_version` was read; else nothing changes."""
    before = {name: getattr(patient, name) for name in IDENTITY_FIELDS}
    for name in IDENTITY_FIELDS:
        if name in changes:
            setattr(patient, name, changes[name])
    if not patient.used_name:
        patient.used_name = patient.birth_name
    if not patient.used_first_name:
        patient.used_first_name = patient.first_name
    # Compared once the defaults apply: clearing a "nom utilisé" equal to the birth name
    # changes nothing and must not be recorded as a change.
    changed = [name for name in IDENTITY_FIELDS if getattr(patient, name) != before[name]]
    check_validated_identity(patient)
    with transaction.atomic():
        updated = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if updated == 0:
            raise ConcurrentEditError
        patient.version = expected_version + 1
        patient.save()
        if changed:
            labels = [str(getattr(Patient._meta.get_field(name), "verbose_name", name)) for name in changed]
            validated = "identity_status" in changed and patient.identity_status == IdentityStatus.VALIDATED
            record_event(
                actor,
                patient,
                Event.Kind.IDENTITY_VALIDATED if validated else Event.Kind.IDENTITY_CHANGED,
                "Identité validée" if validated else "Identité modifiée : " + ", ".join(labels),
                fields=changed,
            )
        journal(actor, patient, "update_identity", what=", ".join(changed))
        if set(changed) & STRICT_TRAITS:
            flag_potential_duplicates(patient)
    return patient


def withdraw_consent(actor: Actor, consent: Consent, reason: str) -> None:
    """CON-3: a withdrawal needs a reason; the consent stays in the history."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Veuillez indiquer la raison de l'annulation du consentement."})
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            return
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor.user
        locked.withdrawal_reason = reason
        locked.save()
        record_event(
            actor,
            locked.patient,
            Event.Kind.CONSENT_WITHDRAWN,
            "Consentement annulé",
            importance=Event.Importance.IMPORTANT,
        )
        journal(actor, locked.patient, "withdraw_consent")


def record_consent(actor: Actor, patient: Patient, consent: ConsentInput) -> Consent:
    if actor.structure is None:
        raise PermissionDenied("Le consentement se recueille en agissant en tant que structure.")
    with transaction.atomic():
        created = Consent.objects.create(
            patient=patient,
            given_by=consent.given_by,
            given_by_detail=consent.given_by_detail,
            structure=actor.structure,
            created_by=actor.user,
        )
        record_event(actor, patient, Event.Kind.CONSENT_GIVEN, "Consentement recueilli")
        journal(actor, patient, "record_consent")
    return created
