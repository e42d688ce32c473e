"""The map in a browser: a supporter beside signatories can be seen and clicked, and the
numbered marker of London's organisations leads to their list."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from organisations.enums import OrganisationKind
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.directory.test_map import listed, london


def test_a_supporter_among_signatories_and_a_crowded_city(page):
    london()
    listed(
        name="Aardvark Supporters' Trust",
        kind=OrganisationKind.SUPPORTER,
        latitude=Decimal("52.9387"),
        longitude=Decimal("-1.1960"),
    )
    for name, longitude in [("Nottingham Trent", "-0.9500"), ("Derby", "-1.4400")]:
        listed(name=name, latitude=Decimal("52.9387"), longitude=Decimal(longitude))

    page.goto("/organisations/map/")

    supporter = page.get_by_role("link", name="Aardvark Supporters' Trust, supporter")
    expect(supporter).to_be_visible()
    # What is drawn at the supporter's centre is the supporter, not a signatory over it.
    box = supporter.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('a').getAttribute('aria-label')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Aardvark Supporters' Trust, supporter"
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name=re.compile(r"^15 organisations close together in London")).click()

    expect(page).to_have_url(re.compile(r"#together-1$"))
    heading = page.get_by_role("heading", name="London (England): 15 organisations")
    expect(heading).to_be_in_viewport()
    listed_there = heading.locator("xpath=following-sibling::ul[1]").get_by_role("link")
    expect(listed_there).to_have_count(15)
    expect(listed_there.first).to_have_text("Birkbeck, University of London")


def test_the_map_on_a_phone(page):
    london()
    page.set_viewport_size({"width": 375, "height": 812})

    page.goto("/organisations/map/")

    expect(page.get_by_role("heading", name="London (England): 15 organisations")).to_be_attached()
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert_no_serious_axe_violations(page)
