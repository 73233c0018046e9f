"""CIR-8 pages: my favourite groups, one group, and adding a group to a circle."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cordee.accounts.models import User
from cordee.careteam import groups
from cordee.careteam.access import Perm, get_dossier
from cordee.careteam.models import FavouriteGroup
from cordee.core.forms import NameForm
from cordee.core.http import AuthedRequest, parse_uuid, typed_text
from cordee.core.text import search_key


def group_list(request: AuthedRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        name_form = NameForm(request.POST)
        try:
            if not name_form.is_valid():
                raise ValidationError(name_form.message())
            group = groups.create_group(request.user, name_form.cleaned_data["name"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Le groupe « {group.name} » est créé : ajoutez-y des professionnels.")
            return redirect("groups:detail", public_id=group.public_id)
    return render(
        request, "careteam/group_list.html", {"groups": groups.usable_groups(request.user), "error": error}
    )


def _professionals(query: str) -> list[User]:
    key = search_key(query)
    if len(key) < 2:
        return []
    return list(
        User.objects.filter(is_active=True, name_key__contains=key)
        .exclude(profession=None)
        .select_related("profession")
        .order_by("last_name", "first_name")[:20]
    )


def group_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    group = groups.usable_groups(request.user).filter(public_id=public_id).first()
    if group is None:
        raise Http404
    is_owner = group.owner_id == request.user.pk
    if request.method == "POST" and is_owner:
        professional = get_object_or_404(User, public_id=parse_uuid(request.POST.get("professional")))
        try:
            action = request.POST.get("action")
            if action == "add":
                groups.add_to_group(request.user, group, professional)
                messages.success(request, f"{professional.display_name} a été ajouté(e) au groupe.")
            elif action == "remove":
                groups.remove_from_group(request.user, group, professional)
                messages.success(request, f"{professional.display_name} a été retiré(e) du groupe.")
            elif action == "share":
                groups.share_group(request.user, group, professional)
                messages.success(request, f"Le groupe est partagé avec {professional.display_name}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(request.get_full_path())
    query = typed_text(request.GET.get("nom"))
    return render(
        request,
        "careteam/group_detail.html",
        {
            "group": group,
            "is_owner": is_owner,
            "members": group.members.select_related("profession").order_by("last_name", "first_name"),
            "shares": group.shares.select_related("user"),
            "nom": query,
            "found": _professionals(query) if is_owner else [],
        },
    )


def add_group(request: AuthedRequest, public_id: str) -> HttpResponse:
    """ "Ajouter ou habiliter un groupe de favoris" from the circle page."""
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    usable = groups.usable_groups(request.user)
    if request.method == "POST":
        group_id = parse_uuid(request.POST.get("group"))
        group: FavouriteGroup | None = usable.filter(public_id=group_id).first() if group_id else None
        habilitated = request.POST.get("habilitated") == "1"
        if group is None:
            messages.error(request, "Choisissez un groupe de favoris.")
        elif habilitated and request.POST.get("confirmed") != "1":
            return render(
                request,
                "careteam/confirm_habilitation.html",
                {
                    "patient": patient,
                    "name": f"les professionnels du groupe « {group.name} »",
                    "action": request.path,
                    "fields": {"group": str(group.public_id), "habilitated": "1"},
                },
            )
        else:
            count = groups.add_group_to_circle(request.actor, patient, group, habilitated=habilitated)
            messages.success(
                request, f"Groupe « {group.name} » : {count} professionnel(s) ajouté(s) ou habilité(s)."
            )
            return redirect("careteam:circle", public_id=patient.public_id)
    return render(request, "careteam/add_group.html", {"patient": patient, "groups": usable})
