from __future__ import annotations

from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "cordee.agenda"
    label = "agenda"
    verbose_name = "Agenda"
