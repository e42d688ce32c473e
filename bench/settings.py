"""Settings for serving the portal in a benchmark: the laptop's settings without debug,
with one extra address, a minimal view, to compare the directory with."""

from tc_portal.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
