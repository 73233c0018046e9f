from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cordee.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from cordee.core.mail import register_renderer
        from cordee.notifications.services import MAIL_RENDERER, _mail_body

        # The notifications' mails are written by the worker when it sends them.
        register_renderer(MAIL_RENDERER, _mail_body)
