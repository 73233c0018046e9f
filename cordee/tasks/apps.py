from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "cordee.tasks"
    label = "tasks"
    verbose_name = "Tâches"
