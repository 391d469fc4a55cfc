"""Test overrides only: everything else is the base module, as in production."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 40)

from config.settings.base import *  # noqa: E402, F403

# Tests that need the second factor turn it on themselves (tests/accounts/test_two_factor.py).
TWO_FACTOR_REQUIRED = False
AXES_FAILURE_LIMIT = 5
DIRECTOR_NAME = "Dana Director"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True  # no collected static files in tests

# A file, not memory, so the Celery worker process in the integration tests shares the
# test database; pytest-django adds a suffix per xdist worker.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405

# The API's throttles are tested on their own (tests/complaints/test_api_auth.py); schemathesis
# sends well over a minute's allowance.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/minute", "anon": "100000/minute"},
}
