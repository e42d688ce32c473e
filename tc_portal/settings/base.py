"""Settings shared by every environment; values come from the environment.

They fail closed: debug is off, there is no secret key and no allowed host
until an environment module gives them (`local` for the laptop, `production`
for a server, `test` for the suite). Without DATABASE_URL and REDIS_URL the
portal runs on SQLite, with tasks run eagerly in the web process and email
printed to the console; setting them moves it onto PostgreSQL, a Redis cache
and a Celery broker without any code change.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = False
# No SECRET_KEY here: each environment module sets its own, and Django refuses
# to start without one.
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The demo network's accounts share a published password: only `local` and
# `test` allow `seed_demo` (elsewhere it needs --allow-production).
ALLOW_DEMO_DATA = False

# How many proxies of our own (TLS terminator, load balancer) stand between
# the clients and the portal. Each appends the address it saw to
# X-Forwarded-For, so the client is that many entries from the right; anything
# further left was written by the client and is never trusted. 0: the header
# is ignored and REMOTE_ADDR is the client. Sign-in rate limits (allauth) and
# the API's throttle both key on this address (core.http.client_address).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Search lookups (unaccent, trigrams) on PostgreSQL; nothing on SQLite.
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "csp",
    # The portal's apps from the foundation up: each imports only apps listed before it
    # (the import-linter contract in pyproject.toml holds the code to it).
    "core",
    "accounts",
    "organisations",
    "signatories",
    "supporters",
    "action_plans",
    "reviews",
    "events",
    "directory",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the messages middleware, so what it tells the user is kept for the next page.
    "core.queueing.DeferredWorkMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "tc_portal.urls"
WSGI_APPLICATION = "tc_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves as the cache and the Celery broker. Without it the cache is
# per-process memory and Celery tasks run inline.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis going away must not take the portal with it (core.cache): a failed call
    # costs at most the short timeouts below, then Redis is left alone for a few seconds
    # and the cache answers from its fallback. "default" (sign-in rate limits, used
    # two-factor codes, the API throttle) falls back to this process's memory, so limits
    # still hold; "pages" (the public page cache) to nothing, so no process keeps a page
    # that a change made in another process has outdated.
    _redis_cache = {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "tc",
    }
    _redis_timeouts = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    CACHES = {
        "default": {**_redis_cache, "OPTIONS": {**_redis_timeouts, "FALLBACK": "memory"}},
        "pages": {**_redis_cache, "OPTIONS": {**_redis_timeouts, "FALLBACK": "none"}},
    }
else:
    # Both in this process's memory, in one store (the same LOCATION).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work while the broker is down fails fast (about a second) and
# goes on without it (core.queueing); the beat jobs below pick the work up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Redis hands a task that was taken but not acknowledged to another worker after the
# visibility timeout. Tasks that acknowledge late do so when they finish, so it must
# outlast the longest task (directory.check_public_pages, 1 hour) and the longest retry
# countdown (core.deliver_email, 30 minutes), or a task still running would start a
# second time (tests/core/test_celery_settings.py keeps it so). A task lost with its
# worker therefore comes back only after two hours: the beat jobs re-queue lost mail
# (15 minutes) and lost PDFs (a minute or two) long before.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_TIMEZONE = "Europe/London"
# The one reviewed schedule of periodic work. Each job is idempotent by database
# constraint, so a beat that fires twice, or two beats, cannot send anything twice.
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {
        "task": "action_plans.send_due_reminders",
        # Early morning UK time (CELERY_TIMEZONE), before people read their mail.
        "schedule": crontab(hour=6, minute=30),
    },
    "send-review-reminders": {
        "task": "reviews.send_review_reminders",
        "schedule": crontab(hour=6, minute=40),
    },
    "check-public-pages": {
        # Each organisation's own page, about weekly (the task checks those due).
        "task": "directory.check_public_pages",
        "schedule": crontab(hour=3, minute=15),
    },
    "deliver-stalled-email": {
        "task": "core.deliver_stalled_email",
        "schedule": crontab(minute="*/15"),
    },
    "requeue-lost-packs": {
        # A PDF whose render was lost (its worker killed, or never queued) goes back on
        # the queue within a minute or two (action_plans.tasks.requeue_lost_packs).
        "task": "action_plans.requeue_lost_packs",
        "schedule": 60.0,
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"

# django-allauth: email is the login; accounts are created by invitation only.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Technician Commitment] "
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins: per IP, and per account, to slow password guessing.
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# A code used a moment ago is refused as "already used", not as "incorrect".
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
# Key for the TOTP secrets stored in the database; derived from SECRET_KEY when unset.
# Changing it (or SECRET_KEY) means every authenticator must be set up again.
MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY", default="")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Technician Commitment portal"
# Roles that must sign in with a second factor (see accounts.middleware).
TWO_FACTOR_REQUIRED_ROLES = ("itss_staff", "reviewer")

FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Every form's fields state their limits and never let the browser cut at them.
FORM_RENDERER = "core.forms.PortalFormRenderer"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Signed forms and submission attachments live outside MEDIA_ROOT: they are
# never served by the web server, only by views that check permission.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Upload limits (bytes).
SIGNED_FORM_MAX_BYTES = env.int("SIGNED_FORM_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_CSV_MAX_BYTES = env.int("IMPORT_CSV_MAX_BYTES", default=2 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
SUBMISSION_ATTACHMENTS_MAX_BYTES = env.int(
    "SUBMISSION_ATTACHMENTS_MAX_BYTES", default=50 * 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The self-assessment template's word limit for the organisation profile.
PROFILE_WORD_LIMIT = env.int("PROFILE_WORD_LIMIT", default=250)

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Technician Commitment <noreply@techniciancommitment.example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Shared secret the mail provider sends with bounce reports; empty turns the hook off.
MAIL_BOUNCE_TOKEN = env("MAIL_BOUNCE_TOKEN", default="")
ITSS_TEAM_EMAIL = env("ITSS_TEAM_EMAIL", default="itss-team@techniciancommitment.example.org")
# A signatory this many months past a due date is flagged to staff as lapsing.
LAPSING_AFTER_MONTHS = env.int("LAPSING_AFTER_MONTHS", default=6)

# Strict Content-Security-Policy: no inline script or style anywhere.
# The open-data API: read only, public, no sessions or cookies involved.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_RATE_LIMIT", default="600/hour")},
    # Only for DRF's own throttles; ours take the address from core.http.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Technician Commitment open data",
    "DESCRIPTION": (
        "The public register of the Technician Commitment: every signatory and supporter, "
        "its status and its published action plan. Read only; no personal data beyond each "
        "organisation's named public contact."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
