"""Issue 23: the column chooser of the busy lists — which optional columns a professional sees,
remembered per person on the server (`ListColumns`); the lists' fixed columns (the name, the
way in) are not offered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cordee.core.models import ListColumns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    default: bool = True


@dataclass(frozen=True)
class ColumnSet:
    """One list's optional columns, in the order shown."""

    name: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def default(self) -> list[str]:
        return [column.key for column in self.columns if column.default]

    def shown(self, user: Any) -> list[str]:
        """The columns `user` chose (one query), or the default ones when they never chose."""
        chosen = (
            ListColumns.objects.filter(user=user, list_name=self.name)
            .values_list("columns", flat=True)
            .first()
        )
        if chosen is None or not isinstance(chosen, list):
            return self.default()
        return [key for key in self.keys if key in chosen]

    def save(self, user: Any, keys: Iterable[str]) -> list[str]:
        """Keep `user`'s choice; unknown keys are dropped, the order is the list's own."""
        wanted = set(keys)
        chosen = [key for key in self.keys if key in wanted]
        ListColumns.objects.update_or_create(user=user, list_name=self.name, defaults={"columns": chosen})
        return chosen
