"""`make run`: the embedded SQLite database and the demo region on a developer's machine."""

from __future__ import annotations

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("CORDEE_DEBUG", True)
# The demo runs its e-mails through the console and its tasks right away unless told otherwise.
TASKS = {
    "default": {
        "BACKEND": env_str("CORDEE_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}
STORAGES = {
    "default": {"BACKEND": "cordee.documents.storage.DocumentFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
