"""Production: PostgreSQL, SMTP, HTTPS everywhere, second factor required."""

from __future__ import annotations

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("CORDEE_SECRET_KEY")
CORDEE_REQUIRE_2FA = env_bool("CORDEE_REQUIRE_2FA", True)
EMAIL_BACKEND = env_str("CORDEE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("CORDEE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("CORDEE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Persistent connections: a new PostgreSQL connection per request (Django's default) costs its
# set-up on every page (README "Performance"). Checked before reuse, so a connection the
# server closed is replaced, not reported as an error.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CORDEE_DB_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
