"""Settings for the test suite: the real ones, with a fast password hasher and tasks run
inline unless a test talks to the real worker on purpose (tests/conftest.py)."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The suite's Redis outlives each test's rows: no dashboard cache unless a test turns it on
# (tests/dashboards/test_cache.py).
DASHBOARD_CACHE_SECONDS = 0
