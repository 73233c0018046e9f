from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cordee.notifications"
    label = "notifications"
    verbose_name = "Notifications"
