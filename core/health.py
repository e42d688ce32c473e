"""Checks behind /healthz: each returns (ok, detail)."""

import redis
from django.conf import settings
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, f"{type(exc).__name__}: {exc}"[:300]
    return True, connection.vendor


def check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not configured (embedded mode)"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:300]
    return True, "ok"


def check_worker() -> tuple[bool, str]:
    from tc_portal.celery import app

    if app.conf.task_always_eager:
        return True, "tasks run eagerly in the web process"
    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:300]
    if not replies:
        return False, "no Celery worker answered"
    return True, f"{len(replies)} worker(s) answered"


CHECKS = {"database": check_database, "redis": check_redis, "worker": check_worker}
