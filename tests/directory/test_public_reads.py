"""A visitor who is not signed in changes nothing: every address of the site, asked for
with GET (twice, so a page kept in the cache is served too), leaves every table as it was.
Files are prepared when what they show changes, never by a page that offers them."""

import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from action_plans import packs
from action_plans import services as plan_services
from action_plans.enums import PackDocument, PackStatus
from action_plans.models import SubmissionPack
from action_plans.rendering import published_plan_hash
from action_plans.selectors import published_plan
from organisations.enums import OnboardingStatus
from tests.action_plans.builders import announced_organisation, lead_of, submitted

pytestmark = pytest.mark.django_db

# What an address's parts are filled with, besides an organisation's slug (every public
# organisation of the world is tried). Numbers name the first stage, or a row that
# exists; anything else is a word.
NUMBER = "1"
WORD = "anything"
ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _published(name: str, **fields):
    organisation = announced_organisation(name=name, **fields)
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    plan_services.submission_publish(actor=lead, submission=stage)
    return organisation


@pytest.fixture
def world():
    """Public organisations with published plans: one whose PDF failed, one whose PDF is
    being prepared, one never asked for (lapsed since); one announced without a plan."""
    failed = _published("University of Failshire")
    plan = published_plan(failed)
    SubmissionPack.objects.create(
        submission=plan,
        content_hash=published_plan_hash(plan),
        document=PackDocument.PUBLISHED_PLAN,
        status=PackStatus.FAILED,
        error="Rendering failed: RuntimeError: no fonts",
    )
    pending = _published("University of Waitshire")
    packs.published_plan_pdf_request(organisation=pending)
    lapsed = _published("University of Lapsedshire")
    lapsed.status = OnboardingStatus.LAPSED
    lapsed.lapsed_on = date.today() - timedelta(days=30)
    lapsed.save(update_fields=["status", "lapsed_on"])
    quiet = announced_organisation(name="University of Quietshire")
    return [failed, pending, lapsed, quiet]


def _routes(resolver: URLResolver, prefix: str = ""):
    """Every address of ``resolver`` as a route with <converter:name> parts."""
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            route = pattern._route
        elif isinstance(pattern, RegexPattern):
            # Only a plain regex (no groups) names an address that can be written out.
            route = pattern._regex.lstrip("^").rstrip("$")
            if re.search(r"[()\[\]*+?\\]", route):
                continue
        else:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _addresses(slugs: list[str]) -> list[str]:
    addresses = set()
    for route in _routes(get_resolver()):
        names = [m["name"] for m in ROUTE_PART.finditer(route)]
        fills = [{}]
        if "slug" in names:
            fills = [{"slug": slug} for slug in slugs]
        for fill in fills:

            def part(match, fill=fill):
                if match["name"] in fill:
                    return fill[match["name"]]
                return NUMBER if match["converter"] == "int" else WORD

            addresses.add("/" + ROUTE_PART.sub(part, route))
    return sorted(addresses)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_no_public_address_writes_anything(client, world):
    addresses = _addresses([organisation.slug for organisation in world])
    before = _row_counts()

    answers = {}
    for address in addresses:
        for _ in range(2):
            answers[address] = client.get(address).status_code

    assert _row_counts() == before
    # The walk reached the public front, the API, the feed, the sitemap and the checks.
    read = {address for address, status in answers.items() if status == 200}
    for organisation in world:
        assert f"/organisations/{organisation.slug}/" in read
        assert f"/api/v1/organisations/{organisation.slug}/" in read
    assert {
        "/organisations/",
        "/organisations/map/",
        "/organisations/network/",
        "/organisations/feed/",
        "/api/v1/organisations/",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
    } <= read


def test_the_public_page_says_how_the_plan_pdf_stands(client, world):
    failed, pending, lapsed, _ = world

    def plan_section(organisation) -> str:
        html = client.get(f"/organisations/{organisation.slug}/").content.decode()
        return html.split('id="plan-title"')[1].split("</section>")[0]

    assert "A PDF of this plan is not available at the moment." in plan_section(failed)
    assert "A PDF of this plan is being prepared" in plan_section(pending)
    assert "A PDF of this plan is not available at the moment." in plan_section(lapsed)
    # Only the organisation's people and staff are offered to ask again (not visitors).
    assert "Prepare the PDF again" not in plan_section(failed)
