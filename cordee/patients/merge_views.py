"""IDV-8: compare two dossiers flagged as potential duplicates; merge them or dismiss the flag."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest
from cordee.patients.merge import dismiss_duplicate, merge_dossiers
from cordee.patients.models import PotentialDuplicate

COMPARED = [
    ("Nom de naissance", "birth_name"),
    ("Nom utilisé", "used_name"),
    ("1er prénom de naissance", "first_name"),
    ("Prénom(s)", "birth_first_names"),
    ("Date de naissance", "birth_date"),
    ("Sexe", "get_sex_display"),
    ("Lieu de naissance", "birth_place_label"),
    ("Rang gémellaire", "twin_rank"),
    ("NIR", "nir"),
    ("Statut de l'identité", "get_identity_status_display"),
    ("Statut du dossier", "get_status_display"),
    ("Créé le", "created_at"),
]


def _flag(patient_pk: int, flag_id: str) -> PotentialDuplicate:
    return get_object_or_404(
        PotentialDuplicate.objects.select_related("first", "second"),
        Q(first_id=patient_pk) | Q(second_id=patient_pk),
        public_id=flag_id,
        status=PotentialDuplicate.Status.OPEN,
    )


def compare(request: AuthedRequest, public_id: str, flag_id: str) -> HttpResponse:
    """Both dossiers side by side; the one opened is the survivor of a merge."""
    patient = get_dossier(request.actor, public_id, Perm.MERGE, what="doublon potentiel")
    flag = _flag(patient.pk, flag_id)
    other = get_dossier(request.actor, flag.other(patient).public_id, Perm.MERGE, what="doublon potentiel")
    rows = []
    for label, attribute in COMPARED:
        mine, theirs = getattr(patient, attribute), getattr(other, attribute)
        mine, theirs = (mine() if callable(mine) else mine), (theirs() if callable(theirs) else theirs)
        rows.append({"label": label, "mine": mine, "theirs": theirs, "differs": mine != theirs})
    return render(
        request,
        "patients/merge_compare.html",
        {"patient": patient, "other": other, "flag": flag, "rows": rows},
    )


@require_POST
def merge(request: AuthedRequest, public_id: str, flag_id: str) -> HttpResponse:
    survivor = get_dossier(request.actor, public_id, Perm.MERGE, what="fusion")
    flag = _flag(survivor.pk, flag_id)
    merged = get_dossier(request.actor, flag.other(survivor).public_id, Perm.MERGE, what="fusion")
    if request.POST.get("confirm") != "oui":
        messages.error(request, "Cochez la confirmation pour fusionner les deux dossiers.")
        return redirect("patients:duplicate_compare", public_id=public_id, flag_id=flag_id)
    try:
        merge_dossiers(request.actor, survivor, merged)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("patients:detail", public_id=survivor.public_id)
    messages.success(request, f"Les dossiers ont été fusionnés dans celui de {survivor.display_name}.")
    return redirect("patients:detail", public_id=survivor.public_id)


@require_POST
def dismiss(request: AuthedRequest, public_id: str, flag_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MERGE, what="doublon potentiel")
    flag = _flag(patient.pk, flag_id)
    get_dossier(request.actor, flag.other(patient).public_id, Perm.MERGE, what="doublon potentiel")
    dismiss_duplicate(request.actor, flag)
    messages.success(request, "Le doublon potentiel est écarté : ce ne sont pas les mêmes personnes.")
    return redirect("patients:detail", public_id=patient.public_id)
