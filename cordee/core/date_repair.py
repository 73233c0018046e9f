"""Finding and repairing dates stored outside 1900 → 2100 (issue 24).

Before `DayField` / `MomentField`, a task due on 0001-01-01T00:00 (Paris) was stored on
PostgreSQL as a year-1 BC timestamp that psycopg can no longer read: every page showing it
answered 500. Such rows are found by comparisons made in the database (the values are never
read) and set to the nearest bound, where a person sees an obviously wrong date and corrects it.
`manage.py check_dates` lists them, `--repair` repairs; migration tasks 0011 repairs on deploy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, Q, Value, When

from cordee.core.forms import EARLIEST_DAY, LATEST_DAY

UTC = datetime.UTC
# A moment typed as 1900-01-01T00:00 in Paris (UTC+0:09:21 then) is on 1899-12-31 in UTC: the
# stored bounds of moments have a day of margin on either side; a repaired moment is set at noon.
EARLIEST_MOMENT = datetime.datetime.combine(EARLIEST_DAY - datetime.timedelta(days=1), datetime.time(), UTC)
LATEST_MOMENT = datetime.datetime.combine(LATEST_DAY + datetime.timedelta(days=2), datetime.time(), UTC)
REPAIRED_EARLY = datetime.datetime.combine(EARLIEST_DAY, datetime.time(12), UTC)
REPAIRED_LATE = datetime.datetime.combine(LATEST_DAY, datetime.time(12), UTC)

Bound = datetime.date | datetime.datetime


@dataclass(frozen=True)
class Finding:
    model: str
    field: str
    pks: list[object]


def dated_fields(model: type[models.Model]) -> list[models.DateField[Any, Any]]:
    """The dates a person or a rule set; the rows' own creation and update stamps are left out."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateField)
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]


def _bounds(field: models.DateField[Any, Any]) -> tuple[Bound, Bound, Bound, Bound]:
    if isinstance(field, models.DateTimeField):
        return EARLIEST_MOMENT, LATEST_MOMENT, REPAIRED_EARLY, REPAIRED_LATE
    return EARLIEST_DAY, LATEST_DAY, EARLIEST_DAY, LATEST_DAY


def find_and_repair(model_list: Iterable[type[models.Model]], *, repair: bool) -> list[Finding]:
    findings: list[Finding] = []
    for model in model_list:
        for field in dated_fields(model):
            low, high, early, late = _bounds(field)
            name = field.name
            outside = Q(**{f"{name}__lt": low}) | Q(**{f"{name}__gt": high})
            rows = model._base_manager.filter(outside)
            pks = list(rows.order_by("pk").values_list("pk", flat=True))
            if not pks:
                continue
            findings.append(Finding(model._meta.label, name, pks))
            if repair:
                rows.update(
                    **{name: Case(When(Q(**{f"{name}__lt": low}), then=Value(early)), default=Value(late))}
                )
    return findings
