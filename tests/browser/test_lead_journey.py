"""An institutional lead signs in and finds their organisation's workspace."""

from playwright.sync_api import expect

from accounts.enums import MembershipRole
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import sign_in_with_password
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def test_lead_signs_in_and_lands_on_their_workspace(page):
    organisation = OrganisationFactory(name="University of Aston Vale")
    lead = MembershipFactory(organisation=organisation, user=UserFactory(name="Priya Shah")).user
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(name="Tom Evans"),
        role=MembershipRole.CONTRIBUTOR,
    )

    sign_in_with_password(page, lead.email)

    expect(page).to_have_url(f"/organisations/{organisation.slug}/workspace/")
    expect(page.get_by_role("heading", level=1)).to_have_text("University of Aston Vale")
    team = page.get_by_role("table", name="Team members")
    expect(team.get_by_role("row")).to_have_count(3)
    expect(team.get_by_role("row", name="Priya Shah")).to_contain_text("Institutional lead")
    expect(team.get_by_role("row", name="Tom Evans")).to_contain_text("Contributor")
    assert_no_serious_axe_violations(page)
