from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cordee.accounts.models import Membership, Structure, User
from cordee.core.http import AuthedRequest, wants_partial
from cordee.directory.forms import DirectorySearchForm, InvitationForm
from cordee.directory.search import search_professionals, search_structures
from cordee.directory.services import invite_colleague

PAGE_SIZE = 20


def search(request: AuthedRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    kind = criteria.get("type") or "professionnels"
    results = search_professionals(criteria) if kind == "professionnels" else search_structures(criteria)
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


def invite(request: AuthedRequest) -> HttpResponse:
    """DIR-3: invite a colleague not yet registered."""
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invitation = invite_colleague(request.actor, form.save(commit=False))
        messages.success(request, f"L'invitation a été envoyée à {invitation.email}.")
        return redirect("directory:invite")
    return render(request, "directory/invite.html", {"form": form})
