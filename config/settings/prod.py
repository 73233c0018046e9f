"""Production: PostgreSQL, SMTP, HTTPS everywhere, second factor required."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

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

# Over HTTPS only: any http: subresource a page might still name is fetched over https.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True}  # noqa: F405
}

# ACT-4: the dossiers' files on local disk (MEDIA_ROOT, never served as static files) or, by
# settings alone, in an S3-compatible object store through django-storages (installed with
# `pip install "django-storages[s3]"`): private objects, signed short-lived URLs never used
# (files are always served by Cordée's own view, which asks the access policy and journals).
CORDEE_FILE_STORAGE = env_str("CORDEE_FILE_STORAGE", "filesystem")
if CORDEE_FILE_STORAGE == "s3":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("CORDEE_S3_BUCKET"),
                "endpoint_url": env_str("CORDEE_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("CORDEE_S3_REGION", "") or None,
                "access_key": env_str("CORDEE_S3_ACCESS_KEY"),
                "secret_key": env_str("CORDEE_S3_SECRET_KEY"),
                "location": env_str("CORDEE_S3_PREFIX", "cordee"),
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
elif CORDEE_FILE_STORAGE != "filesystem":
    raise ImproperlyConfigured("CORDEE_FILE_STORAGE must be 'filesystem' or 's3'.")
