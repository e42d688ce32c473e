import importlib
import os
import shutil
import threading
import time
import uuid
from contextlib import contextmanager

import factory.random
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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
    put_back_rows_from_data_migrations()


def put_back_rows_from_data_migrations() -> None:
    """Seed again what the data migrations seeded, if a flush took it away."""
    from action_plans.models import CyclePolicy
    from core.models import Theme
    from reviews.models import ScoreLevel

    if not (
        Theme.objects.exists() and CyclePolicy.objects.exists() and ScoreLevel.objects.exists()
    ):
        for module in _DATA_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)


@contextmanager
def module_world(django_db_blocker):
    """For a module-scoped fixture: a transaction, over the data migrations' rows, in which
    the fixture builds its world once and which is rolled back after the module. Each test
    then runs in a savepoint of it, as Django's TestCase.setUpTestData does."""
    with django_db_blocker.unblock(), transaction.atomic():
        put_back_rows_from_data_migrations()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True, scope="session")
def _clean_media():
    yield
    shutil.rmtree(os.path.dirname(settings.MEDIA_ROOT), ignore_errors=True)


# Clocks moved on by ``totp_window_with_time_left``; put back when the test ends.
_moved_clocks: list[time_machine.travel] = []


def totp_window_with_time_left(seconds: float = 10) -> None:
    """Make sure the current 30-second two-factor window has ``seconds`` left, so a code
    computed now is still the server's code when it is posted (the server accepts only
    the current window's code). Near a window's end the clock moves on to the start of
    the next window, as waiting for it would, but at once; it keeps ticking, for the
    live server's thread too, and is put back when the test ends."""
    now = time.time()
    left = 30 - now % 30
    if left < seconds:
        clock = time_machine.travel(now + left + 0.01, tick=True)
        clock.start()
        _moved_clocks.append(clock)


def put_clock_back() -> None:
    """Undo what ``totp_window_with_time_left`` did to the clock."""
    while _moved_clocks:
        _moved_clocks.pop().stop()


@pytest.fixture(autouse=True)
def _clock_put_back():
    yield
    put_clock_back()


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


class FinishedTasks:
    """What a real worker's runs of one task returned, in the order they finished."""

    def __init__(self, task_name: str):
        self.task_name = task_name
        self.results: list = []
        self._changed = threading.Condition()

    def _record(self, sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == self.task_name:
            with self._changed:
                self.results.append(retval)
                self._changed.notify_all()

    def wait_for(self, count: int, *, seconds: float = 30) -> list:
        """Block until ``count`` runs have finished (their writes committed), at most
        ``seconds``; return what they returned."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.results) >= count, timeout=seconds):
                raise AssertionError(
                    f"{self.task_name}: {len(self.results)} of {count} runs finished in {seconds} s"
                )
            return list(self.results)


@contextmanager
def finished_tasks(task):
    """Watch a real worker finish runs of ``task`` (Celery's task_postrun, sent in the
    worker once the task has returned)."""
    watch = FinishedTasks(task.name)
    task_postrun.connect(watch._record, weak=False)
    try:
        yield watch
    finally:
        task_postrun.disconnect(watch._record)
