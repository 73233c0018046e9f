"""NOT-1 "un document est ajouté à un dossier sur lequel je suis identifié": told to whoever may
read that document — its category's readers for a public one, its recipients (and its author's
structure) for a shared one — under the documents space's own rule, never a second one."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from cordee.accounts.models import Membership, User
from cordee.core.actor import Actor
from cordee.notifications.kinds import Kind
from cordee.notifications.services import announce
from cordee.patients.models import Patient

if TYPE_CHECKING:
    from cordee.documents.models import Document


def tell_document_added(actor: Actor, document: Document) -> None:
    """Called by `documents.services.document_added`, in its transaction."""
    from cordee.documents.models import Document

    open_to_section = (
        document.visibility == Document.Visibility.PUBLIC
        and not document.category.is_restricted
        and document.form_id is None
    )
    announce(
        Kind.DOCUMENT_ADDED,
        actor,
        patient=document.patient,
        circle=True,
        data={"document": str(document.public_id), "label": document.category.label},
        # A public document of an open category is read by whoever reads "Documents": the
        # circle's reach says it. Any other is asked of the documents space, person by person.
        admit=None if open_to_section else partial(_may_read, document.pk, document.patient_id),
    )


def _may_read(document_id: int, patient_id: int, user_id: int, via: int | None) -> bool:
    from cordee.documents.services import readable_documents

    user = User.objects.get(pk=user_id)
    membership = (
        Membership.objects.select_related("structure")
        .filter(user=user, structure_id=via, is_active=True)
        .first()
        if via is not None
        else None
    )
    patient = Patient.objects.get(pk=patient_id)
    return bool(readable_documents(Actor(user, membership), patient).filter(pk=document_id).exists())
