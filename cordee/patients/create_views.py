"""IDV-1/IDV-2/CON-1: search before create, then create with consent, as a structure."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from cordee.audit.services import journal_many
from cordee.careteam.access import visible_dossiers
from cordee.core.http import AuthedRequest
from cordee.patients.forms import ConsentForm, PatientIdentityForm, TraitsSearchForm
from cordee.patients.matching import Traits, find_candidates
from cordee.patients.models import Patient
from cordee.patients.services import ConsentInput, create_patient

# The strict traits and the country, as the search posted them (IDV-2).
TRAIT_PARAMS = ["birth_name", "first_name", "birth_date", "sex", "birth_country_code", "birth_commune"]
# The last search before creation, kept in the (server-side) session: identity traits never
# travel in a URL, and the creation form takes its strict traits from here only.
SEARCH_SESSION_KEY = "patients.search_before_create"
# Traits offered to fill the search form (a request's traits, DEM-1): shown, not searched —
# the search itself still has to be posted before any creation.
PREFILL_SESSION_KEY = "patients.prefill_traits"
# Called once a dossier is created here (another app linking it, e.g. to the request it came from).
CREATION_LISTENERS: list[Callable[[AuthedRequest, Patient], None]] = []


def _require_structure(request: AuthedRequest) -> HttpResponse | None:
    if request.actor.is_acting_as_structure:
        return None
    return render(request, "patients/structure_required.html", status=403)


def searched_traits(request: AuthedRequest) -> dict[str, str] | None:
    """The traits of the search made before creation in this session, if any (and only if they
    still pass the search form: a stored value is never trusted blindly)."""
    stored = request.session.get(SEARCH_SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    traits = {name: str(stored.get(name, "")) for name in [*TRAIT_PARAMS, "is_fictitious"]}
    return traits if TraitsSearchForm(traits).is_valid() else None


def search_before_create(request: AuthedRequest) -> HttpResponse:
    """IDV-2: the five traits first, posted (never in the URL); candidates shown; else creation
    goes on with the searched traits, which the creation form cannot change."""
    refusal = _require_structure(request)
    if refusal:
        return refusal
    if request.method == "POST":
        form = TraitsSearchForm(request.POST)
    else:
        prefill = request.session.get(PREFILL_SESSION_KEY)
        offered = (
            {k: str(v) for k, v in prefill.items() if k in TRAIT_PARAMS} if isinstance(prefill, dict) else {}
        )
        form = TraitsSearchForm(initial=searched_traits(request) or offered or None)
    candidates = None
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
        request.session[SEARCH_SESSION_KEY] = {
            name: request.POST.get(name, "") for name in [*TRAIT_PARAMS, "is_fictitious"]
        }
    return render(
        request,
        "patients/search_before_create.html",
        {"form": form, "candidates": candidates},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def create(request: AuthedRequest) -> HttpResponse:
    """IDV-1/IDV-2/CON-1: only after the search, with the searched traits (locked here)."""
    refusal = _require_structure(request)
    if refusal:
        return refusal
    traits = searched_traits(request)
    if traits is None:
        # The server's rule, not the screens' order: no identity form without the search.
        messages.info(
            request,
            "Avant de créer un dossier, recherchez si le patient existe déjà "
            "à partir de ses 5 traits d'identité.",
        )
        return redirect("patients:search_before_create")
    if request.method == "POST":
        form = _locked(PatientIdentityForm(request.POST, initial=traits), traits)
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
                request.session.pop(SEARCH_SESSION_KEY, None)
                request.session.pop(PREFILL_SESSION_KEY, None)
                for listener in CREATION_LISTENERS:
                    listener(request, patient)
                messages.success(request, f"Le dossier de {patient.display_name} a été créé.")
                return redirect("patients:detail", public_id=patient.public_id)
    else:
        form = _locked(PatientIdentityForm(initial={k: v for k, v in traits.items() if v}), traits)
        consent_form = ConsentForm(prefix="consentement")
    return render(request, "patients/create.html", {"form": form, "consent_form": consent_form})


def _locked(form: PatientIdentityForm, traits: dict[str, str]) -> PatientIdentityForm:
    """The searched traits, shown but not editable: Django ignores a disabled field's posted
    value and uses the initial one. Changing them means searching again."""
    for name in TRAIT_PARAMS:
        form.fields[name].disabled = True
    form.fields["is_fictitious"].disabled = True
    form.initial["is_fictitious"] = bool(traits.get("is_fictitious"))
    return form
