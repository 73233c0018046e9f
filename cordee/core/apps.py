from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cordee.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self) -> None:
        from cordee.core import lookups  # noqa: F401 - registers `__any_of` on every field
