"""The sweep against real services: two sweeps racing on PostgreSQL, and the scheduled
task run by a real Celery worker through Redis."""

import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection, connections

from action_plans.deadlines import add_months
from action_plans.models import Reminder
from action_plans.reminders import reminders_send_due
from action_plans.tasks import send_due_reminders
from core.enums import EmailStatus
from core.models import OutboundEmail
from core.tasks import deliver_email
from tests.conftest import finished_tasks

from .builders import announced_organisation, lead_of
from .test_reminders import morning

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_two_sweeps_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under concurrency is PostgreSQL's; CI runs this on it")
    for _ in range(30):
        lead_of(announced_organisation(announced_on=date(2024, 1, 10)))
    # The window opening day of every one of them: each has exactly one reminder due.
    day = date(2025, 1, 10)
    start = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            start.wait(timeout=10)
            results.append(reminders_send_due(now=morning(day), batch_size=7))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.sent for r in results) == 30
    assert Reminder.objects.count() == 30
    assert OutboundEmail.objects.count() == 30
    assert len(mail.outbox) == 30
    assert len({tuple(m.to) for m in mail.outbox}) == 30


@pytest.mark.xdist_group("celery-worker")
def test_the_worker_sends_todays_reminder_once(real_worker):
    # Announced twelve months ago to the day: Stage 1's window opens today.
    organisation = announced_organisation(announced_on=add_months(date.today(), -12))
    lead = lead_of(organisation)

    with finished_tasks(send_due_reminders) as sweeps, finished_tasks(deliver_email) as sent:
        send_due_reminders.delay()
        sweeps.wait_for(1)
        sent.wait_for(1)  # the sweep queues the reminder's delivery as a task of its own
        reminder = Reminder.objects.get(email__status=EmailStatus.SENT)
        send_due_reminders.delay()
        finished = sweeps.wait_for(2)

    assert reminder.rule.name == "Window opens"
    assert reminder.sent_on == date.today()
    assert [r["sent"] for r in finished] == [1, 0]
    assert Reminder.objects.count() == 1
    assert OutboundEmail.objects.get().to == [lead.email, organisation.lead_email]
    assert [m.subject for m in mail.outbox] == [reminder.email.subject]
