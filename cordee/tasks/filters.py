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

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import Expression, OrderBy
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from cordee.accounts.models import User
from cordee.core.actor import Actor
from cordee.core.http import parse_uuid
from cordee.patients.models import Patient
from cordee.tasks.models import Task, TaskRecipient, TaskStatus
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


def assigned_to(actor: Actor, context: str) -> Q:
    """Tasks addressed to me, to the structure I act for, or both ("Contexte")."""
    mine = Exists(TaskRecipient.objects.filter(task=OuterRef("pk"), user=actor.user))
    structure = actor.structure
    ours = (
        Exists(TaskRecipient.objects.filter(task=OuterRef("pk"), structure=structure)) if structure else None
    )
    if context == "moi" or ours is None:
        return Q(mine)
    if context == "structure":
        return Q(ours)
    return Q(mine) | Q(ours)


# At regional scale a structure's scope holds ~80,000 tasks: the pickers then offer what the
# 500 soonest open tasks hold (an indexed read), what a coordinator filters on in practice.
OPTIONS_CAP = 500


def option_scope(scope: QuerySet[Task], *, whole: bool) -> QuerySet[Task]:
    """The tasks the pickers read: one dossier's tasks whole; otherwise the soonest open ones."""
    if whole:
        return scope
    soonest = scope.filter(status__in=[TaskStatus.TODO, TaskStatus.IN_PROGRESS]).order_by("due_at", "pk")
    # Read once (both pickers use them), not a subquery each picker would run again.
    return Task.objects.filter(pk__in=list(soonest.values_list("pk", flat=True)[:OPTIONS_CAP]))


def recipient_options(scope: QuerySet[Task]) -> list[tuple[str, str]]:
    """Persons then structures among the recipients of the tasks in scope, in one query."""
    rows = (
        TaskRecipient.objects.filter(task__in=scope.order_by().values("pk"))
        .values_list(
            "user__public_id",
            "user__last_name",
            "user__first_name",
            "user__username",
            "structure__public_id",
            "structure__name",
        )
        .distinct()
    )
    persons: list[tuple[str, str]] = []
    structures: list[tuple[str, str]] = []
    for user_id, last_name, first_name, username, structure_id, structure_name in rows:
        if user_id is not None:
            name = User(last_name=last_name, first_name=first_name, username=username).display_name
            persons.append((f"{PERSON}{user_id}", name))
        elif structure_id is not None:
            structures.append((f"{STRUCTURE}{structure_id}", f"{structure_name} (structure)"))
    return sorted(persons, key=lambda p: p[1].casefold()) + sorted(structures, key=lambda s: s[1].casefold())


def action_options(scope: QuerySet[Task]) -> list[tuple[str, str]]:
    """The plan actions named on the tasks in scope, in one query."""
    actions = scope.exclude(action="").order_by("action").values_list("action", flat=True).distinct()
    return [(action, action) for action in actions]


def _recipients(values: Iterable[str]) -> Q:
    persons: list[uuid.UUID] = []
    structures: list[uuid.UUID] = []
    for value in values:
        parsed = parse_uuid(value[len(PERSON) :])
        if parsed is not None and value.startswith(PERSON):
            persons.append(parsed)
        elif parsed is not None and value.startswith(STRUCTURE):
            structures.append(parsed)
    recipients = TaskRecipient.objects.filter(task=OuterRef("pk"))
    return Q(Exists(recipients.filter(user__public_id__in=persons))) | Q(
        Exists(recipients.filter(structure__public_id__in=structures))
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight, local time, of `day` (what `due_at__date` compares in the current time zone)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def apply_filters(
    tasks: QuerySet[Task], data: Mapping[str, object], dossiers: QuerySet[Patient] | None = None
) -> QuerySet[Task]:
    """The filters other than scope and status; each one only narrows what is already visible.

    `dossiers`: those the tasks may be on (the actor's visible dossiers); the zone is taken among
    them, so that PostgreSQL narrows a zone's 80,000 dossiers to the few thousand visible before
    looking for their tasks.
    """
    # Due dates are local days: from the first day's midnight to the last day's end, a range of
    # the open tasks' (due_at) index rather than a date conversion of every row.
    debut, fin = data.get("debut"), data.get("fin")
    if isinstance(debut, datetime.date):
        tasks = tasks.filter(due_at__gte=_day_start(debut))
    if isinstance(fin, datetime.date):
        tasks = tasks.filter(due_at__lt=_day_start(fin + datetime.timedelta(days=1)))
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
