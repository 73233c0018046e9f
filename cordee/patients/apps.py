from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "cordee.patients"
    label = "patients"
    verbose_name = "Dossiers patients"
