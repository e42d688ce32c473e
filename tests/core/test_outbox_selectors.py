"""The outbox reads: messages about given objects or querysets, by status, and how many
went undelivered. Generic: these tests use core's own models as the "about"."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.enums import EmailStatus
from core.models import OutboundEmail, Theme
from core.selectors import outbox_about, outbox_with_status, undelivered_count
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _message(about=None, status=EmailStatus.SENT, *, minutes_ago=0, subject=None):
    email = OutboundEmail.objects.create(
        to=["someone@example.org"],
        subject=subject or f"About {about}",
        body_text=".",
        status=status,
        about=about,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return email


def _subjects(queryset) -> list[str]:
    return list(queryset.values_list("subject", flat=True))


def test_messages_about_objects_and_querysets_newest_first():
    first, second, third = Theme.objects.order_by("position")[:3]
    person, stranger = UserFactory(), UserFactory()
    _message(first, minutes_ago=5, subject="Theme 1")
    _message(second, minutes_ago=3, subject="Theme 2")
    _message(third, minutes_ago=1, subject="Theme 3")
    _message(person, minutes_ago=4, subject="Person")
    _message(stranger, minutes_ago=2, subject="Stranger")
    _message(None, subject="About nothing")

    found = outbox_about(person, Theme.objects.filter(pk__in=[first.pk, second.pk]))

    assert _subjects(found) == ["Theme 2", "Person", "Theme 1"]


def test_the_same_id_in_another_table_is_not_confused():
    user = UserFactory()
    theme = Theme.objects.exclude(pk=user.pk).first()
    _message(user, subject="The user")
    # A message about a theme that has the user's id would match by id alone.
    OutboundEmail.objects.create(
        to=["x@example.org"],
        subject="A theme with the user's id",
        body_text=".",
        content_type=ContentType.objects.get_for_model(Theme),
        object_id=user.pk,
    )

    assert _subjects(outbox_about(user)) == ["The user"]
    assert _subjects(outbox_about(Theme.objects.filter(pk=theme.pk))) == []


def test_nothing_asked_about_finds_nothing():
    _message(UserFactory())

    assert _subjects(outbox_about()) == []
    assert _subjects(outbox_about(Theme.objects.none())) == []


def test_messages_about_a_queryset_are_read_in_one_query(django_assert_num_queries):
    themes = Theme.objects.all()
    for theme in themes:
        _message(theme)
    user = UserFactory()
    outbox_about(user, themes).count()  # the content types are cached after the first use

    with django_assert_num_queries(1):
        assert len(list(outbox_about(user, themes))) == themes.count()


def test_messages_by_status_and_the_undelivered_count():
    for n, status in enumerate(
        [EmailStatus.QUEUED, EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.BOUNCED]
    ):
        _message(status=status, minutes_ago=n, subject=status)

    assert _subjects(outbox_with_status([EmailStatus.FAILED, EmailStatus.BOUNCED])) == [
        "failed",
        "bounced",
    ]
    assert _subjects(outbox_with_status()) == ["queued", "sent", "failed", "bounced"]
    assert undelivered_count() == 2
