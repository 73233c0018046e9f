"""ACT-2: who reads which memo, and the three writes (create, edit, delete).

Reading: the "Mémo" section of the rights matrix opens the panel; then a public memo is read by
everyone there, a shared memo by its author and the members chosen (a structure chosen: whoever
acts for it), a private memo only by who acts for the structure that wrote it — not by its
delegates acting in their own name, the author included (the seed's rule).
Writing: the section's write right, and being the memo's author or acting for its structure.
Each write is one transaction with its journal row, and an event in the feed for public memos
only (a shared or private memo's title is not the whole circle's to read).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.memos.models import MEMO_TEXT_MAX_LENGTH, MEMO_TITLE_MAX_LENGTH, Memo, MemoShare, Visibility
from cordee.patients.models import Patient


class StaleMemoError(Exception):
    """SEC-4: the memo changed since this copy of it was opened."""

    message = (
        "Ce mémo a été modifié ou supprimé par quelqu'un d'autre depuis que vous l'avez ouvert. "
        "Vos modifications n'ont pas été enregistrées : rechargez la page pour voir la version actuelle."
    )


@dataclass(frozen=True)
class MemoInput:
    title: str
    text: str
    visibility: str
    shared_with: tuple[CircleMember, ...] = ()


def share_choices(patient: Patient) -> QuerySet[CircleMember]:
    """Who a memo may be shared with: the habilitated professionals and structures of the circle
    the patient did not refuse sharing with (CIR-2)."""
    return (
        CircleMember.objects.filter(
            patient=patient, removed_at__isnull=True, is_habilitated=True, sharing_refused=False
        )
        .select_related("user", "structure")
        .order_by("structure__name", "user__last_name", "user__first_name", "pk")
    )


def visible_memos(actor: Actor, patient: Patient) -> QuerySet[Memo]:
    if not can(actor, Perm.VIEW_MEMOS, patient):
        return Memo.objects.none()
    shared_to_me = Q(Exists(MemoShare.objects.filter(memo=OuterRef("pk"), member__user=actor.user)))
    if actor.structure is not None:
        shared_to_me |= Q(
            Exists(MemoShare.objects.filter(memo=OuterRef("pk"), member__structure=actor.structure))
        )
    condition = Q(visibility=Visibility.PUBLIC) | Q(
        Q(visibility=Visibility.SHARED) & (Q(created_by=actor.user) | shared_to_me)
    )
    if actor.structure is not None:
        condition |= Q(visibility=Visibility.PRIVATE, structure=actor.structure)
    return Memo.objects.filter(patient=patient, deleted_at__isnull=True).filter(condition)


def may_change(actor: Actor, memo: Memo) -> bool:
    """The matrix's write right, and the memo is the actor's own or their structure's."""
    own = memo.created_by_id == actor.user.pk and memo.visibility != Visibility.PRIVATE
    structure = actor.structure is not None and memo.structure_id == actor.structure.pk
    return memo.deleted_at is None and (own or structure) and can(actor, Perm.WRITE_MEMOS, memo.patient)


def _clean(actor: Actor, patient: Patient, given: MemoInput) -> MemoInput:
    errors: dict[str, str] = {}
    title, text = (given.title or "").strip(), (given.text or "").strip()
    if not title:
        errors["title"] = "Donnez un titre au mémo."
    elif len(title) > MEMO_TITLE_MAX_LENGTH:
        errors["title"] = f"Le titre ne peut dépasser {MEMO_TITLE_MAX_LENGTH} caractères."
    if not text:
        errors["text"] = "Écrivez le texte du mémo."
    elif len(text) > MEMO_TEXT_MAX_LENGTH:
        errors["text"] = (
            f"Le mémo ne peut dépasser {MEMO_TEXT_MAX_LENGTH} caractères (il en compte {len(text)})."
        )
    if "\x00" in title + text:
        errors["text"] = "Le texte contient un caractère non autorisé."
    if given.visibility not in Visibility.values:
        errors["visibility"] = "Choisissez la visibilité du mémo."
    elif given.visibility == Visibility.PRIVATE and actor.structure is None:
        errors["visibility"] = "Un mémo privé s'écrit en agissant pour une structure (« Agir en tant que »)."
    shared: tuple[CircleMember, ...] = ()
    if given.visibility == Visibility.SHARED:
        allowed = set(share_choices(patient).values_list("pk", flat=True))
        shared = tuple(given.shared_with)
        if not shared:
            errors["shared_with"] = "Choisissez au moins une personne ou une structure du cercle de soins."
        elif any(member.pk not in allowed for member in shared):
            errors["shared_with"] = (
                "Le mémo ne peut être partagé qu'avec des membres habilités du cercle de soins."
            )
    if errors:
        raise ValidationError(errors)
    return MemoInput(title=title, text=text, visibility=given.visibility, shared_with=shared)


def _share(memo: Memo, members: Iterable[CircleMember]) -> None:
    MemoShare.objects.filter(memo=memo).delete()
    MemoShare.objects.bulk_create([MemoShare(memo=memo, member=member) for member in members])


def create_memo(actor: Actor, patient: Patient, given: MemoInput) -> Memo:
    """ACT-2: written by who holds the "Mémo" section's write right."""
    if not can(actor, Perm.WRITE_MEMOS, patient):
        raise PermissionDenied
    clean = _clean(actor, patient, given)
    with transaction.atomic():
        memo = Memo.objects.create(
            patient=patient,
            title=clean.title,
            text=clean.text,
            visibility=clean.visibility,
            structure=actor.structure,
            created_by=actor.user,
            updated_by=actor.user,
        )
        _share(memo, clean.shared_with)
        if memo.visibility == Visibility.PUBLIC:
            record_event(
                actor, patient, Event.Kind.MEMO_ADDED, f"Mémo ajouté : {memo.title}", memo=str(memo.public_id)
            )
        journal(actor, patient, "memo_created", what=str(memo.public_id))
    return memo


def edit_memo(actor: Actor, memo: Memo, given: MemoInput, *, expected_version: int) -> Memo:
    """ACT-2 with SEC-4: an edit made on a stale copy is refused, never written over the newer."""
    if not may_change(actor, memo):
        raise PermissionDenied
    clean = _clean(actor, memo.patient, given)
    written_here = actor.structure is not None and memo.structure_id == actor.structure.pk
    if clean.visibility == Visibility.PRIVATE and not written_here:
        raise ValidationError({"visibility": "Seule la structure qui a écrit le mémo peut le rendre privé."})
    with transaction.atomic():
        updated = Memo.objects.filter(pk=memo.pk, version=expected_version, deleted_at__isnull=True).update(
            title=clean.title,
            text=clean.text,
            visibility=clean.visibility,
            version=expected_version + 1,
            updated_by=actor.user,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleMemoError
        memo.refresh_from_db()
        _share(memo, clean.shared_with)
        if memo.visibility == Visibility.PUBLIC:
            record_event(
                actor,
                memo.patient,
                Event.Kind.MEMO_CHANGED,
                f"Mémo modifié : {memo.title}",
                memo=str(memo.public_id),
            )
        journal(actor, memo.patient, "memo_edited", what=str(memo.public_id))
    return memo


def delete_memo(actor: Actor, memo: Memo, *, expected_version: int) -> None:
    """ACT-2: deleted per rights, kept as a row (SEC-3)."""
    if not may_change(actor, memo):
        raise PermissionDenied
    with transaction.atomic():
        updated = Memo.objects.filter(pk=memo.pk, version=expected_version, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), deleted_by=actor.user, version=expected_version + 1
        )
        if not updated:
            raise StaleMemoError
        if memo.visibility == Visibility.PUBLIC:
            record_event(
                actor,
                memo.patient,
                Event.Kind.MEMO_DELETED,
                f"Mémo supprimé : {memo.title}",
                memo=str(memo.public_id),
            )
        journal(actor, memo.patient, "memo_deleted", what=str(memo.public_id))
