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
# Webhook tests deliver to a real receiver on 127.0.0.1 over http.
WEBHOOKS_ENABLED = True
WEBHOOKS_REQUIRE_HTTPS = False
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True

# One test database per checkout, so a clean clone (what CI runs) and a
# working tree on the same machine never share or drop each other's database.
import hashlib  # noqa: E402

# (On SQLite, which analytics/tests/test_sqlite.py uses, Django's default:
# an in-memory database of its own.)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {
        "NAME": "test_hervat_" + hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
    }

# schemathesis calls the app in process as http://localhost.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "localhost", "testserver"]

# The test client speaks plain http; production redirects to https.
SECURE_SSL_REDIRECT = False
