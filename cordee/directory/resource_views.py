"""ACC-8: the structure's "Gestion des équipes ressource" tab and the directory of resource teams."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cordee.accounts.models import Structure
from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest, parse_uuid, wants_partial
from cordee.directory.resource_teams import (
    ResourceTeamForm,
    ResourceTeamSearchForm,
    can_manage,
    listed_teams,
    save_settings,
    team_of,
)

PAGE_SIZE = 20


def settings_tab(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Seen by the structure's members; changed by a super user acting for it (others: 403)."""
    structure = get_object_or_404(
        Structure.objects.filter(memberships__user=request.user, memberships__is_active=True).distinct(),
        public_id=public_id,
    )
    team = team_of(structure)
    manage = can_manage(request.actor, structure)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = ResourceTeamForm(request.POST)
        if form.is_valid():
            save_settings(request.actor, structure, form.cleaned_data)
            messages.success(request, "Les réglages d'équipe ressource ont été enregistrés.")
            return redirect("directory:resource_team_settings", public_id=structure.public_id)
    else:
        form = ResourceTeamForm(initial=ResourceTeamForm.initial_for(team))
    return render(
        request,
        "directory/resource_team_settings.html",
        {"structure": structure, "team": team, "form": form, "can_manage": manage, "tab": "equipes"},
    )


def resource_teams(request: AuthedRequest) -> HttpResponse:
    """DEM-1: from a dossier's "Faire une demande", the dossier travels to each team's form; it is
    read here through the policy (a stranger to it gets 404, as on the dossier page)."""
    dossier = None
    if "dossier" in request.GET:
        wanted = parse_uuid(request.GET["dossier"])
        if wanted is None:
            raise Http404
        dossier = get_dossier(request.actor, wanted, Perm.VIEW, what="demande")
    form = ResourceTeamSearchForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    page = Paginator(listed_teams(criteria), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "dossier": dossier}
    template = (
        "directory/_resource_team_results.html" if wants_partial(request) else "directory/resource_teams.html"
    )
    return render(request, template, context)
