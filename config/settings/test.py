"""Test settings: real PostgreSQL and Redis, fast hashing, no eager Celery."""

import os

os.environ.setdefault("SECRET_KEY", "hervat-test-secret-key")
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", "aGVydmF0LXRlc3Qtb25seS1maWVsZC1rZXktMzJiISE="
)

from config.settings.base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
