"""The onboarding step pages: posting a step, refusals, and what the staff page offers."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations.enums import OnboardingStatus
from tests.organisations.builders import (
    ANNOUNCED_ON,
    ENQUIRY_ON,
    FORM_ON,
    MEETING_ON,
    activity_rows,
    organisation_at,
    signed_form,
    signed_form_data,
    stored,
)

pytestmark = pytest.mark.django_db

S = OnboardingStatus


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(organisation, action):
    return reverse("organisations:organisation_transition", args=[organisation.slug, action])


# action: (status before, data, status after, what the step stored)
STEPS = {
    "meeting": (
        S.ENQUIRY,
        lambda: {"held_on": MEETING_ON.isoformat(), "note": "Met on Teams."},
        S.MEETING_HELD,
        {"meeting_held_on": MEETING_ON},
    ),
    "form": (
        S.MEETING_HELD,
        signed_form_data,
        S.FORM_RECEIVED,
        {"form_received_on": FORM_ON, "lead_email": "priya.shah@example.org"},
    ),
    "announce": (
        S.FORM_RECEIVED,
        lambda: {
            "announced_on": ANNOUNCED_ON.isoformat(),
            "announcement_url": "https://news.example.org/tc",
            "note": "",
        },
        S.ANNOUNCED,
        {"announced_on": ANNOUNCED_ON, "announcement_url": "https://news.example.org/tc"},
    ),
    "activate": (S.ANNOUNCED, lambda: {"note": "Live."}, S.ACTIVE, {}),
    "withdraw": (
        S.ACTIVE,
        lambda: {"reason": "Left the scheme."},
        S.WITHDRAWN,
        {"withdrawn_on": timezone.localdate()},
    ),
    "reinstate": (S.WITHDRAWN, lambda: {"note": ""}, S.ENQUIRY, {"withdrawn_on": None}),
}

VERBS = {
    "meeting": "meeting held",
    "form": "signed form received",
    "announce": "announced",
    "activate": "activated",
    "withdraw": "withdrawn",
    "reinstate": "reinstated",
}
LABELS = {
    "meeting": "Record the meeting",
    "form": "Record the signed form",
    "announce": "Record the announcement",
    "activate": "Activate",
    "withdraw": "Withdraw",
    "reinstate": "Reinstate",
}


@pytest.mark.parametrize(("action", "step"), STEPS.items(), ids=STEPS)
def test_posting_a_step_moves_the_organisation_and_returns_to_its_page(
    staff_client, staff_user, action, step
):
    before, data, after, values = step
    organisation = organisation_at(before)

    response = staff_client.post(_url(organisation, action), data())

    assert response.status_code == 302
    assert response.url == organisation.get_staff_url()
    row = stored(organisation)
    assert row["status"] == after
    assert {k: row[k] for k in values} == values
    assert [r[1:5] for r in activity_rows()] == [(staff_user.pk, VERBS[action], before, after)]
    page = _text(staff_client.get(response.url))
    assert f"{LABELS[action]}: done." in page


def test_the_signed_form_posted_on_the_page_can_be_downloaded_by_staff(staff_client):
    organisation = organisation_at(S.MEETING_HELD)
    upload = signed_form("Scan 2024-03-20.pdf")
    content = upload.read()
    upload.seek(0)
    staff_client.post(_url(organisation, "form"), signed_form_data(signed_form=upload))

    response = staff_client.get(
        reverse("organisations:signed_form_download", args=[organisation.slug])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{organisation.slug}-signed-form.pdf"'
    )
    assert b"".join(response.streaming_content) == content
    page = _text(staff_client.get(organisation.get_staff_url()))
    assert "Download the signed form" in page


def _tomorrow():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


# action, status, data, message shown
INVALID = {
    "meeting-not-a-date": (
        "meeting",
        S.ENQUIRY,
        lambda: {"held_on": "the 14th", "note": ""},
        "Enter a valid date.",
    ),
    "meeting-missing-date": (
        "meeting",
        S.ENQUIRY,
        lambda: {"held_on": "", "note": ""},
        "Meeting held on: this field is required.",
    ),
    "meeting-in-future": (
        "meeting",
        S.ENQUIRY,
        lambda: {"held_on": _tomorrow(), "note": ""},
        "The meeting date cannot be in the future.",
    ),
    "meeting-before-enquiry": (
        "meeting",
        S.ENQUIRY,
        lambda: {"held_on": (ENQUIRY_ON - timedelta(days=1)).isoformat(), "note": ""},
        "The meeting cannot come before the enquiry.",
    ),
    "form-text-named-pdf": (
        "form",
        S.MEETING_HELD,
        lambda: signed_form_data(
            signed_form=signed_form("form.pdf", b"I agree. Signed, the VC.\n")
        ),
        "This file is not a PDF. Please upload the signed form as a PDF document.",
    ),
    "form-missing-file": (
        "form",
        S.MEETING_HELD,
        lambda: {k: v for k, v in signed_form_data().items() if k != "signed_form"},
        "Signed form (PDF): this field is required.",
    ),
    "form-bad-lead-email": (
        "form",
        S.MEETING_HELD,
        lambda: signed_form_data(lead_email="priya at example"),
        "Enter a valid email address.",
    ),
    "form-before-meeting": (
        "form",
        S.MEETING_HELD,
        lambda: signed_form_data(received_on=(MEETING_ON - timedelta(days=1)).isoformat()),
        "The form cannot arrive before the meeting was held.",
    ),
    "form-in-future": (
        "form",
        S.MEETING_HELD,
        lambda: signed_form_data(received_on=_tomorrow()),
        "The form received date cannot be in the future.",
    ),
    "announce-before-form": (
        "announce",
        S.FORM_RECEIVED,
        lambda: {"announced_on": (FORM_ON - timedelta(days=1)).isoformat(), "note": ""},
        "The announcement cannot come before the signed form.",
    ),
    "announce-bad-link": (
        "announce",
        S.FORM_RECEIVED,
        lambda: {"announced_on": ANNOUNCED_ON.isoformat(), "announcement_url": "not a link"},
        "Enter a valid URL.",
    ),
    "withdraw-without-reason": (
        "withdraw",
        S.ACTIVE,
        lambda: {"reason": "   "},
        "Reason: this field is required.",
    ),
}


@pytest.mark.parametrize(("action", "status", "data", "message"), INVALID.values(), ids=INVALID)
def test_an_invalid_step_is_shown_again_with_the_reason_and_changes_nothing(
    staff_client, action, status, data, message
):
    organisation = organisation_at(status)
    before, log = stored(organisation), activity_rows()

    response = staff_client.post(_url(organisation, action), data())

    assert response.status_code == 400
    assert message in _text(response)
    assert stored(organisation) == before
    assert activity_rows() == log


def test_an_oversized_signed_form_is_refused_on_the_page(staff_client, settings):
    settings.SIGNED_FORM_MAX_BYTES = 300
    organisation = organisation_at(S.MEETING_HELD)
    before = stored(organisation)

    response = staff_client.post(_url(organisation, "form"), signed_form_data())

    assert response.status_code == 400
    assert "the limit is 300\xa0bytes." in _text(response)
    assert stored(organisation) == before


def test_activating_before_a_scheduled_announcement_is_refused_on_the_page(staff_client):
    ahead = timezone.localdate() + timedelta(days=7)
    organisation = organisation_at(S.ANNOUNCED, announced_on=ahead)

    response = staff_client.post(_url(organisation, "activate"), {"note": ""})

    assert response.status_code == 400
    assert (
        f"The organisation can be activated on or after its announcement date ({ahead:%d %B %Y})."
        in _text(response)
    )
    assert stored(organisation)["status"] == S.ANNOUNCED


@pytest.mark.parametrize(
    ("action", "status", "data"),
    [
        ("activate", S.ENQUIRY, {"note": ""}),
        ("meeting", S.ACTIVE, {"held_on": MEETING_ON.isoformat(), "note": ""}),
        ("announce", S.MEETING_HELD, {"announced_on": ANNOUNCED_ON.isoformat(), "note": ""}),
        ("reinstate", S.ACTIVE, {"note": ""}),
        ("withdraw", S.WITHDRAWN, {"reason": "Again"}),
    ],
)
def test_a_step_not_available_at_this_stage_is_refused_with_a_message(
    staff_client, action, status, data
):
    organisation = organisation_at(status)
    before, log = stored(organisation), activity_rows()

    page = _text(staff_client.get(_url(organisation, action)))
    response = staff_client.post(_url(organisation, action), data)

    assert "This step is not available at the current stage." in page
    assert response.status_code == 400
    refusal = _text(response)
    label = S(status).label
    assert (
        f"This cannot be done while the status is “{label}”." in refusal
        or "Only a withdrawn organisation can be reinstated." in refusal
    )
    assert stored(organisation) == before
    assert activity_rows() == log


def test_a_withdrawn_organisation_must_be_reinstated_before_any_other_step(staff_client):
    organisation = organisation_at(S.WITHDRAWN)
    before = stored(organisation)

    response = staff_client.post(
        _url(organisation, "meeting"), {"held_on": MEETING_ON.isoformat(), "note": ""}
    )

    assert response.status_code == 400
    assert stored(organisation) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_step_is_not_found(staff_client, method):
    organisation = organisation_at(S.ENQUIRY)

    response = getattr(staff_client, method)(_url(organisation, "fast-track"))

    assert response.status_code == 404
    assert stored(organisation)["status"] == S.ENQUIRY


def test_an_unknown_organisation_is_not_found(staff_client):
    assert staff_client.get("/staff/organisations/nowhere/meeting/").status_code == 404
    assert staff_client.get("/staff/organisations/nowhere/").status_code == 404


OFFERED = {
    S.ENQUIRY: ["meeting", "withdraw"],
    S.MEETING_HELD: ["form", "withdraw"],
    S.FORM_RECEIVED: ["announce", "withdraw"],
    S.ANNOUNCED: ["activate", "withdraw"],
    S.ACTIVE: ["withdraw"],
    S.WITHDRAWN: ["reinstate"],
}


@pytest.mark.parametrize(("status", "actions"), OFFERED.items(), ids=list(OFFERED))
def test_the_staff_page_offers_only_the_steps_of_the_current_stage(staff_client, status, actions):
    organisation = organisation_at(status)

    response = staff_client.get(organisation.get_staff_url())

    linked = re.findall(
        rf'href="/staff/organisations/{organisation.slug}/([a-z-]+)/"', response.content.decode()
    )
    assert [a for a in linked if a in STEPS] == actions


def test_the_step_page_starts_from_what_the_register_knows(staff_client):
    organisation = organisation_at(
        S.MEETING_HELD, lead_name="Priya Shah", lead_email="priya.shah@example.org"
    )

    response = staff_client.get(_url(organisation, "form"))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["lead_name"].value(), form["lead_email"].value()) == (
        "Priya Shah",
        "priya.shah@example.org",
    )
    assert form["received_on"].value() == timezone.localdate()
    assert "This step is not available" not in _text(response)
