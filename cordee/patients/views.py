"""The active file, the dossier page and identity edition (IDV, DOS-1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cordee.activity.models import Event
from cordee.careteam.access import Perm, get_dossier, permissions, visible_dossiers
from cordee.careteam.models import CircleMember
from cordee.core.http import AuthedRequest
from cordee.patients.forms import PatientIdentityForm
from cordee.patients.merge import open_duplicates
from cordee.patients.models import Favourite, Patient, PotentialDuplicate
from cordee.patients.services import ConcurrentEditError, update_identity

PAGE_SIZE = 20


def active_file(request: AuthedRequest) -> HttpResponse:
    """SRCH-1: only the dossiers the actor is habilitated on."""
    patients = (
        visible_dossiers(request.actor)
        .select_related("birth_commune", "birth_country", "commune")
        .prefetch_related(
            Prefetch(
                "favourited_by", queryset=Favourite.objects.filter(user=request.user), to_attr="my_favourite"
            )
        )
        .annotate(
            has_duplicate=Exists(
                PotentialDuplicate.objects.filter(
                    Q(first=OuterRef("pk")) | Q(second=OuterRef("pk")), status=PotentialDuplicate.Status.OPEN
                )
            )
        )
        .order_by("-updated_at", "pk")
    )
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patients/active_file.html", {"page": page})


def detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """DOS-1: the dossier page, each section shown once its feature exists."""
    patient = get_dossier(request.actor, public_id, Perm.VIEW, what="dossier")
    actor = request.actor
    rights = permissions(actor, patient)
    circle = (
        CircleMember.objects.filter(patient=patient, removed_at__isnull=True)
        .select_related("user", "user__profession", "structure")
        .order_by("-is_habilitated", "pk")
    )
    # CIR-2: a section the matrix does not open to the actor is neither queried nor shown.
    context = {
        "patient": patient,
        "rights": {perm.name: perm in rights for perm in Perm},
        "circle": circle if Perm.VIEW_CIRCLE in rights else None,
        "consents": patient.consents.select_related("structure", "created_by", "withdrawn_by")
        if Perm.VIEW_CONSENT in rights
        else None,
        "hospitalisations": patient.hospitalisations.filter(cancelled_at__isnull=True).select_related(
            "establishment"
        )
        if Perm.VIEW_HOSPITALISATIONS in rights
        else None,
        "events": Event.objects.filter(patient=patient).select_related("created_by", "structure")[:15]
        if Perm.VIEW_FEED in rights
        else None,
        "links": _links(patient) if Perm.VIEW_LINKS in rights else None,
        "is_favourite": Favourite.objects.filter(user=request.user, patient=patient).exists(),
        "zones": list(patient.commune.zones.all()) if patient.commune else [],
        "can_edit_identity": Perm.EDIT_IDENTITY in rights,
        "can_edit_status": Perm.EDIT_STATUS in rights,
        "can_manage_stays": Perm.MANAGE_HOSPITALISATIONS in rights,
        "can_manage_links": Perm.MANAGE_LINKS in rights,
        "can_manage_consent": Perm.MANAGE_CONSENT in rights and actor.is_acting_as_structure,
        "today": timezone.localdate(),
        "duplicates": [(flag, flag.other(patient)) for flag in open_duplicates(patient)],
        "can_merge": Perm.MERGE in rights,
    }
    return render(request, "patients/detail.html", context)


def _links(patient: Patient) -> list[dict[str, object]]:
    rows = []
    for link in patient.links_out.filter(removed_at__isnull=True).select_related("relation", "to_patient"):
        # What the other dossier is to this one: "Enfant : …" on the parent's page.
        rows.append({"link": link, "other": link.to_patient, "label": link.relation.reverse_label})
    for link in patient.links_in.filter(removed_at__isnull=True).select_related("relation", "from_patient"):
        rows.append({"link": link, "other": link.from_patient, "label": link.relation.label})
    return rows


def identity_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    """IDV-3..7 with SEC-4: a stale form never overwrites a newer identity."""
    patient = get_dossier(request.actor, public_id, Perm.EDIT_IDENTITY, what="identité")
    form = PatientIdentityForm(request.POST if request.method == "POST" else None, instance=patient)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("version") or 0
        changes = {name: form.cleaned_data[name] for name in form.cleaned_data if name != "version"}
        fresh = Patient.objects.get(pk=patient.pk)
        try:
            update_identity(request.actor, fresh, changes, expected_version=expected)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "L'identité du patient a été mise à jour.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/identity_edit.html", {"patient": patient, "form": form}, status=200)
