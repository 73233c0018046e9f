"""Status, death, hospitalisations, favourites and linked dossiers (DOS-2 … DOS-6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.audit.services import journal_many
from cordee.careteam.access import Perm, get_dossier, visible_dossiers
from cordee.core.http import AuthedRequest, typed_text
from cordee.core.text import search_key
from cordee.patients import dossier_services as services
from cordee.patients.active_file import named
from cordee.patients.dossier_forms import DeathForm, HospitalisationForm, LinkForm, StatusForm
from cordee.patients.models import Hospitalisation, PatientLink
from cordee.patients.services import ConcurrentEditError


def _apply_errors(form: BaseForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def status(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.EDIT_STATUS, what="statut")
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        initial={"version": patient.version, "status": patient.status},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                request.actor,
                patient,
                form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason"),
                checklist_confirmed=form.cleaned_data.get("checklist_confirmed", False),
            )
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Le statut du dossier a été modifié.")
            return redirect("patients:detail", public_id=patient.public_id)
    context = {"patient": patient, "form": form, "checklist": services.closing_checklist(patient)}
    return render(request, "patients/status.html", context)


def death(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.EDIT_STATUS, what="déclaration de décès")
    form = DeathForm(request.POST if request.method == "POST" else None, initial={"version": patient.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.declare_death(
                request.actor,
                patient,
                expected_version=data["version"],
                death_date=data.get("death_date"),
                declared_on=data["declared_on"],
                country=data.get("country"),
                place=data["place"],
            )
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Le décès du patient a été déclaré.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/death.html", {"patient": patient, "form": form})


def hospitalisation(request: AuthedRequest, public_id: str, stay_id: str | None = None) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_HOSPITALISATIONS, what="hospitalisation")
    stay = None
    if stay_id is not None:
        stay = get_object_or_404(
            Hospitalisation, patient=patient, public_id=stay_id, cancelled_at__isnull=True
        )
    form = HospitalisationForm(request.POST if request.method == "POST" else None, instance=stay)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_hospitalisation(request.actor, patient, form.save(commit=False))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "L'hospitalisation a été enregistrée.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/hospitalisation.html", {"patient": patient, "form": form, "stay": stay})


@require_POST
def hospitalisation_cancel(request: AuthedRequest, public_id: str, stay_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_HOSPITALISATIONS, what="hospitalisation")
    stay = get_object_or_404(Hospitalisation, patient=patient, public_id=stay_id, cancelled_at__isnull=True)
    services.cancel_hospitalisation(request.actor, stay)
    messages.success(request, "L'hospitalisation a été annulée (elle reste dans l'historique).")
    return redirect("patients:detail", public_id=patient.public_id)


@require_POST
def favourite(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW, what="favori")
    added = services.toggle_favourite(request.actor, patient)
    messages.success(request, "Dossier ajouté aux favoris." if added else "Dossier retiré des favoris.")
    return redirect("patients:detail", public_id=patient.public_id)


def link_add(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_LINKS, what="dossiers liés")
    allowed = visible_dossiers(request.actor).exclude(pk=patient.pk)
    query = typed_text(request.GET.get("q"))
    matches = named(allowed, query).order_by("birth_name_key", "first_name_key")[:20]
    form = LinkForm(request.POST if request.method == "POST" else None, choices=matches, allowed=allowed)
    if not form.is_bound and len(search_key(query)) >= 2:
        # Issue 24: the matches are named in the list of choices — journaled, one statement.
        journal_many(request.actor, matches, "list_picker", what="dossiers liés : choix du dossier")
    if request.method == "POST" and form.is_valid():
        try:
            services.link_dossiers(
                request.actor, patient, form.cleaned_data["other"], form.cleaned_data["relation"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Les dossiers sont liés.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/link_add.html", {"patient": patient, "form": form, "query": query})


@require_POST
def link_remove(request: AuthedRequest, public_id: str, link_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_LINKS, what="dossiers liés")
    link = get_object_or_404(
        PatientLink.objects.filter(removed_at__isnull=True).filter(from_patient=patient)
        | PatientLink.objects.filter(removed_at__isnull=True).filter(to_patient=patient),
        public_id=link_id,
    )
    services.unlink_dossiers(request.actor, link)
    messages.success(request, "Le lien entre les dossiers a été retiré.")
    return redirect("patients:detail", public_id=patient.public_id)
