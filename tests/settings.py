"""Settings for the test suite: production settings on PostgreSQL and Redis, test keys."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault(
    "DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homeward"),
)
_redis = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", _redis)
os.environ.setdefault("CELERY_RESULT_BACKEND", _redis)
# Two fixed test keys: the first encrypts, both decrypt.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS",
    "dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS10ZXN0LWs=,dGVzdC1rZXktdHdvLXRlc3Qta2V5LXR3by10ZXN0LWs=",
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from casework.settings import *  # noqa: E402, F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Fast hashing in tests; Argon2 stays the production hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# No collectstatic in tests: WhiteNoise serves from the finders.
WHITENOISE_AUTOREFRESH = True
