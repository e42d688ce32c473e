"""ITSS staff sign in with two factors, find an enquiry and take it through onboarding."""

import re
from datetime import date

from playwright.sync_api import expect

from demo.pdf import minimal_pdf
from organisations.enums import OnboardingStatus, OrganisationKind
from organisations.models import Organisation
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import enter_totp_code, sign_in_with_password, with_known_totp
from tests.factories import OrganisationFactory, StaffFactory


def _status_badge(page):
    return page.locator("h1 + p .status-badge")


def _activity(page):
    return page.locator(".activity-log > li")


def _sign_in_with_two_factors(page, staff):
    sign_in_with_password(page, staff.email)
    expect(page).to_have_url("/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    assert_no_serious_axe_violations(page)
    enter_totp_code(page)
    expect(page).to_have_url("/staff/pipeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onboarding pipeline")


def _filter_in_place(page):
    """The filter form swaps the results in with htmx and pushes the address."""
    # htmx wires the form up once the page has loaded; a person is never faster than that.
    page.wait_for_load_state("load")
    results = page.locator("#pipeline-results")
    expect(results.get_by_role("row")).to_have_count(4)  # a header and three organisations
    # A full page load would wipe this; an htmx swap keeps it.
    page.evaluate("() => { window.stillTheSamePage = true; }")

    page.get_by_label("Stage", exact=True).select_option(label="Meeting held")

    expect(page).to_have_url(re.compile(r"/staff/pipeline/\?.*status=meeting_held"))
    expect(results).to_contain_text("Showing 1–1 of 1 organisation.")
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results.get_by_role("link", name="Brackley Institute")).to_be_visible()

    page.get_by_label("Stage", exact=True).select_option(label="All stages")
    page.get_by_label("Search by name").fill("glass")

    expect(page).to_have_url(re.compile(r"\?q=glass&"))
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results.get_by_role("link", name="Royal Society of Glassblowing")).to_be_visible()
    assert page.evaluate("() => window.stillTheSamePage") is True
    assert_no_serious_axe_violations(page)

    page.get_by_label("Search by name").fill("")
    page.get_by_label("Stage", exact=True).select_option(label="Enquiry received")
    expect(page).to_have_url(re.compile(r"status=enquiry"))
    expect(results.get_by_role("row")).to_have_count(2)


def _record_meeting(page):
    page.get_by_role("link", name="Record the meeting").click()
    page.get_by_label("Meeting held on").fill("2024-02-01")
    page.get_by_label("Note").fill("Met the research office.")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.get_by_role("status")).to_have_text("Record the meeting: done.")


def _fill_signed_form(page, upload):
    page.get_by_label("Signed form (PDF)").set_input_files(upload)
    page.get_by_label("Received on").fill("2024-03-01")
    page.get_by_label("Head of organisation who signed").fill("Professor Jane Whitfield")
    page.get_by_label("Their title").fill("Vice-Chancellor")
    page.get_by_role("textbox", name=re.compile(r"^Nominated lead\*?$")).fill("Priya Shah")
    page.get_by_label("Nominated lead's email").fill("priya.shah@aston-vale.example.org")
    page.get_by_role("button", name="Record the signed form").click()


def _record_announcement(page):
    page.get_by_role("link", name="Record the announcement").click()
    page.get_by_label("Announcement date").fill("2024-04-01")
    page.get_by_label("Link to the announcement").fill(
        "https://www.aston-vale.example.org/news/technician-commitment"
    )
    page.get_by_role("button", name="Record the announcement").click()
    expect(page.get_by_role("status")).to_have_text("Record the announcement: done.")


def test_staff_take_an_enquiry_through_onboarding(page, tmp_path):
    OrganisationFactory(name="University of Aston Vale")
    OrganisationFactory(name="Brackley Institute", status=OnboardingStatus.MEETING_HELD)
    OrganisationFactory(
        name="Royal Society of Glassblowing",
        kind=OrganisationKind.SUPPORTER,
        status=OnboardingStatus.ACTIVE,
        announced_on=date(2023, 6, 1),
    )
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))
    signed_form = tmp_path / "signed-form.pdf"
    signed_form.write_bytes(minimal_pdf("University of Aston Vale"))
    not_a_pdf = tmp_path / "minutes.pdf"
    not_a_pdf.write_text("Minutes of the meeting, typed in a text editor.\n")

    _sign_in_with_two_factors(page, staff)
    _filter_in_place(page)
    page.get_by_role("link", name="University of Aston Vale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("University of Aston Vale")
    expect(_status_badge(page)).to_have_text("Enquiry received")
    expect(page.get_by_text("Nothing recorded yet.")).to_be_visible()

    _record_meeting(page)
    expect(_status_badge(page)).to_have_text("Meeting held")
    expect(_activity(page).first).to_contain_text("Meeting held (Enquiry received → Meeting held)")
    expect(_activity(page).first).to_contain_text("Alex Morgan")
    expect(_activity(page).first).to_contain_text("Met the research office.")
    expect(page.get_by_text("Meeting held: 1 February 2024")).to_be_visible()

    # A text file named .pdf is refused, says why, and changes nothing.
    page.get_by_role("link", name="Record the signed form").click()
    form_address = page.url
    _fill_signed_form(page, not_a_pdf)
    # Said at the top, in the error summary that takes the focus, and at the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([re.compile(r"^This file is not a PDF\.")])
    expect(page.locator(".invalid-feedback")).to_contain_text("This file is not a PDF.")
    expect(page.get_by_label("Signed form (PDF)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .status-badge")).to_have_text("Meeting held")
    assert page.url == form_address
    assert Organisation.objects.get(name="University of Aston Vale").status == "meeting_held"
    assert_no_serious_axe_violations(page)

    _fill_signed_form(page, signed_form)
    expect(page.get_by_role("status")).to_have_text("Record the signed form: done.")
    expect(_status_badge(page)).to_have_text("Signed form received")
    expect(_activity(page).first).to_contain_text("(Meeting held → Signed form received)")
    expect(page.get_by_text("Professor Jane Whitfield, Vice-Chancellor")).to_be_visible()
    expect(page.get_by_role("link", name="Download the signed form")).to_be_visible()

    _record_announcement(page)
    expect(_status_badge(page)).to_have_text("Announcement scheduled")
    expect(_activity(page).first).to_contain_text("(Signed form received → Announcement scheduled)")

    page.get_by_role("link", name="Activate").click()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status")).to_have_text("Activate: done.")
    expect(_status_badge(page)).to_have_text("Active")
    expect(_activity(page).locator("strong")).to_have_text(
        ["Activated", "Announced", "Signed form received", "Meeting held"]
    )
    expect(_activity(page).first).to_contain_text("(Announcement scheduled → Active)")
