"""The network map: drawn on the server from the shipped outline, a linked marker per
organisation in the UK, those abroad listed beside it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory import maps
from directory.cache import public_changed
from directory.enums import OnboardingStatus, OrganisationKind, Region
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

URL = reverse("directory:map")
# For the public: the organisations, once.
MAP_QUERIES = 1


def listed(**fields):
    values = {"status": OnboardingStatus.ACTIVE, "announced_on": date(2020, 1, 1), **fields}
    return OrganisationFactory(**values)


def test_a_place_is_projected_inside_the_frame_and_north_is_up():
    london = maps.project(-0.13, 51.51)
    edinburgh = maps.project(-3.19, 55.95)
    assert 0 < london[0] < maps.WIDTH and 0 < london[1] < maps.HEIGHT
    assert edinburgh[1] < london[1]  # further north, higher up
    assert edinburgh[0] < london[0]  # further west, further left


def test_the_outline_is_the_uk_and_ireland():
    shapes = {shape.code: shape for shape in maps.outline()}
    assert set(shapes) == {"GB", "IM", "IE"}
    assert shapes["GB"].is_uk and not shapes["IE"].is_uk
    assert shapes["GB"].path.startswith("M") and shapes["GB"].path.count("Z") > 10


def test_each_uk_organisation_is_a_linked_marker_coloured_by_kind(client):
    nottingham = listed(
        name="University of Nottingham", latitude=Decimal("52.9387"), longitude=Decimal("-1.1960")
    )
    rsc = listed(
        name="Royal Society of Chemistry",
        kind=OrganisationKind.SUPPORTER,
        latitude=Decimal("52.21"),
        longitude=Decimal("0.13"),
    )
    listed(name="Nowhere University")  # no coordinates: in the directory, not on the map
    OrganisationFactory(
        name="Enquiring University", latitude=Decimal("53.0"), longitude=Decimal("-2.0")
    )

    response = client.get(URL)
    text = response.content.decode()

    assert [m.organisation for m in response.context["markers"]] == [rsc, nottingham]  # by name
    page = reverse("directory:public_organisation", args=[nottingham.slug])
    assert f'<a href="{page}" class="map-marker map-signatory"' in text
    assert (
        'class="map-marker map-supporter" aria-label="Royal Society of Chemistry, supporter"'
        in text
    )
    assert "Enquiring University" not in text
    assert "Nowhere University" not in text


def test_organisations_outside_the_uk_are_listed_beside_the_map(client):
    trinity = listed(
        name="Trinity College Dublin",
        region=Region.OUTSIDE_UK,
        country="Ireland",
        latitude=Decimal("53.34"),
        longitude=Decimal("-6.25"),
    )
    response = client.get(URL)
    assert response.context["markers"] == []
    assert response.context["abroad"] == [trinity]
    assert "Trinity College Dublin</a> · Ireland" in response.content.decode()


def test_no_tile_server_or_script_is_needed(client):
    text = client.get(URL).content.decode()
    assert "<svg" in text and '<path d="M' in text
    assert "tile" not in text.lower()


def _queries(client) -> int:
    public_changed()  # measure the page as made, not as kept in the cache
    with CaptureQueriesContext(connection) as captured:
        client.get(URL)
    return len(captured)


def test_the_map_runs_the_same_queries_for_10_and_200_organisations(client):
    def add(start, stop):
        for n in range(start, stop):
            listed(
                name=f"University {n:03d}",
                latitude=Decimal("52.0") + Decimal(n) / 100,
                longitude=Decimal("-1.5"),
            )

    add(0, 10)
    client.get(URL)
    small = _queries(client)
    add(10, 200)
    assert small == _queries(client) == MAP_QUERIES
