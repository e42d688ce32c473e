"""Test settings: the laptop's configuration made faster, nothing else.

DATABASE_URL and REDIS_URL are honoured exactly as in base, so CI runs the
suite on PostgreSQL and Redis; without them it runs on SQLite.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from .local import *  # noqa: F403
from .local import CACHES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True

# Each pytest-xdist worker gets its own Redis database for the cache, so one
# worker clearing its cache never disturbs another.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
if REDIS_URL:
    # The broker gets a database of its own too, apart from a running `make up`.
    CELERY_BROKER_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path="/15"))
    _db = 1 + int(_worker.removeprefix("gw") or 0) % 14
    for _cache in CACHES.values():
        _cache["LOCATION"] = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{_db}"))

# Files per worker too: a worker removes its folder when it finishes, and must
# not take another worker's files with it.
_tmp = os.environ.get("TC_TEST_MEDIA", "/tmp/tc-portal-test-media") + f"-{_worker}"
MEDIA_ROOT = f"{_tmp}/public"
PRIVATE_MEDIA_ROOT = f"{_tmp}/private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A test database is thrown away: its commits need not wait for the disk. Many tests commit
# (transactional tests, the live server, the worlds built once per module).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
