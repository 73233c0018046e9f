"""CIR-7: a structure supervises its professionals' habilitations across its dossiers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cordee.accounts.models import User
from cordee.audit.services import journal
from cordee.careteam.models import CircleMember
from cordee.careteam.services import BulkAction, apply_to_circles, supervised_dossiers
from cordee.core.http import AuthedRequest, parse_uuid, parse_uuids, typed_text
from cordee.patients.active_file import named

PAGE_SIZE = 25


def supervision(request: AuthedRequest) -> HttpResponse:
    actor = request.actor
    structure = actor.structure
    if structure is None or not actor.is_structure_superuser:
        raise PermissionDenied
    professionals = User.objects.filter(
        memberships__structure=structure, memberships__is_active=True, is_active=True
    ).order_by("last_name", "first_name")
    if request.method == "POST":
        professional_id = parse_uuid(request.POST.get("professional"))
        chosen = professionals.filter(public_id=professional_id).first() if professional_id else None
        action = request.POST.get("action", "")
        patients = supervised_dossiers(structure).filter(
            public_id__in=parse_uuids(request.POST.getlist("dossiers"))
        )
        if chosen is None or action not in BulkAction.LABELS:
            messages.error(request, "Choisissez un professionnel de la structure et une action.")
        else:
            try:
                count = apply_to_circles(actor, patients, chosen, action)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"{BulkAction.LABELS[action]} — {chosen.display_name} : {count} dossier(s) modifié(s).",
                )
        return redirect(request.get_full_path())
    query = typed_text(request.GET.get("nom"))
    dossiers = supervised_dossiers(structure).prefetch_related(
        Prefetch(
            "circle",
            queryset=CircleMember.objects.filter(removed_at__isnull=True).select_related("user", "structure"),
            to_attr="live_circle",
        )
    )
    if query:
        dossiers = named(dossiers, query)
    page = Paginator(dossiers.order_by("birth_name_key", "first_name_key", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for patient in page.object_list:
        # Listing the circles of supervised dossiers is an access to each of them.
        journal(actor, patient, "supervision", what="gestion des habilitations")
    return render(
        request,
        "careteam/supervision.html",
        {
            "structure": structure,
            "page": page,
            "professionals": professionals,
            "actions": BulkAction.LABELS.items(),
            "nom": query,
            "query": f"nom={query}" if query else "",
        },
    )
