"""Keyset pages: "Suivant / Précédent" without OFFSET, over any order whose last key is unique.

A page starts after an anchor row (or ends before it): the rows past the anchor are those whose
sort keys compare past the anchor's, key after key — so the hundredth page reads from the index
what the first does, where OFFSET reads and drops every row before it. The activity feed pages
the same way on its one fixed order (activity/feed.py); this is the general form, for lists
sorted by a choice of columns (the requests' dashboard, DEM-2).

The anchor's keys are read by subqueries of the page's own statement: a page after an anchor
costs one query, as the first page does. Keys are never null (a nullable column sorts through
an expression giving its nulls a place, `Key.expression`): a comparison with NULL would drop rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy


@dataclass(frozen=True)
class Key:
    """A sort key: a column, or `expression` (never null) under the name `field`."""

    field: str
    descending: bool = False
    expression: Any = None


def ordering(keys: Sequence[Key], *, reverse: bool = False) -> list[OrderBy]:
    """The keys' ORDER BY (on a queryset `keyed`); `reverse` walks it from the other end."""
    return [F(key.field).asc() if key.descending == reverse else F(key.field).desc() for key in keys]


def keyed(rows: QuerySet[Any, Any], keys: Sequence[Key], *, readable: bool = False) -> QuerySet[Any, Any]:
    """`rows` with the keys' expressions named (`readable`: as values a subquery can read)."""
    named = {key.field: key.expression for key in keys if key.expression is not None}
    if not named:
        return rows
    named_rows: QuerySet[Any, Any] = rows.annotate(**named) if readable else rows.alias(**named)
    return named_rows


def past_anchor(keys: Sequence[Key], anchor: QuerySet[Any, Any], *, backward: bool = False) -> Q:
    """`(k1, k2, …) > (a1, a2, …)` in the order's sense, spelt out key by key (the directions
    may differ, so no row comparison): k1 past a1, or k1 = a1 and k2 past a2, and so on; each
    `a` the anchor's key, read by a subquery of `anchor` (one row, keyed `readable`)."""
    values = [Subquery(anchor.values(key.field)[:1]) for key in keys]
    branches: list[Q] = []
    same = Q()
    for key, value in zip(keys, values, strict=True):
        later = "lt" if key.descending != backward else "gt"
        branches.append(same & Q(**{f"{key.field}__{later}": value}))
        same &= Q(**{key.field: value})
    # The same condition, plus the first key's bound alone: a range the index reads from.
    bound = "lte" if keys[0].descending != backward else "gte"
    return reduce(or_, branches) & Q(**{f"{keys[0].field}__{bound}": values[0]})


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
    scope: QuerySet[Any, Any],
    after: uuid.UUID | None = None,
    before: uuid.UUID | None = None,
    anchor_of: Callable[[Any], Any] = lambda row: row,
) -> Window:
    """`size` rows of `rows` (a values / values_list queryset, or models) after the row whose
    public id is `after`, or ending before `before`, in the keys' order. The anchor is looked
    for in `scope` (the list's own rows before its filters: one that has left the filters
    still anchors; one from elsewhere anchors nothing). `anchor_of(row)` is what the links carry
    to name a row as an anchor (its public id). One query; two when the anchor names nothing or
    "Précédent" / "Suivant" lead past either end (the first page is then read again, full)."""
    rows = keyed(rows, keys)
    if before is not None:
        anchor = keyed(scope.filter(public_id=before).order_by(), keys, readable=True)
        backward = rows.filter(past_anchor(keys, anchor, backward=True))
        found = list(backward.order_by(*ordering(keys, reverse=True))[: size + 1])
        if len(found) > size:
            page = list(reversed(found[:size]))
            return Window(page, after=anchor_of(page[-1]), before=anchor_of(page[0]))
        if len(found) == size:
            page = list(reversed(found))
            return Window(page, after=anchor_of(page[-1]))
    found = []
    if after is not None and before is None:
        anchor = keyed(scope.filter(public_id=after).order_by(), keys, readable=True)
        found = list(rows.filter(past_anchor(keys, anchor)).order_by(*ordering(keys))[: size + 1])
    anchored = bool(found)
    if not found:
        found = list(rows.order_by(*ordering(keys))[: size + 1])
    page = found[:size]
    return Window(
        page,
        after=anchor_of(page[-1]) if len(found) > size else None,
        before=anchor_of(page[0]) if anchored and page else None,
    )
