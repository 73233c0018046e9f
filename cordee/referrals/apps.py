from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cordee.referrals"
    verbose_name = "Demandes"

    def ready(self) -> None:
        from cordee.patients.create_views import CREATION_LISTENERS
        from cordee.referrals.views import link_created_dossier

        CREATION_LISTENERS.append(link_created_dossier)
