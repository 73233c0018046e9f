from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cordee.accounts"
    label = "accounts"
    verbose_name = "Comptes et structures"

    def ready(self) -> None:
        from cordee.accounts.services import activation_mail
        from cordee.core.mail import register_renderer

        register_renderer("accounts.activation", activation_mail)
