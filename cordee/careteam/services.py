"""Care-circle writes (CIR-3 … CIR-6): each one transaction, an activity event, a journal row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cordee.accounts.models import Structure, User
from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core.actor import Actor
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.patients.models import Patient

DETAIL_FIELDS = ["description", "establishment", "unit", "function", "address"]


def _live(patient: Patient) -> Any:
    return CircleMember.objects.filter(patient=patient, removed_at__isnull=True)


def _event(
    actor: Actor, patient: Patient, summary: str, action: str, member: CircleMember, **data: Any
) -> None:
    importance = Event.Importance.IMPORTANT if action == "habilitation_removed" else Event.Importance.NORMAL
    record_event(
        actor,
        patient,
        Event.Kind.CIRCLE_CHANGED,
        summary,
        importance=importance,
        action=action,
        member=str(member.public_id),
        **data,
    )
    journal(actor, patient, f"circle_{action}", what=member.display_name)


def _tell_habilitation_removed(actor: Actor, member: CircleMember) -> None:
    """NOT-1 "Suppression d'une habilitation sur un patient": told to the professional, or to the
    structure's members — who can no longer see the dossier, so the entry will not name it."""
    if member.is_manual:
        return
    announce(
        Notice.HABILITATION_REMOVED,
        actor,
        patient=member.patient,
        users=[member.user_id] if member.user_id else [],
        structures=[member.structure_id] if member.structure_id else [],
        check_access=False,
    )


def add_professional(
    actor: Actor, patient: Patient, user: User, *, habilitated: bool, roles: Iterable[CircleRole] = ()
) -> CircleMember:
    """CIR-3: a registered professional from the directory, with or without habilitation."""
    if not user.is_active or user.profession_id is None:
        raise ValidationError("Seul un professionnel inscrit peut être ajouté depuis l'annuaire.")
    if _live(patient).filter(user=user).exists():
        raise ValidationError(f"{user.display_name} fait déjà partie du cercle de soins.")
    with transaction.atomic():
        member = CircleMember.objects.create(
            patient=patient,
            user=user,
            is_habilitated=habilitated,
            created_by=actor.user,
            function=str(user.profession) if user.profession else "",
        )
        member.roles.set(roles)
        state = "avec habilitation" if habilitated else "sans habilitation"
        _event(actor, patient, f"{user.display_name} ajouté(e) au cercle de soins {state}", "added", member)
    return member


def add_structure(
    actor: Actor,
    patient: Patient,
    structure: Structure,
    *,
    habilitated: bool,
    roles: Iterable[CircleRole] = (),
) -> CircleMember:
    """CIR-4: its members reach the dossier through it while acting for it."""
    if _live(patient).filter(structure=structure).exists():
        raise ValidationError(f"{structure.name} fait déjà partie du cercle de soins.")
    with transaction.atomic():
        member = CircleMember.objects.create(
            patient=patient, structure=structure, is_habilitated=habilitated, created_by=actor.user
        )
        member.roles.set(roles)
        state = "avec habilitation" if habilitated else "sans habilitation"
        _event(
            actor, patient, f"Structure {structure.name} ajoutée au cercle de soins {state}", "added", member
        )
    return member


def add_manual(
    actor: Actor, patient: Patient, member: CircleMember, roles: Iterable[CircleRole] = ()
) -> CircleMember:
    """CIR-3 "Ajout manuel": a relative, or someone not in the directory; never any access."""
    with transaction.atomic():
        member.patient = patient
        member.is_manual = True
        member.is_habilitated = False
        member.created_by = actor.user
        member.save()
        member.roles.set(roles)
        _event(
            actor,
            patient,
            f"{member.display_name} ajouté(e) manuellement au cercle de soins",
            "added",
            member,
        )
    return member


def _check_still_reachable(patient: Patient) -> None:
    """CIR-5/6: after a change, the dossier keeps at least one habilitated member whose access
    the patient has not refused — checked on the state the change leaves, inside its
    transaction, so no order of changes (remove the structure, then refuse sharing on one's own
    row…) leaves a dossier nobody can open (issue 24). The dossier's row is locked first: two
    changes at once are checked one after the other."""
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).first()
    if not _live(patient).filter(is_habilitated=True, sharing_refused=False).exists():
        raise ValidationError("Le dossier doit garder au moins un membre habilité.")


def update_member(
    actor: Actor,
    member: CircleMember,
    *,
    details: dict[str, str],
    roles: Iterable[CircleRole],
    habilitated: bool,
    sharing_refused: bool,
) -> CircleMember:
    """CIR-5: role, description, establishment, unit, function, address, refusal, habilitation."""
    if member.is_manual and habilitated:
        raise ValidationError("Une personne ajoutée manuellement ne peut pas être habilitée.")
    with transaction.atomic():
        was_habilitated, was_refused = member.is_habilitated, member.sharing_refused
        for name in DETAIL_FIELDS:
            if name in details:
                setattr(member, name, details[name])
        member.is_habilitated = habilitated
        member.sharing_refused = sharing_refused
        if was_habilitated and not habilitated:
            member.habilitation_removed_at = timezone.now()
        member.save()
        member.roles.set(roles)
        name = member.display_name
        if habilitated and not was_habilitated:
            _event(actor, member.patient, f"{name} est habilité(e) sur le dossier", "habilitated", member)
        elif was_habilitated and not habilitated:
            _event(actor, member.patient, f"Habilitation retirée à {name}", "habilitation_removed", member)
            _tell_habilitation_removed(actor, member)
        if sharing_refused != was_refused:
            text = "refuse" if sharing_refused else "ne refuse plus"
            _event(
                actor,
                member.patient,
                f"Le patient {text} le partage d'information avec {name}",
                "refusal",
                member,
            )
        _event(
            actor,
            member.patient,
            f"Informations de {name} mises à jour dans le cercle de soins",
            "updated",
            member,
        )
        _check_still_reachable(member.patient)
    return member


def remove_habilitation(actor: Actor, member: CircleMember) -> None:
    """CIR-6: still listed ("Plus d'habilitation"), no more access."""
    if not member.is_habilitated:
        return
    with transaction.atomic():
        member.is_habilitated = False
        member.habilitation_removed_at = timezone.now()
        member.save(update_fields=["is_habilitated", "habilitation_removed_at", "updated_at"])
        _event(
            actor,
            member.patient,
            f"Habilitation retirée à {member.display_name}",
            "habilitation_removed",
            member,
        )
        _tell_habilitation_removed(actor, member)
        _check_still_reachable(member.patient)


def delete_member(actor: Actor, member: CircleMember) -> None:
    """CIR-6 "Supprimer": out of the circle and of the dossier; the row is kept for history."""
    with transaction.atomic():
        member.removed_at = timezone.now()
        if member.is_habilitated:
            _tell_habilitation_removed(actor, member)
            member.is_habilitated = False
            member.habilitation_removed_at = member.removed_at
        member.save(update_fields=["removed_at", "is_habilitated", "habilitation_removed_at", "updated_at"])
        _event(
            actor, member.patient, f"{member.display_name} retiré(e) du cercle de soins", "removed", member
        )
        _check_still_reachable(member.patient)


class BulkAction:
    ADD = "add"
    ADD_HABILITATED = "add_habilitated"
    REMOVE_HABILITATION = "remove_habilitation"
    DELETE = "delete"
    LABELS = {
        ADD: "Ajouter SANS habilitation",
        ADD_HABILITATED: "Ajouter AVEC habilitation",
        REMOVE_HABILITATION: "Retirer l'habilitation",
        DELETE: "Supprimer",
    }


def ensure_in_circle(actor: Actor, patient: Patient, professional: User, *, habilitated: bool) -> bool:
    """Add the professional if absent, habilitate them if asked and not yet; True if anything changed."""
    row = _live(patient).filter(user=professional).first()
    if row is None:
        add_professional(actor, patient, professional, habilitated=habilitated)
        return True
    if habilitated and not row.is_habilitated:
        update_member(
            actor,
            row,
            details={},
            roles=row.roles.all(),
            habilitated=True,
            sharing_refused=row.sharing_refused,
        )
        return True
    return False


def supervised_dossiers(structure: Structure) -> Any:
    """CIR-7: the dossiers a structure is habilitated on, i.e. that it supervises."""
    rows = CircleMember.objects.filter(structure=structure, is_habilitated=True, removed_at__isnull=True)
    return Patient.objects.filter(pk__in=rows.values("patient"), merged_into__isnull=True)


def apply_to_circles(actor: Actor, patients: Iterable[Patient], professional: User, action: str) -> int:
    """CIR-7: one professional added to, or removed from, several circles at once.

    A structure's super user acting for it, on dossiers the structure supervises, for one of
    its own professionals. All or nothing: one transaction; a refusal on one dossier (the last
    habilitated member…) leaves every circle as it was.
    """
    structure = actor.structure
    if structure is None or not actor.is_structure_superuser:
        raise PermissionDenied
    if not professional.memberships.filter(structure=structure, is_active=True).exists():
        raise ValidationError("Ce professionnel n'est pas membre de la structure.")
    supervised = set(supervised_dossiers(structure).values_list("pk", flat=True))
    patients = list(patients)
    if not patients:
        raise ValidationError("Sélectionnez au moins un dossier.")
    if any(patient.pk not in supervised for patient in patients):
        raise PermissionDenied
    done = 0
    with transaction.atomic():
        for patient in patients:
            row = _live(patient).filter(user=professional).first()
            try:
                if action in (BulkAction.ADD, BulkAction.ADD_HABILITATED):
                    habilitated = action == BulkAction.ADD_HABILITATED
                    done += ensure_in_circle(actor, patient, professional, habilitated=habilitated)
                elif action == BulkAction.REMOVE_HABILITATION and row is not None and row.is_habilitated:
                    remove_habilitation(actor, row)
                    done += 1
                elif action == BulkAction.DELETE and row is not None:
                    delete_member(actor, row)
                    done += 1
            except ValidationError as exc:
                raise ValidationError(f"{patient.display_name} : {' '.join(exc.messages)}") from exc
    return done
