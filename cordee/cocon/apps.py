from __future__ import annotations

from django.apps import AppConfig


class CoconConfig(AppConfig):
    name = "cordee.cocon"
    label = "cocon"
    verbose_name = "Parcours Cocon"

    def ready(self) -> None:
        # The Parcours engine knows nothing of Cocon: Cocon tells it the gestational age (for
        # corrected ages and z-scores) and listens for notebooks closed or reopened.
        from cordee.cocon import cohort_views, hooks, programme
        from cordee.core import home
        from cordee.pathways import services
        from cordee.patients import programmes

        services.CONTEXT_PROVIDERS.append(hooks.gestational_context)
        services.FORM_LISTENERS.append(hooks.notebook_changed)
        # The active file's "Parcours" filter and column.
        programmes.register(programme.COCON)
        # The home page's card for the network's staff (cohort dashboard, extraction).
        home.register(home.HomeSection("cocon/_home_section.html", cohort_views.home_section))
