from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from cordee.audit import wording
from cordee.audit.models import Access, ListedDossier
from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest
from cordee.patients.models import Patient


def _other_dossiers(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    # Another dossier named in an entry (a merge, a potential duplicate): the reader may not
    # see it, so neither its name nor its id is shown.
    return {
        public_id: "un autre dossier"
        for public_id in Patient.objects.filter(public_id__in=ids).values_list("public_id", flat=True)
    }


def dossier_journal(request: AuthedRequest, public_id: str) -> HttpResponse:
    """SEC-2: "Qui a consulté ce dossier" for the habilitated members, in French sentences."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_ACCESS_JOURNAL, what="journal des accès")
    # A merged dossier's journal stays with its tombstone (IDV-8): read both.
    # And the acts that named it among many (a bulk export's batch: one row, its list aside),
    # their ids read first so that both lookups use their index.
    listed = list(
        ListedDossier.objects.filter(Q(patient=patient) | Q(patient__merged_into=patient)).values_list(
            "access_id", flat=True
        )
    )
    mine = Q(patient=patient) | Q(patient__merged_into=patient)
    accesses = Access.objects.filter(mine | Q(pk__in=listed) if listed else mine).select_related(
        "user", "user__profession", "structure"
    )
    page = Paginator(accesses, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    ids = wording.ids_in(rows)
    names = {patient.public_id: "ce dossier"}
    names.update(_other_dossiers(ids - names.keys()))
    lines = wording.lines(rows, known=names)
    return render(request, "audit/dossier_journal.html", {"patient": patient, "page": page, "lines": lines})
