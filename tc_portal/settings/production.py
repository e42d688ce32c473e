"""Production settings: base, hardened. Every secret comes from the environment, and
the portal refuses to start without one, or with a placeholder."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

# Words of placeholders and of keys published in this repository (.env.example, the
# laptop's key): a key containing one is known to others.
_PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "insecure", "example", "build-only")


def _secret_key(value: str) -> str:
    if any(word in value.lower() for word in _PLACEHOLDER_WORDS):
        problem = "is a placeholder or a published key"
    elif len(value) < 50 or len(set(value)) < 5:
        problem = "is too short (at least 50 varied characters)"
    else:
        return value
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY {problem}. Generate one with "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'` and keep it with "
        "the backups: it signs sessions and, unless MFA_ENCRYPTION_KEY is set, encrypts "
        "the two-factor secrets."
    )


DEBUG = False
SECRET_KEY = _secret_key(env("DJANGO_SECRET_KEY"))
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Links in email are made from it, and a real server has no business on SQLite.
SITE_URL = env("SITE_URL").rstrip("/")
env("DATABASE_URL")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# The __Host- prefix: browsers take these cookies only when sent securely, for the whole
# site and this exact host, so no neighbouring subdomain can set or shadow them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

ADMINS = [("ITSS", env("ITSS_TEAM_EMAIL"))] if env("ITSS_TEAM_EMAIL", default="") else []
