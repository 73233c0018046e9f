"""IDV-8: detect potential duplicates across dossiers; merge two dossiers of the same person.

A merge moves everything attached to the merged dossier onto the survivor and leaves the
merged one as a tombstone (`merged_into`) that the access policy never serves again. The
access journal is append-only: its rows keep pointing at the tombstone, and the survivor's
journal page reads both.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.patients.matching import find_candidates, traits_of
from cordee.patients.models import (
    Consent,
    Favourite,
    Hospitalisation,
    Patient,
    PatientLink,
    PotentialDuplicate,
)

# Stricter than the search before creation: these flags are raised without anyone asking.
DUPLICATE_THRESHOLD = 0.9


def _pair(a: Patient, b: Patient) -> tuple[Patient, Patient]:
    return (a, b) if a.pk < b.pk else (b, a)


def flag_potential_duplicates(patient: Patient) -> list[PotentialDuplicate]:
    """Called after an identity is created or changed, in the same transaction."""
    flags = []
    for candidate in find_candidates(traits_of(patient), exclude_pk=patient.pk, limit=20):
        if candidate.score < DUPLICATE_THRESHOLD:
            continue
        first, second = _pair(patient, candidate.patient)
        flag, _ = PotentialDuplicate.objects.get_or_create(
            first=first, second=second, defaults={"score": candidate.score}
        )
        flags.append(flag)
    return flags


def open_duplicates(patient: Patient) -> QuerySet[PotentialDuplicate]:
    return PotentialDuplicate.objects.filter(
        Q(first=patient) | Q(second=patient),
        status=PotentialDuplicate.Status.OPEN,
        first__merged_into__isnull=True,
        second__merged_into__isnull=True,
    ).select_related("first", "second", "first__birth_commune", "second__birth_commune")


def dismiss_duplicate(actor: Actor, flag: PotentialDuplicate) -> None:
    """ "Ce ne sont pas les mêmes personnes": the pair is not proposed again. Deciding it needs
    the rights comparing and merging need, on both dossiers (issue 24: a coordinator who had
    created a same-traits dossier dismissed the flag on a pediatrician's dossier he cannot see)."""
    if not (can(actor, Perm.MERGE, flag.first) and can(actor, Perm.MERGE, flag.second)):
        raise PermissionDenied
    with transaction.atomic():
        flag.status = PotentialDuplicate.Status.DISMISSED
        flag.decided_by = actor.user
        flag.decided_at = timezone.now()
        flag.save()
        for patient in (flag.first, flag.second):
            journal(actor, patient, "dismiss_duplicate", what=str(flag.public_id))


def merge_dossiers(actor: Actor, survivor: Patient, merged: Patient) -> Patient:
    """Merge `merged` into `survivor`: a structure's super user, habilitated on both."""
    if survivor.pk == merged.pk:
        raise ValidationError("Un dossier ne peut pas être fusionné avec lui-même.")
    if not (can(actor, Perm.MERGE, survivor) and can(actor, Perm.MERGE, merged)):
        raise PermissionDenied
    with transaction.atomic():
        locked = {
            p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        }
        if any(p.merged_into_id is not None for p in locked.values()):
            raise ValidationError("L'un des deux dossiers a déjà été fusionné.")
        moved = {
            "consentements": Consent.objects.filter(patient=merged).update(patient=survivor),
            "hospitalisations": Hospitalisation.objects.filter(patient=merged).update(patient=survivor),
            "événements": Event.objects.filter(patient=merged).update(patient=survivor),
        }
        _move_circle(merged, survivor)
        _move_favourites(merged, survivor)
        _move_links(merged, survivor)
        merged.merged_into = survivor
        merged.merged_at = timezone.now()
        merged.save(update_fields=["merged_into", "merged_at", "updated_at"])
        PotentialDuplicate.objects.filter(
            Q(first=merged, second=survivor) | Q(first=survivor, second=merged)
        ).update(status=PotentialDuplicate.Status.MERGED, decided_by=actor.user, decided_at=timezone.now())
        record_event(
            actor,
            survivor,
            Event.Kind.MERGED,
            f"Dossier fusionné : le dossier de {merged.display_name} (né(e) le {merged.birth_date:%d/%m/%Y}) "
            "a été rattaché à celui-ci",
            importance=Event.Importance.IMPORTANT,
            merged=str(merged.public_id),
            moved=moved,
        )
        journal(actor, survivor, "merge", what=f"absorbe {merged.public_id}")
        journal(actor, merged, "merge", what=f"fusionné dans {survivor.public_id}")
    return survivor


def _move_circle(merged: Patient, survivor: Patient) -> None:
    """Members of both circles keep the survivor's row; habilitations are never lost."""
    for row in CircleMember.objects.filter(patient=merged, removed_at__isnull=True):
        twin = CircleMember.objects.filter(
            patient=survivor, removed_at__isnull=True, user=row.user, structure=row.structure
        ).first()
        if twin is None:
            row.patient = survivor
            row.save(update_fields=["patient", "updated_at"])
            continue
        if row.is_habilitated and not twin.is_habilitated:
            twin.is_habilitated = True
        twin.sharing_refused = twin.sharing_refused or row.sharing_refused
        twin.save(update_fields=["is_habilitated", "sharing_refused", "updated_at"])
        row.removed_at = timezone.now()
        row.save(update_fields=["removed_at", "updated_at"])


def _move_favourites(merged: Patient, survivor: Patient) -> None:
    for favourite in Favourite.objects.filter(patient=merged):
        if not Favourite.objects.filter(user=favourite.user, patient=survivor).exists():
            Favourite.objects.create(user=favourite.user, patient=survivor)
    Favourite.objects.filter(patient=merged).delete()  # a bookmark, not medical data


def _move_links(merged: Patient, survivor: Patient) -> None:
    now = timezone.now()
    for link in PatientLink.objects.filter(removed_at__isnull=True).filter(
        Q(from_patient=merged) | Q(to_patient=merged)
    ):
        if link.from_patient_id == merged.pk:
            link.from_patient = survivor
        if link.to_patient_id == merged.pk:
            link.to_patient = survivor
        if link.from_patient_id == link.to_patient_id:
            # The two dossiers were linked to each other: the link has no object left.
            PatientLink.objects.filter(pk=link.pk).update(removed_at=now)
            continue
        link.save(update_fields=["from_patient", "to_patient", "updated_at"])
