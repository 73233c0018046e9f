"""INT-2, FHIR Bulk Data Access (HL7 IG v2.0.0): the export of a Group — a structure's dossiers
— written by the task worker as one NDJSON file per resource type.

What a Group holds: the dossiers the structure is habilitated on, as the token's actor (the
person acting as that structure) sees them — `visible_dossiers`, the active file's rule — each
resource then under the right the pages ask: Patient `VIEW`, CareTeam `VIEW_CIRCLE`, Task
`VIEW_TASKS`, QuestionnaireResponse `VIEW_PATHWAYS` and the theme's own right, Appointment
`VIEW` with the agenda's rule for private ones, DocumentReference the documents space's rule
(`listed_documents`: category rights, shared documents, form attachments of open themes) —
`can`, `theme_rights`, `sees_details`, `listed_documents_of`, with the standings of a whole
chunk primed in three queries.

Memory and queries are bounded by the chunk, never by the export: the dossiers are iterated
(`.iterator(chunk_size=…)`: a server-side cursor on PostgreSQL), and a chunk's circles, tasks
and documents read in a few queries (`_circles_of`, `_tasks_of` — tasks as columns, not model
instances —, `listed_documents_of`; forms and appointments prefetched), each
resource serialised to a temporary file as soon as it is built, the files handed to Django's
storage at the end under keys nobody can guess. Every dossier exported is journaled (SEC-2): a
chunk's dossiers are named by one sealed journal row (`journal_listed`: the row's seal covers
the list's digest, each dossier's journal shows the export), not by a sealed row each — the
seal's trigger, run once a dossier, was the export's largest cost."""

from __future__ import annotations

import datetime
import importlib
import json
import logging
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django_tasks import task

from cordee.agenda.agendas import sees_details
from cordee.agenda.models import Appointment, Participant
from cordee.api import fhir
from cordee.api.models import BulkExport
from cordee.api.tokens import actor_of, why_dead
from cordee.audit.services import journal_listed
from cordee.careteam.access import Perm, can, prime_standings, theme_rights, visible_dossiers
from cordee.careteam.models import CircleMember, CircleRole
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.documents.models import Document
from cordee.documents.services import listed_documents_of
from cordee.pathways.models import FormResponse
from cordee.patients.models import Patient
from cordee.tasks.models import Task

logger = logging.getLogger(__name__)

# The resource types a Group export may hold, in the order their files are listed.
TYPES = ("Patient", "CareTeam", "Task", "QuestionnaireResponse", "Appointment", "DocumentReference")
# `_typeFilter`: the search parameters a type's queries may use (the FHIR search's own).
TYPE_FILTERS = {"Task": ("status",), "DocumentReference": ("category", "type")}
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
NDJSON = "application/fhir+ndjson"
JOURNAL_ACTION = "bulk_export"  # the kick-off, and its refusals
# A chunk's exported dossiers: one sealed journal row naming them (`journal_listed`).
EXPORTED_ACTION = "bulk_export_dossiers"


def _validator(kind: str) -> Any:
    """fhir.resources' class for a type (imported when an export runs, not with the app)."""
    return getattr(importlib.import_module(f"fhir.resources.R4B.{kind.lower()}"), kind)


def _json_value(value: Any) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} n'a pas de forme JSON")


def _ndjson(data: dict[str, Any]) -> bytes:
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_value)
    return line.encode() + b"\n"


class Cancelled(Exception):
    """The client deleted the export while the worker was writing it."""


def group_dossiers(actor: Actor) -> QuerySet[Patient]:
    """The Group of the structure the actor acts for: its habilitated dossiers, among those the
    actor may see (a dossier the person refused to share with this professional stays out)."""
    if actor.structure is None:
        return Patient.objects.none()
    structure_row = CircleMember.objects.filter(
        patient=OuterRef("pk"), structure=actor.structure, is_habilitated=True, removed_at__isnull=True
    )
    return visible_dossiers(actor).filter(Exists(structure_row))


def _chunks(rows: Iterator[Patient], size: int) -> Iterator[list[Patient]]:
    while batch := list(islice(rows, size)):
        yield batch


# What a CareTeam reads of a circle row (`fhir.care_team_data`, `CircleMember.display_name`):
# the rest of the row and of its person — timestamps above all — is not loaded.
CIRCLE_FIELDS = (
    "patient",
    "user",
    "structure",
    "is_habilitated",
    "manual_is_structure",
    "manual_last_name",
    "manual_first_name",
    "user__public_id",
    "user__first_name",
    "user__last_name",
    "user__username",
    "structure__public_id",
    "structure__name",
)
TASK_COLUMNS = (
    "patient_id",
    "public_id",
    "status",
    "label",
    "comment",
    "created_at",
    "updated_at",
    "due_at",
    "task_type__label",
    "level__rank",
)


class _TaskRow:
    """A task's columns that `fhir.task_data` reads, without a model instance (three a task,
    with its type and level: the largest share of the export's time when they were)."""

    __slots__ = (
        "comment",
        "created_at",
        "due_at",
        "label",
        "level",
        "patient",
        "public_id",
        "status",
        "task_type",
        "updated_at",
    )
    comment: Any
    created_at: Any
    due_at: Any
    label: Any
    level: Any
    patient: Any
    public_id: Any
    status: Any
    task_type: Any
    updated_at: Any


def _tasks_of(export: BulkExport, dossiers: list[Patient]) -> dict[int, list[_TaskRow]]:
    """A chunk's tasks (changed since `_since`, if asked) in one query, by dossier."""
    by_pk = {dossier.pk: dossier for dossier in dossiers}
    found: dict[int, list[_TaskRow]] = {pk: [] for pk in by_pk}
    rows = Task.objects.filter(patient__any_of=set(by_pk))
    if export.since is not None:
        rows = rows.filter(updated_at__gt=export.since)
    named: dict[tuple[str, Any], SimpleNamespace] = {}
    for values in rows.order_by("pk").values_list(*TASK_COLUMNS).iterator(chunk_size=5000):
        row = _TaskRow()
        patient_id, row.public_id, row.status, row.label, row.comment = values[:5]
        row.created_at, row.updated_at, row.due_at = values[5:8]
        type_label, rank = values[8:]
        row.task_type = named.get(("type", type_label)) or named.setdefault(
            ("type", type_label), SimpleNamespace(label=type_label)
        )
        row.level = named.get(("level", rank)) or named.setdefault(
            ("level", rank), SimpleNamespace(rank=rank)
        )
        row.patient = by_pk[patient_id]
        found[patient_id].append(row)
    return found


def _circles_of(dossiers: list[Patient]) -> dict[int, list[CircleMember]]:
    """A chunk's live circle rows (the habilitated first, then by arrival) with their people
    and their roles, in two queries (the roles' table is read once an export, by `_roles`)."""
    found: dict[int, list[CircleMember]] = {dossier.pk: [] for dossier in dossiers}
    rows = list(
        CircleMember.objects.filter(removed_at__isnull=True, patient__any_of=set(found))
        .select_related("user", "structure")
        .only(*CIRCLE_FIELDS)
        .order_by("patient_id", "-is_habilitated", "created_at", "pk")
    )
    held: dict[int, list[int]] = {}
    through = CircleMember.roles.through.objects.filter(circlemember_id__any_of={row.pk for row in rows})
    for member_id, role_id in through.values_list("circlemember_id", "circlerole_id"):
        held.setdefault(member_id, []).append(role_id)
    roles = _roles()
    for row in rows:
        # In the roles' own order, as `member.roles.all()` lists them.
        row.bulk_roles = sorted((roles[pk] for pk in held.get(row.pk, ())), key=_role_order)  # type: ignore[attr-defined]
        found[row.patient_id].append(row)
    return found


def _roles() -> dict[int, CircleRole]:
    return {role.pk: role for role in CircleRole.objects.all()}


def _role_order(role: CircleRole) -> tuple[int, str]:
    return (role.ordering, role.label)


def _dossiers(export: BulkExport, actor: Actor) -> QuerySet[Patient]:
    """The group's dossiers with something to export, their forms and appointments prefetched (a
    chunk at a time once iterated); with `_since`, only what changed after it."""
    since = export.since
    rows = group_dossiers(actor).select_related("birth_commune").order_by("pk")
    prefetches: list[Any] = []
    changed = Q()
    if "Patient" in export.types and since is not None:
        changed |= Q(updated_at__gt=since)
    if "CareTeam" in export.types and since is not None:  # the circles themselves: `_circles_of`
        # A removal updates its row: a circle that lost a member has changed too.
        rows = rows.annotate(
            circle_changed=Exists(CircleMember.objects.filter(patient=OuterRef("pk"), updated_at__gt=since))
        )
        changed |= Q(circle_changed=True)
    if "Task" in export.types and since is not None:  # the tasks themselves: `_tasks_of`
        changed |= Q(Exists(Task.objects.filter(patient=OuterRef("pk"), updated_at__gt=since)))
    if "QuestionnaireResponse" in export.types:
        # The versions prefetched, not joined: the forms of one version share its instance, and
        # its definition is parsed once a chunk, not once a form.
        forms = (
            FormResponse.objects.select_related("theme__parent")
            .prefetch_related("questionnaire_version__questionnaire")
            .order_by("pk")
        )
        if since is not None:
            forms = forms.filter(updated_at__gt=since)
            changed |= Q(Exists(FormResponse.objects.filter(patient=OuterRef("pk"), updated_at__gt=since)))
        prefetches.append(Prefetch("forms", queryset=forms, to_attr="bulk_forms"))
    if "Appointment" in export.types:
        participants = Participant.objects.select_related("user", "structure").order_by("pk")
        appointments = (
            Appointment.objects.filter(deleted_at__isnull=True)
            .select_related("event_type")
            .prefetch_related(Prefetch("participants", queryset=participants, to_attr="bulk_participants"))
            .order_by("starts_at", "pk")
        )
        if since is not None:
            appointments = appointments.filter(updated_at__gt=since)
            changed |= Q(
                Exists(
                    Appointment.objects.filter(
                        patient=OuterRef("pk"), deleted_at__isnull=True, updated_at__gt=since
                    )
                )
            )
        prefetches.append(Prefetch("appointments", queryset=appointments, to_attr="bulk_appointments"))
    if "DocumentReference" in export.types and since is not None:
        # The documents themselves are read a chunk at a time under the documents space's rule
        # (`listed_documents_of`); only whether a dossier has a changed one is asked here.
        changed |= Q(Exists(Document.objects.filter(patient=OuterRef("pk"), updated_at__gt=since)))
    if since is not None:
        rows = rows.filter(changed)
    return rows.prefetch_related(*prefetches)


def _resources(export: BulkExport, actor: Actor, dossier: Patient) -> Iterator[tuple[str, Any]]:
    """Each resource of one dossier the actor may read, by type (the pages' rights)."""
    since = export.since
    if "Patient" in export.types and (since is None or dossier.updated_at > since):
        yield "Patient", fhir.patient_data(dossier)
    circle_changed = since is None or getattr(dossier, "circle_changed", False)
    if "CareTeam" in export.types and circle_changed and can(actor, Perm.VIEW_CIRCLE, dossier):
        yield "CareTeam", fhir.care_team_data(dossier, dossier.bulk_circle)  # type: ignore[attr-defined]
    if "Task" in export.types and can(actor, Perm.VIEW_TASKS, dossier):
        for row in dossier.bulk_tasks:  # type: ignore[attr-defined]
            if _kept(export, "Task", row):
                yield "Task", fhir.task_data(row)
    if "QuestionnaireResponse" in export.types and can(actor, Perm.VIEW_PATHWAYS, dossier):
        for form in dossier.bulk_forms:  # type: ignore[attr-defined]
            # The Parcours tab's rule (`readable_forms`): a reserved theme needs its own right.
            if theme_rights(actor, dossier, form.theme)[0]:
                # Built and checked by fhir.resources (no plain-dict builder for it yet).
                yield "QuestionnaireResponse", fhir.questionnaire_response(form, dossier, export.base_url)
    if "Appointment" in export.types:  # `VIEW`, checked before any of the dossier's resources
        for appointment in _appointments(actor, dossier):
            yield "Appointment", appointment
    if "DocumentReference" in export.types:  # the documents space's rule, read for the chunk
        for document in getattr(dossier, "bulk_documents", ()):
            if (since is None or document.updated_at > since) and _kept(
                export, "DocumentReference", document
            ):
                yield "DocumentReference", fhir.document_reference_data(document, export.base_url)


def _kept(export: BulkExport, kind: str, row: Any) -> bool:
    """`_typeFilter`: a resource of a filtered type is kept when one of its type's queries
    matches it (queries are OR'ed; within one, every parameter must match, any of its values)."""
    queries = export.type_filters.get(kind)
    if not queries:
        return True
    return any(all(_matches(kind, row, name, values) for name, values in query.items()) for query in queries)


def _matches(kind: str, row: Any, name: str, values: list[str]) -> bool:
    if kind == "Task":  # status: FHIR's codes
        return fhir.TASK_STATUS[row.status] in values
    ref = row.category if name == "category" else row.doc_type
    if ref is None:
        return False
    for value in values:  # `code` or `system|code`, as the DocumentReference search takes them
        system, bar, code = value.rpartition("|")
        if ref.code == code and (not bar or ref.system == system):
            return True
    return False


def _appointments(actor: Actor, dossier: Patient) -> Iterator[Any]:
    """The dossier's appointments as its FHIR search gives them: read by whoever sees the
    dossier (the life line's rule), a private one "Occupé" but to its author and participants."""
    for row in dossier.bulk_appointments:  # type: ignore[attr-defined]
        row.shown_participants = row.bulk_participants
        users = {person.user_id for person in row.bulk_participants if person.user_id}
        yield fhir.appointment(row, dossier, sees_details(actor, row, users))


def write_export(export: BulkExport, actor: Actor) -> list[dict[str, Any]]:
    """Write the export's files; returns the manifest's outputs (empty files are left out).
    Raises Cancelled when the export was deleted meanwhile (nothing is left stored)."""
    chunk = max(1, settings.CORDEE_BULK_EXPORT_CHUNK)
    rows = _dossiers(export, actor)
    total = rows.count()
    BulkExport.objects.filter(pk=export.pk).update(dossiers_total=total)
    counts = dict.fromkeys(export.types, 0)
    what = f"FHIR $export Group {export.structure.public_id} — API, jeton « {export.token.name} »"
    done = 0
    with ExitStack() as stack:
        # On local disk, not in memory: a file grows with the export, the process does not.
        files: dict[str, IO[bytes]] = {
            kind: stack.enter_context(tempfile.TemporaryFile()) for kind in export.types
        }
        for batch in _chunks(rows.iterator(chunk_size=chunk), chunk):
            by_pk = {dossier.pk: dossier for dossier in batch}
            prime_standings(actor, batch)
            if "CareTeam" in export.types:
                for pk, members in _circles_of(batch).items():
                    by_pk[pk].bulk_circle = members  # type: ignore[attr-defined]
            if "Task" in export.types:
                for pk, tasks in _tasks_of(export, batch).items():
                    by_pk[pk].bulk_tasks = tasks  # type: ignore[attr-defined]
            if "DocumentReference" in export.types:
                seen = {dossier.pk: dossier for dossier in batch if can(actor, Perm.VIEW, dossier)}
                for pk, documents in listed_documents_of(actor, list(seen.values())).items():
                    seen[pk].bulk_documents = documents  # type: ignore[attr-defined]
            exported = []
            checked: set[str] = set()
            for dossier in batch:
                if not can(actor, Perm.VIEW, dossier):
                    continue
                wrote = False
                for kind, data in _resources(export, actor, dossier):
                    if not isinstance(data, dict):  # already a fhir.resources object
                        line = data.model_dump_json(exclude_none=True).encode() + b"\n"
                    else:
                        if kind not in checked:
                            # fhir.resources validates one resource of each type a chunk (all
                            # of them would cost milliseconds each): a mapping it refuses stops
                            # the export rather than shipping lines a warehouse cannot read.
                            _validator(kind).model_validate(data)
                            checked.add(kind)
                        line = _ndjson(data)
                    files[kind].write(line)
                    counts[kind] += 1
                    wrote = True
                if wrote:
                    exported.append(dossier)
            journal_listed(actor, exported, EXPORTED_ACTION, what=what)
            done += len(batch)
            # One statement tells the progress and whether the client deleted the export.
            if not BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.RUNNING).update(
                dossiers_done=done
            ):
                raise Cancelled
        return _store(files, counts)


def _store(files: dict[str, IO[bytes]], counts: dict[str, int]) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = []
    try:
        for kind, handle in files.items():
            if not counts[kind]:
                continue
            handle.seek(0)
            key = f"fhir-bulk/{clock.now():%Y/%m}/{secrets.token_urlsafe(32)}.ndjson"
            name = default_storage.save(key, File(handle, name=key))
            outputs.append({"type": kind, "name": name, "count": counts[kind]})
    except BaseException:
        remove_files(outputs)
        raise
    return outputs


def remove_files(outputs: list[dict[str, Any]]) -> None:
    for output in outputs:
        try:
            default_storage.delete(output["name"])
        except Exception:  # a file left behind is logged by its key (no health data in it)
            logger.exception("Fichier d'export non supprimé : %s", output["name"])


@task()
def run_bulk_export(export_id: int) -> None:
    """The task worker writes a kicked-off export; the status URL follows `dossiers_done`.
    Run twice (a worker killed and its task requeued), it starts the export over."""
    purge_expired()
    with transaction.atomic():
        export = (
            BulkExport.objects.select_for_update(of=("self",))
            .select_related("token__user", "token__membership__structure", "structure")
            .filter(pk=export_id, status__in=[BulkExport.Status.PENDING, BulkExport.Status.RUNNING])
            .first()
        )
        if export is None:
            return
        export.status = BulkExport.Status.RUNNING
        export.transaction_time = clock.now()
        export.dossiers_done = 0
        export.save(update_fields=["status", "transaction_time", "dossiers_done", "updated_at"])
    token = export.token
    dead = why_dead(token, clock.now())
    membership = token.membership
    if dead is None and (membership is None or membership.structure_id != export.structure_id):
        dead = "Ce jeton n'agit plus au nom de cette structure."
    if dead is not None:
        _fail(export, dead)
        return
    try:
        outputs = write_export(export, actor_of(token))
    except Cancelled:
        return
    except Exception:
        _fail(export, "L'export s'est arrêté sur une erreur inattendue ; relancez-le.")
        raise
    now = clock.now()
    finished = BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.RUNNING).update(
        status=BulkExport.Status.DONE,
        outputs=outputs,
        finished_at=now,
        # Counted in absolute time: Paris wall-clock arithmetic would make it 23 or 25 hours
        # across a clock change.
        expires_at=now.astimezone(datetime.UTC) + datetime.timedelta(hours=settings.CORDEE_BULK_EXPORT_HOURS),
    )
    if not finished:  # deleted by the client while the files were being stored
        remove_files(outputs)


def _fail(export: BulkExport, reason: str) -> None:
    BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.RUNNING).update(
        status=BulkExport.Status.FAILED, error=reason, finished_at=clock.now()
    )


def cancel(export: BulkExport) -> bool:
    """The client's DELETE: a pending or running export stops (the worker sees it at its next
    chunk), a finished one loses its files at once. False when there was nothing to cancel."""
    live = [BulkExport.Status.PENDING, BulkExport.Status.RUNNING, BulkExport.Status.DONE]
    with transaction.atomic():
        row = BulkExport.objects.select_for_update().filter(pk=export.pk, status__in=live).first()
        if row is None:
            return False
        outputs = row.outputs
        row.status = BulkExport.Status.CANCELLED
        row.outputs = []
        row.finished_at = row.finished_at or clock.now()
        row.save(update_fields=["status", "outputs", "finished_at", "updated_at"])
    remove_files(outputs)
    return True


def purge_expired() -> int:
    """Finished exports past their expiry lose their files (the row stays, EXPIRED); so do those
    whose token was revoked or expired meanwhile — nobody may download them any more."""
    purged = 0
    now = clock.now()
    expired = BulkExport.objects.filter(
        Q(expires_at__lte=now) | Q(token__revoked_at__isnull=False) | Q(token__expires_at__lte=now),
        status=BulkExport.Status.DONE,
    )
    for export in expired.only("pk", "outputs").iterator(chunk_size=100):
        if BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.DONE).update(
            status=BulkExport.Status.EXPIRED, outputs=[]
        ):
            remove_files(export.outputs)
            purged += 1
    return purged
