from __future__ import annotations

from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "cordee.careteam"
    label = "careteam"
    verbose_name = "Cercle de soins"
