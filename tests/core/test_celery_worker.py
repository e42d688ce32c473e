"""A real Celery worker, consuming from Redis, delivers queued email."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from core.enums import EmailStatus
from core.models import OutboundEmail
from core.services import email_queue
from tc_portal.celery import app

pytestmark = [pytest.mark.xdist_group("celery-worker")]


@pytest.fixture
def real_worker(settings):
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


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_outbox_email_and_healthz_sees_it(real_worker, client):
    import time

    email = email_queue(to=["lead@example.org"], subject="Deadline", body_text="Due soon.")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == EmailStatus.SENT:
            break
        time.sleep(0.1)
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert [m.subject for m in mail.outbox] == ["Deadline"]
    assert OutboundEmail.objects.count() == 1

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["ok"] is True
