from __future__ import annotations

from django.apps import AppConfig


class MemosConfig(AppConfig):
    name = "cordee.memos"
    label = "memos"
    verbose_name = "Mémos"
