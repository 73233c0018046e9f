"""Task writes (TSK-1, TSK-2): one transaction, the task's own history, an activity event, a journal row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from cordee.activity.models import Event
from cordee.activity.services import record_event
from cordee.audit.services import journal
from cordee.careteam.access import Perm, can
from cordee.careteam.models import CircleMember
from cordee.core.actor import Actor
from cordee.core.text import clip, clip_to
from cordee.documents import services as documents
from cordee.documents.checks import Checked
from cordee.documents.models import Document
from cordee.documents.storage import removed_on_failure
from cordee.notifications.kinds import Kind as Notice
from cordee.notifications.services import announce
from cordee.patients.models import Patient
from cordee.tasks.models import NEXT_STATUS, Task, TaskChange, TaskRecipient, TaskStatus

EDITABLE = ["task_type", "label", "level", "due_at", "action", "form", "comment"]
# Files joined to a task, as `documents.forms.DocumentsField` cleans them.
Joined = Sequence[tuple[Any, Checked]]


class StaleTaskError(Exception):
    """SEC-4: the task changed since the page was shown."""

    message = (
        "Cette tâche a été modifiée par quelqu'un d'autre entre-temps : votre changement n'a pas été "
        "enregistré. La tâche est affichée dans son état actuel."
    )


def recipient_choices(patient: Patient) -> list[CircleMember]:
    """Recipients must be able to see the dossier: habilitated persons and structures of the circle."""
    return list(
        CircleMember.objects.filter(
            patient=patient, removed_at__isnull=True, is_habilitated=True, sharing_refused=False
        )
        .filter(is_manual=False)
        .select_related("user", "structure")
        .order_by("structure__name", "user__last_name")
    )


def _history(actor: Actor, task: Task, description: str) -> None:
    TaskChange.objects.create(
        task=task,
        user=actor.user,
        structure=actor.structure,
        description=clip_to(TaskChange, "description", description),
    )


def _join(actor: Actor, task: Task, joined: Joined) -> None:
    """TSK-1 "Documents": each file lands in the dossier's documents, tied to the task.

    The task's history, read under the "Tâches" right, counts them without naming them: a file's
    name ("Compte rendu IRM…") is read under the "Documents" right, on the task's page."""
    if joined:
        count = len(joined)
        _history(actor, task, f"{count} document{'s' if count > 1 else ''} joint{'s' if count > 1 else ''}")
    for upload, checked in joined:
        document = documents.store(actor, task.patient, upload, checked, Document.Source.TASK, task=task)
        # The file name is what the feed is for; a long label gives way to it.
        summary = f"Document ajouté (tâche « {clip(task.label, 60)} ») : {checked.name}"
        documents.document_added(actor, document, summary, task=str(task.public_id))


def _check_may_join(actor: Actor, patient: Patient, joined: Joined) -> None:
    # The form offers the field only to who may add documents; a common task reaches other
    # dossiers, where the matrix may say otherwise.
    if joined and not can(actor, Perm.ADD_DOCUMENTS, patient):
        who = patient.display_name
        raise ValidationError(
            {"documents": f"Vous ne pouvez pas ajouter de documents au dossier de {who} : retirez-les."}
        )


def create_task(
    actor: Actor, patient: Patient, task: Task, recipients: Iterable[CircleMember], joined: Joined = ()
) -> Task:
    """TSK-1: recipients come from the circle and can open the dossier; none means "me"."""
    allowed = {member.pk: member for member in recipient_choices(patient)}
    chosen = list(recipients)
    if any(member.pk not in allowed for member in chosen):
        raise ValidationError(
            {"recipients": "Un destinataire doit être un membre habilité du cercle de soins."}
        )
    _check_may_join(actor, patient, joined)
    # A failure after a file is stored (a too-long text, a lost connection, a failed commit)
    # rolls the rows back; the guard removes the files (on_commit never runs on a rollback).
    with removed_on_failure(), transaction.atomic():
        task.patient = patient
        task.created_by = actor.user
        task.structure = actor.structure
        task.save()
        pairs = {(member.user_id, member.structure_id) for member in chosen} or {(actor.user.pk, None)}
        TaskRecipient.objects.bulk_create(
            [
                TaskRecipient(
                    task=task,
                    user_id=user_id,
                    structure_id=structure_id,
                    patient=patient,
                    task_open=task.is_open,
                    task_due_at=task.due_at,
                )
                for user_id, structure_id in pairs
            ]
        )
        _history(actor, task, f"Tâche créée ({task.get_status_display()})")
        _join(actor, task, joined)
        record_event(
            actor,
            patient,
            Event.Kind.TASK_CREATED,
            f"Tâche ajoutée : {task.label}",
            importance=Event.Importance.IMPORTANT if task.level.rank >= 10 else Event.Importance.NORMAL,
            task=str(task.public_id),
        )
        journal(actor, patient, "create_task", what=str(task.public_id))
        _tell_created(actor, task, pairs)
    return task


def _tell_created(actor: Actor, task: Task, pairs: set[tuple[int | None, int | None]]) -> None:
    """NOT-1: its recipients hear "une tâche m'est affectée"; the rest of the circle "une tâche
    est ajoutée" (nobody hears both)."""
    users = [user for user, _ in pairs if user is not None]
    structures = [structure for _, structure in pairs if structure is not None]
    about = {"task": str(task.public_id), "label": task.label}
    announce(
        Notice.TASK_ASSIGNED, actor, patient=task.patient, users=users, structures=structures, data=about
    )
    announce(
        Notice.TASK_ADDED,
        actor,
        patient=task.patient,
        circle=True,
        skip=users,
        skip_structures=structures,
        data=about,
    )


def _tell_concerned(actor: Actor, task: Task, kind: Notice, **data: str) -> None:
    """NOT-1: a task's change is told to the people it concerns: its recipients and its author."""
    pairs = list(TaskRecipient.objects.filter(task=task).values_list("user_id", "structure_id"))
    users = [user for user, _ in pairs if user is not None]
    if task.created_by_id is not None:
        users.append(task.created_by_id)
    announce(
        kind,
        actor,
        patient=task.patient,
        users=users,
        structures=[structure for _, structure in pairs if structure is not None],
        data={"task": str(task.public_id), "label": task.label, **data},
    )


def create_common_task(
    actor: Actor,
    patients: list[Patient],
    template: Task,
    recipients_for: dict[int, list[CircleMember]],
    joined: Joined = (),
) -> list[Task]:
    """DOS-6: the same task on linked dossiers, sharing one id; each dossier keeps its own copy
    of the joined files, read under its own rights."""
    # Every dossier is checked before any file is written, so a refusal costs no disk write.
    for patient in patients:
        _check_may_join(actor, patient, joined)
    common = uuid.uuid4()
    created = []
    with removed_on_failure(), transaction.atomic():
        for patient in patients:
            copy = Task(
                task_type=template.task_type,
                label=template.label,
                level=template.level,
                status=template.status,
                due_at=template.due_at,
                comment=template.comment,
                action=template.action,
                common_id=common,
            )
            created.append(create_task(actor, patient, copy, recipients_for.get(patient.pk, []), joined))
    return created


def _bump(task: Task, expected_version: int) -> None:
    if Task.objects.filter(pk=task.pk, version=expected_version).update(version=F("version") + 1) == 0:
        raise StaleTaskError
    task.version = expected_version + 1


def advance_status(actor: Actor, task: Task, expected_version: int) -> Task:
    """TSK-2: À traiter → En cours → Traité → Annulé → À traiter."""
    with transaction.atomic():
        _bump(task, expected_version)
        previous = TaskStatus(task.status)
        task.status = NEXT_STATUS[previous]
        task.save(update_fields=["status", "version", "updated_at"])
        TaskRecipient.follow(task)
        text = f"Statut : {previous.label} → {TaskStatus(task.status).label}"
        _history(actor, task, text)
        record_event(
            actor,
            task.patient,
            Event.Kind.TASK_CHANGED,
            f"Tâche « {task.label} » — {text}",
            task=str(task.public_id),
            status=task.status,
        )
        journal(actor, task.patient, "task_status", what=str(task.public_id))
        _tell_concerned(
            actor, task, Notice.TASK_STATUS, previous=previous.label, status=TaskStatus(task.status).label
        )
    return task


def edit_task(
    actor: Actor, task: Task, changes: dict[str, Any], expected_version: int, joined: Joined = ()
) -> Task:
    """A "Traité" task is read-only until set back to "À traiter" or "En cours"."""
    if task.is_read_only:
        raise ValidationError(
            "Cette tâche est traitée : repassez-la « À traiter » ou « En cours » pour la modifier."
        )
    _check_may_join(actor, task.patient, joined)
    changed = [name for name in EDITABLE if name in changes and getattr(task, name) != changes[name]]
    with removed_on_failure(), transaction.atomic():
        _bump(task, expected_version)
        for name in changed:
            setattr(task, name, changes[name])
        task.save()
        if "due_at" in changed:  # an edit never changes the status
            TaskRecipient.follow(task)
        if changed:
            labels = ", ".join(
                str(getattr(Task._meta.get_field(name), "verbose_name", name)) for name in changed
            )
            _history(actor, task, f"Modifié : {labels}")
            record_event(
                actor,
                task.patient,
                Event.Kind.TASK_CHANGED,
                f"Tâche « {task.label} » modifiée ({labels})",
                task=str(task.public_id),
            )
            _tell_concerned(actor, task, Notice.TASK_CHANGED, fields=labels)
        _join(actor, task, joined)
        journal(actor, task.patient, "edit_task", what=str(task.public_id))
    return task
