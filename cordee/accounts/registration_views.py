"""ACC-1 registration requests and their validation; the activation link (first password)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from cordee.accounts.forms import RefusalForm, RegistrationForm
from cordee.accounts.models import RegistrationRequest
from cordee.accounts.services import refuse_registration, submit_registration, validate_registration
from cordee.accounts.throttling import registration_throttled
from cordee.core.http import AuthedRequest
from cordee.core.text import search_key
from cordee.directory.models import Invitation
from cordee.directory.services import InvitationError, find_in_directory, invitation_from_token


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the platform administrators: others signed in get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Issue 24: every submission counts (valid or not), before anything is read or written.
        throttled = registration_throttled(request)
        if throttled is not None:
            return throttled
    invitation: Invitation | None = None
    invitation_error = ""
    token = request.GET.get("invitation") or request.POST.get("invitation") or ""
    if token:
        try:
            invitation = invitation_from_token(token)
        except InvitationError as exc:
            invitation_error = str(exc)
    initial: dict[str, Any] = {}
    if invitation is not None:
        initial = {
            "email": invitation.email,
            "last_name": invitation.last_name,
            "first_name": invitation.first_name,
        }
        entry = invitation.professional
        if entry is not None:
            # DIR-3: invited from the national directory, the applicant finds their numbers filled in.
            initial.update(
                rpps=entry.rpps or "",
                adeli=entry.adeli or "",
                profession=entry.national_profession.profession_id,
                specialty=entry.specialty.label[:100] if entry.specialty else "",
            )
    form = RegistrationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        registration = form.save(commit=False)
        registration.invitation = invitation
        submit_registration(registration)
        return redirect("accounts:register_done")
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "invitation": invitation,
            "invitation_error": invitation_error,
            "token": token,
            "support_email": settings.CORDEE_SUPPORT_EMAIL,
        },
    )


@login_not_required
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


@platform_admin_required
def registration_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("statut", RegistrationRequest.Status.PENDING)
    if status not in RegistrationRequest.Status.values:
        status = RegistrationRequest.Status.PENDING
    registrations = RegistrationRequest.objects.filter(status=status).select_related("profession")
    page = Paginator(registrations, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/registration_list.html",
        {"page": page, "status": status, "statuses": RegistrationRequest.Status.choices},
    )


@platform_admin_required
def registration_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    registration = get_object_or_404(
        RegistrationRequest.objects.select_related(
            "profession", "commune", "invitation__created_by", "invitation__professional", "decided_by"
        ),
        public_id=public_id,
    )
    return render(
        request,
        "accounts/registration_detail.html",
        {"registration": registration, "refusal_form": RefusalForm(), **_directory_match(registration)},
    )


def _directory_match(registration: RegistrationRequest) -> dict[str, Any]:
    """ACC-1: the national directory's professional with the declared number, shown to the
    administrator with what differs from the request."""
    entry = find_in_directory(registration.rpps, registration.adeli)
    same_name = entry is not None and search_key(entry.last_name) == search_key(registration.last_name)
    return {"directory_entry": entry, "directory_same_name": same_name}


@require_POST
@platform_admin_required
def registration_validate(request: AuthedRequest, public_id: str) -> HttpResponse:
    registration = get_object_or_404(RegistrationRequest, public_id=public_id)
    try:
        user = validate_registration(registration, admin=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:registration_detail", public_id=public_id)
    messages.success(
        request,
        f"Inscription validée : le compte « {user.username} » a été créé et le demandeur prévenu par e-mail.",
    )
    return redirect("accounts:registration_list")


@require_POST
@platform_admin_required
def registration_refuse(request: AuthedRequest, public_id: str) -> HttpResponse:
    registration = get_object_or_404(
        RegistrationRequest.objects.select_related("profession", "commune"), public_id=public_id
    )
    form = RefusalForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/registration_detail.html",
            {"registration": registration, "refusal_form": form, **_directory_match(registration)},
            status=400,
        )
    try:
        refuse_registration(registration, admin=request.user, reason=form.cleaned_data["reason"])
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:registration_detail", public_id=public_id)
    messages.success(request, "La demande a été refusée et le demandeur prévenu par e-mail.")
    return redirect("accounts:registration_list")


@method_decorator(login_not_required, name="dispatch")
class ActivateView(auth_views.PasswordResetConfirmView):
    """First sign-in: the applicant chooses a password through the e-mailed, single-use link."""

    template_name = "accounts/activate.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe est enregistré : vous pouvez vous connecter.")
        return response
