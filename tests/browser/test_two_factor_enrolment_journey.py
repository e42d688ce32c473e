"""A new member of ITSS staff sets up two-factor sign-in: the password alone opens only a
page that emails a one-time link; the link, confirmed, opens the set-up in that browser."""

import re
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from accounts.models import EnrolmentLink
from core.models import OutboundEmail
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import PASSWORD, sign_in_with_password, totp_code
from tests.factories import StaffFactory

CONFIRM = "/accounts/two-factor/confirm/"
ACTIVATE = "/accounts/2fa/totp/activate/"


def _link_in_email(address: str) -> str:
    """The link's path, as its owner reads it in the email."""
    message = OutboundEmail.objects.get(template="accounts/two_factor_link")
    assert message.to == [address]
    link = re.search(r"https?://\S+/accounts/two-factor/confirm/\S+/", message.body_text)[0]
    return urlsplit(link).path


def _confirm_password_if_asked(page) -> None:
    """allauth asks for the password again before a two-factor change, unless it was just given."""
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def _journey(page, staff, *, javascript: bool = True) -> None:
    sign_in_with_password(page, staff.email)

    # The password alone leads to "Confirm it's you", not to the set-up.
    expect(page).to_have_url(CONFIRM)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it’s you")
    expect(page.get_by_text("we will email a one-time link to")).to_contain_text(staff.email)
    if javascript:  # axe runs in the page
        assert_no_serious_axe_violations(page)
    page.goto(ACTIVATE)
    expect(page).to_have_url(CONFIRM)

    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_have_text(f"We have emailed a link to {staff.email}.")
    expect(page.get_by_role("button", name="Send another link")).to_be_visible()
    link = _link_in_email(staff.email)

    # Opening the link shows a button and uses nothing up.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it’s you")
    if javascript:  # axe runs in the page
        assert_no_serious_axe_violations(page)
    assert EnrolmentLink.objects.get().used_at is None
    page.get_by_role("button", name="Confirm and set up two-factor sign-in").click()
    _confirm_password_if_asked(page)

    expect(page).to_have_url(ACTIVATE)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page).not_to_have_url(ACTIVATE)
    page.goto("/staff/pipeline/")
    expect(page).to_have_url("/staff/pipeline/")
    assert staff.authenticator_set.filter(type=Authenticator.Type.TOTP).count() == 1

    # The link worked once.
    response = page.goto(link)
    assert response.url.endswith("/accounts/2fa/")  # nothing left to confirm


def test_a_new_staff_member_enrols_through_the_emailed_link(page):
    _journey(page, StaffFactory(name="Alex Morgan", email="alex.morgan@itss.example.org"))


def test_the_same_without_javascript(context_without_javascript):
    page = context_without_javascript.new_page()
    staff = StaffFactory(name="Sam Patel", email="sam.patel@itss.example.org")
    _journey(page, staff, javascript=False)


def test_someone_with_only_the_password_cannot_reach_the_set_up(new_context):
    StaffFactory(email="alex.morgan@itss.example.org")
    attacker = new_context().new_page()
    sign_in_with_password(attacker, "alex.morgan@itss.example.org")

    for address in [ACTIVATE, "/staff/pipeline/", "/accounts/2fa/"]:
        attacker.goto(address)
        if address == "/accounts/2fa/":
            # allauth's own overview offers set-up; following it leads back here.
            attacker.goto(ACTIVATE)
        expect(attacker).to_have_url(CONFIRM)
    assert not EnrolmentLink.objects.exists()
