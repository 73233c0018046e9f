"""The documents space's writes and reads (ACT-4): add, new version, withdraw — each one
transaction, journaled, told to the dossier's story (activity events) — and the one question
"which documents of this dossier may the actor see", asked by every page and download.

Visibility (the booklet's "Espace documents"):
- **Public**: the whole circle, under the rights matrix's right on the document's category
  (a restricted category needs a rule naming it: CIR-2);
- **Partagé**: the chosen circle members, and the members acting for a chosen structure (its
  delegates), plus its author (person, or the structure it was added for). Sharing is the
  author's explicit choice, so it opens the document whatever its category; the recipients still
  need the "Documents" right and to see the dossier (habilitated, not refused) — a member whose
  habilitation is removed loses it with the dossier.
A form's attachment also needs the right to read that form's theme (PAR-4).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can, document_categories, standing
from cordee.careteam.models import CircleMember
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.text import clip_to
from cordee.documents.checks import Checked
from cordee.documents.models import Document, DocumentCategory, DocumentShare, DocumentType
from cordee.documents.storage import remember, removed_on_failure
from cordee.notifications.documents import tell_document_added
from cordee.patients.models import Patient

Joined = Sequence[tuple[Any, Checked]]

# Where form and task attachments are filed (the booklet's "Coordination" rubric).
COORDINATION = "COORDINATION"
_TYPE_BY_SOURCE = {Document.Source.FORM: "PIECE-FORMULAIRE", Document.Source.TASK: "PIECE-TACHE"}


def store(
    actor: Actor, patient: Patient, upload: Any, checked: Checked, source: Document.Source, **fields: Any
) -> Document:
    """The file saved under a random key (never the user's name: it may carry the patient's
    name), streamed chunk by chunk (never read whole into memory), its digest kept to tell copies
    apart; `fields` give the category, title… and what it belongs to (`form`, `task`). A form's
    or a task's attachment without a category is filed under "Coordination".

    Called inside the caller's transaction, after `check_upload` accepted the file; the stored
    file is removed if the write fails, when the caller wraps it in `removed_on_failure()`."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if "category" not in fields:
        fields["category"] = DocumentCategory.objects.get(code=COORDINATION)
        fields.setdefault(
            "doc_type",
            DocumentType.objects.filter(
                category=fields["category"], code=_TYPE_BY_SOURCE.get(source, "")
            ).first(),
        )
    fields.setdefault("title", checked.name)
    fields.setdefault("document_date", clock.today())
    document = Document(
        patient=patient,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=digest.hexdigest(),
        source=source,
        created_by=actor.user,
        structure=actor.structure,
        **fields,
    )
    document.lineage = fields.get("lineage") or document.public_id
    document.file.save(checked.name, upload, save=False)
    remember(document.file.storage, document.file.name)
    document.save()
    return document


def document_added(actor: Actor, document: Document, summary: str, **extra: Any) -> Event:
    """ACT-1 / NOT-1: THE event of a document added to a dossier (uploaded, from a form, from a
    task), in the caller's transaction. Notifications hook here; the event names the document
    so the feed shows it only to whoever may read it. `extra`: the form's `theme` and what the
    event tells of (`form`, `task`)."""
    event = _event(actor, document, Event.Kind.DOCUMENT_ADDED, summary, **extra)
    tell_document_added(actor, document)
    return event


def _event(actor: Actor, document: Document, kind: str, summary: str, **extra: Any) -> Event:
    """The summary names the document only when the whole circle may read it: a shared document
    or one of a restricted category is told without its title (the feed is read under its own
    right, not under the document's)."""
    if document.visibility == Document.Visibility.SHARED or document.category.is_restricted:
        summary = f"{Event.Kind(kind).label} ({document.category.label})"
    return record_event(
        actor,
        document.patient,
        kind,
        summary,
        document=str(document.public_id),
        lineage=str(document.lineage),
        category=document.category.code,
        visibility=document.visibility,
        **extra,
    )


# --- reading ---------------------------------------------------------------------------------


def readable_documents(actor: Actor, patient: Patient) -> QuerySet[Document]:
    """The documents of the dossier the actor may see (every version, withdrawn ones included:
    callers narrow). Empty without the "Documents" right."""
    readable, _ = document_categories(actor, patient)
    documents = Document.objects.filter(patient=patient)
    if not readable:
        return documents.none()
    return documents.filter(_visible_condition(actor, readable)).exclude(_closed_forms(actor, patient))


def _visible_condition(actor: Actor, readable: Iterable[int]) -> Q:
    mine = Q(created_by=actor.user)
    recipients = Q(user=actor.user)
    if actor.structure is not None:
        mine |= Q(structure=actor.structure)
        recipients |= Q(structure=actor.structure)
    shared = Q(Exists(DocumentShare.objects.filter(recipients, document=OuterRef("pk"))))
    public = Q(visibility=Document.Visibility.PUBLIC, category_id__in=list(readable))
    return public | (Q(visibility=Document.Visibility.SHARED) & (mine | shared))


def _closed_forms(actor: Actor, patient: Patient, restricted: Iterable[int] | None = None) -> Q:
    """Attachments of forms the actor may not read: all of them without the Parcours right, else
    those of reserved themes the matrix does not open to them (`restricted`: the reserved
    themes, when the caller read them already)."""
    return _closed_condition(_closed_themes(actor, patient, restricted))


def _closed_themes(actor: Actor, patient: Patient, restricted: Iterable[int] | None) -> frozenset[int] | None:
    """The reserved themes closed to the actor on the dossier; None: every form (no Parcours right)."""
    from cordee.pathways.models import Theme

    if not can(actor, Perm.VIEW_PATHWAYS, patient):
        return None
    opened = standing(actor, patient).readable_themes
    if restricted is not None:
        return frozenset(pk for pk in restricted if pk not in opened)
    # Once per actor and dossier object, as `standing`: the dossier page asks it for its feed and
    # again for its life line.
    key = (actor.user.pk, actor.structure.pk if actor.structure else None)
    cached = getattr(patient, "_closed_themes", None)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    reserved = Theme.objects.filter(is_restricted=True).values_list("pk", flat=True)
    closed = frozenset(pk for pk in reserved if pk not in opened)
    patient._closed_themes = (key, closed)  # type: ignore[attr-defined]
    return closed


def _closed_condition(closed: frozenset[int] | None) -> Q:
    if closed is None:
        return Q(form__isnull=False)
    if not closed:
        return Q(pk__in=[])
    return Q(form__theme_id__in=closed) | Q(form__theme__parent_id__in=closed)


def listed_documents(actor: Actor, patient: Patient) -> QuerySet[Document]:
    """The documents space's list: current versions, not withdrawn."""
    return readable_documents(actor, patient).filter(is_current=True, withdrawn_at__isnull=True)


def listed_documents_of(actor: Actor, patients: Sequence[Patient]) -> dict[int, list[Document]]:
    """`listed_documents` for many dossiers at once (the FHIR bulk export's chunks, their
    standings primed by `prime_standings`): the same rule, the dossiers sharing the same rights
    read together — a query per distinct set of rights, not per dossier. Keyed by dossier pk,
    each list in the documents space's order (latest document date first); each document's
    `patient` is its dossier instance."""
    from cordee.careteam.access import prime_categories
    from cordee.pathways.models import Theme

    found: dict[int, list[Document]] = {patient.pk: [] for patient in patients}
    prime_categories(actor, patients)
    restricted = list(Theme.objects.filter(is_restricted=True).values_list("pk", flat=True))
    groups: dict[tuple[frozenset[int], frozenset[int] | None], list[Patient]] = {}
    for patient in patients:
        readable, _ = document_categories(actor, patient)
        if readable:
            key = (readable, _closed_themes(actor, patient, restricted))
            groups.setdefault(key, []).append(patient)
    for (readable, closed), members in groups.items():
        by_pk = {patient.pk: patient for patient in members}
        rows = (
            Document.objects.filter(patient_id__in=list(by_pk), is_current=True, withdrawn_at__isnull=True)
            .filter(_visible_condition(actor, readable))
            .exclude(_closed_condition(closed))
            .select_related("category", "doc_type")
            .order_by("patient_id", "-document_date", "-created_at", "-pk")
        )
        for row in rows:
            row.patient = by_pk[row.patient_id]
            found[row.patient_id].append(row)
    return found


def get_document(actor: Actor, patient: Patient, document_id: Any) -> Document:
    """One version the actor may see, not withdrawn; else 404 (the same for "does not exist"
    and "not yours"), the knock journaled."""
    document = (
        readable_documents(actor, patient)
        .filter(public_id=document_id, withdrawn_at__isnull=True)
        .select_related("category", "doc_type", "created_by", "structure", "patient")
        .first()
    )
    if document is None:
        from cordee.audit.models import Access

        journal(actor, patient, "view_document", Access.Outcome.NOT_FOUND, what=f"document {document_id}")
        raise Http404
    return document


# --- writing ---------------------------------------------------------------------------------


def share_choices(patient: Patient) -> list[CircleMember]:
    """Who a document may be shared with: the circle's professionals and structures that can
    open the dossier (habilitated, not refused by the patient); a manually added person never."""
    return list(
        CircleMember.objects.filter(
            patient=patient,
            removed_at__isnull=True,
            is_habilitated=True,
            sharing_refused=False,
            is_manual=False,
        )
        .select_related("user", "user__profession", "structure")
        .order_by("structure__name", "user__last_name", "user__first_name")
    )


def add_documents(
    actor: Actor,
    patient: Patient,
    joined: Joined,
    *,
    category: DocumentCategory,
    doc_type: DocumentType | None,
    title: str,
    document_date: datetime.date,
    visibility: str,
    recipients: Iterable[CircleMember] = (),
) -> list[Document]:
    """ACT-4 "Ajouter un document": one or several files with one description. The category
    must be one the actor may write, the type one of that category, the recipients of a shared
    document members who can open the dossier. Refused: nothing is written, no file is left."""
    _, writable = document_categories(actor, patient)
    if category.pk not in writable or not category.is_active:
        raise ValidationError({"category": "Vous ne pouvez pas ajouter de document dans cette catégorie."})
    if doc_type is not None and doc_type.category_id != category.pk:
        raise ValidationError({"doc_type": "Ce type n'appartient pas à la catégorie choisie."})
    chosen = _recipients(patient, visibility, recipients)
    if not joined:
        raise ValidationError({"uploads": "Veuillez choisir au moins un fichier."})
    added = []
    with removed_on_failure(), transaction.atomic():
        for upload, checked in joined:
            document_title = (
                title if len(joined) == 1 else clip_to(Document, "title", f"{title} — {checked.name}")
            )
            document = store(
                actor,
                patient,
                upload,
                checked,
                Document.Source.UPLOAD,
                category=category,
                doc_type=doc_type,
                title=document_title[:200],
                document_date=document_date,
                visibility=visibility,
            )
            _share(document, chosen)
            journal(actor, patient, "add_document", what=f"document {document.public_id}")
            document_added(actor, document, f"Document ajouté ({category.label}) : {document.title}")
            added.append(document)
    return added


def _recipients(patient: Patient, visibility: str, recipients: Iterable[CircleMember]) -> list[CircleMember]:
    chosen = list(recipients)
    if visibility == Document.Visibility.PUBLIC:
        return []
    if visibility != Document.Visibility.SHARED:
        raise ValidationError({"visibility": "Choisissez « Public » ou « Partagé »."})
    allowed = {member.pk for member in share_choices(patient)}
    if not chosen:
        raise ValidationError({"recipients": "Choisissez au moins un destinataire pour un document partagé."})
    if any(member.pk not in allowed for member in chosen):
        message = "Un destinataire ne peut pas recevoir ce document (hors du cercle ou non habilité)."
        raise ValidationError({"recipients": message})
    return chosen


def _share(document: Document, chosen: Iterable[CircleMember]) -> None:
    DocumentShare.objects.bulk_create(
        DocumentShare(document=document, user_id=member.user_id, structure_id=member.structure_id)
        for member in chosen
    )


# --- versions and withdrawal -----------------------------------------------------------------


class StaleDocumentError(Exception):
    """SEC-4: the document changed (new version, withdrawn) since this copy of it was opened."""

    message = (
        "Ce document a été modifié (nouvelle version ou retrait) depuis que vous l'avez ouvert : "
        "rien n'a été enregistré. Rechargez la page pour voir sa version actuelle."
    )


def may_manage(actor: Actor, patient: Patient, document: Document) -> bool:
    """Who gives a document a new version or withdraws it: its author, or whoever acts for the
    structure it was added for — and still may write its category. A form's or a task's
    attachment follows its form or task (PAR-4, TSK-1), never changed from here."""
    if document.source != Document.Source.UPLOAD:
        return False
    _, writable = document_categories(actor, patient)
    if document.category_id not in writable:
        return False
    by_me = document.created_by_id == actor.user.pk and (
        document.structure_id is None or document.structure_id == getattr(actor.structure, "pk", None)
    )
    for_my_structure = actor.structure is not None and document.structure_id == actor.structure.pk
    return by_me or for_my_structure


def _check_manageable(actor: Actor, patient: Patient, document: Document, expected_version: int) -> None:
    if not may_manage(actor, patient, document):
        raise PermissionDenied
    if not document.is_current or document.withdrawn_at is not None or document.version != expected_version:
        raise StaleDocumentError


def add_version(
    actor: Actor,
    patient: Patient,
    document: Document,
    upload: Any,
    checked: Checked,
    *,
    expected_version: int,
    document_date: datetime.date,
) -> Document:
    """ACT-4: a new version replaces the document in the list; the earlier ones stay in its
    history, each downloadable. Same category, title, visibility and recipients; the version
    the person saw must still be the current one (concurrent edits detected)."""
    _check_manageable(actor, patient, document, expected_version)
    with removed_on_failure(), transaction.atomic():
        replaced = Document.objects.filter(
            pk=document.pk, is_current=True, withdrawn_at__isnull=True, version=expected_version
        ).update(is_current=False)
        if replaced != 1:
            raise StaleDocumentError
        new = store(
            actor,
            patient,
            upload,
            checked,
            Document.Source.UPLOAD,
            category=document.category,
            doc_type=document.doc_type,
            title=document.title,
            document_date=document_date,
            visibility=document.visibility,
            lineage=document.lineage,
            version=document.version + 1,
        )
        DocumentShare.objects.bulk_create(
            DocumentShare(document=new, user_id=share.user_id, structure_id=share.structure_id)
            for share in document.shares.all()
        )
        journal(actor, patient, "version_document", what=f"document {new.public_id} v{new.version}")
        _event(
            actor,
            new,
            Event.Kind.DOCUMENT_VERSIONED,
            f"Nouvelle version (v{new.version}) du document : {new.title}",
            previous=str(document.public_id),
        )
    return new


def withdraw(
    actor: Actor, patient: Patient, document: Document, *, reason: str, expected_version: int
) -> None:
    """ACT-4: a document added by mistake is withdrawn — every version of it, the reason kept,
    the files kept (no hard delete of medical data); journaled and told to the feed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Veuillez indiquer le motif du retrait."})
    if len(reason) > 500 or "\x00" in reason:
        raise ValidationError({"reason": "Le motif doit tenir en 500 caractères, sans caractère invalide."})
    _check_manageable(actor, patient, document, expected_version)
    with transaction.atomic():
        withdrawn = Document.objects.filter(lineage=document.lineage, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor.user, withdrawal_reason=reason
        )
        current = Document.objects.filter(pk=document.pk, version=expected_version, is_current=True)
        if not withdrawn or not current.exists():
            raise StaleDocumentError
        journal(actor, patient, "withdraw_document", what=f"document {document.public_id}")
        _event(
            actor,
            document,
            Event.Kind.DOCUMENT_WITHDRAWN,
            f"Document retiré : {document.title}",
            reason=reason,
        )


def history(actor: Actor, patient: Patient, document: Document) -> list[Document]:
    """Every version of the document the actor may see, newest first."""
    return list(
        readable_documents(actor, patient)
        .filter(lineage=document.lineage, withdrawn_at__isnull=True)
        .select_related("created_by", "structure")
        .order_by("-version")
    )
