import os

import pytest
from django.db import connection


def test_healthz_is_ok_in_embedded_mode(client, settings, db):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": connection.vendor},
            "redis": {"ok": True, "detail": "not configured (embedded mode)"},
            "worker": {"ok": True, "detail": "tasks run eagerly in the web process"},
        },
    }


def test_healthz_reports_redis_down_with_503(client, settings, db):
    # Nothing listens on port 1.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_reports_database_down_with_503(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    # The outside world failing: the database driver refuses the connection.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "detail": "OperationalError: connection refused",
    }


@pytest.mark.xdist_group("celery-worker")
def test_healthz_reports_worker_down_when_no_worker_answers(client, settings, db):
    from tc_portal.celery import app

    if not settings.REDIS_URL:
        pytest.skip("needs a Redis broker (REDIS_URL)")
    app.conf.task_always_eager = False
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager = True
    # The tests that start a real worker share this xdist group, so none runs now.
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "detail": "no Celery worker answered",
    }
    assert response.json()["checks"]["redis"]["ok"] is True


def test_ci_runs_on_postgresql():
    if os.environ.get("CI") != "true":
        pytest.skip("only meaningful under CI=true")
    assert connection.vendor == "postgresql"
    assert os.environ.get("REDIS_URL")
