"""Settings for `make load`: the production settings (config/settings/prod.py) served over plain
HTTP on loopback — everything else as deployed: DEBUG off, second factor required, the database
task backend with its worker, persistent health-checked connections."""

from __future__ import annotations

import os
from pathlib import Path

from config.env import env_str
from config.settings.prod import *  # noqa: F403
from config.settings.prod import BASE_DIR

# Loopback without TLS: the HTTPS redirect and secure cookies would lock the load users out.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# No collectstatic step before a run: whitenoise serves from the apps' static folders.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("CORDEE_LOAD_MEDIA", str(BASE_DIR / "var" / "load-media")))
STORAGES = {
    "default": {"BACKEND": "cordee.documents.storage.DocumentFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Mails are queued to the task worker as in production and written to files, not sent.
EMAIL_BACKEND = env_str("CORDEE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("CORDEE_LOAD_MAIL_DIR", str(BASE_DIR / "var" / "load-mail"))
