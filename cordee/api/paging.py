"""INT-1: the JSON API's lists, page by page — the dossier search's way for every list: `page`
(from 1) and `taille` (at most MAX_SIZE) in the query, bounds in the OpenAPI schema, a bad value
refused as problem+json in French (the pydantic messages of problems.py), and an envelope with
`has_next` and the absolute `next` link (the same query, the next page).

A page reads `taille + 1` rows in the same queries whatever the page: the extra row only says
whether a next page exists (no COUNT)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Schema

MAX_SIZE = 100
DEFAULT_SIZE = 20
MAX_PAGE = 10_000

Row = TypeVar("Row")


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Numéro de la page, à partir de 1.")
    taille: int = Field(
        DEFAULT_SIZE, ge=1, le=MAX_SIZE, description=f"Nombre d'éléments par page, de 1 à {MAX_SIZE}."
    )

    @property
    def start(self) -> int:
        return (self.page - 1) * self.taille

    @property
    def stop(self) -> int:
        """One row past the page's: it says whether a next page exists."""
        return self.start + self.taille + 1


class Page(Schema):
    page: int
    size: int = Field(description="La taille de page demandée.")
    has_next: bool
    next: str | None = Field(None, description="Adresse de la page suivante ; absente sur la dernière.")


def next_link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page + 1)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(
    request: HttpRequest, params: PageParams, rows: Sequence[Row], render: Callable[[Row], Any]
) -> dict[str, Any]:
    """The envelope of one page, from the page's rows and the one after it (if any)."""
    has_next = len(rows) > params.taille
    return {
        "page": params.page,
        "size": params.taille,
        "has_next": has_next,
        "next": next_link(request, params.page) if has_next else None,
        "results": [render(row) for row in rows[: params.taille]],
    }
