"""Checks behind /healthz, run side by side under one deadline.

Each check answers ``(ok, detail)``. ``run_checks`` waits at most ``DEADLINE`` seconds for
all of them together; one that has not answered by then counts as failed, so a service
that hangs (a firewall dropping packets, a database stuck on a lock) costs the caller
under a second, not the service's own timeout. A check still running from an earlier
call is waited for again rather than started twice, so a hung service cannot pile up
threads either.

The details name hosts and errors: they are for the logs and for ITSS staff, never for
the public (``core.views.healthz``)."""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

import redis
from celery import current_app as app
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# Everything together answers within this many seconds.
DEADLINE = 0.8
# What one Redis ping may take, inside the deadline.
REDIS_TIMEOUT = 0.5

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")
_running: dict[str, Future] = {}
_lock = threading.Lock()


def _failure(exc: Exception) -> tuple[bool, str]:
    return False, f"{type(exc).__name__}: {exc}"[:300]


def check_database() -> tuple[bool, str]:
    # Runs in a thread of its own: its own connection, closed again at once.
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return _failure(exc)
    finally:
        connection.close()
    return True, connection.vendor


def _redis_ping(url: str) -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    return True, "ok"


def _is_redis(url: str) -> bool:
    return urlsplit(url).scheme in {"redis", "rediss", "unix"}


def check_cache() -> tuple[bool, str]:
    location = settings.CACHES["default"].get("LOCATION", "")
    if not isinstance(location, str) or not _is_redis(location):
        return True, "per-process memory"
    return _redis_ping(location.split(",")[0])


def check_broker() -> tuple[bool, str]:
    if app.conf.task_always_eager:
        return True, "tasks run in the web process"
    url = app.conf.broker_url or ""
    if not _is_redis(url):
        return True, "not Redis; not checked"
    return _redis_ping(url)


def check_worker() -> tuple[bool, str]:
    if app.conf.task_always_eager:
        return True, "tasks run eagerly in the web process"
    # Asking the workers goes through the broker, and would wait on its retries.
    broker_ok, _ = check_broker()
    if not broker_ok:
        return False, "the broker cannot be reached"
    try:
        replies = app.control.ping(timeout=DEADLINE / 2)
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    if not replies:
        return False, "no Celery worker answered"
    return True, f"{len(replies)} worker(s) answered"


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "worker": check_worker,
}
# Without these the portal cannot answer at all; without the others it serves, degraded.
ESSENTIAL = {"database"}


def run_checks(*, deadline: float = DEADLINE) -> dict[str, tuple[bool, str]]:
    with _lock:
        futures = {}
        for name, check in CHECKS.items():
            running = _running.get(name)
            if running is None or running.done():
                running = _running[name] = _pool.submit(check)
            futures[name] = running
    done, _ = wait(futures.values(), timeout=deadline)
    results = {}
    for name, future in futures.items():
        if future in done:
            try:
                results[name] = future.result()
            except Exception as exc:  # noqa: BLE001
                results[name] = _failure(exc)
        else:
            results[name] = (False, f"no answer within {deadline:.1f} s")
        if not results[name][0]:
            logger.warning("Health check %s failed: %s", name, results[name][1])
    return results
