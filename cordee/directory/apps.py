from __future__ import annotations

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "cordee.directory"
    label = "directory"
    verbose_name = "Annuaire"
