from __future__ import annotations

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "cordee.activity"
    label = "activity"
    verbose_name = "Fil d'actualité"
