"""CIR-8: favourite groups of professionals — create, fill, share, and add to a circle."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from cordee.accounts.models import User
from cordee.careteam import services
from cordee.careteam.models import FavouriteGroup, FavouriteGroupShare
from cordee.core.actor import Actor
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.patients.models import Patient


def usable_groups(user: User) -> QuerySet[FavouriteGroup]:
    """A person's own groups and the groups colleagues shared with them (personal, even when
    acting as a structure)."""
    return (
        FavouriteGroup.objects.filter(Q(owner=user) | Q(shares__user=user))
        .distinct()
        .select_related("owner")
        .prefetch_related("members")
    )


def create_group(user: User, name: str) -> FavouriteGroup:
    name = name.strip()
    if "\x00" in name or len(name) > 100:  # whatever the path: never stored, never a 500
        raise ValidationError({"name": "Ce nom n'est pas valide (100 caractères au plus)."})
    if not name:
        raise ValidationError({"name": "Veuillez indiquer le nom du groupe."})
    if FavouriteGroup.objects.filter(owner=user, name__iexact=name).exists():
        raise ValidationError({"name": "Vous avez déjà un groupe de ce nom."})
    return FavouriteGroup.objects.create(owner=user, name=name, created_by=user)


def _own(user: User, group: FavouriteGroup) -> None:
    if group.owner_id != user.pk:
        raise PermissionDenied


def add_to_group(user: User, group: FavouriteGroup, professional: User) -> None:
    _own(user, group)
    if professional.profession_id is None or not professional.is_active:
        raise ValidationError("Seul un professionnel inscrit peut faire partie d'un groupe.")
    group.members.add(professional)


def remove_from_group(user: User, group: FavouriteGroup, professional: User) -> None:
    _own(user, group)
    group.members.remove(professional)


def share_group(user: User, group: FavouriteGroup, colleague: User) -> FavouriteGroupShare:
    """The share is recorded and told to the colleague (NOT-1 "Partage d'un groupe de favoris")."""
    _own(user, group)
    if colleague.pk == user.pk:
        raise ValidationError("Ce groupe vous appartient déjà.")
    with transaction.atomic():
        share, created = FavouriteGroupShare.objects.get_or_create(
            group=group, user=colleague, defaults={"shared_by": user}
        )
        if created:
            about = {"group": str(group.public_id), "label": group.name}
            announce(Notice.GROUP_SHARED, Actor(user), users=[colleague], data=about)
    return share


def add_group_to_circle(actor: Actor, patient: Patient, group: FavouriteGroup, *, habilitated: bool) -> int:
    """CIR-8: every professional of the group in the circle at once; one transaction."""
    if not usable_groups(actor.user).filter(pk=group.pk).exists():
        raise PermissionDenied
    count = 0
    with transaction.atomic():
        for professional in group.members.filter(is_active=True).order_by("last_name"):
            count += services.ensure_in_circle(actor, patient, professional, habilitated=habilitated)
    return count
