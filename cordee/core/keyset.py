"""Keyset pages: "Suivant / Précédent" without OFFSET, over any order whose last key is unique.

A page starts after an anchor row (or ends before it): the rows past the anchor are those whose
sort keys compare past the anchor's, key after key — so the hundredth page reads from the index
what the first does, where OFFSET reads and drops every row before it. The activity feed pages
the same way on its one fixed order (activity/feed.py); this is the general form, for lists
sorted by a choice of columns (the requests' dashboard, DEM-2).

Nullable keys sort last whichever the direction, on PostgreSQL and SQLite alike; keys that
cannot be null keep the plain ASC / DESC, which the indexes are built in.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    nullable: bool = False

    @classmethod
    def parse(cls, spec: str, *, nullable: bool = False) -> Key:
        """`"-created_at"` → created_at, descending (Django's order_by spelling)."""
        return cls(spec.lstrip("-"), spec.startswith("-"), nullable)


def ordering(keys: Sequence[Key], *, reverse: bool = False) -> list[OrderBy]:
    """The keys' ORDER BY; `reverse` walks it from the other end (nulls first, then)."""
    order = []
    for key in keys:
        descending = key.descending != reverse
        if key.nullable:
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
            order.append(F(key.field).desc(**nulls) if descending else F(key.field).asc(**nulls))
        else:
            order.append(F(key.field).desc() if descending else F(key.field).asc())
    return order


def _beyond(key: Key, value: Any, *, backward: bool) -> Q | None:
    """The rows past `value` on this key alone, in the walking direction; None: none can be."""
    later = "lt" if key.descending != backward else "gt"
    if value is None:
        # Nulls come last: nothing is after a null; every value is before one.
        return Q(**{f"{key.field}__isnull": False}) if backward else None
    past = Q(**{f"{key.field}__{later}": value})
    if key.nullable and not backward:
        past |= Q(**{f"{key.field}__isnull": True})
    return past


def past_anchor(keys: Sequence[Key], values: Sequence[Any], *, backward: bool = False) -> Q:
    """`(k1, k2, …) > (v1, v2, …)` in the order's sense, spelt out key by key (the directions
    may differ, so no row comparison): k1 past v1, or k1 = v1 and k2 past v2, and so on."""
    branches: list[Q] = []
    same = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value, backward=backward)
        if beyond is not None:
            branches.append(same & beyond)
        same &= Q(**{f"{key.field}__isnull": True}) if value is None else Q(**{key.field: value})
    condition = reduce(or_, branches) if branches else Q(pk__in=[])
    first, start = keys[0], values[0]
    if start is not None and not first.nullable:
        # The same condition, plus the first key's bound alone: a range the index reads from.
        bound = "lte" if first.descending != backward else "gte"
        condition &= Q(**{f"{first.field}__{bound}": start})
    return condition


def anchor_values(
    rows: QuerySet[Any, Any], keys: Sequence[Key], public_id: uuid.UUID | None
) -> tuple[Any, ...] | None:
    """The sort keys of the anchor row, looked up among `rows` (the list's own scope, so an id
    from elsewhere anchors nothing: the list starts again at its first page)."""
    if public_id is None:
        return None
    found = rows.filter(public_id=public_id).values_list(*(key.field for key in keys)).first()
    return tuple(found) if found is not None else None


@dataclass(frozen=True)
class Window:
    """One keyset page: its rows, and the anchors of the pages on either side (None: no page)."""

    rows: list[Any]
    after: Any = None
    before: Any = None

    @property
    def has_next(self) -> bool:
        return self.after is not None

    @property
    def has_previous(self) -> bool:
        return self.before is not None


def window(
    rows: QuerySet[Any, Any],
    keys: Sequence[Key],
    size: int,
    *,
    after: tuple[Any, ...] | None = None,
    before: tuple[Any, ...] | None = None,
    anchor_of: Any = None,
) -> Window:
    """`size` rows of `rows` (a values / values_list queryset or models) after the anchor
    `after`, or ending before `before`, in the keys' order. `anchor_of(row)` is what the links
    carry to name a row as the next anchor (its public id). One query; two only when a
    "Précédent" leads back past the start or "Suivant" past the end (the first page is then
    read again, full)."""
    anchor_of = anchor_of or (lambda row: row)
    if before is not None:
        backward = rows.filter(past_anchor(keys, before, backward=True))
        found = list(backward.order_by(*ordering(keys, reverse=True))[: size + 1])
        if len(found) > size:
            page = list(reversed(found[:size]))
            return Window(page, after=anchor_of(page[-1]), before=anchor_of(page[0]))
        if len(found) == size:
            page = list(reversed(found))
            return Window(page, after=anchor_of(page[-1]) if page else None)
        after = None  # back past the start: the first page, full
    found = []
    if after is not None:
        found = list(rows.filter(past_anchor(keys, after)).order_by(*ordering(keys))[: size + 1])
        if not found:
            after = None  # past the end (the rows moved on): the first page
    if after is None:
        found = list(rows.order_by(*ordering(keys))[: size + 1])
    page = found[:size]
    return Window(
        page,
        after=anchor_of(page[-1]) if len(found) > size else None,
        before=anchor_of(page[0]) if after is not None and page else None,
    )
