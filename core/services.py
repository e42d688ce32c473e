"""Shared services: the activity log, the workflow transition helper, the email outbox."""

from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.template import Context, Engine, TemplateDoesNotExist
from django.template.loader import render_to_string

from .enums import EmailStatus
from .exceptions import ApplicationError, TransitionNotAllowed
from .models import ActivityLog, OutboundEmail
from .tasks import deliver_email


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


def instance_validate(
    instance: models.Model, *, exclude: Iterable[str] = (), validate_unique: bool = True
) -> None:
    """Run the model's own validation (fields, constraints) and refuse with its messages
    (``ApplicationError``), each field's prefixed with the field's name as the user
    reads it. The one place a service turns a ``ValidationError`` into a refusal."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=validate_unique)
    except ValidationError as exc:
        raise ApplicationError(validation_message(exc, model=type(instance))) from exc


def validation_message(exc: ValidationError, *, model: type[models.Model] | None = None) -> str:
    """One sentence from a ``ValidationError``: messages about the whole record as they
    are, each field's after the field's label ("Nation or region: …")."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        if name == NON_FIELD_ERRORS:
            parts.append(text)
            continue
        label = name.replace("_", " ")
        if model is not None:
            with suppress(FieldDoesNotExist):
                label = str(model._meta.get_field(name).verbose_name)
        parts.append(f"{label[:1].upper()}{label[1:]}: {text}")
    return "; ".join(parts)


def instance_changed_fields(instance: models.Model, *, ignore: Iterable[str] = ()) -> list[str]:
    """The names of ``instance``'s columns whose values differ from its stored row (every
    column for an instance not yet stored). Services use it to record, and to save, only
    what a form really changed: an edit saved unchanged is not news for the log."""
    fields = [
        field
        for field in instance._meta.concrete_fields
        if not field.primary_key
        and field.name not in set(ignore)
        # Stamps the database writes on every save are not changes anyone made.
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    if instance.pk is None:
        return [field.name for field in fields]
    stored = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values(*(field.attname for field in fields))
        .first()
    )
    if stored is None:
        return [field.name for field in fields]
    return [
        field.name
        for field in fields
        if field.to_python(getattr(instance, field.attname)) != stored[field.attname]
    ]


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


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str
    template: str


def email_render(*, template: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render ``templates/email/<template>_{subject,body}.txt`` and, when present,
    ``_body.html``, with ``site_url`` added to the context."""
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = email_subject_render(template_name=f"email/{template}_subject.txt", context=ctx)
    text = render_to_string(f"email/{template}_body.txt", ctx)
    try:
        html = render_to_string(f"email/{template}_body.html", ctx)
    except TemplateDoesNotExist:
        html = ""
    return RenderedEmail(subject=subject[:255], body_text=text, body_html=html, template=template)


def email_subject_render(*, template_name: str, context: Mapping[str, Any]) -> str:
    """A subject is a line of plain text: rendered without HTML escaping (a subject
    showing "King&#x27;s" is wrong, and no mail client reads it as HTML), with its
    line breaks and runs of spaces collapsed to single spaces."""
    template = Engine.get_default().get_template(template_name)
    return _one_line(template.render(Context(dict(context), autoescape=False)))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def email_send(
    *,
    to: Iterable[str],
    template: str,
    context: Mapping[str, Any],
    about: models.Model | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboundEmail:
    """Render an email template, record the message in the outbox and deliver it after commit."""
    rendered = email_render(template=template, context=context)
    return email_queue(
        to=to,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        template=template,
        about=about,
        attachments=attachments,
    )


def email_queue(
    *,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str = "",
    about: models.Model | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboundEmail:
    (email,) = email_queue_many(
        [
            _outbox_row(
                to=to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                template=template,
                about=about,
                attachments=attachments,
            )
        ]
    )
    return email


def email_message(
    *,
    to: Iterable[str],
    rendered: RenderedEmail,
    about: models.Model | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboundEmail:
    """An unsaved outbox row, for ``email_queue_many``."""
    return _outbox_row(
        to=to,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        template=rendered.template,
        about=about,
        attachments=attachments,
    )


def email_queue_many(emails: list[OutboundEmail]) -> list[OutboundEmail]:
    """Record many unsaved outbox rows in one query; deliver each after commit."""
    created = OutboundEmail.objects.bulk_create(emails)
    ids = [email.pk for email in created]

    def deliver():
        for email_id in ids:
            # None: the broker is down; the rest would fail alike, and the stalled-mail
            # sweep sends them all once it is back.
            if deliver_email.delay(email_id=email_id) is None:
                break

    transaction.on_commit(deliver)
    return created


def _outbox_row(
    *, to, subject, body_text, body_html, template, about, attachments
) -> OutboundEmail:
    for attachment in attachments or ():
        if set(attachment) != {"filename", "content_type", "content"}:
            raise ValueError("An attachment is a filename, a content type and text content.")
    return OutboundEmail(
        to=list(to),
        subject=_one_line(subject)[:255],
        body_text=body_text,
        body_html=body_html,
        template=template,
        attachments=list(attachments or ()),
        content_type=(
            ContentType.objects.get_for_model(about, for_concrete_model=True) if about else None
        ),
        object_id=about.pk if about else None,
    )


@transaction.atomic
def email_resend(*, email: OutboundEmail, actor) -> OutboundEmail:
    """Queue a failed or bounced message again, as a new outbox row (the old one keeps
    its record of what went wrong)."""
    if email.status not in (EmailStatus.FAILED, EmailStatus.BOUNCED):
        raise ApplicationError("Only a message that failed or bounced can be sent again.")
    again = email_queue(
        to=email.to,
        subject=email.subject,
        body_text=email.body_text,
        body_html=email.body_html,
        template=email.template,
        about=email.about,
        attachments=email.attachments,
    )
    activity_record(subject=email, actor=actor, verb="sent again", note=f"as message {again.pk}")
    return again


@transaction.atomic
def email_record_bounce(*, message_id: str, reason: str) -> OutboundEmail | None:
    """Mark the message with ``message_id`` as bounced (a report from the mail provider).
    Unknown ids are ignored and answer None: providers report mail from other systems too."""
    message_id = message_id.strip()
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    email = OutboundEmail.objects.select_for_update().filter(message_id=message_id).first()
    if email is None:
        return None
    email.status = EmailStatus.BOUNCED
    email.error = reason.strip()[:2000] or "The recipient's mail server refused the message."
    email.save(update_fields=["status", "error", "updated_at"])
    return email
