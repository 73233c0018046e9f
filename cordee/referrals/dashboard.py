"""DEM-2: "Tableau de bord Demandes" — the team's incoming requests with the seed's filters and
columns, the URL as state; and "Mes demandes", the requester's own."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from cordee.audit.services import journal_many
from cordee.core.http import AuthedRequest, wants_partial
from cordee.core.text import search_key
from cordee.patients.filter_views import Board, clean_query, delete_filter, make_default_filter, save_filter
from cordee.patients.identity import BirthDateField
from cordee.patients.models import SavedFilter
from cordee.referrals.models import Motif, Referral, SpecialisedService, Step
from cordee.referrals.services import team_members
from cordee.territory.models import Zone

PAGE_SIZES = [10, 25, 50, 100]
SORTS = {
    "identifiant": ["number"],
    "-identifiant": ["-number"],
    # The team's index (team, -created_at, -id) gives these in order: no sort of the team's rows.
    "date": ["created_at", "id"],
    "-date": ["-created_at", "-id"],
    "etape": ["step__ordering", "-number"],
    "-etape": ["-step__ordering", "-number"],
    "reponse": ["answered_at", "-number"],
    "-reponse": ["-answered_at", "-number"],
}
SORT_LABELS = {
    "identifiant": "Identifiant",
    "date": "Date de la demande",
    "etape": "Étape",
    "reponse": "Date réponse",
}
STATUS_CHOICES = [
    ("", "Toutes"),
    ("en-cours", "Demandes en cours"),
    ("validees", "Demandes validées"),
    ("annulees", "Demandes annulées"),
]
_STATUS = {
    "en-cours": Referral.Status.OPEN,
    "validees": Referral.Status.VALIDATED,
    "annulees": Referral.Status.CANCELLED,
}


# Beyond this many matches the dashboard says "plus de 10 000" and pages no further: the count
# and the deepest OFFSET stay bounded whatever the volume (a DAC receives 30,000 requests in the
# benchmark region, bench/referrals.py).
COUNT_CAP = 10_000


class BoundedPaginator(Paginator):  # type: ignore[type-arg]
    """The count is its own query on the filters alone — no ordering, none of the columns'
    joins — and stops at COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (SELECT id … LIMIT 10001)`):
    a team's 30,000 requests are not all counted to draw 25 of them."""

    @cached_property
    def count(self) -> int:
        referrals: QuerySet[Referral] = self.object_list  # type: ignore[assignment]
        return referrals.order_by().values("pk")[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class DashboardForm(forms.Form):
    etape = forms.ModelMultipleChoiceField(
        label="Étape", queryset=Step.objects.all(), required=False, to_field_name="code"
    )
    patient = forms.CharField(label="Patient", max_length=100, required=False)
    identifiant = forms.IntegerField(
        label="Identifiant demande", required=False, min_value=1, max_value=2_000_000_000
    )
    statut = forms.ChoiceField(label="Statut questionnaire", choices=STATUS_CHOICES, required=False)
    debut = BirthDateField(label="Date de début", required=False)
    fin = BirthDateField(label="Date de fin", required=False)
    demandeur = forms.CharField(label="Demandeur", max_length=100, required=False)
    affecte = forms.ChoiceField(label="Affecté à", required=False)
    reponse = BirthDateField(label="Date réponse", required=False)
    zone = forms.ModelChoiceField(
        label="Zone géographique",
        queryset=Zone.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        empty_label="Toutes",
    )
    motif = forms.ModelChoiceField(
        label="Motif", queryset=Motif.objects.all(), required=False, to_field_name="code", empty_label="Tous"
    )
    service = forms.ModelChoiceField(
        label="Service spécialisé",
        queryset=SpecialisedService.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="Tous",
    )
    taille = forms.TypedChoiceField(
        label="Nombre d'items par page",
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    tri = forms.ChoiceField(label="Tri", choices=[(k, k) for k in SORTS], required=False)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affecte"].choices = [("", "Tous"), ("personne", "Non affectées"), *members]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("debut"), data.get("fin")
        if start and end and start > end:
            self.add_error("fin", "La date de fin doit suivre la date de début.")
        return data


def _day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def apply_filters(referrals: QuerySet[Referral], c: dict[str, Any]) -> QuerySet[Referral]:
    if c.get("etape"):
        referrals = referrals.filter(step__in=c["etape"])
    if c.get("patient"):
        key = search_key(c["patient"])
        referrals = referrals.filter(
            Q(patient__birth_name_key__startswith=key)
            | Q(patient__used_name_key__startswith=key)
            | Q(birth_name__istartswith=c["patient"].strip())
        )
    if c.get("identifiant"):
        referrals = referrals.filter(number=c["identifiant"])
    if c.get("statut") in _STATUS:
        referrals = referrals.filter(status=_STATUS[c["statut"]])
    if c.get("debut"):
        referrals = referrals.filter(created_at__gte=_day_range(c["debut"])[0])
    if c.get("fin"):
        referrals = referrals.filter(created_at__lt=_day_range(c["fin"])[1])
    if c.get("demandeur"):
        referrals = referrals.filter(requester__name_key__contains=search_key(c["demandeur"]))
    if c.get("affecte") == "personne":
        referrals = referrals.filter(assignee__isnull=True)
    elif c.get("affecte"):
        referrals = referrals.filter(assignee__public_id=c["affecte"])
    if c.get("reponse"):
        start, end = _day_range(c["reponse"])
        referrals = referrals.filter(answered_at__gte=start, answered_at__lt=end)
    if c.get("zone"):
        # The zone's communes as a list to be in, not a join through the communes.
        in_zone = Zone.communes.through.objects.filter(zone=c["zone"]).values("commune_id")
        referrals = referrals.filter(commune__in=in_zone)
    if c.get("motif"):
        referrals = referrals.filter(motif=c["motif"])
    if c.get("service"):
        referrals = referrals.filter(specialised_service=c["service"])
    return referrals


def _columns(referrals: QuerySet[Referral], *, team: bool) -> QuerySet[Referral]:
    """The page's columns. Five joins at most: each more made PostgreSQL's planner cost more
    than the rows (nine joins: 20 ms of planning for 25 rows read by id). The step and the
    commune (with its zones) come in queries of their own, one each whatever the page."""
    joined = ["patient", "requester", "requester_structure", "assignee", "specialised_service"]
    return referrals.select_related(*joined, *([] if team else ["team"])).prefetch_related(
        "step", "commune__zones"
    )


def _members(request: AuthedRequest) -> list[tuple[str, str]]:
    structure = request.actor.structure
    if structure is None:
        return []
    return [(str(u.public_id), u.display_name) for u in team_members(structure)]


def _clean_query(request: AuthedRequest, raw: str) -> str:
    return clean_query(DashboardForm(QueryDict(raw), members=_members(request)), raw)


# DEM-2: the dashboard's saved filters are the active file's (the same model, views and menu).
BOARD = Board(SavedFilter.Board.REFERRALS, "/demandes/", _clean_query)
FILTER_URLS = {
    "save": "referrals:filter_save",
    "default": "referrals:filter_default",
    "delete": "referrals:filter_delete",
}
# Parameters that are not filters: they do not make a search "filtered".
_NOT_FILTERS = {"page", "taille", "tri", "filtre", "tous"}


def _list(
    request: AuthedRequest, base: QuerySet[Referral], *, saved: list[SavedFilter] | None
) -> HttpResponse:
    """`saved`: the team's dashboard's saved filters; None for "Mes demandes"."""
    team = saved is not None
    members = _members(request) if team else []
    form = DashboardForm(request.GET or None, members=members)
    criteria = form.cleaned_data if form.is_valid() else {}
    sort = criteria.get("tri") or "-date"
    size = criteria.get("taille") or 25
    order = SORTS[sort]
    page = BoundedPaginator(
        apply_filters(base, criteria).order_by(*order).values_list("pk", flat=True), size
    ).get_page(request.GET.get("page"))
    # The page's ids are chosen on the filters alone, then its rows read with their columns by
    # id: the joins no longer run on every match before the sort keeps 25 (a zone over a year
    # of a DAC's requests: 1,700 rows joined to nine tables, 125 ms). Two statements, not one
    # `id IN (subquery)`, which PostgreSQL answered by joining the whole table (1.3 s).
    ids = list(page.object_list)
    page.object_list = list(_columns(Referral.objects.filter(pk__in=ids), team=team).order_by(*order))
    # The names shown are accesses to the dossiers they belong to: one journal row each, one
    # statement (issue 24, as the active file); a request without a dossier names no dossier.
    journal_many(
        request.actor,
        [r.patient for r in page.object_list if r.patient is not None],
        "list_referrals",
        what="tableau de bord des demandes" if team else "mes demandes",
    )
    query = request.GET.copy()
    for name in ("page", "filtre"):
        query.pop(name, None)
    sort_query = query.copy()
    sort_query.pop("tri", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "page_sizes": PAGE_SIZES,
        "is_team": team,
        "filtered": any(key not in _NOT_FILTERS and any(query.getlist(key)) for key in query),
        "saved_filters": saved,
        "current_filter": request.GET.get("filtre", ""),
        "filter_urls": FILTER_URLS,
    }
    template = "referrals/_table.html" if wants_partial(request) else "referrals/dashboard.html"
    return render(request, template, context)


def dashboard(request: AuthedRequest) -> HttpResponse:
    """The requests addressed to the structure one acts for; the default saved filter (★)
    applies on arrival."""
    if request.actor.structure is None:
        return render(request, "patients/structure_required.html", status=403)
    # One query for the menu and the default, read whether or not the URL has parameters: the
    # page costs the same number of queries whatever its state (bench/referrals.py).
    saved = list(BOARD.mine(request))
    default = next((f for f in saved if f.is_default), None)
    if default is not None and not request.GET:
        return redirect(f"{request.path}?{default.query}&filtre={default.public_id}")
    return _list(request, Referral.objects.filter(team=request.actor.structure), saved=saved)


def mine(request: AuthedRequest) -> HttpResponse:
    return _list(request, Referral.objects.filter(requester=request.user), saved=None)


@require_POST
def filter_save(request: AuthedRequest) -> HttpResponse:
    return save_filter(request, BOARD)


@require_POST
def filter_default(request: AuthedRequest, public_id: str) -> HttpResponse:
    return make_default_filter(request, BOARD, public_id)


@require_POST
def filter_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    return delete_filter(request, BOARD, public_id)
