"""The laptop: what `make run` selects, and `manage.py` by default.

Debug on, a secret key that says it is for this machine only, the local
addresses, and the demo data allowed. Like every environment it honours
DATABASE_URL and REDIS_URL; without them it runs on SQLite with tasks inline.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Known to everyone, so refused by production settings. Unchanged from earlier
# releases: it encrypts the two-factor secrets in existing laptop databases.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
ALLOW_DEMO_DATA = True
