"""Settings shared by every environment; each value can be overridden by the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("CORDEE_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("CORDEE_DEBUG", False)
ALLOWED_HOSTS = env_list("CORDEE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "cordee.core.admin_config.CordeeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Trigram lookups on PostgreSQL (fuzzy name search); inert on SQLite.
    "django.contrib.postgres",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "cordee.core",
    "cordee.accounts",
    "cordee.territory",
    "cordee.directory",
    "cordee.patients",
    "cordee.careteam",
    "cordee.activity",
    "cordee.audit",
    "cordee.tasks",
    "cordee.pathways",
    "cordee.documents",
    "cordee.cocon",
    "cordee.memos",
    "cordee.notifications",
    "cordee.referrals",
    "cordee.agenda",
    "cordee.api",
    # django-ninja (INT-1): its vendored Swagger UI files for the API documentation page.
    "ninja",
    # On top of every other app: the demo region (`manage.py load_demo`).
    "cordee.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing a signed-in person sees is cached (issue 24); outside every later middleware.
    "cordee.core.middleware.NoStoreMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (secure by default).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cordee.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cordee.accounts.middleware.AccountGateMiddleware",
    "cordee.accounts.middleware.ActorMiddleware",
    # Last, as django-axes asks: it turns a lockout signalled by its backend into a response.
    "axes.middleware.AxesMiddleware",
]

# Headers (issue 22). The pages carry no inline script, style attribute or eval (htmx is told
# allowEval: false; behaviours are data attributes read by static/cordee/app.js), so the policy
# needs no 'unsafe-inline'. data: images are Bootstrap's own SVG icons in its CSS (form controls).
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[str] | bool]] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page uses the browser's sensors, camera or payment: refuse them to every frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cordee" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cordee.core.context_processors.shell",
            ],
        },
    },
]

# Django's form templates, with plain <select> elements written in Python (cordee/core/renderers.py).
FORM_RENDERER = "cordee.core.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'cordee.sqlite3'}"),
        conn_max_age=env_int("CORDEE_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page runs short queries; PostgreSQL's JIT compiles any plan estimated above
    # jit_above_cost, and at regional scale that compilation alone cost up to 90 ms a request
    # (README "Performance"). Sent in the connection's startup packet: no extra round trip.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "cordee.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# ACC-4: the seed's absolute 8-hour lifetime, plus an inactivity timeout.
CORDEE_SESSION_ABSOLUTE_SECONDS = env_int("CORDEE_SESSION_ABSOLUTE_HOURS", 8) * 3600
CORDEE_SESSION_IDLE_SECONDS = env_int("CORDEE_SESSION_IDLE_MINUTES", 60) * 60
SESSION_COOKIE_AGE = CORDEE_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# ACC-2: French rules for remote access to health data ask for a second factor.
CORDEE_REQUIRE_2FA = env_bool("CORDEE_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Cordée"

# ACC-2: throttling of failed sign-ins (django-axes), per identifier and address.
AXES_FAILURE_LIMIT = env_int("CORDEE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CORDEE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Issue 24: also per address across identifiers (password spraying), a higher limit since a
# practice's colleagues share one address; the lock-out answers the French 429 page.
AXES_HANDLER = "cordee.accounts.throttling.AddressAwareAxesHandler"
CORDEE_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("CORDEE_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_LOCKOUT_CALLABLE = "cordee.accounts.throttling.lockout_response"
# Issue 24: registration requests per address and hour (ACC-1), then the 429 page.
CORDEE_REGISTRATION_LIMIT_PER_HOUR = env_int("CORDEE_REGISTRATION_LIMIT_PER_HOUR", 10)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# INT-1: calls a personal access token may make per minute (429 beyond, with Retry-After).
CORDEE_API_CALLS_PER_MINUTE = env_int("CORDEE_API_CALLS_PER_MINUTE", 120)
# FHIR Bulk Data ($export): the files are kept this many hours, then removed (the worker and
# `manage.py purge_bulk_exports`); the worker reads and writes the dossiers this many at a time.
CORDEE_BULK_EXPORT_HOURS = env_int("CORDEE_BULK_EXPORT_HOURS", 24)
CORDEE_BULK_EXPORT_CHUNK = env_int("CORDEE_BULK_EXPORT_CHUNK", 1000)

# Invitation links (DIR-3) and account activation links stay valid this long.
CORDEE_INVITATION_MAX_AGE_DAYS = env_int("CORDEE_INVITATION_MAX_AGE_DAYS", 14)
PASSWORD_RESET_TIMEOUT = env_int("CORDEE_ACTIVATION_MAX_AGE_DAYS", 7) * 24 * 3600
CORDEE_SUPPORT_EMAIL = env_str("CORDEE_SUPPORT_EMAIL", "support@cordee.example")
CORDEE_SITE_URL = env_str("CORDEE_SITE_URL", "http://127.0.0.1:8000")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "cordee.documents.storage.DocumentFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files attached to dossiers (PAR-4): at most this size.
CORDEE_MAX_UPLOAD_BYTES = env_int("CORDEE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# ACC-2: Pro Santé Connect (OpenID Connect). Offered on the sign-in page only when the issuer
# and the client id are set; e.g. https://auth.esante.gouv.fr/auth/realms/esante-wallet.
CORDEE_PSC_ISSUER = env_str("CORDEE_PSC_ISSUER", "").rstrip("/")
CORDEE_PSC_CLIENT_ID = env_str("CORDEE_PSC_CLIENT_ID", "")
CORDEE_PSC_CLIENT_SECRET = env_str("CORDEE_PSC_CLIENT_SECRET", "")
CORDEE_PSC_SCOPE = env_str("CORDEE_PSC_SCOPE", "openid scope_all")
# The level of assurance asked and required: "eidas1" = CPS card or e-CPS application.
CORDEE_PSC_ACR = env_str("CORDEE_PSC_ACR", "eidas1")
CORDEE_PSC_TIMEOUT_SECONDS = env_int("CORDEE_PSC_TIMEOUT_SECONDS", 10)
# An upload stops at that limit while it arrives (never written past it); the others stream to
# a temporary file on disk beyond 2.5 MB, never held whole in memory.
FILE_UPLOAD_HANDLERS = [
    "cordee.documents.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# DIR-2: the largest Annuaire Santé extract an administrator may upload (the national zip is
# a few hundred MB; a region's text file less).
CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES = env_int("CORDEE_ANNUAIRE_MAX_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)
# COC-4: the secret of the pseudonymous ids of extractions (HMAC key). Set it in production:
# without it a key derived from SECRET_KEY is used, and rotating SECRET_KEY would change them.
CORDEE_PSEUDONYM_KEY = env_str("CORDEE_PSEUDONYM_KEY", "")

EMAIL_BACKEND = env_str("CORDEE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("CORDEE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CORDEE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CORDEE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("CORDEE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CORDEE_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("CORDEE_FROM_EMAIL", "Cordée <ne-pas-repondre@cordee.example>")
EMAIL_TIMEOUT = env_int("CORDEE_EMAIL_TIMEOUT", 30)
# NOT-2, the outbox (cordee/core/mail.py): waits between attempts when the SMTP server fails
# (seconds; the mail is given up after the last), and how long a sender may hold a mail before
# another takes it back (its worker died mid-send).
CORDEE_MAIL_RETRY_SECONDS = [
    int(s) for s in env_list("CORDEE_MAIL_RETRY_SECONDS", ["60", "300", "900", "3600", "10800", "21600"])
]
CORDEE_MAIL_LEASE_SECONDS = env_int("CORDEE_MAIL_LEASE_SECONDS", 300)

# Background work (NOT-2): the database backend is durable without an extra server.
TASKS = {"default": {"BACKEND": env_str("CORDEE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CORDEE_LOG_LEVEL", "INFO")},
    # Never let request bodies or health data reach application logs.
    "loggers": {"django.request": {"level": "ERROR", "propagate": True}},
}
