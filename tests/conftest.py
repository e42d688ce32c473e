import importlib
import os
import shutil
import uuid

import factory.random
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from celery.contrib.testing.worker import start_worker
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from faker import Faker

from tc_portal.celery import app
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory

# Every run draws the same names, dates and words, so a failure can be run again.
FAKER_SEED = 20171101


@pytest.fixture(autouse=True, scope="session")
def _seeded_fakes():
    """Seed Faker, and factory_boy's own generator (which reseeds Faker's shared one)."""
    Faker.seed(FAKER_SEED)
    factory.random.reseed_random(FAKER_SEED)


@pytest.fixture(autouse=True)
def _isolated():
    """Every test starts with an empty cache (rate limits, used TOTP codes)."""
    cache.clear()
    yield
    cache.clear()


_DATA_MIGRATIONS = (
    "core.migrations.0002_seed_themes",
    "action_plans.migrations.0002_seed_policies_and_scale",
    "action_plans.migrations.0004_seed_reminder_rules",
    "reviews.migrations.0002_seed_scale_and_outcomes",
)


@pytest.fixture(autouse=True)
def _rows_from_data_migrations(request):
    """A transactional test ends by flushing every table, and with them the rows
    data migrations seeded (the themes). Put those back before any test that
    uses the database, so no test depends on which ran before it."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    # pytest-django's own fixture behind ``db`` and ``transactional_db``: it sets
    # up whichever kind of database access the test asked for.
    request.getfixturevalue("_django_db_helper")
    from action_plans.models import CyclePolicy
    from core.models import Theme
    from reviews.models import ScoreLevel

    if not (
        Theme.objects.exists() and CyclePolicy.objects.exists() and ScoreLevel.objects.exists()
    ):
        for module in _DATA_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _clean_media():
    yield
    shutil.rmtree(os.path.dirname(settings.MEDIA_ROOT), ignore_errors=True)


def with_totp(user):
    """Give ``user`` an authenticator app, as staff and reviewers must have."""
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff_user(db):
    return with_totp(StaffFactory())


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def lead(db, organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def outsider(db):
    """Signed-in, but with no role and no membership."""
    return UserFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def real_worker(settings):
    """A real Celery worker consuming from Redis, on a queue of its own."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL); CI always sets it")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=1,
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=10,
        ):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
