import smtplib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .delivery import email_deliver
from .enums import EmailStatus
from .models import OutboundEmail

# A message still queued this long after it was recorded lost its delivery task (a
# worker died, or the broker was down when the transaction committed).
STALLED_AFTER = timedelta(minutes=15)


@shared_task(
    name="core.deliver_email",
    bind=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
    # Not queued (the broker down): the message stays queued in the outbox, and
    # deliver_stalled_email sends it once the broker is back.
    deferred_notice="The email will be sent when the mail service is back.",
)
def deliver_email(self, *, email_id: int) -> None:
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        return
    email_deliver(email=email)


@shared_task(name="core.deliver_stalled_email", acks_late=True)
def deliver_stalled_email() -> int:
    stalled = OutboundEmail.objects.filter(
        status=EmailStatus.QUEUED, created_at__lt=timezone.now() - STALLED_AFTER
    ).values_list("pk", flat=True)[:1000]
    ids = list(stalled)
    for email_id in ids:
        deliver_email.delay(email_id=email_id)
    return len(ids)
