from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region (`manage.py load_demo`): the top floor, it uses every other app and no
    app uses it (ARCHITECTURE: "the demo sits on top")."""

    name = "cordee.demo"
    label = "demo"
    verbose_name = "Démonstration"
