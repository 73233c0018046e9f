"""IDV-1/IDV-2/CON-1: search before create, then create with consent, as a structure."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cordee.audit.services import journal_many
from cordee.careteam.access import visible_dossiers
from cordee.core.http import AuthedRequest
from cordee.patients.forms import ConsentForm, PatientIdentityForm, TraitsSearchForm
from cordee.patients.matching import Traits, find_candidates
from cordee.patients.services import ConsentInput, create_patient

TRAIT_PARAMS = ["birth_name", "first_name", "birth_date", "sex", "birth_country_code", "birth_commune"]


def _require_structure(request: AuthedRequest) -> HttpResponse | None:
    if request.actor.is_acting_as_structure:
        return None
    return render(request, "patients/structure_required.html", status=403)


def search_before_create(request: AuthedRequest) -> HttpResponse:
    """IDV-2: the five traits first; candidates shown; else creation goes on with them kept."""
    refusal = _require_structure(request)
    if refusal:
        return refusal
    form = TraitsSearchForm(request.GET if "birth_name" in request.GET else None)
    candidates = None
    create_url = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        commune = data.get("birth_commune")
        traits = Traits(
            birth_name=data["birth_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            birth_commune_code=commune.code if commune else None,
        )
        candidates = find_candidates(traits)
        visible = set(
            visible_dossiers(request.actor)
            .filter(pk__in=[c.patient.pk for c in candidates])
            .values_list("pk", flat=True)
        )
        for candidate in candidates:
            candidate.visible = candidate.patient.pk in visible
        # Identity traits of a dossier one may not open were shown: that is an access too (one
        # journal row per candidate, written in one statement).
        journal_many(
            request.actor, [c.patient for c in candidates], "identity_search", what="recherche avant création"
        )
        create_url = "?" + urlencode({name: request.GET.get(name, "") for name in TRAIT_PARAMS})
    return render(
        request,
        "patients/search_before_create.html",
        {"form": form, "candidates": candidates, "create_url": create_url},
    )


def create(request: AuthedRequest) -> HttpResponse:
    refusal = _require_structure(request)
    if refusal:
        return refusal
    if request.method == "POST":
        form = PatientIdentityForm(request.POST)
        consent_form = ConsentForm(request.POST, prefix="consentement")
        if form.is_valid() and consent_form.is_valid():
            patient = form.save(commit=False)
            consent = ConsentInput(
                given_by=consent_form.cleaned_data["given_by"],
                given_by_detail=consent_form.cleaned_data.get("given_by_detail", ""),
            )
            try:
                create_patient(request.actor, patient, consent)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Le dossier de {patient.display_name} a été créé.")
                return redirect("patients:detail", public_id=patient.public_id)
    else:
        initial = {name: request.GET[name] for name in TRAIT_PARAMS if request.GET.get(name)}
        form = PatientIdentityForm(initial=initial)
        consent_form = ConsentForm(prefix="consentement")
    return render(request, "patients/create.html", {"form": form, "consent_form": consent_form})
