"""Multi-row inserts without model objects, for the writes that grow with a list in the path of a
change (a notification's recipients, their mails: issue 17).

`bulk_create` builds a model object per row and prepares every field of every row; here the
values all rows share are prepared once and each row gives only what differs. On PostgreSQL the
rows go as one array per column through `unnest` — a short statement, whatever the number of
rows, that the driver converts once and the server plans quickly (as Django's own `bulk_create`
does there); elsewhere as a VALUES list, batched under the database's limit of parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    shared: Mapping[str, Any] | None = None,
    *,
    returning: bool = False,
) -> list[Any]:
    """Insert `rows` (values of `columns`, by field name) with the `shared` values on every row;
    the model's other fields take their default (`auto_now(_add)`: now), computed once — so a
    unique field with a default (a public id) must be one of `columns`. Returns the new primary
    keys when `returning`."""
    if not rows:
        return []
    meta = model._meta
    given = dict(shared or {})
    for field in meta.concrete_fields:
        if field.primary_key or field.name in columns or field.name in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            given[field.name] = timezone.now()
        else:
            given[field.name] = field.get_default()
    per_row = [_field(model, name) for name in columns]
    fixed = [_field(model, name) for name in given]
    fixed_params = [field.get_db_prep_save(given[field.name], connection) for field in fixed]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in [*per_row, *fixed])
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) "
    tail = f" RETURNING {quote(meta.pk.column)}" if returning and meta.pk is not None else ""
    ids: list[Any] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [
                [field.get_db_prep_save(row[index], connection) for row in rows]
                for index, field in enumerate(per_row)
            ]
            # varchar[] rather than varchar(254)[]: nothing is cut before the column's own check.
            unnest = ", ".join(f"(%s)::{str(field.db_type(connection)).split('(')[0]}[]" for field in per_row)
            constants = "".join(", %s" for _ in fixed)
            sql = f"{head}SELECT u.*{constants} FROM unnest({unnest}) AS u{tail}"  # noqa: S608 - names
            cursor.execute(sql, [*fixed_params, *arrays])
            if tail:
                ids = [pk for (pk,) in cursor.fetchall()]
            return ids
        width = len(per_row) + len(fixed)
        placeholders = "(" + ", ".join(["%s"] * width) + ")"
        size = max(connection.ops.bulk_batch_size([*per_row, *fixed], rows), 1)
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params: list[Any] = []
            for row in batch:
                params += [
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(per_row, row, strict=True)
                ]
                params += fixed_params
            cursor.execute(f"{head}VALUES {', '.join([placeholders] * len(batch))}{tail}", params)
            if tail:
                ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))
