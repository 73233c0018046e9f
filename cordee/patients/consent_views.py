"""CON-2/CON-3: consent document, withdrawal with a reason, new consent; history kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.careteam.access import Perm, get_dossier
from cordee.core.http import AuthedRequest
from cordee.patients.consent_pdf import consent_document
from cordee.patients.forms import ConsentForm, ConsentWithdrawalForm
from cordee.patients.models import Consent
from cordee.patients.services import ConsentInput, record_consent, withdraw_consent


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def blank_document(request: AuthedRequest) -> HttpResponse:
    """The document to print before the dossier exists (from the creation form)."""
    structure = request.actor.structure
    return _pdf(consent_document(None, structure.name if structure else ""), "consentement-vierge.pdf")


def document(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_CONSENT, what="document de consentement")
    consent = patient.consents.select_related("structure").first()
    structure_name = consent.structure.name if consent else ""
    return _pdf(consent_document(patient, structure_name, consent), f"consentement-{patient.public_id}.pdf")


@require_POST
def withdraw(request: AuthedRequest, public_id: str, consent_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CONSENT, what="annulation du consentement")
    consent = get_object_or_404(Consent, patient=patient, public_id=consent_id)
    form = ConsentWithdrawalForm(request.POST)
    if form.is_valid():
        try:
            withdraw_consent(request.actor, consent, form.cleaned_data["reason"])
        except ValidationError:
            pass
        else:
            messages.success(request, "Le consentement a été annulé ; il reste dans l'historique.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(
        request,
        "patients/consent_withdraw.html",
        {"patient": patient, "consent": consent, "form": form},
        status=400,
    )


def give(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A new consent after a withdrawal (acting as a structure)."""
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CONSENT, what="recueil du consentement")
    if not request.actor.is_acting_as_structure:
        raise Http404
    form = ConsentForm(request.POST if request.method == "POST" else None, prefix="consentement")
    if request.method == "POST" and form.is_valid():
        record_consent(
            request.actor,
            patient,
            ConsentInput(form.cleaned_data["given_by"], form.cleaned_data.get("given_by_detail", "")),
        )
        messages.success(request, "Le consentement a été enregistré.")
        return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/consent_give.html", {"patient": patient, "consent_form": form})
