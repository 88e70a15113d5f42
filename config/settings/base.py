"""All settings. Production differs from development only through the environment.

The topic files (``celery.py``, ``drf.py``) are star-imported at the end.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)

# Development (DEBUG=1) may run without secrets; production must set them.
_DEV_SECRET_KEY = "hervat-development-only-secret-key-do-not-use-in-production"  # noqa: S105
_DEV_FIELD_KEY = "aGVydmF0LWRldmVsb3BtZW50LW9ubHkta2V5LTMyYiE="
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)

# Fernet keys, newest first. Older keys stay listed during a key rotation so
# existing ciphertext remains readable while it is re-encrypted.
FIELD_ENCRYPTION_KEYS = env_list(
    "FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY] if DEBUG else []
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first)."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "accounts",
    "cases",
    "poortwachter",
    "triage",
    "documents",
    "integrations",
    "integrations.imports",
    "integrations.webhooks",
    "integrations.uwv",
    "integrations.afas",
    "integrations.notifications",
    "privacy",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle sessions end first; then every page but the login and 2FA pages
    # needs a second factor where the policy asks for one.
    "accounts.security.IdleSessionMiddleware",
    "accounts.security.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.TenantMiddleware",
    "integrations.api.middleware.ApiMiddleware",
    # Last, as django-axes requires: answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.tenant",
            ],
        },
    },
]

# PostgreSQL in every real deployment; `make demo` points this at a SQLite file.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hervat")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", default=60)
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# The cache holds nothing that must survive (rate-limit counters, progress
# bars): while Redis is down it answers as a miss instead of raising
# (core/cache.py), and a Redis that hangs costs a call at most a second.
CACHES = {
    "default": {
        "BACKEND": env_str("CACHE_BACKEND", "core.cache.DegradingRedisCache"),
        "LOCATION": REDIS_URL,
    }
}
if CACHES["default"]["BACKEND"] == "core.cache.DegradingRedisCache":
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}

# Request size limits (docs/security/reliability.md). No proxy in front is
# assumed: a body declared larger than MAX_REQUEST_BYTES is refused with a 413
# page before anything reads it (core.middleware); it sits above the largest
# upload a form accepts (an import, 20 MB; a scan, 10 MB), whose own check
# then answers with a message on the field. Form fields together may take
# 2.5 MB and 1000 fields (a plan van aanpak with its 60 afspraken has about
# 260, the FML form 130); API bodies 1 MB (integrations.api.parsers).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Uploads over this are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", default=1024 * 1024)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a (username, address) pair that is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user needs a username field; Hervat never grants
# anything to anonymous visitors.
ANONYMOUS_USER_NAME = None
GUARDIAN_USER_OBJ_PERMS_MODEL = "guardian.UserObjectPermission"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hervat <noreply@hervat.example>")
# The address employees reach the portal at; links in e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files from the app folders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outbound webhooks (integrations.webhooks). Off by default: events are
# still recorded, and sent once this is on. Endpoints must use https and may
# not resolve to private, loopback or link-local addresses (checked at
# delivery time) unless the two settings after it say otherwise.
WEBHOOKS_ENABLED = env_bool("WEBHOOKS_ENABLED", default=False)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", default=not DEBUG)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool(
    "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False
)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", default=10)

# AFAS Profit connector (integrations/afas): off unless the platform turns it
# on; each tenant then configures its own connections in /beheer/.
AFAS_ENABLED = env_bool("AFAS_ENABLED", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; its lock-outs are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

from config.settings.celery import *  # noqa: E402
from config.settings.drf import *  # noqa: E402
from config.settings.security import *  # noqa: E402

if CELERY_TASK_ALWAYS_EAGER:
    # In-process tasks (make demo) would log every run to the console.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
