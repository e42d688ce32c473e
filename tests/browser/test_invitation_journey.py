"""Staff invite an organisation's lead, who creates an account from the emailed link."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from accounts.models import Invitation
from core.models import OutboundEmail
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import with_known_totp
from tests.factories import OrganisationFactory, StaffFactory


def _link_in_email(address: str) -> str:
    """The invitation link's path, as the invitee reads it in the email."""
    message = OutboundEmail.objects.get(template="accounts/invitation")
    assert message.to == [address]
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", message.body_text).group(0)
    return urlsplit(link).path


def test_staff_invite_a_lead_who_accepts_once(page_as, new_context):
    organisation = OrganisationFactory(
        name="University of Aston Vale",
        lead_name="Priya Shah",
        lead_email="priya.shah@aston-vale.example.org",
    )
    staff_page = page_as(with_known_totp(StaffFactory(name="Alex Morgan")))

    staff_page.goto(f"/staff/organisations/{organisation.slug}/")
    invite = staff_page.locator(
        "form", has=staff_page.get_by_role("button", name="Send invitation")
    )
    # The form starts from the nominated lead on record.
    expect(invite.get_by_label("Their email address")).to_have_value(
        "priya.shah@aston-vale.example.org"
    )
    expect(invite.get_by_label("Their name")).to_have_value("Priya Shah")
    expect(invite.get_by_label("Role")).to_have_value("lead")
    invite.get_by_role("button", name="Send invitation").click()

    expect(staff_page.get_by_role("status")).to_have_text(
        "Invitation sent to priya.shah@aston-vale.example.org."
    )
    expect(staff_page).to_have_url(f"/staff/organisations/{organisation.slug}/")
    expect(
        staff_page.get_by_text("priya.shah@aston-vale.example.org · Institutional lead")
    ).to_be_visible()
    link = _link_in_email("priya.shah@aston-vale.example.org")
    assert link == Invitation.objects.get().get_absolute_url()

    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join University of Aston Vale")
    expect(invitee.get_by_label("Email address")).to_have_value("priya.shah@aston-vale.example.org")
    assert_no_serious_axe_violations(invitee)
    invitee.get_by_label("Your full name").fill("Priya Shah")
    invitee.get_by_label("Choose a password").fill("lab-bench-pipette-42")
    invitee.get_by_label("Type the password again").fill("lab-bench-pipette-42")
    invitee.get_by_role("button", name="Create account and accept").click()

    expect(invitee).to_have_url(f"/organisations/{organisation.slug}/workspace/")
    expect(invitee.get_by_role("status")).to_have_text(
        "Welcome to University of Aston Vale's team on the portal."
    )
    expect(invitee.get_by_role("heading", level=1)).to_have_text("University of Aston Vale")
    team = invitee.get_by_role("table", name="Team members")
    expect(team.get_by_role("row", name="Priya Shah")).to_contain_text("Institutional lead")

    response = invitee.goto(link)
    assert response.status == 410
    expect(invitee.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    expect(invitee.get_by_role("alert")).to_contain_text("This invitation has already been used.")
    assert_no_serious_axe_violations(invitee)
