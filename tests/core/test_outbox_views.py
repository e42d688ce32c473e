"""The staff mail page (/staff/mail/) and sending a message again: who may, the status
filter, pagination, where the button returns to, and the page's query count."""

import html
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.enums import EmailStatus
from core.models import ActivityLog, OutboundEmail
from core.urls import urlpatterns
from tests.accounts.people import person
from tests.conftest import with_totp
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

MAIL = reverse("core:mail")
ROLES = ("anonymous", "outsider", "contributor_a", "lead_a", "lead_b", "reviewer", "staff")


def _message(status=EmailStatus.SENT, *, minutes_ago=0, **fields) -> OutboundEmail:
    values = {
        "to": ["lead@example.org"],
        "subject": f"A {status} message",
        "body_text": "Text.",
        "status": status,
        "attempts": 0 if status == EmailStatus.QUEUED else 1,
        "error": "SMTPRecipientsRefused: no such user"
        if status in (EmailStatus.FAILED, EmailStatus.BOUNCED)
        else "",
        **fields,
    }
    email = OutboundEmail.objects.create(**values)
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return email


def _subjects(response) -> list[str]:
    return [email.subject for email in response.context["page"].object_list]


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


# Who may: one row per URL and method, one column per role.


def _signed_in(client, role):
    user = person(role, org_a=OrganisationFactory(), org_b=OrganisationFactory())
    if role in ("reviewer", "staff"):
        with_totp(user)  # so the two-factor check lets them through
    if role != "anonymous":
        client.force_login(user)
    return user


ENDPOINTS = {
    "mail-get": ("get", lambda email: MAIL, 200),
    "mail-filtered-get": ("get", lambda email: f"{MAIL}?status=all&page=1", 200),
    "send-again-post": ("post", lambda email: reverse("core:mail_resend", args=[email.pk]), 302),
}


def test_every_staff_url_of_core_is_in_the_matrix():
    staff_names = {p.name for p in urlpatterns if str(p.pattern).startswith("staff/")}

    assert staff_names == {"mail", "mail_resend"}


def _written():
    return (
        list(OutboundEmail.objects.order_by("id").values_list("id", "status")),
        ActivityLog.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "staff_expects"), ENDPOINTS.values(), ids=ENDPOINTS)
def test_the_mail_pages_by_role(client, role, method, url, staff_expects):
    email = _message(EmailStatus.FAILED)
    _signed_in(client, role)
    address = url(email)
    before = _written()

    response = getattr(client, method)(address)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={quote(address)}"
    elif role == "staff":
        assert response.status_code == staff_expects
    else:
        assert response.status_code == 404
    if role != "staff":
        assert _written() == before


def test_a_deactivated_member_of_staff_is_signed_out(client):
    user = with_totp(person("inactive_staff", org_a=None, org_b=None))
    client.force_login(user)

    response = client.get(MAIL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote(MAIL)}"


def test_sending_again_only_answers_post(staff_client):
    email = _message(EmailStatus.FAILED)

    response = staff_client.get(reverse("core:mail_resend", args=[email.pk]))

    assert response.status_code == 405
    assert OutboundEmail.objects.count() == 1


def test_sending_again_an_unknown_message_is_not_found(staff_client):
    assert staff_client.post(reverse("core:mail_resend", args=[999999])).status_code == 404


@pytest.mark.parametrize(("role", "sees_link"), [("lead_a", False), ("staff", True)])
def test_only_staff_see_the_mail_link_in_the_navigation(client, role, sees_link):
    _signed_in(client, role)

    page = client.get(reverse("core:home")).content.decode()

    assert (f'href="{MAIL}"' in page) is sees_link


# The filter.


@pytest.fixture
def mailbag(db):
    return {
        "queued": _message(EmailStatus.QUEUED, minutes_ago=5),
        "sent": _message(EmailStatus.SENT, minutes_ago=4),
        "failed": _message(EmailStatus.FAILED, minutes_ago=3),
        "bounced": _message(EmailStatus.BOUNCED, minutes_ago=2),
        "failed later": _message(EmailStatus.FAILED, minutes_ago=1, subject="Failed again"),
    }


FILTERS = {
    "default": ({}, ["Failed again", "A bounced message", "A failed message"]),
    "undelivered": (
        {"status": "undelivered"},
        ["Failed again", "A bounced message", "A failed message"],
    ),
    "failed": ({"status": "failed"}, ["Failed again", "A failed message"]),
    "bounced": ({"status": "bounced"}, ["A bounced message"]),
    "queued": ({"status": "queued"}, ["A queued message"]),
    "sent": ({"status": "sent"}, ["A sent message"]),
    "all": (
        {"status": "all"},
        [
            "Failed again",
            "A bounced message",
            "A failed message",
            "A sent message",
            "A queued message",
        ],
    ),
}


@pytest.mark.parametrize(("query", "expected"), FILTERS.values(), ids=FILTERS)
def test_the_status_filter_shows_newest_first(staff_client, mailbag, query, expected):
    response = staff_client.get(MAIL, query)

    assert response.status_code == 200
    assert _subjects(response) == expected


def test_by_default_the_failed_and_bounced_filter_is_selected(staff_client, mailbag):
    page = _text(staff_client.get(MAIL))

    assert '<option value="undelivered" selected>Failed or bounced</option>' in page
    assert "Showing 1–3 of 3 messages." in page


def test_each_message_shows_its_status_as_text_and_its_error(staff_client, mailbag):
    page = _text(staff_client.get(MAIL, {"status": "all"}))

    for status, label in EmailStatus.choices:
        assert f'<span class="badge status-badge status-{status}">{label}</span>' in page
    assert page.count("Error:</span> SMTPRecipientsRefused: no such user") == 3
    assert page.count(">Send again<") == 3


@pytest.mark.parametrize("value", ["spam", "%00", "failed,bounced"])
def test_an_invalid_filter_value_is_explained_and_lists_nothing(staff_client, mailbag, value):
    response = staff_client.get(f"{MAIL}?status={value}")

    assert response.status_code == 200
    assert "Select a valid choice." in _text(response)
    assert _subjects(response) == []


def test_the_mail_page_is_paginated_by_fifty_and_keeps_the_filter(staff_client):
    for n in range(60):
        _message(EmailStatus.BOUNCED, minutes_ago=n, subject=f"Bounce {n:02d}")
    _message(EmailStatus.SENT, subject="Delivered")

    first = staff_client.get(MAIL, {"status": "bounced"})
    second = staff_client.get(MAIL, {"status": "bounced", "page": "2"})

    assert _subjects(first) == [f"Bounce {n:02d}" for n in range(50)]
    assert _subjects(second) == [f"Bounce {n:02d}" for n in range(50, 60)]
    assert "Showing 51–60 of 60 messages." in _text(second)
    assert 'href="?status=bounced&amp;page=2"' in first.content.decode()
    assert 'href="?status=bounced&amp;page=1"' in second.content.decode()


# Sending again.


@pytest.mark.parametrize("status", [EmailStatus.FAILED, EmailStatus.BOUNCED])
def test_sending_again_queues_a_new_copy_and_keeps_the_old_record(staff_client, staff_user, status):
    email = _message(
        status,
        to=["lead@example.org", "head@example.org"],
        subject="Stage 1 is overdue",
        body_html="<p>Overdue.</p>",
        template="action_plans/reminder",
        attachments=[{"filename": "due.ics", "content_type": "text/calendar", "content": "X"}],
    )
    back = f"{MAIL}?status={status}"

    response = staff_client.post(reverse("core:mail_resend", args=[email.pk]), {"next": back})

    assert response.status_code == 302
    assert response.url == back
    again = OutboundEmail.objects.exclude(pk=email.pk).get()
    assert (
        again.status,
        again.to,
        again.subject,
        again.body_text,
        again.body_html,
        again.template,
        again.attachments,
        again.attempts,
    ) == (
        EmailStatus.QUEUED,
        email.to,
        email.subject,
        email.body_text,
        email.body_html,
        email.template,
        email.attachments,
        0,
    )
    email.refresh_from_db()
    assert (email.status, email.error) == (status, "SMTPRecipientsRefused: no such user")
    entry = ActivityLog.objects.get()
    assert (entry.actor, entry.verb, entry.object_id, entry.note) == (
        staff_user,
        "sent again",
        email.pk,
        f"as message {again.pk}",
    )
    page = _text(staff_client.get(response.url))
    assert (
        "“Stage 1 is overdue” to lead@example.org, head@example.org is queued to be sent again."
        in page
    )


@pytest.mark.parametrize("status", [EmailStatus.SENT, EmailStatus.QUEUED])
def test_a_message_that_did_not_fail_is_not_sent_again(staff_client, status):
    email = _message(status)
    before = _written()

    response = staff_client.post(reverse("core:mail_resend", args=[email.pk]))

    assert response.status_code == 302
    assert response.url == MAIL
    assert _written() == before
    page = _text(staff_client.get(response.url))
    assert "Only a message that failed or bounced can be sent again." in page


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.org/", "//evil.example.org/staff/", "javascript:alert(1)", ""],
)
def test_sending_again_never_redirects_away_from_the_portal(staff_client, next_url):
    email = _message(EmailStatus.FAILED)

    response = staff_client.post(reverse("core:mail_resend", args=[email.pk]), {"next": next_url})

    assert response.status_code == 302
    assert response.url == MAIL


# Query count.

# session, user, authenticator (two-factor check), the user's memberships
# (navigation), the paginator's count and the page of messages.
MAIL_PAGE_QUERIES = 6


def _add_mail(start, stop):
    for n in range(start, stop):
        _message([EmailStatus.FAILED, EmailStatus.BOUNCED, EmailStatus.SENT][n % 3], minutes_ago=n)


@pytest.mark.parametrize("query", [{}, {"status": "all", "page": "2"}], ids=["default", "all-p2"])
def test_the_mail_page_runs_the_same_queries_for_few_and_many_messages(
    staff_client, django_assert_num_queries, query
):
    _add_mail(0, 6)
    staff_client.get(MAIL)  # warm the per-process caches (templates, content types)
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(MAIL, query).status_code == 200

    _add_mail(6, 160)
    with django_assert_num_queries(len(small)):
        response = staff_client.get(MAIL, query)

    assert len(response.context["page"].object_list) == 50
    assert len(small) == MAIL_PAGE_QUERIES


def test_nothing_on_the_page_reads_a_message_one_by_one(staff_client):
    _add_mail(0, 30)

    with CaptureQueriesContext(connection) as queries:
        staff_client.get(MAIL, {"status": "all"})

    reads = [q["sql"] for q in queries if re.search(r'FROM "core_outboundemail"', q["sql"])]
    assert len(reads) == 2  # the count and the page
