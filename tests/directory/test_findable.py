"""The network at a glance, and what makes the public pages findable: titles,
descriptions, Open Graph, the sitemap and robots.txt."""

from datetime import date
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action_plans import services as plan_services
from directory.cache import public_changed
from directory.selectors import network_figures
from organisations.enums import OnboardingStatus, OrganisationKind, Region
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
S = OnboardingStatus


def listed(**fields):
    values = {"status": S.ACTIVE, "announced_on": date(2019, 6, 1), **fields}
    return OrganisationFactory(**values)


def test_the_figures_count_the_public_network_and_its_published_plans():
    listed(name="A", announced_on=date(2017, 5, 1), region=Region.LONDON)
    listed(name="B", announced_on=date(2019, 3, 1), region=Region.SCOTLAND)
    listed(name="C", kind=OrganisationKind.SUPPORTER, announced_on=date(2019, 9, 1))
    OrganisationFactory(name="Enquiring", status=S.ENQUIRY, region=Region.WALES)
    publishing = announced_organisation(name="Publishing University")
    lead = lead_of(publishing)
    plan_services.submission_publish(actor=lead, submission=submitted(publishing, lead))
    unpublished = announced_organisation(name="Quiet University")
    submitted(unpublished, lead_of(unpublished))

    figures = network_figures()

    assert (figures.signatories, figures.supporters) == (4, 1)
    assert (figures.published_plans, figures.actions) == (1, 4)
    years = {bar.label: bar.value for bar in figures.joined_by_year}
    assert (years["2017"], years["2018"], years["2019"], years["2024"]) == (1, 1, 3, 5)
    assert "Wales" not in {bar.label for bar in figures.by_region}
    assert [(b.label, b.value) for b in figures.actions_by_theme] == [
        ("Visibility", 1),
        ("Recognition", 1),
        ("Career development", 1),
        ("Sustainability", 1),
    ]
    assert max(bar.share for bar in figures.by_region) == 1


def test_the_page_shows_each_chart_as_a_table(client):
    listed(name="A")
    text = client.get(reverse("directory:network")).content.decode()
    for caption in (
        "Organisations in the network at the end of each year (cumulative)",
        "Organisations by nation or region",
        "Organisations by type",
        "Actions in the latest published plans, by theme",
    ):
        assert f"<caption>{caption}" in text


def test_the_page_runs_the_same_queries_for_a_small_and_a_large_network(client):
    listed(name="A")
    client.get(reverse("directory:network"))
    public_changed()  # measure the page as made, not as kept in the cache
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("directory:network"))
    for n in range(60):
        listed(name=f"Org {n}", region=list(Region)[n % 12], announced_on=date(2017 + n % 9, 1, 1))
    public_changed()
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("directory:network"))
    assert len(small) == len(large)


def test_the_sitemap_lists_the_public_pages_only(client):
    public = listed(name="Public University")
    hidden = OrganisationFactory(name="Enquiring University", status=S.ENQUIRY)

    response = client.get("/sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [
        loc.text for loc in ElementTree.fromstring(response.content).findall("s:url/s:loc", ns)
    ]

    assert any(loc.endswith(f"/organisations/{public.slug}/") for loc in locations)
    assert not any(hidden.slug in loc for loc in locations)
    for path in ("/", "/organisations/", "/organisations/map/", "/organisations/network/"):
        assert any(loc.endswith(path) for loc in locations)


def test_robots_allows_the_public_pages_and_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/organisations/", "Directory of the Technician Commitment"),
        ("/organisations/map/", "Map of the Technician Commitment network"),
        ("/organisations/network/", "The Technician Commitment network at a glance"),
        ("/organisations/public-university/", "Public University"),
    ],
)
def test_public_pages_carry_open_graph_tags_and_a_description(client, url, title):
    listed(name="Public University")
    text = client.get(url).content.decode()
    assert f'<meta property="og:title" content="{title}">' in text
    assert '<meta property="og:description" content="' in text
    assert '<meta name="description" content="' in text
    assert f'<meta property="og:url" content="http://testserver{url}">' in text
