"""Settings shared by every environment; each value can be overridden by the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("CORDEE_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env_bool("CORDEE_DEBUG", False)
ALLOWED_HOSTS = env_list("CORDEE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (secure by default).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cordee.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cordee.accounts.middleware.AccountGateMiddleware",
    "cordee.core.middleware.ActorMiddleware",
    # Last, as django-axes asks: it turns a lockout signalled by its backend into a response.
    "axes.middleware.AxesMiddleware",
]

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
    "django.contrib.auth.hashers.Argon2PasswordHasher",
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
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Files attached to dossiers (PAR-4): at most this size.
CORDEE_MAX_UPLOAD_BYTES = env_int("CORDEE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
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
