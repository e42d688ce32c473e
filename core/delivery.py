"""Handing one outbox message to the mail backend. Below the services and the tasks: the
delivery task calls it, and it calls nothing of theirs."""

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .enums import EmailStatus
from .models import OutboundEmail


def email_deliver(*, email: OutboundEmail) -> OutboundEmail:
    """Hand one outbox message to the mail backend; record the outcome.

    The row stays locked while it is handed over, so two deliveries of the same message
    at once (a retry and a re-queue) cannot both send it: the second finds it locked and
    leaves it. Raises the backend's error after recording it, so the task can retry."""
    failure = None
    with transaction.atomic():
        locked = (
            OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email.pk).first()
        )
        if locked is None or locked.status in (EmailStatus.SENT, EmailStatus.BOUNCED):
            return locked or email
        message_id = locked.message_id or make_msgid(domain=_mail_domain())
        message = EmailMultiAlternatives(
            subject=locked.subject,
            body=locked.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=locked.to,
            headers={"Message-ID": message_id},
        )
        if locked.body_html:
            message.attach_alternative(locked.body_html, "text/html")
        for attachment in locked.attachments:
            message.attach(
                attachment["filename"], attachment["content"], attachment["content_type"]
            )
        locked.attempts += 1
        locked.message_id = message_id
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - recorded, then raised below
            failure = exc
            locked.status = EmailStatus.FAILED
            locked.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            locked.status = EmailStatus.SENT
            locked.error = ""
            locked.sent_at = timezone.now()
        locked.save(
            update_fields=["status", "error", "attempts", "message_id", "sent_at", "updated_at"]
        )
    if failure is not None:
        raise failure
    return locked


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"
