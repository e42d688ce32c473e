"""No serious or critical WCAG 2.2 A/AA failures (axe-core) on the portal's main pages."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.enums import InvitationRole, MembershipRole
from organisations import services as directory_services
from organisations.enums import OnboardingStatus, OrganisationKind
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import with_known_totp
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory


def _organisation_with_history(staff):
    """An organisation part-way through onboarding, with a team and a pending invitation."""
    organisation = OrganisationFactory(name="University of Aston Vale", short_name="Aston Vale")
    directory_services.organisation_record_meeting(
        actor=staff, organisation=organisation, held_on=date(2024, 2, 1), note="Met the office."
    )
    MembershipFactory(organisation=organisation, user=UserFactory(name="Priya Shah"))
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(name="Tom Evans"),
        role=MembershipRole.CONTRIBUTOR,
    )
    account_services.invitation_create(
        inviter=staff,
        organisation=organisation,
        email="new.colleague@aston-vale.example.org",
        role=InvitationRole.CONTRIBUTOR,
    )
    OrganisationFactory(name="Brackley Institute", status=OnboardingStatus.ENQUIRY)
    OrganisationFactory(
        name="Royal Society of Glassblowing",
        kind=OrganisationKind.SUPPORTER,
        status=OnboardingStatus.ACTIVE,
        announced_on=date(2023, 6, 1),
        latitude=Decimal("51.5200"),
        longitude=Decimal("-0.1100"),
    )
    return organisation


# page name: who looks, its address, its h1, and text showing its content is there
PAGES = {
    "home": (None, lambda org: "/", "The Technician Commitment", "The four themes"),
    "login": (None, lambda org: "/accounts/login/", "Sign in", "No account yet?"),
    "directory": (
        None,
        lambda org: "/organisations/",
        "Directory",
        "Royal Society of Glassblowing",
    ),
    "map": (None, lambda org: "/organisations/map/", "Map of the network", "Outside the UK"),
    "network": (
        None,
        lambda org: "/organisations/network/",
        "The network at a glance",
        "Organisations by type",
    ),
    "public organisation": (
        None,
        lambda org: "/organisations/royal-society-of-glassblowing/",
        "Royal Society of Glassblowing",
        "At a glance",
    ),
    "pipeline": (
        "staff",
        lambda org: "/staff/pipeline/",
        "Onboarding pipeline",
        "Showing 1–3 of 3 organisations.",
    ),
    "staff organisation": (
        "staff",
        lambda org: f"/staff/organisations/{org.slug}/",
        "University of Aston Vale",
        "new.colleague@aston-vale.example.org · Contributor",
    ),
    "import": (
        "staff",
        lambda org: "/staff/import/",
        "Import organisations from CSV",
        "Upload a file",
    ),
    "workspace": (
        "lead",
        lambda org: org.get_absolute_url(),
        "University of Aston Vale",
        "Tom Evans",
    ),
    "submission rounds": (
        "staff",
        lambda org: "/staff/rounds/",
        "Submission rounds",
        "Add a round",
    ),
    "public details": (
        "lead",
        lambda org: f"/organisations/{org.slug}/public-details/",
        "Public details: University of Aston Vale",
        "Save the public details",
    ),
    "not found": (
        None,
        lambda org: "/no-such-page/",
        "Page not found",
        "There is no page at this address",
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(name, page_as):
    who, address, heading, content = PAGES[name]
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))
    organisation = _organisation_with_history(staff)
    lead = organisation.memberships.get(role=MembershipRole.LEAD).user
    page = page_as({"staff": staff, "lead": lead, None: None}[who])

    response = page.goto(address(organisation))

    assert response.status == (404 if name == "not found" else 200)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(content).first).to_be_visible()
    assert_no_serious_axe_violations(page)


# Staff pages about one organisation's stages: its Stage 1 is submitted, Stage 2 is current.
STAGE_PAGES = {
    "reopen": (lambda org: f"/organisations/{org.slug}/stages/1/reopen/", "Reopen Stage 1"),
    "extend": (lambda org: f"/organisations/{org.slug}/stages/2/extend/", "Extend the due date"),
    "stage dashboard": (lambda org: f"/organisations/{org.slug}/stages/", "Self-assessments"),
    "submitted stage": (lambda org: f"/organisations/{org.slug}/stages/1/", "Stage 1"),
}


@pytest.mark.parametrize("name", STAGE_PAGES)
def test_staff_stage_pages_have_no_serious_accessibility_violations(name, page_as):
    address, heading = STAGE_PAGES[name]
    organisation = announced_organisation(name="University of Aston Vale")
    submitted(organisation, lead_of(organisation))
    page = page_as(with_known_totp(StaffFactory(name="Alex Morgan")))

    response = page.goto(address(organisation))

    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_no_serious_axe_violations(page)
