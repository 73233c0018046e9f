"""SRCH-4: saved filters — save with a name, pick, one default (★), delete (irreversible) — for
the active file, and for any list that names itself a `Board` (the requests dashboard, DEM-2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from cordee.core.forms import NameForm
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.patients.active_file import COLUMNS, ActiveFileFilterForm
from cordee.patients.models import SavedFilter

QUERY_MAX_LENGTH = SavedFilter._meta.get_field("query").max_length or 0


@dataclass(frozen=True)
class Board:
    """A list whose filters are saved: where it lives, and how a query is kept to its own
    filters (validated like a search: a value the search would refuse is not saved either)."""

    kind: str
    path: str
    clean: Callable[[AuthedRequest, str], str]
    # The list without any filter, and without applying the default either.
    everything: str = "tous=1"

    def list(self, query: str = "") -> HttpResponse:
        return redirect(f"{self.path}?{query or self.everything}")

    def mine(self, request: AuthedRequest) -> QuerySet[SavedFilter]:
        return SavedFilter.objects.filter(user=request.user, board=self.kind)

    def default(self, request: AuthedRequest) -> HttpResponse | None:
        """The default search (★) applies on arrival without parameters, and the URL says so."""
        if request.GET:
            return None
        chosen = self.mine(request).filter(is_default=True).first()
        if chosen is None:
            return None
        return redirect(f"{request.path}?{chosen.query}&filtre={chosen.public_id}")


def clean_query(form: forms.Form, raw: str) -> str:
    """Keep only the form's own filters; `form` is bound to `raw`."""
    incoming = QueryDict(raw)
    form.is_valid()
    allowed = set(form.fields) - {"page"} - set(form.errors)
    pairs = [(key, value) for key in incoming for value in incoming.getlist(key) if key in allowed and value]
    return urlencode(pairs)


def _clean_query(raw: str) -> str:
    return clean_query(ActiveFileFilterForm(QueryDict(raw)), raw)


ACTIVE_FILE = Board(SavedFilter.Board.ACTIVE_FILE, "/patients/", lambda request, raw: _clean_query(raw))


def save_filter(request: AuthedRequest, board: Board) -> HttpResponse:
    query = board.clean(request, request.POST.get("query", ""))
    name_form = NameForm(request.POST)
    if not name_form.is_valid():
        messages.error(request, name_form.message())
        return board.list(query)
    name = name_form.cleaned_data["name"]
    if not name:
        messages.error(request, "Veuillez donner un nom au filtre.")
        return board.list(query)
    if not query:
        messages.error(request, "Choisissez au moins un critère avant d'enregistrer le filtre.")
        return board.list(query)
    # Issue 24: each criterion fits its field, their URL-encoded whole may not fit the column
    # (an accented letter takes 6 characters, an emoji 12): cut, it would be another filter.
    if len(query) > QUERY_MAX_LENGTH:
        messages.error(
            request,
            "Ces critères sont trop longs pour être enregistrés comme filtre : retirez-en quelques-uns.",
        )
        return board.list(query)
    try:
        with transaction.atomic():
            saved = SavedFilter.objects.create(
                user=request.user, board=board.kind, name=name, query=query, created_by=request.user
            )
    except IntegrityError:
        messages.error(request, f"Vous avez déjà un filtre nommé « {name} ».")
        return board.list(query)
    messages.success(request, f"Le filtre « {saved.name} » est enregistré.")
    return redirect(f"{board.path}?{saved.query}&filtre={saved.public_id}")


def _own(request: AuthedRequest, board: Board, public_id: str) -> SavedFilter:
    """One's own filter of this list; another's, or another list's, does not exist."""
    return get_object_or_404(board.mine(request), public_id=parse_uuid(public_id))


def make_default_filter(request: AuthedRequest, board: Board, public_id: str) -> HttpResponse:
    """Only one default per list: choosing one unsets the other; choosing it again unsets it."""
    chosen = _own(request, board, public_id)
    with transaction.atomic():
        was_default = chosen.is_default
        board.mine(request).filter(is_default=True).update(is_default=False)
        if not was_default:
            chosen.is_default = True
            chosen.save(update_fields=["is_default", "updated_at"])
    text = "n'est plus la recherche par défaut" if was_default else "est votre recherche par défaut ★"
    messages.success(request, f"« {chosen.name} » {text}.")
    return redirect(f"{board.path}?{chosen.query}&filtre={chosen.public_id}")


def delete_filter(request: AuthedRequest, board: Board, public_id: str) -> HttpResponse:
    chosen = _own(request, board, public_id)
    name = chosen.name
    chosen.delete()  # a search preference, not medical data: a real deletion, as the seed says
    messages.success(request, f"Le filtre « {name} » est supprimé.")
    return board.list()


@require_POST
def save(request: AuthedRequest) -> HttpResponse:
    return save_filter(request, ACTIVE_FILE)


@require_POST
def make_default(request: AuthedRequest, public_id: str) -> HttpResponse:
    return make_default_filter(request, ACTIVE_FILE, public_id)


@require_POST
def delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    return delete_filter(request, ACTIVE_FILE, public_id)


@require_POST
def columns(request: AuthedRequest) -> HttpResponse:
    """Issue 23: the active file's columns, chosen and kept for this person; back to the search."""
    COLUMNS.save(request.user, request.POST.getlist("colonne"))
    messages.success(request, "Les colonnes choisies sont enregistrées.")
    return ACTIVE_FILE.list(_clean_query(request.POST.get("query", "")))
