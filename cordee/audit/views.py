from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from cordee.audit.models import Access
from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest


def dossier_journal(request: AuthedRequest, public_id: str) -> HttpResponse:
    """SEC-2: "Qui a consulté ce dossier" for the habilitated members."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_ACCESS_JOURNAL, what="journal des accès")
    # A merged dossier's journal stays with its tombstone (IDV-8): read both.
    accesses = Access.objects.filter(Q(patient=patient) | Q(patient__merged_into=patient)).select_related(
        "user", "user__profession", "structure"
    )
    page = Paginator(accesses, 50).get_page(request.GET.get("page"))
    return render(request, "audit/dossier_journal.html", {"patient": patient, "page": page})
