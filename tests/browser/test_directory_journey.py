"""A visitor searches and filters the directory: the results change in place, the address
follows, and the same address opened afresh shows the same results."""

import re
from datetime import date

from playwright.sync_api import expect

from organisations.enums import OnboardingStatus, OrganisationKind
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.factories import OrganisationFactory


def _network():
    for name, kind in [
        ("University of Nottingham", OrganisationKind.SIGNATORY),
        ("Imperial College London", OrganisationKind.SIGNATORY),
        ("Royal Society of Chemistry", OrganisationKind.SUPPORTER),
    ]:
        OrganisationFactory(
            name=name, kind=kind, status=OnboardingStatus.ACTIVE, announced_on=date(2020, 1, 1)
        )


def test_a_visitor_searches_and_filters_in_place(new_context, live_url):
    _network()
    page = new_context().new_page()
    page.goto(f"{live_url}/organisations/")
    results = page.locator("#directory-results")
    expect(results).to_contain_text("3 organisations")

    page.get_by_label("Search by name").fill("nottingham")
    expect(results).to_contain_text("1 organisation.")
    expect(results.get_by_role("link", name="University of Nottingham")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/organisations/\?q=nottingham(&|$)"))

    page.get_by_label("Search by name").fill("")
    page.get_by_label("Kind").select_option("supporter")
    expect(results).to_contain_text("1 organisation.")
    expect(results).to_contain_text("Royal Society of Chemistry")

    shared = page.url
    fresh = new_context().new_page()
    fresh.goto(shared)
    expect(fresh.locator("#directory-results")).to_contain_text("Royal Society of Chemistry")
    expect(fresh.get_by_label("Kind")).to_have_value("supporter")


def test_without_javascript_the_search_button_does_the_same(context_without_javascript, live_url):
    _network()
    page = context_without_javascript.new_page()
    page.goto(f"{live_url}/organisations/")
    page.get_by_label("Search by name").fill("imperial college")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#directory-results")).to_contain_text("Imperial College London")
    expect(page.locator("#directory-results")).not_to_contain_text("Royal Society of Chemistry")


def test_a_hand_edited_address_lists_the_rest_and_says_what_it_left_out(
    new_context, context_without_javascript, live_url
):
    _network()
    for context in (context_without_javascript, new_context()):
        page = context.new_page()
        page.goto(f"{live_url}/organisations/?kind=supporter&joined=0&sort=sideways")
        results = page.locator("#directory-results")
        expect(results).to_contain_text("Royal Society of Chemistry")
        expect(results).not_to_contain_text("University of Nottingham")
        expect(results.get_by_role("status")).to_contain_text("Year joined, Order")
        expect(page.get_by_label("Year joined")).to_have_accessible_description(
            "Enter a year from 2017 to 2100."
        )
    assert_no_serious_axe_violations(page)  # axe runs in the page with JavaScript
