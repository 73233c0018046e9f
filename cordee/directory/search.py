"""DIR-1: directory search over registered professionals and structures."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from cordee.accounts.models import Membership, Structure, User
from cordee.core.text import search_key


def _city_filter(prefix: str, value: str) -> Q:
    value = value.strip()
    if re.fullmatch(r"\d{2,5}", value):
        return Q(**{f"{prefix}commune__postal_codes__regex": rf"(^| ){value}"})
    return Q(**{f"{prefix}commune__name_key__startswith": search_key(value)})


def search_professionals(criteria: dict[str, Any]) -> QuerySet[User]:
    users = (
        User.objects.filter(is_active=True)
        .exclude(profession=None)
        .select_related("profession", "commune")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True).select_related("structure"),
                to_attr="active_memberships",
            )
        )
    )
    if criteria.get("nom"):
        key = search_key(criteria["nom"])
        users = users.filter(name_key__contains=key)
    if criteria.get("ville"):
        users = users.filter(_city_filter("", criteria["ville"]))
    if criteria.get("structure"):
        users = users.filter(
            memberships__structure=criteria["structure"], memberships__is_active=True
        ).distinct()
    if criteria.get("profession"):
        users = users.filter(profession=criteria["profession"])
    return users.order_by("last_name", "first_name", "pk")


def search_structures(criteria: dict[str, Any]) -> QuerySet[Structure]:
    structures = Structure.objects.filter(is_active=True).select_related("commune")
    if criteria.get("nom"):
        structures = structures.filter(name_key__contains=search_key(criteria["nom"]))
    if criteria.get("ville"):
        structures = structures.filter(_city_filter("", criteria["ville"]))
    if criteria.get("structure"):
        structures = structures.filter(pk=criteria["structure"].pk)
    if criteria.get("profession"):
        structures = structures.filter(
            memberships__user__profession=criteria["profession"], memberships__is_active=True
        ).distinct()
    return structures.order_by("name", "pk")
