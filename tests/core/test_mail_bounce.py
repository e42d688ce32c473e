"""The bounce webhook: the mail provider reports messages the recipient's server refused.

POST /hooks/mail/bounce/ with ``Authorization: Bearer <MAIL_BOUNCE_TOKEN>`` and a JSON
report ``{"message_id": ..., "reason": ...}`` or a list of them."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core.enums import EmailStatus
from core.models import OutboundEmail
from tests.conftest import with_totp
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

HOOK = reverse("core:mail_bounce")
TOKEN = "s3cret-bounce-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _sent(message_id: str, **fields) -> OutboundEmail:
    values = {
        "to": ["lead@example.org"],
        "subject": "Your Stage 1 self-assessment is due",
        "body_text": "A reminder.",
        "status": EmailStatus.SENT,
        "attempts": 1,
        "message_id": message_id,
        **fields,
    }
    return OutboundEmail.objects.create(**values)


def _post(client, body, headers=AUTH):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(HOOK, data, content_type="application/json", headers=headers)


def _outbox() -> list[tuple]:
    return list(OutboundEmail.objects.order_by("id").values_list("id", "status", "error"))


@pytest.fixture
def sent(db):
    return [
        _sent("<one.1@techniciancommitment.example.org>"),
        _sent("<two.2@techniciancommitment.example.org>", to=["head@example.org"]),
    ]


@override_settings(MAIL_BOUNCE_TOKEN="")
def test_without_a_token_configured_the_address_does_not_exist(client, sent):
    before = _outbox()

    response = _post(client, {"message_id": sent[0].message_id}, headers={})
    with_header = _post(
        client, {"message_id": sent[0].message_id}, headers={"Authorization": "Bearer "}
    )

    assert (response.status_code, with_header.status_code) == (404, 404)
    assert _outbox() == before


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong", "longer", "other-scheme", "empty"],
)
def test_a_wrong_or_missing_token_is_not_authorised(client, sent, headers):
    before = _outbox()

    response = _post(client, {"message_id": sent[0].message_id}, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Not authorised."}
    assert _outbox() == before


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "The body must be JSON."),
        (b"\xff\xfe\x00", "The body must be JSON."),
        ("", "The body must be JSON."),
        ("[]", "Each report needs a message_id (text) and may give a reason."),
        ('"<one.1@techniciancommitment.example.org>"', "Each report needs"),
        ('{"reason": "mailbox full"}', "Each report needs"),
        ('{"message_id": 42}', "Each report needs"),
        ('{"message_id": "   "}', "Each report needs"),
        (
            # One good report beside a bad one: the whole request is refused.
            '[{"message_id": "<one.1@techniciancommitment.example.org>"}, {"id": 2}]',
            "Each report needs",
        ),
    ],
    ids=[
        "broken",
        "not-utf8",
        "empty",
        "empty-list",
        "a-string",
        "no-id",
        "id-not-text",
        "blank-id",
        "good-and-bad",
    ],
)
def test_a_body_that_is_not_a_report_is_refused_and_changes_nothing(client, sent, body, error):
    before = _outbox()

    response = _post(client, body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(error)
    assert _outbox() == before


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_a_known_message_is_marked_bounced_with_the_reason(client, sent):
    response = _post(
        client,
        {"message_id": sent[0].message_id, "reason": "  550 5.1.1 Mailbox does not exist  "},
    )

    assert response.status_code == 200
    assert response.json() == {"received": 1, "matched": 1}
    assert _outbox() == [
        (sent[0].pk, EmailStatus.BOUNCED, "550 5.1.1 Mailbox does not exist"),
        (sent[1].pk, EmailStatus.SENT, ""),
    ]


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_a_message_id_without_angle_brackets_is_matched(client, sent):
    response = _post(client, {"message_id": "two.2@techniciancommitment.example.org"})

    assert response.json() == {"received": 1, "matched": 1}
    sent[1].refresh_from_db()
    assert (sent[1].status, sent[1].error) == (
        EmailStatus.BOUNCED,
        "The recipient's mail server refused the message.",
    )


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_a_list_of_reports_marks_each_known_message(client, sent):
    response = _post(
        client,
        [
            {"message_id": sent[0].message_id, "reason": "Mailbox full"},
            {"message_id": "<from.another.system@example.org>", "reason": "Unknown user"},
            {"message_id": sent[1].message_id, "reason": 550},  # a reason that is not text
        ],
    )

    assert response.status_code == 200
    assert response.json() == {"received": 3, "matched": 2}
    assert _outbox() == [
        (sent[0].pk, EmailStatus.BOUNCED, "Mailbox full"),
        (sent[1].pk, EmailStatus.BOUNCED, "The recipient's mail server refused the message."),
    ]


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_an_unknown_message_id_is_ignored(client, sent):
    before = _outbox()

    response = _post(client, {"message_id": "<never.sent.by.us@example.org>", "reason": "No"})

    assert response.status_code == 200
    assert response.json() == {"received": 1, "matched": 0}
    assert _outbox() == before


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_the_hook_needs_no_csrf_token_and_no_session(sent):
    provider = Client(enforce_csrf_checks=True)

    response = _post(provider, {"message_id": sent[0].message_id})

    assert response.status_code == 200


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_the_hook_only_accepts_post(client, sent):
    assert client.get(HOOK, headers=AUTH).status_code == 405


@override_settings(MAIL_BOUNCE_TOKEN=TOKEN)
def test_a_bounced_message_then_shows_on_the_staff_mail_page(client, sent):
    _post(client, {"message_id": sent[1].message_id, "reason": "550 Mailbox does not exist"})
    client.force_login(with_totp(StaffFactory()))

    response = client.get(reverse("core:mail"))

    assert response.status_code == 200
    assert [email.pk for email in response.context["page"].object_list] == [sent[1].pk]
    page = " ".join(response.content.decode().split())
    assert '<span class="badge status-badge status-bounced">Bounced</span>' in page
    assert "Error:</span> 550 Mailbox does not exist" in page
    assert "head@example.org" in page
    assert f'action="{reverse("core:mail_resend", args=[sent[1].pk])}"' in page
