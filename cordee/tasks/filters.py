"""TSK-4 "Consulter les tâches": which tasks, the pickers' options, the filters and the sorts.

The dashboard's scope is the tasks on dossiers the actor may see (`careteam.access`) that are
addressed to them or to the structure they act for — or, opened from a dossier, that dossier's
tasks. The "Destinataire(s)" and "Action(s)" pickers only offer what appears in that scope: the
recipients column already shows those names, so listing them reveals nobody new.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import Expression, OrderBy
from django.db.models.functions import Coalesce, Lower, NullIf

from cordee.accounts.models import User
from cordee.careteam.access import visible_among
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.http import parse_uuid
from cordee.core.text import search_key
from cordee.patients.models import Patient
from cordee.tasks.models import OPEN_STATUSES, Task, TaskRecipient, TaskStatus
from cordee.territory.models import Commune

# The status column sorts along the seed's cycle, not by the stored codes' spelling.
_STATUS_RANK = Case(
    *(When(status=status, then=Value(rank)) for rank, status in enumerate(TaskStatus)),
    output_field=IntegerField(),
)
_COLUMNS: dict[str, list[F | Expression]] = {
    "niveau": [F("level__rank")],
    "libelle": [Lower("label")],
    # As the name is shown: the used name when there is one ("BERNARD Anne (né(e) ZOLA)").
    "patient": [
        Coalesce(NullIf(F("patient__used_name_key"), Value("")), F("patient__birth_name_key")),
        F("patient__first_name_key"),
    ],
    "echeance": [F("due_at")],
    "statut": [_STATUS_RANK],
}
DEFAULT_SORT = "echeance"
# Recipient values in the URL: a person or a structure, by public id (never the integer key).
PERSON, STRUCTURE = "p-", "s-"


def _ordering(column: str, descending: bool) -> list[OrderBy]:
    """The column's own order, then soonest due and creation as tie-breakers (a stable page)."""
    keys = [key.desc() if descending else key.asc() for key in _COLUMNS[column]]
    if column == "echeance":
        return [*keys, F("pk").desc() if descending else F("pk").asc()]
    return [*keys, F("due_at").asc(), F("pk").asc()]


# Whitelisted sorts: "libelle" ascending, "-libelle" descending; anything else is the default.
SORTS: dict[str, list[OrderBy]] = {
    **{column: _ordering(column, descending=False) for column in _COLUMNS},
    **{f"-{column}": _ordering(column, descending=True) for column in _COLUMNS},
}
SORT_LABELS = {
    "niveau": "Niveau",
    "libelle": "Libellé",
    "patient": "Patient",
    "echeance": "Date d'échéance",
    "statut": "Statut",
}


def sort_key(value: str | None) -> str:
    """A sort from the URL: one of the whitelist, or the default (never an error)."""
    return value if value in SORTS else DEFAULT_SORT


def assigned_to(actor: Actor, context: str, *, open_only: bool = False) -> Q:
    """Tasks addressed to me, to the structure I act for, or both ("Contexte"). For open tasks
    only, the inboxes' rows (open ones, a partial index) are the smaller set to test against."""
    rows = TaskRecipient.objects.filter(task_open=True) if open_only else TaskRecipient.objects.all()
    mine = Exists(rows.filter(task=OuterRef("pk"), user=actor.user))
    structure = actor.structure
    ours = Exists(rows.filter(task=OuterRef("pk"), structure=structure)) if structure else None
    if context == "moi" or ours is None:
        return Q(mine)
    if context == "structure":
        return Q(ours)
    return Q(mine) | Q(ours)


def only_open(statuses: list[str]) -> bool:
    """Whether the statuses asked for are open ones only (what the inbox rows know)."""
    return bool(statuses) and set(statuses) <= set(OPEN_STATUSES)


def inbox_applies(statuses: list[str], sort: str) -> bool:
    """Whether to walk the inboxes: open tasks by due date, what they hold in their order."""
    return only_open(statuses) and sort in ("echeance", "-echeance")


# Filters the inbox rows cannot answer by themselves: tested through the task.
_TASK_FILTERS = ("type", "niveau", "motif", "action", "destinataire")


def inbox_ids(
    actor: Actor, context: str, statuses: list[str], data: Mapping[str, object], sort: str, limit: int
) -> list[int]:
    """The first `limit` ids of the open tasks addressed to me and/or my structure ("Contexte")
    on dossiers I may see, by due date, with the dashboard's filters: each addressee's inbox
    (`TaskRecipient`: an index on (addressee, due, task, dossier) over open tasks) is walked in
    order and stops at `limit`; the two inboxes are then merged (a task addressed to both
    counts once).

    Visibility, due range, patients and zone are tested on the inbox's own columns; only the filters on
    the task's content (type, level, label, action, other recipients) or a single open status
    read the task. At regional scale, a structure receiving 20,000 open tasks among the region's
    720,000 gets its first page from ~1,000 index entries, without reading a task row.
    """
    descending = sort.startswith("-")
    order = ("-task_due_at", "-task_id") if descending else ("task_due_at", "task_id")
    boxes = [Q(user=actor.user)]
    if actor.structure is not None and context != "moi":
        boxes = (
            [Q(structure=actor.structure)]
            if context == "structure"
            else [*boxes, Q(structure=actor.structure)]
        )
    rows = TaskRecipient.objects.filter(due_range("task_due_at", data), task_open=True)
    if data.get("patients"):
        rows = rows.filter(patient__in=_chosen_dossiers(data["patients"]))  # type: ignore[arg-type]
    if data.get("zone"):
        # The zone's communes first (a few dozen codes): its dossiers are then an index-only
        # read of the live dossiers by commune, hashed once.
        communes = list(
            Commune.objects.filter(zones__in=data["zone"]).values_list("pk", flat=True).distinct()
        )
        if not communes:
            return []  # a zone without communes holds no dossier
        rows = rows.filter(patient__in=Patient.objects.filter(commune__in=communes, merged_into__isnull=True))
    if set(statuses) != set(OPEN_STATUSES) or any(data.get(name) for name in _TASK_FILTERS):
        content = {name: data[name] for name in _TASK_FILTERS if data.get(name)}
        tasks = apply_filters(Task.objects.filter(status__in=statuses), content)
        rows = rows.filter(task__in=tasks.order_by().values("pk"))
    # The walk reads the inboxes alone; the dossiers it met are then tested against the policy
    # at once (`careteam.access`), a few hundred instead of a hash of all the structure's. An
    # inbox may hold tasks on dossiers one no longer sees: the walk goes further until `limit`
    # visible ones are found or the inboxes end.
    reach = limit
    while True:
        found = _walk(rows, boxes, order, descending, reach)
        visible = visible_among(actor, {patient for _, patient in found})
        ids = [task for task, patient in found if patient in visible]
        if len(ids) >= limit or len(found) < reach:
            return ids[:limit]
        reach *= 4


def _walk(
    rows: QuerySet[TaskRecipient], boxes: list[Q], order: tuple[str, str], descending: bool, reach: int
) -> list[tuple[int, int]]:
    """(task, dossier) of the first `reach` rows of the inboxes, in order, a task counted once."""
    if len(boxes) == 1:
        return list(rows.filter(boxes[0]).order_by(*order).values_list("task_id", "patient_id")[:reach])
    walks = [
        rows.filter(box).order_by(*order).values_list("task_due_at", "task_id", "patient_id")[:reach]
        for box in boxes
    ]
    # Both inboxes, merged and deduplicated by the database (UNION: a task addressed to me and to
    # my structure has the same due date and dossier in both).
    members: list[str] = []
    params: list[Any] = []
    for alias, walk in zip("ab", walks, strict=True):
        sql, walk_params = walk.query.sql_with_params()
        members.append(f"SELECT * FROM ({sql}) AS {alias}")  # noqa: S608 - compiled ORM SQL, params apart
        params.extend(walk_params)
    direction = "DESC" if descending else "ASC"
    merged = (
        f"SELECT task_id, patient_id FROM ({' UNION '.join(members)}) AS inbox "  # noqa: S608 - compiled ORM SQL
        f"ORDER BY task_due_at {direction}, task_id {direction} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(merged, [*params, reach])
        return [(task, patient) for task, patient in cursor.fetchall()]


# At regional scale a structure's scope holds ~80,000 tasks: the pickers' search then looks in
# what the 500 soonest open tasks hold (an indexed read), what a coordinator filters on in
# practice. The page itself never lists the options: they are searched as one types.
OPTIONS_CAP = 500
# How many matches a picker's search shows at once ("Affinez la recherche" beyond).
PICKER_SIZE = 20


def option_scope(scope: QuerySet[Task], *, whole: bool) -> QuerySet[Task]:
    """The tasks the pickers search: one dossier's tasks whole; otherwise the soonest open ones."""
    if whole:
        return scope
    soonest = scope.filter(status__in=[TaskStatus.TODO, TaskStatus.IN_PROGRESS]).order_by("due_at", "pk")
    # Read once (both parts of the search use them), not a subquery run again.
    return Task.objects.filter(pk__in=list(soonest.values_list("pk", flat=True)[:OPTIONS_CAP]))


def _recipient_rows(rows: QuerySet[TaskRecipient]) -> list[tuple[str, str]]:
    """Persons then structures, each sorted by name, from recipient rows (distinct)."""
    values = rows.values_list(
        "user__public_id",
        "user__last_name",
        "user__first_name",
        "user__username",
        "structure__public_id",
        "structure__name",
    ).distinct()
    persons: list[tuple[str, str]] = []
    structures: list[tuple[str, str]] = []
    for user_id, last_name, first_name, username, structure_id, structure_name in values:
        if user_id is not None:
            name = User(last_name=last_name, first_name=first_name, username=username).display_name
            persons.append((f"{PERSON}{user_id}", name))
        elif structure_id is not None:
            structures.append((f"{STRUCTURE}{structure_id}", f"{structure_name} (structure)"))
    return sorted(persons, key=lambda p: p[1].casefold()) + sorted(structures, key=lambda s: s[1].casefold())


def recipient_options(scope: QuerySet[Task]) -> list[tuple[str, str]]:
    """Persons then structures among the recipients of the tasks in scope, in one query."""
    return _recipient_rows(TaskRecipient.objects.filter(task__in=scope.order_by().values("pk")))


def chosen_recipients(scope: QuerySet[Task], values: Iterable[str]) -> list[tuple[str, str]]:
    """The recipients chosen in the URL that do receive tasks of the scope, with their names:
    a value outside the scope names nobody (its error is shown and it is not applied)."""
    condition = _recipient_values(values)
    if condition is None:
        return []
    rows = TaskRecipient.objects.filter(condition, task__in=scope.order_by().values("pk"))
    return _recipient_rows(rows)


def action_options(scope: QuerySet[Task]) -> list[tuple[str, str]]:
    """The plan actions named on the tasks in scope, in one query."""
    actions = scope.exclude(action="").order_by("action").values_list("action", flat=True).distinct()
    return [(action, action) for action in actions]


def chosen_actions(scope: QuerySet[Task], values: Iterable[str]) -> list[tuple[str, str]]:
    """The plan actions chosen in the URL that tasks of the scope name."""
    # A NUL byte cannot be in a stored action (PostgreSQL refuses it in text): not a value.
    wanted = [value for value in values if value and "\x00" not in value]
    if not wanted:
        return []
    return action_options(scope.filter(action__in=wanted))


def _patient_choices(dossiers: QuerySet[Patient], limit: int | None = None) -> list[tuple[str, str]]:
    """(public id, name and birth date), by name as shown (the used name when there is one)."""
    shown_name = Coalesce(NullIf(F("used_name_key"), Value("")), F("birth_name_key"))
    dossiers = dossiers.order_by(shown_name, "first_name_key", "pk").only(
        "public_id", "birth_name", "used_name", "first_name", "used_first_name", "birth_date"
    )
    return [(str(dossier.public_id), _patient_label(dossier)) for dossier in dossiers[:limit]]


def _patient_label(dossier: Patient) -> str:
    # Homonyms are told apart by their birth date, as everywhere a dossier is chosen.
    born = f" ({dossier.birth_date:%d/%m/%Y})" if dossier.birth_date else ""
    return f"{dossier.display_name}{born}"


def _with_tasks_in(scope: QuerySet[Task]) -> Exists:
    return Exists(scope.filter(patient=OuterRef("pk")))


def patient_options(dossiers: QuerySet[Patient], tasks: QuerySet[Task], limit: int) -> list[tuple[str, str]]:
    """ "Patient(s)": among `dossiers` (those one may see, named as typed), those `tasks`
    (addressed to one) are on — any of one's patients, not only those of the soonest tasks —
    at most `limit`, by name.

    Starting from the dossiers so named and seen (`active_file.visible_named`: "ma", 3,200 of a
    structure's 50,000) rather than from the tasks' scope (the policy tested per task) spares
    PostgreSQL probing the 64,000 dossiers of the region named "ma…" one by one (0.2-0.5 s)."""
    ours = Exists(tasks.filter(patient=OuterRef("pk")))
    return _patient_choices(dossiers.filter(ours), limit)


def chosen_patients(scope: QuerySet[Task], values: Iterable[str]) -> list[tuple[str, str]]:
    """The dossiers chosen in the URL that tasks of the scope are on (hence that one may see):
    a value outside the scope names nobody (its error is shown and it is not applied)."""
    ids = [parsed for parsed in (parse_uuid(value) for value in values) if parsed is not None]
    if not ids:
        return []
    return _patient_choices(Patient.objects.filter(_with_tasks_in(scope), public_id__in=ids))


def search_options(options: list[tuple[str, str]], typed: str) -> list[tuple[str, str]]:
    """The options whose name holds what was typed (accents, case and hyphens folded)."""
    key = search_key(typed)
    return [option for option in options if key in search_key(option[1])]


def _recipient_values(values: Iterable[str]) -> Q | None:
    persons: list[uuid.UUID] = []
    structures: list[uuid.UUID] = []
    for value in values:
        parsed = parse_uuid(value[len(PERSON) :])
        if parsed is not None and value.startswith(PERSON):
            persons.append(parsed)
        elif parsed is not None and value.startswith(STRUCTURE):
            structures.append(parsed)
    if not persons and not structures:
        return None
    return Q(user__public_id__in=persons) | Q(structure__public_id__in=structures)


def _recipients(values: Iterable[str]) -> Q:
    condition = _recipient_values(values)
    if condition is None:
        return Q(pk__in=[])
    return Q(Exists(TaskRecipient.objects.filter(condition, task=OuterRef("pk"))))


def _chosen_dossiers(public_ids: Iterable[str]) -> QuerySet[Patient]:
    return Patient.objects.filter(public_id__in=list(public_ids))


def due_range(field: str, data: Mapping[str, object]) -> Q:
    """ "Échéance début / fin" on a due-date column. Due dates are local days: from the first
    day's midnight to the last day's end, a range of an index rather than a date conversion of
    every row."""
    condition = Q()
    debut, fin = data.get("debut"), data.get("fin")
    if isinstance(debut, datetime.date):
        condition &= Q(**{f"{field}__gte": clock.start_of_day(debut)})
    if isinstance(fin, datetime.date):
        condition &= Q(**{f"{field}__lt": clock.start_of_day(fin + datetime.timedelta(days=1))})
    return condition


def apply_filters(
    tasks: QuerySet[Task], data: Mapping[str, object], dossiers: QuerySet[Patient] | None = None
) -> QuerySet[Task]:
    """The filters other than scope and status; each one only narrows what is already visible.

    `dossiers`: those the tasks may be on (the actor's visible dossiers); the zone is taken among
    them, so that PostgreSQL narrows a zone's 80,000 dossiers to the few thousand visible before
    looking for their tasks.
    """
    tasks = tasks.filter(due_range("due_at", data))
    if data.get("patients"):
        tasks = tasks.filter(patient__in=_chosen_dossiers(data["patients"]))  # type: ignore[arg-type]
    if data.get("zone"):
        communes = Commune.objects.filter(zones__in=data["zone"])
        within = dossiers if dossiers is not None else Patient.objects.filter(merged_into__isnull=True)
        tasks = tasks.filter(patient__in=within.filter(commune__in=communes))
    if data.get("type"):
        tasks = tasks.filter(task_type__in=data["type"])
    if data.get("niveau"):
        tasks = tasks.filter(level__in=data["niveau"])
    if data.get("motif"):
        tasks = tasks.filter(label__icontains=str(data["motif"]))
    if data.get("action"):
        tasks = tasks.filter(action__in=list(data["action"]))  # type: ignore[call-overload]
    if data.get("destinataire"):
        tasks = tasks.filter(_recipients(data["destinataire"]))  # type: ignore[arg-type]
    return tasks
