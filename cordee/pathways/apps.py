from __future__ import annotations

from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "cordee.pathways"
    label = "pathways"
    verbose_name = "Parcours et questionnaires"

    def ready(self) -> None:
        # DOS-2: the dossier's closing checklist names this app's open work; the access journal
        # names the objects its entries point at.
        from cordee.audit import wording
        from cordee.pathways import closing
        from cordee.patients import dossier_services

        dossier_services.CLOSING_CHECKS.append(closing.open_forms)
        wording.NAMERS.append(closing.form_names)
