from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest, parse_uuid, wants_partial
from cordee.directory.forms import DirectorySearchForm, InvitationForm
from cordee.directory.models import DirectoryProfessional
from cordee.directory.search import Chained, search_professionals, search_structures, search_unregistered
from cordee.directory.services import invite_colleague
from cordee.patients.models import Patient

PAGE_SIZE = 20


def search(request: AuthedRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    kind = criteria.get("type") or "professionnels"
    results: Any = (
        Chained(search_professionals(criteria), search_unregistered(criteria))
        if kind == "professionnels"
        else search_structures(criteria)
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "kind": kind, "query": query.urlencode()}
    template = "directory/_results.html" if wants_partial(request) else "directory/search.html"
    return render(request, template, context)


def professional_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    professional = get_object_or_404(
        User.objects.select_related("profession", "commune").exclude(profession=None),
        public_id=public_id,
        is_active=True,
    )
    memberships = professional.memberships.filter(is_active=True).select_related(
        "structure", "structure__commune"
    )
    return render(
        request,
        "directory/professional_detail.html",
        {"professional": professional, "memberships": memberships},
    )


def structure_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    structure = get_object_or_404(
        Structure.objects.select_related("commune"), public_id=public_id, is_active=True
    )
    members = (
        Membership.objects.filter(structure=structure, is_active=True)
        .select_related("user", "user__profession")
        .order_by("user__last_name", "user__first_name")
    )
    return render(request, "directory/structure_detail.html", {"structure": structure, "members": members})


def entry_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """DIR-2: a professional of the national directory not registered in Cordée."""
    entry = get_object_or_404(
        DirectoryProfessional.objects.select_related("national_profession", "specialty", "user"),
        public_id=public_id,
    )
    if entry.user is not None and entry.user.is_active:
        return redirect("directory:professional", public_id=entry.user.public_id)
    activities = entry.activities.filter(is_active=True).select_related("commune", "structure").order_by("pk")
    return render(request, "directory/entry_detail.html", {"entry": entry, "activities": activities})


def _invited_entry(request: AuthedRequest) -> DirectoryProfessional | None:
    """DIR-3: the national directory's professional the invitation is for, if one was chosen."""
    value = request.POST.get("professionnel") or request.GET.get("professionnel") or ""
    public_id = parse_uuid(value)
    if public_id is None:
        return None
    return (
        DirectoryProfessional.objects.filter(public_id=public_id, is_active=True, user=None)
        .prefetch_related("activities")
        .first()
    )


def _circle_of(request: AuthedRequest) -> Patient | None:
    """The dossier whose circle the invitation was opened from (issue 23: back there after)."""
    raw = request.POST.get("dossier") or request.GET.get("dossier")
    if not raw:
        return None
    public_id = parse_uuid(raw)
    if public_id is None:
        raise Http404
    return get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="invitation d'un confrère")


def invite(request: AuthedRequest) -> HttpResponse:
    """DIR-3: invite a colleague not yet registered, pre-filled from the national directory.
    Opened from a dossier's circle, it returns there, the invited person ready to be added
    (manually, until they register)."""
    entry = _invited_entry(request)
    patient = _circle_of(request)
    initial = {}
    if entry is not None:
        emails = [a.email for a in entry.activities.all() if a.is_active and a.email]
        initial = {
            "last_name": entry.last_name,
            "first_name": entry.first_name,
            "email": emails[0] if emails else "",
        }
    form = InvitationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        invitation = form.save(commit=False)
        invitation.professional = entry
        invitation = invite_colleague(request.actor, invitation)
        messages.success(request, f"L'invitation a été envoyée à {invitation.email}.")
        if patient is not None:
            messages.info(
                request,
                f"Ajoutez {invitation.first_name} {invitation.last_name} au cercle de soins : "
                "il pourra être habilité une fois inscrit.",
            )
            query = urlencode(
                {"nom": invitation.last_name, "prenom": invitation.first_name, "email": invitation.email}
            )
            return redirect(f"{reverse('careteam:add_manual', args=[patient.public_id])}?{query}")
        return redirect("directory:invite")
    return render(request, "directory/invite.html", {"form": form, "entry": entry, "patient": patient})
