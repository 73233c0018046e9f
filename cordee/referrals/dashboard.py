"""DEM-2: "Tableau de bord Demandes" — the team's incoming requests with the seed's filters and
columns, the URL as state; and "Mes demandes", the requester's own."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DateTimeField, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.forms.models import ModelChoiceIterator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cordee.accounts.models import Structure
from cordee.audit.services import journal_many
from cordee.core import clock
from cordee.core.http import AuthedRequest, parse_uuid, wants_partial
from cordee.core.keyset import Key, Window, keyed, ordering, window
from cordee.core.text import search_key
from cordee.patients.filter_views import Board, clean_query, delete_filter, make_default_filter, save_filter
from cordee.patients.identity import BirthDateField
from cordee.patients.models import SavedFilter
from cordee.referrals import services
from cordee.referrals.models import Motif, Referral, SpecialisedService, Step
from cordee.referrals.services import team_members
from cordee.referrals.views import perform, readable_referral
from cordee.territory.models import Commune, Zone

PAGE_SIZES = [10, 25, 50, 100]
_NEVER = Value(datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC), output_field=DateTimeField())
_LONG_AGO = Value(datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC), output_field=DateTimeField())
_BY_NUMBER = Key("number", descending=True)
# Each order ends on a unique key, so a page can start after a row (keyset pages, no OFFSET).
SORTS = {
    "identifiant": [Key("number")],
    "-identifiant": [Key("number", descending=True)],
    # The team's index (team, -created_at, -id) gives these in order: no sort of the team's rows.
    "date": [Key("created_at"), Key("id")],
    "-date": [Key("created_at", descending=True), Key("id", descending=True)],
    "etape": [Key("step__ordering"), Key("number", descending=True)],
    "-etape": [Key("step__ordering", descending=True), Key("number", descending=True)],
    # Not answered yet: last, whichever the direction (and on both databases).
    "reponse": [Key("answered_key", expression=Coalesce("answered_at", _NEVER)), _BY_NUMBER],
    "-reponse": [Key("answered_key", True, Coalesce("answered_at", _LONG_AGO)), _BY_NUMBER],
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


# Beyond this many matches the dashboard says "plus de 10 000": the count stays bounded
# whatever the volume (a DAC receives 30,000 requests in the benchmark region,
# bench/referrals.py). The pages themselves are keyset pages: "Suivant" goes on past it.
COUNT_CAP = 10_000


def bounded_count(referrals: QuerySet[Referral]) -> int:
    """The count is its own query on the filters alone — no ordering, none of the columns'
    joins — and stops at COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (SELECT id … LIMIT 10001)`):
    a team's 30,000 requests are not all counted to draw 25 of them."""
    return referrals.order_by().values("pk")[: COUNT_CAP + 1].count()


@dataclass(frozen=True)
class Page:
    """What the table shows: the rows, the (bounded) count, the anchors of the pages around."""

    object_list: list[Referral]
    count: int
    window: Window

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class _Filters(forms.Form):
    def filter_fields(self) -> list[forms.BoundField]:
        """The filters shown in the form's grid (the page size and the order live elsewhere)."""
        return [self[name] for name in self.fields if name not in ("taille", "tri")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("debut"), data.get("fin")
        if start and end and start > end:
            self.add_error("fin", "La date de fin doit suivre la date de début.")
        return data


class _ListedChoices(ModelChoiceIterator):
    """A filter's choices (steps, zones, motifs, services, teams: a few rows each) read by one
    plain SELECT. Django's `iterator()` is a server-side cursor on PostgreSQL — DECLARE, FETCH,
    CLOSE, WITH HOLD — four round trips and a materialised cursor for ten rows, four times a
    page; the same options, in the same order, as a list."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _Listed(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = _ListedChoices


class _ListedMany(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    iterator = _ListedChoices


def _page_size() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Nombre d'items par page",
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=None,
    )


def _steps() -> _ListedMany:
    return _ListedMany(label="Étape", queryset=Step.objects.all(), required=False, to_field_name="code")


def _status() -> forms.ChoiceField:
    return forms.ChoiceField(label="Statut questionnaire", choices=STATUS_CHOICES, required=False)


class DashboardForm(_Filters):
    etape = _steps()
    patient = forms.CharField(label="Patient", max_length=100, required=False)
    identifiant = forms.IntegerField(
        label="Identifiant demande", required=False, min_value=1, max_value=2_000_000_000
    )
    statut = _status()
    debut = BirthDateField(label="Date de début", required=False)
    fin = BirthDateField(label="Date de fin", required=False)
    demandeur = forms.CharField(label="Demandeur", max_length=100, required=False)
    affecte = forms.ChoiceField(label="Affecté à", required=False)
    reponse = BirthDateField(label="Date réponse", required=False)
    zone = _Listed(
        label="Zone géographique",
        queryset=Zone.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        empty_label="Toutes",
    )
    motif = _Listed(
        label="Motif", queryset=Motif.objects.all(), required=False, to_field_name="code", empty_label="Tous"
    )
    service = _Listed(
        label="Service spécialisé",
        queryset=SpecialisedService.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="Tous",
    )
    taille = _page_size()
    tri = forms.ChoiceField(label="Tri", choices=[(k, k) for k in SORTS], required=False)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affecte"].choices = [("", "Tous"), ("personne", "Non affectées"), *members]  # type: ignore[attr-defined]


class MineForm(_Filters):
    """ "Mes demandes": the filters that make sense for the one who asked — the team asked among
    the teams one has asked, no requester (oneself) nor assignee (the team's business)."""

    etape = _steps()
    equipe = _Listed(
        label="Équipe sollicitée",
        queryset=Structure.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Toutes",
    )
    patient = forms.CharField(label="Patient", max_length=100, required=False)
    identifiant = forms.IntegerField(
        label="Identifiant demande", required=False, min_value=1, max_value=2_000_000_000
    )
    statut = _status()
    debut = BirthDateField(label="Date de début", required=False)
    fin = BirthDateField(label="Date de fin", required=False)
    reponse = BirthDateField(label="Date réponse", required=False)
    motif = _Listed(
        label="Motif", queryset=Motif.objects.all(), required=False, to_field_name="code", empty_label="Tous"
    )
    taille = _page_size()
    tri = forms.ChoiceField(label="Tri", choices=[(k, k) for k in SORTS], required=False)

    def __init__(self, *args: Any, requester: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asked = Referral.objects.filter(requester=requester).values("team_id")
        self.fields["equipe"].queryset = Structure.objects.filter(pk__in=asked).order_by("name")  # type: ignore[attr-defined]


def _day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = clock.start_of_day(day)
    return start, clock.start_of_day(day + datetime.timedelta(days=1))


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
    if c.get("equipe"):
        referrals = referrals.filter(team=c["equipe"])
    return referrals


# What the rows show (`templatetags/referrals.py`: the patient's label, the people's names, the
# links and the row's forms) and the journal needs (the dossier's id and public id): the page
# reads these columns only, not the dozens of a dossier and of a user it never shows (issue 19,
# `BENCH requests_dashboard`: a third less of the rows' reading).
_SHOWN = [
    "public_id",
    "created_at",
    "number",
    "birth_name",
    "first_name",
    "detail",
    "status",
    "external",
    "answered_at",
    "version",
    "step",
    "commune",
    "patient__public_id",
    "patient__birth_name",
    "patient__first_name",
    "patient__used_name",
    "patient__used_first_name",
    "assignee__username",
    "assignee__last_name",
    "assignee__first_name",
    "specialised_service__label",
]
_SHOWN_TEAM = [
    "requester__username",
    "requester__last_name",
    "requester__first_name",
    "requester_structure__name",
]


def _columns(referrals: QuerySet[Referral], *, team: bool) -> QuerySet[Referral]:
    """The page's columns. Five joins at most: each more made PostgreSQL's planner cost more
    than the rows (nine joins: 20 ms of planning for 25 rows read by id). The step and the
    commune (with its zones) come in queries of their own (`_place`). "Mes demandes" shows the
    team asked, not the requester (oneself): four joins."""
    joined = ["patient", "assignee", "specialised_service"]
    joined += ["requester", "requester_structure"] if team else ["team"]
    return referrals.select_related(*joined).only(*_SHOWN, *(_SHOWN_TEAM if team else ["team__name"]))


def _place(rows: list[Referral]) -> dict[str, str]:
    """The page's steps and communes, set on its rows, and each commune's zones as the row shows
    them ("A, B", escaped): the three queries `prefetch_related("step", "commune__zones")` ran
    (none on an empty page, none for the communes when no row has one), without its machinery
    and the zones as objects — which cost as much as the rows' own reading."""
    if not rows:
        return {}
    steps = Step.objects.in_bulk({r.step_id for r in rows})
    codes = {r.commune_id for r in rows if r.commune_id is not None}
    communes = Commune.objects.in_bulk(codes) if codes else {}
    for r in rows:
        r.step = steps[r.step_id]
        if r.commune_id is not None:
            r.commune = communes.get(r.commune_id)
    named: dict[str, list[str]] = {}
    if communes:
        for code, name in (
            Zone.communes.through.objects.filter(commune_id__in=list(communes))
            .order_by("zone__name")
            .values_list("commune_id", "zone__name")
        ):
            named.setdefault(code, []).append(escape(name))
    return {code: ", ".join(names) for code, names in named.items()}


def _members(request: AuthedRequest) -> list[tuple[str, str]]:
    structure = request.actor.structure
    if structure is None:
        return []
    return [(str(u.public_id), u.display_name) for u in team_members(structure)]


def _clean_query(request: AuthedRequest, raw: str) -> str:
    return clean_query(DashboardForm(QueryDict(raw), members=_members(request)), raw)


def _clean_mine_query(request: AuthedRequest, raw: str) -> str:
    return clean_query(MineForm(QueryDict(raw), requester=request.user), raw)


# DEM-2: the dashboard's saved filters are the active file's (the same model, views and menu);
# "Mes demandes" has its own list of them, through the same mechanism.
BOARD = Board(SavedFilter.Board.REFERRALS, "/demandes/", _clean_query)
MINE_BOARD = Board(SavedFilter.Board.MY_REFERRALS, "/demandes/mes-demandes/", _clean_mine_query)
FILTER_URLS = {
    "save": "referrals:filter_save",
    "default": "referrals:filter_default",
    "delete": "referrals:filter_delete",
}
MINE_FILTER_URLS = {
    "save": "referrals:mine_filter_save",
    "default": "referrals:mine_filter_default",
    "delete": "referrals:mine_filter_delete",
}
# Parameters that are not filters: they do not make a search "filtered".
_NOT_FILTERS = {"page", "taille", "tri", "filtre", "tous", "apres", "avant"}
# Where a list is in its pages: kept by the row actions, dropped by a new search or sort.
_PLACE = ("page", "apres", "avant")


def _window(
    scope: QuerySet[Referral], matching: QuerySet[Referral], keys: list[Key], size: int, params: QueryDict
) -> Window:
    """The page asked for by its anchor (`apres` / `avant`, a request's public id), looked up
    among the list's own requests (`scope`): an anchor from elsewhere is no anchor."""
    return window(
        matching.values_list("pk", "public_id"),
        keys,
        size,
        scope=scope,
        after=parse_uuid(params.get("apres")) if params.get("apres") else None,
        before=parse_uuid(params.get("avant")) if params.get("avant") else None,
        anchor_of=lambda row: row[1],
    )


def _list(
    request: AuthedRequest,
    base: QuerySet[Referral],
    *,
    team: bool,
    saved: list[SavedFilter],
    params: QueryDict | None = None,
    outcome: tuple[str, str] | None = None,
) -> HttpResponse:
    """The team's dashboard (`team`) or "Mes demandes"; `params` the list's state (the URL's,
    or the one a row action came from); `outcome` what a row action did (level, message)."""
    params = request.GET if params is None else params
    form: _Filters
    if team:
        form = DashboardForm(params or None, members=_members(request))
    else:
        form = MineForm(params or None, requester=request.user)
    criteria = form.cleaned_data if form.is_valid() else {}
    sort = criteria.get("tri") or "-date"
    size = criteria.get("taille") or 25
    keys = SORTS[sort]
    matching = apply_filters(base, criteria)
    shown = _window(base, matching, keys, size, params)
    # The page's ids are chosen on the filters alone, then its rows read with their columns by
    # id: the joins no longer run on every match before the sort keeps 25 (a zone over a year
    # of a DAC's requests: 1,700 rows joined to nine tables, 125 ms). Two statements, not one
    # `id IN (subquery)`, which PostgreSQL answered by joining the whole table (1.3 s).
    ids = [pk for pk, _public_id in shown.rows]
    chosen = keyed(Referral.objects.filter(pk__in=ids), keys)
    rows = list(_columns(chosen, team=team).order_by(*ordering(keys)))
    zones = _place(rows)
    page = Page(rows, bounded_count(matching), shown)
    # The names shown are accesses to the dossiers they belong to: one journal row each, one
    # statement (issue 24, as the active file); a request without a dossier names no dossier.
    journal_many(
        request.actor,
        [r.patient for r in rows if r.patient is not None],
        "list_referrals",
        what="tableau de bord des demandes" if team else "mes demandes",
    )
    here = params.copy()
    here.pop("filtre", None)
    query = here.copy()
    for name in _PLACE:
        query.pop(name, None)
    sort_query = query.copy()
    sort_query.pop("tri", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "here": here.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "page_sizes": PAGE_SIZES,
        "is_team": team,
        "zones": zones,
        "filtered": any(key not in _NOT_FILTERS and any(query.getlist(key)) for key in query),
        "saved_filters": saved,
        "current_filter": params.get("filtre", ""),
        "filter_urls": FILTER_URLS if team else MINE_FILTER_URLS,
        "outcome": outcome,
        # The first and last steps: no [↑] on the one, no [↓] on the other (one query).
        "steps": Step.objects.aggregate(first=Min("ordering"), last=Max("ordering")) if team else {},
    }
    template = "referrals/_table.html" if wants_partial(request) else "referrals/dashboard.html"
    return render(request, template, context)


def _arrival(request: AuthedRequest, board: Board) -> tuple[list[SavedFilter], HttpResponse | None]:
    """The list's saved filters (one query for the menu and its default, read whether or not
    the URL has parameters: the page costs the same queries whatever its state); the default
    (★) applies on arrival without parameters."""
    saved = list(board.mine(request))
    default = next((f for f in saved if f.is_default), None)
    if default is not None and not request.GET:
        return saved, redirect(f"{request.path}?{default.query}&filtre={default.public_id}")
    return saved, None


def _team_requests(request: AuthedRequest) -> QuerySet[Referral]:
    return Referral.objects.filter(team=request.actor.structure)


def dashboard(request: AuthedRequest) -> HttpResponse:
    """The requests addressed to the structure one acts for."""
    if request.actor.structure is None:
        return render(request, "patients/structure_required.html", status=403)
    saved, default = _arrival(request, BOARD)
    return default or _list(request, _team_requests(request), team=True, saved=saved)


def mine(request: AuthedRequest) -> HttpResponse:
    """ "Mes demandes": the requests one sent, whoever one acts for."""
    saved, default = _arrival(request, MINE_BOARD)
    return default or _list(request, Referral.objects.filter(requester=request.user), team=False, saved=saved)


# The seed's per-row buttons: [↑] [↓] a step back / forward, [×] cancel (its reason asked in a
# dialog). [+] opens the request (its page, referrals:detail).
ROW_ACTIONS = ("next", "previous", "cancel")
ROW_DONE = {
    "next": "La demande {number} est passée à l'étape « {step} ».",
    "previous": "La demande {number} est revenue à l'étape « {step} ».",
    "cancel": "La demande {number} est annulée.",
}


@require_POST
def row_action(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A row's button on the team's dashboard, through the request services (same rules, version
    check, history, journal) as on the request's page; the requester and anyone not acting for
    the team get 403 / 404 and nothing changes. Back to the same list in the same state: its
    table for htmx, else the page."""
    referral = readable_referral(request, public_id)
    if not services.acts_for_team(request.actor, referral):
        raise PermissionDenied
    action = request.POST.get("action", "")
    try:
        done = perform(request, referral, action, allowed=ROW_ACTIONS)
    except ValidationError as exc:
        outcome = ("danger", " ".join(exc.messages))
    else:
        outcome = ("success", ROW_DONE[action].format(number=done.number, step=done.step.label))
    # The list's state the button was pressed in (its filters, sort and page), as a query
    # string of the dashboard: read as one, never a URL to go to.
    params = QueryDict(request.POST.get("query", "")[:2000])
    if wants_partial(request):
        saved = list(BOARD.mine(request))
        return _list(request, _team_requests(request), team=True, saved=saved, params=params, outcome=outcome)
    level = messages.SUCCESS if outcome[0] == "success" else messages.ERROR
    messages.add_message(request, level, outcome[1])
    return redirect(f"{BOARD.path}?{params.urlencode() or BOARD.everything}")


@require_POST
def filter_save(request: AuthedRequest) -> HttpResponse:
    return save_filter(request, BOARD)


@require_POST
def filter_default(request: AuthedRequest, public_id: str) -> HttpResponse:
    return make_default_filter(request, BOARD, public_id)


@require_POST
def filter_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    return delete_filter(request, BOARD, public_id)


@require_POST
def mine_filter_save(request: AuthedRequest) -> HttpResponse:
    return save_filter(request, MINE_BOARD)


@require_POST
def mine_filter_default(request: AuthedRequest, public_id: str) -> HttpResponse:
    return make_default_filter(request, MINE_BOARD, public_id)


@require_POST
def mine_filter_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    return delete_filter(request, MINE_BOARD, public_id)
