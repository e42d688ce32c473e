"""A real Celery worker, consuming from Redis, delivers queued email."""

import pytest
from django.core import mail

from core.enums import EmailStatus
from core.models import OutboundEmail
from core.services import email_queue
from core.tasks import deliver_email
from tests.conftest import finished_tasks

pytestmark = [pytest.mark.xdist_group("celery-worker")]


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_outbox_email_and_healthz_sees_it(real_worker, client):
    with finished_tasks(deliver_email) as delivered:
        email = email_queue(to=["lead@example.org"], subject="Deadline", body_text="Due soon.")
        delivered.wait_for(1)

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1
    assert [m.subject for m in mail.outbox] == ["Deadline"]
    assert OutboundEmail.objects.count() == 1

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["ok"] is True
