"""DEM-2: "Tableau de bord Demandes" — the team's incoming requests with the seed's filters and
columns, the URL as state; and "Mes demandes", the requester's own."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from cordee.core.http import AuthedRequest, wants_partial
from cordee.core.text import search_key
from cordee.patients.identity import BirthDateField
from cordee.referrals.models import Motif, Referral, SpecialisedService, Step
from cordee.referrals.services import team_members
from cordee.territory.models import Zone

PAGE_SIZES = [10, 25, 50, 100]
SORTS = {
    "identifiant": ["number"],
    "-identifiant": ["-number"],
    "date": ["created_at", "number"],
    "-date": ["-created_at", "-number"],
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
        referrals = referrals.filter(commune__zones=c["zone"])
    if c.get("motif"):
        referrals = referrals.filter(motif=c["motif"])
    if c.get("service"):
        referrals = referrals.filter(specialised_service=c["service"])
    return referrals


def _columns(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "patient",
        "step",
        "requester",
        "requester_structure",
        "assignee",
        "specialised_service",
        "commune",
        "motif",
        "team",
    ).prefetch_related("commune__zones")


def _list(request: AuthedRequest, base: QuerySet[Referral], *, team: bool) -> HttpResponse:
    members = (
        [(str(u.public_id), u.display_name) for u in team_members(request.actor.structure)]
        if team and request.actor.structure is not None
        else []
    )
    form = DashboardForm(request.GET or None, members=members)
    criteria = form.cleaned_data if form.is_valid() else {}
    sort = criteria.get("tri") or "-date"
    size = criteria.get("taille") or 25
    referrals = _columns(apply_filters(base, criteria)).order_by(*SORTS[sort])
    page = Paginator(referrals, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    sort_query.pop("tri", None)
    sort_query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sort": sort,
        "sort_labels": SORT_LABELS,
        "page_sizes": PAGE_SIZES,
        "is_team": team,
    }
    template = "referrals/_table.html" if wants_partial(request) else "referrals/dashboard.html"
    return render(request, template, context)


def dashboard(request: AuthedRequest) -> HttpResponse:
    """The requests addressed to the structure one acts for."""
    if request.actor.structure is None:
        return render(request, "patients/structure_required.html", status=403)
    return _list(request, Referral.objects.filter(team=request.actor.structure), team=True)


def mine(request: AuthedRequest) -> HttpResponse:
    return _list(request, Referral.objects.filter(requester=request.user), team=False)
