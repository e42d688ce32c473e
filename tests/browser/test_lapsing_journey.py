"""ITSS staff find a lapsing signatory, lapse it with a note, and deal with its mail;
the public page then says it has lapsed. Every page on the way passes axe."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from action_plans.deadlines import add_months
from core.models import OutboundEmail
from organisations.enums import OnboardingStatus
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import with_known_totp
from tests.factories import OrganisationFactory, StaffFactory

S = OnboardingStatus


def _lapsing_signatory():
    """Announced 26 months ago: Stage 1 is about 8 months overdue, not started."""
    today = timezone.localdate()
    organisation = OrganisationFactory(
        name="University of Lateshire",
        short_name="Lateshire",
        status=S.ACTIVE,
        announced_on=add_months(today, -26),
        contact_name="Sam Patel",
        contact_email="technicians@lateshire.example.org",
        lead_name="Priya Shah",
        lead_email="priya.shah@lateshire.example.org",
        head_name="Professor Jane Whitfield",
        head_email="vice-chancellor@lateshire.example.org",
    )
    OrganisationFactory(
        name="University of Punctual", status=S.ACTIVE, announced_on=add_months(today, -3)
    )
    OrganisationFactory(name="Brackley Institute", status=S.ENQUIRY)
    for status, to, error in (
        ("bounced", "priya.shah@lateshire.example.org", "550 5.1.1 Mailbox does not exist"),
        ("failed", "vice-chancellor@lateshire.example.org", "SMTPServerDisconnected: timed out"),
        ("sent", "technicians@lateshire.example.org", ""),
    ):
        OutboundEmail.objects.create(
            about=organisation,
            to=[to],
            subject="Your Stage 1 self-assessment is overdue",
            body_text="A reminder.",
            status=status,
            attempts=1,
            error=error,
        )
    return organisation


def _status_badge(page):
    return page.locator("h1 + p .status-badge")


def test_staff_lapse_a_lapsing_signatory_and_the_public_page_says_so(page_as, live_url):
    organisation = _lapsing_signatory()
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))
    page = page_as(staff)

    # The pipeline says one signatory is lapsing and shows it.
    page.goto("/staff/pipeline/")
    attention = page.get_by_role("region", name="Needs a decision")
    expect(attention).to_contain_text("1 signatory is lapsing")
    expect(attention).to_contain_text("2 messages failed or bounced.")
    assert_no_serious_axe_violations(page)
    attention.get_by_role("link", name="Show the lapsing organisation").click()
    expect(page).to_have_url(re.compile(r"/staff/pipeline/\?lapsing=yes$"))
    results = page.locator("#pipeline-results")
    expect(results.get_by_role("row")).to_have_count(2)  # a header and one organisation
    expect(results).to_contain_text("Lapsing: Stage 1 was due")
    expect(page.get_by_label("Lapsing", exact=True)).to_have_value("yes")

    # Its staff page flags it, lists its mail and offers to lapse it.
    results.get_by_role("link", name="University of Lateshire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("University of Lateshire")
    expect(page.get_by_role("region", name="Lapsing")).to_contain_text("Stage 1 was due")
    messages = page.get_by_role("region", name="Messages", exact=True)
    expect(messages.get_by_role("row")).to_have_count(4)  # a header and three messages
    expect(messages).to_contain_text("550 5.1.1 Mailbox does not exist")
    expect(messages.get_by_role("button", name=re.compile(r"^Send again"))).to_have_count(2)
    assert_no_serious_axe_violations(page)

    # Lapsing needs a note; with one, it is done and logged.
    page.get_by_role("link", name="Lapse", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lapse: University of Lateshire")
    expect(page.get_by_text("nothing is removed, and it can be restored")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Lapse").click()
    expect(page.locator(".error-summary").get_by_role("link")).to_have_text(
        ["Note: this field is required."]
    )
    expect(page.locator(".invalid-feedback")).to_have_text("Note: this field is required.")
    page.get_by_label("Note").fill("No reply to three reminders; agreed with the head of ITSS.")
    page.get_by_role("button", name="Lapse").click()
    expect(page.get_by_role("status")).to_have_text("Lapse: done.")
    expect(_status_badge(page)).to_have_text("Lapsed")
    expect(page.locator(".activity-log > li").first).to_contain_text(
        "No reply to three reminders; agreed with the head of ITSS."
    )
    expect(page.locator(".activity-log > li").first).to_contain_text("Alex Morgan")
    expect(page.get_by_role("link", name="Restore")).to_be_visible()
    expect(page.get_by_role("region", name="Lapsing")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # Sending the bounced message again, from the page, comes back to it.
    messages = page.get_by_role("region", name="Messages", exact=True)
    messages.get_by_role("button", name=re.compile(r"^Send again.*priya\.shah")).click()
    expect(page.get_by_role("status")).to_contain_text("is queued to be sent again.")
    expect(page).to_have_url(re.compile(rf"{organisation.get_staff_url()}#messages$"))
    expect(
        page.get_by_role("region", name="Messages", exact=True).get_by_role("row")
    ).to_have_count(5)

    # Undelivered mail, from the navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail")
    expect(page.get_by_label("Status")).to_have_value("undelivered")
    expect(page.get_by_text("Showing 1–2 of 2 messages.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Status").select_option(label="All messages")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/staff/mail/\?status=all$"))
    expect(page.get_by_text("Showing 1–4 of 4 messages.")).to_be_visible()

    # The public page still lists it, marked lapsed in words.
    public = page_as(None)
    public.goto(f"/organisations/{organisation.slug}/")
    expect(public.get_by_role("heading", level=1)).to_have_text("University of Lateshire")
    status = public.locator("[data-public-status]")
    expect(status).to_contain_text("Status: Lapsed since")
    expect(status.locator(".status-badge")).to_have_text("Lapsed")
    assert_no_serious_axe_violations(public)
