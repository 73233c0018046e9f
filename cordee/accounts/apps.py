from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cordee.accounts"
    label = "accounts"
    verbose_name = "Comptes et structures"
