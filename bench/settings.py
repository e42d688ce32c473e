"""Settings for serving the portal in a benchmark: the base settings as deployed (no debug),
with one extra address, a minimal view, to compare the directory with."""

from tc_portal.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
