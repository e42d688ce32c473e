"""An email subject is plain text on one line: never HTML-escaped, never broken over lines."""

import copy
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.models import OutboundEmail
from core.services import email_queue, email_render, email_subject_render
from tests.factories import InvitationFactory, OrganisationFactory, UserFactory

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "email"
SUBJECT_TEMPLATES = sorted(
    str(path.relative_to(EMAIL_TEMPLATES)).removesuffix("_subject.txt")
    for path in EMAIL_TEMPLATES.rglob("*_subject.txt")
)

HOSTILE = "King's <b>College</b>\nBcc: someone@example.org"
ON_ONE_LINE = "King's <b>College</b> Bcc: someone@example.org"


class Anything:
    """Whatever a template asks of it, it answers with itself (a date for a ``..._at``
    name), and prints as ``HOSTILE``."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name.endswith("_at"):
            return datetime(2027, 10, 1, 17, 0, tzinfo=UTC)
        return self

    def __str__(self):
        return HOSTILE


def test_every_subject_template_is_found():
    assert "accounts/invitation" in SUBJECT_TEMPLATES
    assert "reviews/assigned" in SUBJECT_TEMPLATES


def _names_used(source: str) -> set[str]:
    """The context names a template reads (``{{ name...`` and ``{% if name...``)."""
    return set(re.findall(r"\{[{%]\s*(?:if\s+)?([a-z_]+)", source)) - {"if", "else", "endif"}


@pytest.mark.parametrize("template", SUBJECT_TEMPLATES)
def test_every_subject_is_plain_text_on_one_line(template):
    source = (EMAIL_TEMPLATES / f"{template}_subject.txt").read_text()

    context = {name: Anything() for name in _names_used(source)}

    subject = email_subject_render(template_name=f"email/{template}_subject.txt", context=context)

    assert "\n" not in subject and "\r" not in subject
    assert "&#x27;" not in subject and "&lt;" not in subject and "&amp;" not in subject
    if "{{" in source:
        assert ON_ONE_LINE in subject


@pytest.mark.django_db
def test_an_invitation_names_an_organisation_with_an_apostrophe_as_written():
    invitation = InvitationFactory(organisation=OrganisationFactory(name="King's College London"))

    rendered = email_render(
        template="accounts/invitation", context={"invitation": invitation, "inviter": None}
    )

    assert rendered.subject == (
        "You are invited to join King's College London on the Technician Commitment portal"
    )
    # The HTML body is still escaped.
    assert "King&#x27;s College London" in rendered.body_html


@pytest.mark.django_db
def test_a_subject_given_with_line_breaks_is_kept_on_one_line():
    email = email_queue(
        to=["a@example.org"], subject="Line one\r\nBcc: x@example.org", body_text=""
    )

    assert OutboundEmail.objects.get(pk=email.pk).subject == "Line one Bcc: x@example.org"


@pytest.fixture
def reset_subject_naming_the_person(settings, tmp_path):
    """The password-reset subject overridden to name the person, as a site might."""
    override = tmp_path / "account" / "email"
    override.mkdir(parents=True)
    (override / "password_reset_key_subject.txt").write_text("Reset for\n{{ user.name }}\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


@pytest.mark.django_db
def test_allauths_messages_have_plain_one_line_subjects(client, reset_subject_naming_the_person):
    user = UserFactory(name="Siân O'Brien <b>\nBcc: x@example.org")

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    email = OutboundEmail.objects.get(template="account/email/password_reset_key")
    assert email.subject == "[Technician Commitment] Reset for Siân O'Brien <b> Bcc: x@example.org"
