"""DIR-1: directory search over registered professionals, the national directory's professionals
not registered (DIR-2, shown "non inscrit"), and structures."""

from __future__ import annotations

import re
from typing import Any, overload

from django.db.models import Model, Prefetch, Q, QuerySet

from cordee.accounts.models import Membership, Structure, User
from cordee.core.text import search_key
from cordee.directory.models import Activity, DirectoryProfessional


def city_filter(prefix: str, value: str) -> Q:
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
        users = users.filter(city_filter("", criteria["ville"]))
    if criteria.get("structure"):
        users = users.filter(
            memberships__structure=criteria["structure"], memberships__is_active=True
        ).distinct()
    if criteria.get("profession"):
        users = users.filter(profession=criteria["profession"])
    return users.order_by("last_name", "first_name", "pk")


def search_unregistered(criteria: dict[str, Any]) -> QuerySet[DirectoryProfessional]:
    """DIR-2: the national directory's active professionals without a Cordée account. They
    belong to no coordination structure of Cordée, so that criterion finds none of them."""
    entries = (
        DirectoryProfessional.objects.filter(is_active=True, user=None)
        .select_related("national_profession", "specialty")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.filter(is_active=True).select_related("commune").order_by("pk"),
                to_attr="active_activities",
            )
        )
    )
    if criteria.get("structure"):
        return entries.none()
    if criteria.get("nom"):
        entries = entries.filter(name_key__contains=search_key(criteria["nom"]))
    if criteria.get("ville"):
        entries = entries.filter(
            Q(city_filter("activities__", criteria["ville"])) & Q(activities__is_active=True)
        ).distinct()
    if criteria.get("profession"):
        entries = entries.filter(national_profession__profession=criteria["profession"])
    return entries.order_by("last_name", "first_name", "pk")


class Chained:
    """Two querysets paginated as one list (registered professionals first): the paginator
    counts each once and slices only the rows of the page asked for."""

    def __init__(self, *parts: QuerySet[Any]) -> None:
        self.parts = parts
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [part.count() for part in self.parts]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Model: ...
    @overload
    def __getitem__(self, index: slice) -> list[Model]: ...
    def __getitem__(self, index: int | slice) -> Model | list[Model]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        rows: list[Model] = []
        offset = 0
        for part, size in zip(self.parts, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                rows.extend(part[low:high])
            offset += size
        return rows


def search_structures(criteria: dict[str, Any]) -> QuerySet[Structure]:
    structures = Structure.objects.filter(is_active=True).select_related("commune")
    if criteria.get("nom"):
        structures = structures.filter(name_key__contains=search_key(criteria["nom"]))
    if criteria.get("ville"):
        structures = structures.filter(city_filter("", criteria["ville"]))
    if criteria.get("structure"):
        structures = structures.filter(pk=criteria["structure"].pk)
    if criteria.get("profession"):
        structures = structures.filter(
            memberships__user__profession=criteria["profession"], memberships__is_active=True
        ).distinct()
    return structures.order_by("name", "pk")
