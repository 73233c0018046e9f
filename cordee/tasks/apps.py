from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "cordee.tasks"
    label = "tasks"
    verbose_name = "Tâches"

    def ready(self) -> None:
        # DOS-2: the dossier's closing checklist names this app's open work; the access journal
        # names the objects its entries point at.
        from cordee.audit import wording
        from cordee.patients import dossier_services
        from cordee.tasks import closing

        dossier_services.CLOSING_CHECKS.append(closing.open_tasks)
        wording.NAMERS.append(closing.task_names)
