"""DIR-3: invite a colleague; the link is signed and expires."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from cordee.core.actor import Actor
from cordee.core.mail import absolute_url, queue_email
from cordee.directory.models import DirectoryProfessional, Invitation

_SALT = "cordee.directory.invitation"


class InvitationError(Exception):
    """The link is unknown, altered or too old; the message is the French text to show."""


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.public_id), salt=_SALT)


def invitation_from_token(token: str) -> Invitation:
    max_age = settings.CORDEE_INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        public_id = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationError(
            "Ce lien d'invitation a expiré. Demandez à votre confrère une nouvelle invitation, "
            "ou remplissez la demande d'inscription ci-dessous."
        ) from exc
    except signing.BadSignature as exc:
        raise InvitationError("Ce lien d'invitation n'est pas valide.") from exc
    invitation = Invitation.objects.filter(public_id=public_id).first()
    if invitation is None:
        raise InvitationError("Ce lien d'invitation n'est pas valide.")
    return invitation


def invite_colleague(actor: Actor, invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation.created_by = actor.user
        invitation.structure = actor.structure
        invitation.save()
        link = absolute_url(reverse("accounts:register")) + "?invitation=" + invitation_token(invitation)
        queue_email(
            [invitation.email],
            f"{actor.user.display_name} vous invite à rejoindre Cordée",
            render_to_string(
                "directory/email/invitation.txt", {"invitation": invitation, "actor": actor, "link": link}
            ),
        )
    return invitation


def find_in_directory(rpps: str, adeli: str) -> DirectoryProfessional | None:
    """ACC-1/DIR-2: the national directory's professional holding this RPPS (else ADELI)."""
    entries = DirectoryProfessional.objects.select_related("national_profession", "specialty")
    if rpps:
        return entries.filter(rpps=rpps).first()
    if adeli:
        return entries.filter(adeli=adeli).first()
    return None


def link_account(user_pk: int, rpps: str | None, adeli: str | None) -> None:
    """ACC-1: a validated account takes over its directory entry (found by RPPS, else ADELI)."""
    entry = find_in_directory(rpps or "", adeli or "")
    if entry is not None and entry.user_id is None:
        DirectoryProfessional.objects.filter(pk=entry.pk, user=None).update(user_id=user_pk)
