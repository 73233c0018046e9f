"""SRCH-4: saved filters — save with a name, pick, one default (★), delete (irreversible)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from cordee.core.forms import NameForm
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.patients.active_file import COLUMNS, ActiveFileFilterForm
from cordee.patients.models import SavedFilter

QUERY_MAX_LENGTH = SavedFilter._meta.get_field("query").max_length or 0


def _list(query: str = "") -> HttpResponse:
    return redirect(f"/patients/?{query}" if query else "/patients/?tous=1")


def _clean_query(raw: str) -> str:
    """Keep only the active file's own filters, validated like a search."""
    incoming = QueryDict(raw)
    form = ActiveFileFilterForm(incoming)
    form.is_valid()
    # A value the search would refuse (unknown, reserved, malformed) is not saved either.
    allowed = set(form.fields) - {"page"} - set(form.errors)
    pairs = [(key, value) for key in incoming for value in incoming.getlist(key) if key in allowed and value]
    return urlencode(pairs)


@require_POST
def save(request: AuthedRequest) -> HttpResponse:
    query = _clean_query(request.POST.get("query", ""))
    name_form = NameForm(request.POST)
    if not name_form.is_valid():
        messages.error(request, name_form.message())
        return _list(query)
    name = name_form.cleaned_data["name"]
    if not name:
        messages.error(request, "Veuillez donner un nom au filtre.")
        return _list(query)
    if not query:
        messages.error(request, "Choisissez au moins un critère avant d'enregistrer le filtre.")
        return _list(query)
    # Issue 24: each criterion fits its field, their URL-encoded whole may not fit the column
    # (an accented letter takes 6 characters, an emoji 12): cut, it would be another filter.
    if len(query) > QUERY_MAX_LENGTH:
        messages.error(
            request,
            "Ces critères sont trop longs pour être enregistrés comme filtre : retirez-en quelques-uns.",
        )
        return _list(query)
    try:
        with transaction.atomic():
            saved = SavedFilter.objects.create(
                user=request.user, name=name, query=query, created_by=request.user
            )
    except IntegrityError:
        messages.error(request, f"Vous avez déjà un filtre nommé « {name} ».")
        return _list(query)
    messages.success(request, f"Le filtre « {saved.name} » est enregistré.")
    return redirect(f"/patients/?{saved.query}&filtre={saved.public_id}")


def _own(request: AuthedRequest, public_id: str) -> SavedFilter:
    return get_object_or_404(SavedFilter, user=request.user, public_id=parse_uuid(public_id))


@require_POST
def make_default(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Only one default: choosing one unsets the other; choosing it again unsets it."""
    chosen = _own(request, public_id)
    with transaction.atomic():
        was_default = chosen.is_default
        SavedFilter.objects.filter(user=request.user, is_default=True).update(is_default=False)
        if not was_default:
            chosen.is_default = True
            chosen.save(update_fields=["is_default", "updated_at"])
    text = "n'est plus la recherche par défaut" if was_default else "est votre recherche par défaut ★"
    messages.success(request, f"« {chosen.name} » {text}.")
    return redirect(f"/patients/?{chosen.query}&filtre={chosen.public_id}")


@require_POST
def delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    chosen = _own(request, public_id)
    name = chosen.name
    chosen.delete()  # a search preference, not medical data: a real deletion, as the seed says
    messages.success(request, f"Le filtre « {name} » est supprimé.")
    return _list()


@require_POST
def columns(request: AuthedRequest) -> HttpResponse:
    """Issue 23: the active file's columns, chosen and kept for this person; back to the search."""
    COLUMNS.save(request.user, request.POST.getlist("colonne"))
    messages.success(request, "Les colonnes choisies sont enregistrées.")
    return _list(_clean_query(request.POST.get("query", "")))
