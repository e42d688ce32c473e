"""The Messages section of the staff organisation page: the outbox rows about the
organisation, its submissions and its invitations, and sending one again."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from action_plans.models import Submission
from core.models import OutboundEmail
from tests.factories import InvitationFactory, OrganisationFactory, StaffFactory
from tests.organisations.builders import message_about

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _messages_section(response) -> str:
    text = _text(response)
    return text[text.index('id="messages"') :]


def _subjects(response) -> list[str]:
    return re.findall(
        r'<th scope="row" class="fw-normal">([^<]+)</th>', _messages_section(response)
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="University of Mailshire")


def _aged(email, minutes):
    """Make ``email`` look ``minutes`` old, so the order is certain."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return email


def test_the_page_lists_mail_about_the_organisation_its_submissions_and_invitations(
    staff_client, organisation
):
    submission = Submission.objects.create(
        organisation=organisation, stage_number=1, started_by=StaffFactory()
    )
    invitation = InvitationFactory(organisation=organisation)
    _aged(message_about(organisation, subject="Reminder: Stage 1 is due"), 30)
    _aged(message_about(submission, subject="Stage 1 submitted"), 20)
    _aged(message_about(invitation, subject="You are invited"), 10)
    other = OrganisationFactory(name="University of Elsewhere")
    message_about(other, subject="Not this one")
    message_about(InvitationFactory(organisation=other), subject="Nor this one")
    OutboundEmail.objects.create(to=["x@example.org"], subject="About nothing", body_text=".")

    response = staff_client.get(organisation.get_staff_url())

    assert _subjects(response) == [
        "You are invited",
        "Stage 1 submitted",
        "Reminder: Stage 1 is due",
    ]
    assert response.context["outbox_total"] == 3
    assert "3 messages." in _messages_section(response)


def test_only_the_latest_fifty_are_listed_with_the_count_of_all(staff_client, organisation):
    for n in range(55):
        _aged(message_about(organisation, subject=f"Message {n:02d}"), n)

    response = staff_client.get(organisation.get_staff_url())

    assert _subjects(response) == [f"Message {n:02d}" for n in range(50)]
    assert "Showing the latest 50 of 55." in _messages_section(response)


def test_each_message_shows_its_date_recipients_status_attempts_and_any_error(
    staff_client, organisation
):
    for status in ("queued", "sent", "failed", "bounced"):
        message_about(
            organisation,
            status=status,
            subject=f"A {status} message",
            to=["lead@example.org", "head@example.org"],
            attempts=3,
            error=f"Why it {status}" if status in ("failed", "bounced") else "",
        )

    section = _messages_section(staff_client.get(organisation.get_staff_url()))

    for status, label in (
        ("queued", "Queued"),
        ("sent", "Sent"),
        ("failed", "Failed"),
        ("bounced", "Bounced"),
    ):
        assert f'<span class="badge status-badge status-{status}">{label}</span>' in section
    recipients = (
        '<ul class="list-unstyled mb-0 outbox-to">'
        "<li>lead@example.org</li><li>head@example.org</li></ul>"
    )
    assert section.count(recipients) == 4
    assert "Error:</span> Why it failed" in section
    assert "Error:</span> Why it bounced" in section
    assert section.count("outbox-error") == 2
    assert "Date (UK time)" in section
    assert section.count("<td>3</td>") == 4


def test_a_date_is_shown_in_uk_time(staff_client, organisation):
    email = message_about(organisation)
    # 23:30 UTC on 20 July is 00:30 on 21 July in the UK (summer time).
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=datetime(2026, 7, 20, 23, 30, tzinfo=UTC)
    )

    section = _messages_section(staff_client.get(organisation.get_staff_url()))

    assert "21 Jul 2026, 00:30" in section


def _resend_forms(section: str) -> list[str]:
    return re.findall(r'action="/staff/mail/(\d+)/send-again/"', section)


def test_send_again_is_offered_only_for_failed_and_bounced_mail(staff_client, organisation):
    emails = {
        status: message_about(organisation, status=status, subject=status)
        for status in ("queued", "sent", "failed", "bounced")
    }

    section = _messages_section(staff_client.get(organisation.get_staff_url()))

    assert sorted(_resend_forms(section)) == sorted(
        [str(emails["failed"].pk), str(emails["bounced"].pk)]
    )
    assert f'name="next" value="{organisation.get_staff_url()}#messages"' in section


@pytest.mark.parametrize("status", ["failed", "bounced"])
def test_sending_again_from_the_page_queues_a_copy_and_comes_back(
    staff_client, staff_user, organisation, status
):
    email = message_about(organisation, status=status, subject="Your invitation")

    response = staff_client.post(
        reverse("core:mail_resend", args=[email.pk]),
        {"next": f"{organisation.get_staff_url()}#messages"},
    )

    assert response.status_code == 302
    assert response.url == f"{organisation.get_staff_url()}#messages"
    again = OutboundEmail.objects.exclude(pk=email.pk).get()
    assert (again.status, again.about, again.subject, again.to) == (
        "queued",
        organisation,
        "Your invitation",
        email.to,
    )
    email.refresh_from_db()
    assert email.status == status
    page = staff_client.get(response.url)
    assert "“Your invitation” to priya.shah@example.org is queued to be sent again." in _text(page)
    assert _subjects(page) == ["Your invitation", "Your invitation"]


@pytest.mark.parametrize("status", ["queued", "sent"])
def test_a_message_not_failed_or_bounced_is_not_sent_again(staff_client, organisation, status):
    email = message_about(organisation, status=status)

    response = staff_client.post(
        reverse("core:mail_resend", args=[email.pk]), {"next": organisation.get_staff_url()}
    )

    assert response.status_code == 302
    assert OutboundEmail.objects.count() == 1
    page = _text(staff_client.get(response.url))
    assert "Only a message that failed or bounced can be sent again." in page


def test_an_organisation_without_mail_says_so(staff_client, organisation):
    section = _messages_section(staff_client.get(organisation.get_staff_url()))

    assert "0 messages." in section
    assert "<table" not in section


# The pipeline points staff to undelivered mail.


def test_the_pipeline_counts_failed_and_bounced_mail(staff_client, organisation):
    for status in ("failed", "bounced", "sent", "queued"):
        message_about(organisation, status=status)

    page = _text(staff_client.get(reverse("organisations:pipeline")))

    assert "<strong>2 messages failed or bounced.</strong>" in page
    assert f'<a href="{reverse("core:mail")}">Review undelivered mail</a>' in page


def test_the_pipeline_says_nothing_of_mail_when_all_was_delivered(staff_client, organisation):
    message_about(organisation, status="sent")

    page = _text(staff_client.get(reverse("organisations:pipeline")))

    assert "data-undelivered-summary" not in page
    assert "Needs a decision" not in page
