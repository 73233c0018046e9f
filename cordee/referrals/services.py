"""DEM-1: every change to a request, each in one transaction with its history row, its journal
row (audit.Access, when a dossier is named) and its notification after the commit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet

from cordee.accounts.models import Membership, Structure, User
from cordee.audit.services import journal
from cordee.careteam.services import add_structure
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.text import clip, clip_to
from cordee.directory.models import ResourceTeam
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.patients.models import Patient
from cordee.patients.services import ConsentInput, record_consent
from cordee.referrals.models import Change, Counter, Motif, Referral, SpecialisedService, Step
from cordee.territory.models import Commune

STALE = "La demande a été modifiée par quelqu'un d'autre entre-temps : rechargez la page."


def visible_referrals(actor: Actor) -> QuerySet[Referral]:
    """The requests an actor may read: those addressed to the structure they act for, and their
    own (as requester) — "a request's patient data is visible to the team (members acting for
    it) and to the requester only" (issue 19). Its assignee reads it acting for the team: their
    notifications reach them through the team, and the centre's entry switches to it before
    opening. Every page of a request starts here; any other is not found."""
    rule = Q(requester=actor.user)
    if actor.structure is not None:
        rule |= Q(team=actor.structure)
    return Referral.objects.filter(rule)


def acts_for_team(actor: Actor, referral: Referral) -> bool:
    return actor.structure is not None and actor.structure.pk == referral.team_id


def receiving_teams() -> QuerySet[Structure]:
    return Structure.objects.filter(is_active=True, resource_team__is_listed=True).order_by("name")


def team_settings(team: Structure) -> ResourceTeam:
    settings = (
        ResourceTeam.objects.filter(structure=team, is_listed=True).select_related("questionnaire").first()
    )
    if settings is None or not team.is_active:
        raise ValidationError("Cette structure ne reçoit pas de demandes.")
    return settings


def _next_number() -> int:
    counter, _ = Counter.objects.select_for_update().get_or_create(pk=1)
    Counter.objects.filter(pk=1).update(last=F("last") + 1)
    return counter.last + 1


def _record(actor: Actor, referral: Referral, what: str, action: str) -> None:
    Change.objects.create(
        referral=referral, by=actor.user, by_structure=actor.structure, what=clip_to(Change, "what", what)
    )
    journal(
        actor,
        referral.patient,
        action,
        what=f"Demande {referral.number}",
        requested_id=str(referral.public_id),
    )


@dataclass(frozen=True)
class NewReferral:
    team: Structure
    motif: Motif
    detail: str
    patient: Patient | None = None
    birth_name: str = ""
    first_name: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    commune: Commune | None = None
    questionnaire_version: Any = None
    answers: dict[str, Any] | None = None


def create_referral(actor: Actor, new: NewReferral) -> Referral:
    """The caller has read `patient` through the access policy. A team that does not carry the
    identity gets no traits: a posted trait is refused, not dropped silently."""
    settings = team_settings(new.team)
    has_traits = bool(new.birth_name or new.first_name or new.birth_date or new.sex)
    if not settings.carries_identity and (has_traits or new.patient is not None):
        raise ValidationError("Cette équipe reçoit des demandes sans l'identité du patient.")
    if new.patient is not None and has_traits:
        raise ValidationError("Choisissez le dossier ou saisissez l'identité, pas les deux.")
    with transaction.atomic():
        referral = Referral.objects.create(
            number=_next_number(),
            team=new.team,
            requester=actor.user,
            requester_structure=actor.structure,
            patient=new.patient,
            birth_name=new.birth_name,
            first_name=new.first_name,
            birth_date=new.birth_date,
            sex=new.sex,
            commune=new.commune or (new.patient.commune if new.patient is not None else None),
            motif=new.motif,
            detail=new.detail,
            questionnaire_version=new.questionnaire_version,
            answers=new.answers or {},
            step=Step.objects.order_by("ordering")[0],
            created_by=actor.user,
        )
        _record(actor, referral, "Demande envoyée", "referral_create")
        announce(
            Notice.REFERRAL_NEW,
            actor,
            structures=[new.team],
            check_access=False,
            data={"referral": str(referral.public_id), "number": referral.number},
        )
    return referral


def _locked(referral: Referral, version: int) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.version != version:
        raise ValidationError(STALE)
    return current


def _team_only(actor: Actor, referral: Referral) -> None:
    if not acts_for_team(actor, referral):
        raise PermissionDenied("Seule l'équipe destinataire agit sur la demande.")


def _save(referral: Referral, fields: list[str]) -> None:
    referral.version += 1
    referral.save(update_fields=[*fields, "version", "updated_at"])


def _open(referral: Referral) -> None:
    if referral.status == Referral.Status.CANCELLED:
        raise ValidationError("La demande est annulée.")


def answer(actor: Actor, referral: Referral, text: str, version: int) -> Referral:
    _team_only(actor, referral)
    text = text.strip()
    if not text:
        raise ValidationError({"answer": "Saisissez la réponse."})
    with transaction.atomic():
        current = _locked(referral, version)
        _open(current)
        current.answer = text
        current.answered_at = clock.now()
        answered_step = Step.objects.filter(code="reponse-dac").first()
        fields = ["answer", "answered_at"]
        if answered_step is not None and current.step.ordering < answered_step.ordering:
            current.step = answered_step
            fields.append("step")
        _save(current, fields)
        _record(actor, current, "Réponse de l'équipe", "referral_answer")
        announce(
            Notice.REFERRAL_ANSWERED,
            actor,
            users=[current.requester],
            check_access=False,
            data={"referral": str(current.public_id), "number": current.number},
        )
    return current


def move_step(actor: Actor, referral: Referral, direction: str, version: int) -> Referral:
    _team_only(actor, referral)
    with transaction.atomic():
        current = _locked(referral, version)
        _open(current)
        steps = Step.objects.order_by("ordering")
        if direction == "next":
            target = steps.filter(ordering__gt=current.step.ordering).first()
        elif direction == "previous":
            target = steps.filter(ordering__lt=current.step.ordering).last()
        else:
            raise ValidationError("Sens inconnu.")
        if target is None:
            raise ValidationError("La demande est déjà à la première ou à la dernière étape.")
        before = current.step.label
        current.step = target
        _save(current, ["step"])
        _record(actor, current, f"Étape : {before} → {target.label}", "referral_step")
        _tell_parties(actor, current, Notice.REFERRAL_STEP, previous=before, step=target.label)
    return current


def _tell_parties(actor: Actor, referral: Referral, kind: Notice, **data: str) -> None:
    """NOT-1: a request's step, its validation or its cancellation is told, after the commit, to
    the people it concerns — its requester, and its assignee while still an active member of the
    team — each per their own switches; never to the one who acted (`fan_out` drops the author),
    nor to the rest of the team or the dossier's circle. The entry names no patient; its link,
    the request's page, is read through the requests' own rule: the requester in their name,
    the assignee as the team (the entry switches to it)."""
    about = {"referral": str(referral.public_id), "number": referral.number, **data}
    announce(kind, actor, users=[referral.requester_id], check_access=False, data=about)
    if referral.assignee_id is not None and referral.assignee_id != referral.requester_id:
        _tell_assignee(kind, actor, referral, referral.assignee_id, about)


def _tell_assignee(
    kind: Notice, actor: Actor, referral: Referral, assignee: int, data: dict[str, Any]
) -> None:
    """The assignee alone, reached through the team (an active member: `fan_out` reads the team's
    members), so that their entry opens the request acting for the team."""
    announce(
        kind,
        actor,
        structures=[referral.team_id],
        admit=lambda user_id, _via: user_id == assignee,
        check_access=False,
        data=data,
    )


def team_members(team: Structure) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__structure=team, memberships__is_active=True
    ).order_by("last_name", "first_name")


def update_handling(
    actor: Actor,
    referral: Referral,
    *,
    assignee: User | None,
    external: bool,
    service: SpecialisedService | None,
    version: int,
) -> Referral:
    """Assignment (to an active member of the team only), "Externe au DAC", "Service spécialisé"."""
    _team_only(actor, referral)
    if (
        assignee is not None
        and not Membership.objects.filter(
            user=assignee, structure_id=referral.team_id, is_active=True
        ).exists()
    ):
        raise ValidationError({"assignee": "La personne affectée doit être membre de l'équipe."})
    with transaction.atomic():
        current = _locked(referral, version)
        _open(current)
        said = []
        if current.assignee_id != (assignee.pk if assignee else None):
            said.append(f"affectée à {assignee.display_name}" if assignee else "affectation retirée")
        if current.external != external:
            said.append("externe au DAC" if external else "non externe au DAC")
        if current.specialised_service_id != (service.pk if service else None):
            said.append(f"service spécialisé : {service.label if service else 'aucun'}")
        if not said:
            return current
        previous = current.assignee_id
        current.assignee, current.external, current.specialised_service = assignee, external, service
        _save(current, ["assignee", "external", "specialised_service"])
        _record(actor, current, "Prise en charge : " + ", ".join(said), "referral_assign")
        if previous != current.assignee_id:
            _tell_assignment(actor, current, previous)
    return current


def _tell_assignment(actor: Actor, referral: Referral, previous: int | None) -> None:
    """NOT-1: the new assignee hears "une demande m'est affectée"; the one it is taken from, while
    still an active member of the team, "ne m'est plus affectée" — each per their own switches,
    never the one who assigned (`fan_out` drops the author), nor the requester or the rest of the
    team. The new assignee is an active member (checked above): their entry opens it as the team."""
    about = {"referral": str(referral.public_id), "number": referral.number}
    if referral.assignee_id is not None:
        _tell_assignee(Notice.REFERRAL_ASSIGNED, actor, referral, referral.assignee_id, about)
    if (
        previous is not None
        and Membership.objects.filter(
            user_id=previous, structure_id=referral.team_id, is_active=True
        ).exists()
    ):
        announce(
            Notice.REFERRAL_UNASSIGNED,
            actor,
            users=[previous],
            check_access=False,
            data={**about, "assignee": referral.assignee.display_name if referral.assignee else ""},
        )


def validate(actor: Actor, referral: Referral, version: int) -> Referral:
    _team_only(actor, referral)
    with transaction.atomic():
        current = _locked(referral, version)
        if current.status != Referral.Status.OPEN:
            raise ValidationError("Seule une demande en cours peut être validée.")
        current.status = Referral.Status.VALIDATED
        _save(current, ["status"])
        _record(actor, current, "Demande validée", "referral_validate")
        _tell_parties(actor, current, Notice.REFERRAL_VALIDATED)
    return current


def cancel(actor: Actor, referral: Referral, reason: str, version: int) -> Referral:
    _team_only(actor, referral)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    with transaction.atomic():
        current = _locked(referral, version)
        _open(current)
        current.status = Referral.Status.CANCELLED
        current.cancel_reason = reason[:500]
        _save(current, ["status", "cancel_reason"])
        _record(actor, current, f"Demande annulée : {clip(reason, 200)}", "referral_cancel")
        _tell_parties(actor, current, Notice.REFERRAL_CANCELLED)
    return current


def take_on(actor: Actor, referral: Referral, consent: ConsentInput, version: int) -> Referral:
    """With a dossier: the team joins its circle, the patient's consent recorded (CON-1)."""
    _team_only(actor, referral)
    if referral.patient is None:
        raise ValidationError("Cette demande n'a pas de dossier : créez-le depuis la demande.")
    with transaction.atomic():
        current = _locked(referral, version)
        _open(current)
        assert current.patient is not None
        add_structure(actor, current.patient, current.team, habilitated=True)
        record_consent(actor, current.patient, consent)
        _save(current, [])
        _record(
            actor, current, "Patient pris en charge : l'équipe rejoint le cercle de soins", "referral_take_on"
        )
    return current


def attach_created_dossier(actor: Actor, referral: Referral, patient: Patient) -> None:
    """The dossier the team created from the request (through the search before creation)."""
    _team_only(actor, referral)
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.patient_id is not None:
            return
        current.patient = patient
        _save(current, ["patient"])
        _record(actor, current, "Dossier créé depuis la demande", "referral_dossier")
