import smtplib

import pytest
from django.core import mail

from core.delivery import email_deliver
from core.enums import EmailStatus
from core.models import OutboundEmail
from core.services import email_queue


@pytest.mark.django_db(transaction=True)
def test_queued_email_is_recorded_then_sent_after_commit():
    email = email_queue(
        to=["a@example.org"], subject="Hello", body_text="Text", body_html="<p>Text</p>"
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


class RefusingBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")})


@pytest.mark.django_db
def test_failed_delivery_is_recorded_for_staff_and_raised_for_retry(settings):
    settings.EMAIL_BACKEND = "tests.core.test_email.RefusingBackend"
    email = OutboundEmail.objects.create(to=["a@example.org"], subject="S", body_text="B")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        email_deliver(email=email)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 1
    assert email.error.startswith("SMTPRecipientsRefused")


@pytest.mark.django_db
def test_a_sent_email_is_never_sent_twice():
    email = OutboundEmail.objects.create(to=["a@example.org"], subject="S", body_text="B")
    email_deliver(email=email)
    email_deliver(email=email)
    assert len(mail.outbox) == 1
