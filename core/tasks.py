import smtplib

from celery import shared_task

from .models import OutboundEmail
from .services import email_deliver


@shared_task(
    name="core.deliver_email",
    bind=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=6,
)
def deliver_email(self, *, email_id: int) -> None:
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        return
    email_deliver(email=email)
