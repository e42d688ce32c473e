"""Shared reads: the email outbox.

Generic on purpose: an app asks for the messages about its own objects and
querysets, so core never needs to know what an organisation or a submission is."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from .enums import EmailStatus
from .models import OutboundEmail

UNDELIVERED = (EmailStatus.FAILED, EmailStatus.BOUNCED)


def outbox_about(*about: models.Model | QuerySet) -> QuerySet[OutboundEmail]:
    """The outbox messages about any of ``about``, newest first.

    Each item is one object, or a queryset standing for all of its rows (read as a
    subquery, so none of them is loaded): ``outbox_about(organisation,
    organisation.submissions.all())``. One query, whatever the number of rows."""
    condition = Q(pk__in=[])
    for item in about:
        if isinstance(item, QuerySet):
            content_type = ContentType.objects.get_for_model(item.model, for_concrete_model=True)
            condition |= Q(content_type=content_type, object_id__in=item.order_by().values("pk"))
        else:
            content_type = ContentType.objects.get_for_model(item, for_concrete_model=True)
            condition |= Q(content_type=content_type, object_id=item.pk)
    return OutboundEmail.objects.filter(condition).order_by("-created_at", "-id")


def outbox_with_status(statuses: Iterable[str] | None = None) -> QuerySet[OutboundEmail]:
    """Outbox messages in any of ``statuses`` (every message when None), newest first."""
    messages = OutboundEmail.objects.order_by("-created_at", "-id")
    return messages if statuses is None else messages.filter(status__in=list(statuses))


def undelivered_count() -> int:
    """How many messages failed or bounced (and so may need sending again)."""
    return OutboundEmail.objects.filter(status__in=UNDELIVERED).count()
