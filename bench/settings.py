"""Settings for `make bench`: production-like (DEBUG off, cached templates), plain HTTP.

The test client's host is allowed, static files need no collected manifest, tasks run inline.
"""

from __future__ import annotations

import warnings

from config.env import env_int
from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, DATABASES

DEBUG = False
# As in production (config/settings/prod.py): connections kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CORDEE_DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The API's per-token rate limit would stop a scenario's 200 requests a few seconds in.
CORDEE_API_CALLS_PER_MINUTE = env_int("CORDEE_API_CALLS_PER_MINUTE", 1_000_000)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# whitenoise looks for collected files; the bench serves none.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
