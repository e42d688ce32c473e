"""Shared services: the activity log, the workflow transition helper, the email outbox."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .enums import EmailStatus
from .exceptions import TransitionNotAllowed
from .models import ActivityLog, OutboundEmail


def activity_record(
    *,
    subject: models.Model,
    actor,
    verb: str,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
) -> ActivityLog:
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        note=note,
        from_status=from_status,
        to_status=to_status,
    )


def activity_for(subject: models.Model):
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        object_id=subject.pk,
    ).select_related("actor")


@transaction.atomic
def transition_apply(
    *,
    instance: models.Model,
    to_status: str,
    allowed: Mapping[str, Iterable[str]],
    actor,
    verb: str,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    guard: Callable[[models.Model], None] | None = None,
    after_commit: Callable[[], None] | None = None,
    status_field: str = "status",
) -> models.Model:
    """Move ``instance`` to ``to_status`` if the transition table allows it.

    Side effects, in order:
    - locks the row (``select_for_update``) and re-reads it, so two people
      acting at once are serialised and the second sees the first's result;
    - checks ``allowed[from] contains to`` and then ``guard(locked_row)``,
      raising ``TransitionNotAllowed`` / ``ApplicationError`` before any write;
    - sets the status and ``changes`` and saves only those fields;
    - writes one ActivityLog row (actor, verb, from, to, note);
    - runs ``after_commit`` (e.g. queueing email) once the transaction commits.
    """
    model = type(instance)
    locked = model._default_manager.select_for_update().get(pk=instance.pk)
    from_status = getattr(locked, status_field)
    if to_status not in allowed.get(from_status, ()):
        from_label = _status_label(locked, status_field)
        raise TransitionNotAllowed(
            f"This cannot be done while the status is “{from_label}”.",
            extra={"from": from_status, "to": to_status},
        )
    if guard is not None:
        guard(locked)
    setattr(locked, status_field, to_status)
    fields = {status_field}
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        fields.add(name)
    if any(f.name == "updated_at" for f in model._meta.fields):
        fields.add("updated_at")
    locked.save(update_fields=sorted(fields))
    activity_record(
        subject=locked,
        actor=actor,
        verb=verb,
        note=note,
        from_status=from_status,
        to_status=to_status,
    )
    if after_commit is not None:
        transaction.on_commit(after_commit)
    return locked


def _status_label(instance, field):
    display = getattr(instance, f"get_{field}_display", None)
    return display() if display else getattr(instance, field)


def email_send(
    *,
    to: Iterable[str],
    template: str,
    context: Mapping[str, Any],
    about: models.Model | None = None,
) -> OutboundEmail:
    """Render ``templates/email/<template>_{subject,body}.txt`` (and ``_body.html``
    when present), record the message in the outbox and deliver it after commit."""
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", ctx).split())
    text = render_to_string(f"email/{template}_body.txt", ctx)
    try:
        html = render_to_string(f"email/{template}_body.html", ctx)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        html = ""
    return email_queue(
        to=to, subject=subject, body_text=text, body_html=html, template=template, about=about
    )


def email_queue(
    *,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str = "",
    about: models.Model | None = None,
) -> OutboundEmail:
    from .tasks import deliver_email

    email = OutboundEmail.objects.create(
        to=list(to),
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        template=template,
        content_type=(
            ContentType.objects.get_for_model(about, for_concrete_model=True) if about else None
        ),
        object_id=about.pk if about else None,
    )
    transaction.on_commit(lambda: deliver_email.delay(email_id=email.pk))
    return email


def email_deliver(*, email: OutboundEmail) -> OutboundEmail:
    """Hand one outbox message to the mail backend; record the outcome.

    Raises the backend's error after recording it, so the task can retry."""
    if email.status == EmailStatus.SENT:
        return email
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    email.attempts += 1
    try:
        message.send()
    except Exception as exc:
        email.status = EmailStatus.FAILED
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        email.save(update_fields=["status", "error", "attempts", "updated_at"])
        raise
    email.status = EmailStatus.SENT
    email.error = ""
    email.sent_at = timezone.now()
    email.save(update_fields=["status", "error", "attempts", "sent_at", "updated_at"])
    return email
