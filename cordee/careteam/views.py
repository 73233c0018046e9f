"""The care circle page and its actions (CIR-1, CIR-3 … CIR-6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.accounts.models import Structure, User
from cordee.careteam import services
from cordee.careteam.access import Perm, get_dossier, permissions
from cordee.careteam.forms import ManualMemberForm, ManualStructureForm, MemberForm
from cordee.careteam.models import CircleMember
from cordee.core.http import AuthedRequest, parse_uuid, typed_text
from cordee.directory.forms import DirectorySearchForm
from cordee.directory.search import search_professionals, search_structures
from cordee.patients.models import Patient

PAGE_SIZES = (10, 25, 50)


def _member(patient: Patient, member_id: str) -> CircleMember:
    return get_object_or_404(
        CircleMember.objects.select_related("user", "structure", "patient"),
        patient=patient,
        public_id=member_id,
        removed_at__isnull=True,
    )


def _back(patient: Patient) -> HttpResponse:
    return redirect("careteam:circle", public_id=patient.public_id)


def circle(request: AuthedRequest, public_id: str) -> HttpResponse:
    """CIR-1: the seed's table of the circle."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW_CIRCLE, what="cercle de soins")
    members = (
        CircleMember.objects.filter(patient=patient, removed_at__isnull=True)
        .select_related(
            "user", "user__profession", "structure", "structure__commune", "manual_commune", "created_by"
        )
        .prefetch_related("roles", "user__memberships__structure")
        .order_by("-is_habilitated", "created_at", "pk")
    )
    try:
        size = int(request.GET.get("taille", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    page = Paginator(members, size).get_page(request.GET.get("page"))
    return render(
        request,
        "careteam/circle.html",
        {
            "patient": patient,
            "page": page,
            "can_manage": Perm.MANAGE_CIRCLE in permissions(request.actor, patient),
            "page_sizes": PAGE_SIZES,
            "size": size,
            "query": f"taille={size}",
        },
    )


def _confirm(
    request: AuthedRequest, patient: Patient, name: str, action: str, fields: dict[str, str]
) -> HttpResponse:
    """The seed's "Voulez-vous vraiment habiliter…" asked on the server, so it works without JS."""
    return render(
        request,
        "careteam/confirm_habilitation.html",
        {"patient": patient, "name": name, "action": action, "fields": fields},
    )


def add_professional(request: AuthedRequest, public_id: str) -> HttpResponse:
    """CIR-3: search the directory, then add with or without habilitation."""
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    if request.method == "POST":
        user = get_object_or_404(User, public_id=parse_uuid(request.POST.get("professional")), is_active=True)
        habilitated = request.POST.get("habilitated") == "1"
        if habilitated and request.POST.get("confirmed") != "1":
            return _confirm(
                request,
                patient,
                user.display_name,
                request.path,
                {"professional": str(user.public_id), "habilitated": "1"},
            )
        try:
            member = services.add_professional(request.actor, patient, user, habilitated=habilitated)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back(patient)
        messages.success(
            request, f"{user.display_name} a été ajouté(e) au cercle de soins : précisez son rôle."
        )
        return redirect("careteam:member_edit", public_id=patient.public_id, member_id=member.public_id)
    form = DirectorySearchForm(request.GET or None)
    results = None
    if form.is_valid() and any(form.cleaned_data.get(k) for k in ("nom", "ville", "structure", "profession")):
        in_circle = CircleMember.objects.filter(patient=patient, removed_at__isnull=True, user__isnull=False)
        results = search_professionals(form.cleaned_data).exclude(pk__in=in_circle.values("user"))[:30]
    return render(
        request, "careteam/add_professional.html", {"patient": patient, "form": form, "results": results}
    )


def add_structure(request: AuthedRequest, public_id: str) -> HttpResponse:
    """CIR-4: a structure from the directory, or one added by hand."""
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    manual_form = ManualStructureForm(request.POST if request.POST.get("manual") == "1" else None)
    if request.method == "POST" and request.POST.get("manual") == "1":
        if manual_form.is_valid():
            member = manual_form.save(commit=False)
            member.manual_is_structure = True
            services.add_manual(request.actor, patient, member, manual_form.cleaned_data["roles"])
            messages.success(request, f"{member.display_name} a été ajoutée au cercle de soins.")
            return _back(patient)
    elif request.method == "POST":
        structure = get_object_or_404(
            Structure, public_id=parse_uuid(request.POST.get("structure")), is_active=True
        )
        habilitated = request.POST.get("habilitated") == "1"
        if habilitated and request.POST.get("confirmed") != "1":
            return _confirm(
                request,
                patient,
                structure.name,
                request.path,
                {"structure": str(structure.public_id), "habilitated": "1"},
            )
        try:
            services.add_structure(request.actor, patient, structure, habilitated=habilitated)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{structure.name} a été ajoutée au cercle de soins.")
        return _back(patient)
    form = DirectorySearchForm(request.GET or None)
    results = None
    if form.is_valid() and any(form.cleaned_data.get(k) for k in ("nom", "ville")):
        in_circle = CircleMember.objects.filter(
            patient=patient, removed_at__isnull=True, structure__isnull=False
        )
        results = search_structures(form.cleaned_data).exclude(pk__in=in_circle.values("structure"))[:30]
    return render(
        request,
        "careteam/add_structure.html",
        {"patient": patient, "form": form, "results": results, "manual_form": manual_form},
    )


def add_manual(request: AuthedRequest, public_id: str) -> HttpResponse:
    """CIR-3 "Ajout manuel de personne": never any access to the dossier."""
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    # Back from "Inviter un confrère" (issue 23): the invited colleague, ready to be added.
    invited = {
        "manual_is_professional": True,
        "manual_last_name": typed_text(request.GET.get("nom")),
        "manual_first_name": typed_text(request.GET.get("prenom")),
        "manual_email": typed_text(request.GET.get("email"), 254),
    }
    form = ManualMemberForm(
        request.POST if request.method == "POST" else None,
        initial=invited if request.GET.get("nom") else None,
    )
    if request.method == "POST" and form.is_valid():
        member = services.add_manual(
            request.actor, patient, form.save(commit=False), form.cleaned_data["roles"]
        )
        messages.success(request, f"{member.display_name} a été ajouté(e) au cercle de soins.")
        return _back(patient)
    return render(request, "careteam/add_manual.html", {"patient": patient, "form": form})


def member_edit(request: AuthedRequest, public_id: str, member_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    member = _member(patient, member_id)
    was_habilitated = member.is_habilitated
    form = MemberForm(request.POST if request.method == "POST" else None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        habilitated = bool(data.get("is_habilitated", False))
        if habilitated and not was_habilitated and not data.get("confirmed"):
            return render(
                request,
                "careteam/member_edit.html",
                {"patient": patient, "member": member, "form": form, "ask_confirmation": True},
            )
        try:
            services.update_member(
                request.actor,
                CircleMember.objects.get(pk=member.pk),
                details={name: data.get(name, "") for name in services.DETAIL_FIELDS},
                roles=data["roles"],
                habilitated=habilitated,
                sharing_refused=bool(data.get("sharing_refused")),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{member.display_name} : informations mises à jour.")
            return _back(patient)
    return render(request, "careteam/member_edit.html", {"patient": patient, "member": member, "form": form})


@require_POST
def member_remove_habilitation(request: AuthedRequest, public_id: str, member_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    member = _member(patient, member_id)
    try:
        services.remove_habilitation(request.actor, member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"L'habilitation de {member.display_name} est retirée.")
    return _back(patient)


@require_POST
def member_delete(request: AuthedRequest, public_id: str, member_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.MANAGE_CIRCLE, what="cercle de soins")
    member = _member(patient, member_id)
    try:
        services.delete_member(request.actor, member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.display_name} ne fait plus partie du cercle de soins.")
    return _back(patient)
