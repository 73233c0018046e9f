from __future__ import annotations

from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "cordee.territory"
    label = "territory"
    verbose_name = "Territoire"
