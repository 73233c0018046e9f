"""DEM-1 / DEM-2: send a request, follow it, run a team's requests from its dashboard."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cordee.accounts.models import Structure
from cordee.audit.services import journal
from cordee.careteam.access import Perm, get_dossier
from cordee.core import clock
from cordee.core.http import AuthedRequest, parse_uuid
from cordee.pathways import rendering
from cordee.pathways.answers import Context, Result, read_post, validate
from cordee.patients.create_views import PREFILL_SESSION_KEY
from cordee.patients.forms import ConsentForm
from cordee.patients.services import ConsentInput
from cordee.referrals import services
from cordee.referrals.forms import AnswerForm, CancelForm, HandlingForm, ReferralForm, VersionForm
from cordee.referrals.models import Referral

TAKEN_FROM_KEY = "referrals.created_from"


def _errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def readable_referral(request: AuthedRequest, public_id: uuid.UUID | str) -> Referral:
    """Through the requests' own rule (team or requester); any other does not exist."""
    referral = (
        services.visible_referrals(request.actor)
        .select_related(
            "team",
            "requester",
            "requester_structure",
            "patient",
            "motif",
            "step",
            "assignee",
            "specialised_service",
            "commune",
            "questionnaire_version",
        )
        .filter(public_id=public_id)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def new(request: AuthedRequest, team_id: str) -> HttpResponse:
    team = get_object_or_404(services.receiving_teams(), public_id=team_id)
    settings = services.team_settings(team)
    dossier = None
    dossier_id = request.GET.get("dossier") or request.POST.get("dossier")
    if dossier_id:
        wanted = parse_uuid(dossier_id)
        if wanted is None:
            raise Http404
        dossier = get_dossier(request.actor, wanted, Perm.VIEW, what="demande")
    version = settings.questionnaire.current_version() if settings.questionnaire else None
    definition = version.parsed() if version else None
    identity = settings.carries_identity and dossier is None
    raw: dict[str, Any] = {}
    result = Result()
    error = ""
    if request.method == "POST":
        form = ReferralForm(request.POST, identity=identity, dossier=dossier is not None)
        answers: dict[str, Any] = {}
        if definition is not None:
            raw = read_post(definition, request.POST, {})
            result = validate(definition, raw, Context(today=clock.today()), closing=True)
            answers = result.answers
        if result.tampered:
            error = (
                "Le formulaire envoyé ne correspond pas au formulaire de l'équipe : rien n'a été enregistré."
            )
        elif form.is_valid() and result.ok:
            data = form.cleaned_data
            try:
                referral = services.create_referral(
                    request.actor,
                    services.NewReferral(
                        team=team,
                        motif=data["motif"],
                        detail=data["detail"],
                        patient=dossier,
                        birth_name=data.get("birth_name", ""),
                        first_name=data.get("first_name", ""),
                        birth_date=data.get("birth_date"),
                        sex=data.get("sex", ""),
                        commune=data.get("commune"),
                        questionnaire_version=version,
                        answers=answers,
                    ),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, f"Votre demande n° {referral.number} a été envoyée à {team.name}.")
                return redirect("referrals:detail", public_id=referral.public_id)
    else:
        form = ReferralForm(identity=identity, dossier=dossier is not None)
    nodes = rendering.build(definition, raw, result) if definition is not None else []
    return render(
        request,
        "referrals/new.html",
        {
            "team": team,
            "settings": settings,
            "form": form,
            "dossier": dossier,
            "nodes": nodes,
            "questionnaire": settings.questionnaire,
            "error": error,
        },
        status=400 if error else 200,
    )


def detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    referral = readable_referral(request, public_id)
    journal(
        request.actor,
        referral.patient,
        "referral_read",
        what=f"Demande {referral.number}",
        requested_id=str(referral.public_id),
    )
    is_team = services.acts_for_team(request.actor, referral)
    rows = []
    if referral.questionnaire_version is not None:
        rows = rendering.rows(referral.questionnaire_version.parsed(), referral.answers)
    context = {
        "referral": referral,
        "is_team": is_team,
        "rows": rows,
        "changes": referral.changes.select_related("by", "by_structure"),
        "answer_form": AnswerForm(initial={"version": referral.version, "answer": referral.answer}),
        "cancel_form": CancelForm(initial={"version": referral.version}),
        "handling_form": HandlingForm(
            team=referral.team,
            initial={
                "version": referral.version,
                "assignee": referral.assignee.public_id if referral.assignee else None,
                "external": referral.external,
                "service": referral.specialised_service.code if referral.specialised_service else None,
            },
        )
        if is_team
        else None,
        "consent_form": ConsentForm(prefix="consentement"),
    }
    return render(request, "referrals/detail.html", context)


FORMS_BY_ACTION: dict[str, Any] = {
    "answer": AnswerForm,
    "cancel": CancelForm,
    "next": VersionForm,
    "previous": VersionForm,
    "validate": VersionForm,
}


def perform(request: AuthedRequest, referral: Referral, action: str, allowed: Iterable[str] = ()) -> Referral:
    """One of the team's actions, from its form, through the request services (their rules, the
    version check, the history and the journal); a refusal is a ValidationError in French.
    `allowed`: the actions this caller offers (all when empty)."""
    if allowed and action not in allowed:
        raise ValidationError("Action inconnue.")
    if action == "handling":
        form = HandlingForm(request.POST, team=referral.team)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        data = form.cleaned_data
        return services.update_handling(
            request.actor,
            referral,
            assignee=data["assignee"],
            external=data["external"],
            service=data["service"],
            version=data["version"],
        )
    if action not in FORMS_BY_ACTION:
        raise ValidationError("Action inconnue.")
    form = FORMS_BY_ACTION[action](request.POST)
    if not form.is_valid():
        raise ValidationError(_errors(form))
    data = form.cleaned_data
    if action == "answer":
        return services.answer(request.actor, referral, data["answer"], data["version"])
    if action == "cancel":
        return services.cancel(request.actor, referral, data["reason"], data["version"])
    if action == "validate":
        return services.validate(request.actor, referral, data["version"])
    return services.move_step(request.actor, referral, action, data["version"])


@require_POST
def act(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The team's actions; the requester and anyone else get 403 / 404 and nothing changes."""
    referral = readable_referral(request, public_id)
    if not services.acts_for_team(request.actor, referral):
        raise PermissionDenied
    try:
        perform(request, referral, request.POST.get("action", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "La demande a été mise à jour.")
    return redirect("referrals:detail", public_id=referral.public_id)


@require_POST
def take_on(request: AuthedRequest, public_id: str) -> HttpResponse:
    """With a dossier: the team joins its circle (consent as CON-1). Without one: the search
    before creation, the request's traits pre-filled through the session (never the URL)."""
    referral = readable_referral(request, public_id)
    if not services.acts_for_team(request.actor, referral):
        raise PermissionDenied
    if referral.patient is None:
        request.session[PREFILL_SESSION_KEY] = {
            "birth_name": referral.birth_name,
            "first_name": referral.first_name,
            "birth_date": referral.birth_date.isoformat() if referral.birth_date else "",
            "sex": referral.sex,
        }
        request.session[TAKEN_FROM_KEY] = str(referral.public_id)
        return redirect("patients:search_before_create")
    form = ConsentForm(request.POST, prefix="consentement")
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("referrals:detail", public_id=referral.public_id)
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        services.take_on(
            request.actor,
            referral,
            ConsentInput(
                given_by=form.cleaned_data["given_by"],
                given_by_detail=form.cleaned_data.get("given_by_detail", ""),
            ),
            version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{referral.team.name} fait maintenant partie du cercle de soins du patient."
        )
    return redirect("referrals:detail", public_id=referral.public_id)


def team_structure(request: AuthedRequest) -> Structure | None:
    return request.actor.structure


def link_created_dossier(request: AuthedRequest, patient: Any) -> None:
    """A dossier created after "Créer le patient" on a request: the request now names it."""
    taken_from = request.session.pop(TAKEN_FROM_KEY, None)
    if not taken_from:
        return
    wanted = parse_uuid(str(taken_from))
    if wanted is None:
        return
    referral = services.visible_referrals(request.actor).filter(public_id=wanted).first()
    if referral is not None and services.acts_for_team(request.actor, referral):
        services.attach_created_dossier(request.actor, referral, patient)
