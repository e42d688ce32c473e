"""Staff pages at the width of a phone (375 CSS pixels): nothing scrolls sideways but a
table's own region, which a keyboard can reach, and axe finds nothing serious."""

import pytest
from playwright.sync_api import expect

from accounts.enums import MembershipRole
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import with_known_totp
from tests.factories import InvitationFactory, MembershipFactory, StaffFactory, UserFactory
from tests.organisations.builders import message_about, organisation_at
from tests.reviews import builders as review_builders

PHONE = {"width": 375, "height": 812}


def _an_organisation_with_history(statuses=("sent", "failed", "bounced", "queued")):
    organisation = organisation_at(
        "active",
        name="University of the Highlands and Islands — Faculté des Sciences",
        lead_email="a.very.long.address.for.the.technical-services.lead@uhi.example.ac.uk",
    )
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(
            name="Siobhán O'Brien-Nuñez",
            email="siobhan.obrien-nunez.technical.services@uhi.example.ac.uk",
        ),
    )
    MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR)
    InvitationFactory(organisation=organisation, email="new.technical.lead@uhi.example.ac.uk")
    for status in statuses:
        message_about(
            organisation,
            status=status,
            to=["technical-services-commitment-lead@uhi.example.ac.uk"],
            subject="Your Stage 1 self-assessment and action plan are due on 16 November 2025",
        )
    return organisation


def _on_a_phone(page_as, user):
    page = page_as(user)
    page.set_viewport_size(PHONE)
    return page


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_the_staff_organisation_page_on_a_phone(page_as):
    # All delivered: no "Send again" buttons, so nothing in the table could take focus.
    organisation = _an_organisation_with_history(statuses=("sent", "sent", "queued"))
    page = _on_a_phone(page_as, with_known_totp(StaffFactory()))

    page.goto(organisation.get_staff_url())

    expect(page.get_by_role("heading", level=1)).to_contain_text("Highlands and Islands")
    assert not _scrolls_sideways(page)
    assert_no_serious_axe_violations(page)


def test_the_mail_page_does_not_scroll_sideways_on_a_phone(page_as):
    _an_organisation_with_history()
    page = _on_a_phone(page_as, with_known_totp(StaffFactory()))

    page.goto("/staff/mail/?status=all")

    expect(page.get_by_text("Showing 1–4 of 4 messages.")).to_be_visible()
    assert not _scrolls_sideways(page)
    # The table scrolls within its own region, which is named and can take focus.
    region = page.get_by_role("region", name="Messages, newest first")
    expect(region).to_have_attribute("tabindex", "0")
    assert_no_serious_axe_violations(page)


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("/staff/reviewers/", "Peer reviewers"),
        ("/staff/review-rounds/", "Review rounds, newest first"),
        ("/staff/rounds/", "Submission rounds"),
        ("/staff/reminders/", "Rules"),
    ],
)
def test_staff_lists_scroll_their_tables_not_the_page_on_a_phone(page_as, path, table):
    review_builders.reviewer(
        name="Siobhán O'Brien-Nuñez",
        email="siobhan.obrien-nunez.technical.services@uhi.example.ac.uk",
        themes=["visibility", "career-development"],
    )
    review_builders.review_round()
    page = _on_a_phone(page_as, with_known_totp(StaffFactory()))

    page.goto(path)

    expect(page.get_by_role("region", name=table, exact=True)).to_have_attribute("tabindex", "0")
    assert not _scrolls_sideways(page)
    assert_no_serious_axe_violations(page)
