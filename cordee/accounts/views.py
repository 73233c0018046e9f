"""Sign-in, CGU, profile and the acting-as switch (ACC-2 … ACC-6)."""

from __future__ import annotations

import datetime
import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.accounts import psc
from cordee.accounts.forms import MemberRoleForm, SignInForm, TermsForm
from cordee.accounts.models import Membership, Structure, TermsVersion
from cordee.accounts.services import accept_terms, change_member_role, notify_password_changed
from cordee.core.http import AuthedRequest, parse_uuid, safe_next
from cordee.core.middleware import ACTING_STRUCTURE_KEY, SIGNED_IN_AT_KEY

PREVIOUS_SIGN_IN_KEY = "cordee_previous_sign_in"


@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        previous = user.last_login.isoformat() if user.last_login else None
        auth_login(request, user)
        # Kept for ACC-5's "date de dernière connexion": last_login now holds this sign-in.
        request.session[PREVIOUS_SIGN_IN_KEY] = previous
        request.session[SIGNED_IN_AT_KEY] = time.time()
        return redirect(safe_next(request))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.GET.get("next", ""), "psc_enabled": psc.is_configured()},
    )


class SignOutView(auth_views.LogoutView):
    """ACC-4: the logout button top right (POST only, as Django requires)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "Vous êtes déconnecté(e).")
        return response


def terms(request: AuthedRequest) -> HttpResponse:
    """ACC-3: the CGU in force, to accept before any other page."""
    current = TermsVersion.current()
    if current is None:
        return redirect("core:home")
    already = current.acceptances.filter(user=request.user).exists()
    form = TermsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not already and form.is_valid():
        accept_terms(request.user, current)
        return redirect(safe_next(request))
    return render(request, "accounts/terms.html", {"terms": current, "form": form, "already": already})


def _previous_sign_in(request: AuthedRequest) -> datetime.datetime | None:
    """The moment kept at sign-in (ISO, UTC), shown on the Paris clock by the template."""
    stored = request.session.get(PREVIOUS_SIGN_IN_KEY)
    try:
        return datetime.datetime.fromisoformat(stored) if isinstance(stored, str) else None
    except ValueError:
        return None


def profile(request: AuthedRequest) -> HttpResponse:
    """ACC-5: last sign-in, roles, structures of attachment."""
    memberships = request.user.memberships.filter(is_active=True).select_related(
        "structure", "structure__commune"
    )
    return render(
        request,
        "accounts/profile.html",
        {"memberships": memberships, "previous_sign_in": _previous_sign_in(request)},
    )


@require_POST
def switch_actor(request: AuthedRequest) -> HttpResponse:
    """ACC-5: act as oneself or as one of one's structures (the "bonhommes verts")."""
    structure_id = request.POST.get("structure", "")
    if not structure_id:
        request.session.pop(ACTING_STRUCTURE_KEY, None)
        messages.success(request, "Vous agissez maintenant en votre nom propre.")
        return redirect(safe_next(request))
    membership = (
        Membership.objects.select_related("structure")
        .filter(user=request.user, structure__public_id=_uuid_or_404(structure_id), is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    request.session[ACTING_STRUCTURE_KEY] = str(membership.structure.public_id)
    messages.success(request, f"Vous agissez maintenant en tant que {membership.structure.name}.")
    return redirect(safe_next(request))


def _uuid_or_404(value: str) -> str:
    parsed = parse_uuid(value)
    if parsed is None:
        raise Http404
    return str(parsed)


def password_change(request: AuthedRequest) -> HttpResponse:
    """ACC-2: changing the password is an authenticated flow, never from the login screen."""
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        notify_password_changed(user)
        messages.success(request, "Votre mot de passe a été modifié.")
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


def structure_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """ACC-6: a structure's members and their rights, seen by its members only."""
    structure = get_object_or_404(
        Structure.objects.filter(memberships__user=request.user, memberships__is_active=True).distinct(),
        public_id=public_id,
    )
    members = (
        structure.memberships.filter(is_active=True)
        .select_related("user", "user__profession")
        .order_by("user__last_name", "user__first_name")
    )
    actor = request.actor
    can_manage = actor.is_structure_superuser and actor.structure == structure
    return render(
        request,
        "accounts/structure_detail.html",
        {
            "structure": structure,
            "members": members,
            "can_manage": can_manage,
            "roles": Membership.Role.choices,
        },
    )


@require_POST
def member_role(request: AuthedRequest, public_id: str, membership_id: str) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("structure", "user").filter(
            structure__memberships__user=request.user, structure__memberships__is_active=True
        ),
        structure__public_id=public_id,
        public_id=membership_id,
    )
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Droit inconnu.")
        return redirect("accounts:structure_detail", public_id=public_id)
    try:
        change_member_role(request.actor, membership, form.cleaned_data["role"])
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Les droits de {membership.user.display_name} ont été mis à jour.")
    return redirect("accounts:structure_detail", public_id=public_id)
