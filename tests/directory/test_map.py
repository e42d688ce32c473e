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
from organisations.enums import OnboardingStatus, OrganisationKind, Region
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


# Organisations close together, and supporters among signatories.

LONDON = [
    ("Birkbeck, University of London", "51.5219", "-0.1300"),
    ("Brunel Research Institute", "51.5070", "-0.1600"),
    ("City St George's, University of London", "51.5279", "-0.1025"),
    ("Francis Crick Institute", "51.5315", "-0.1287"),
    ("Goldsmiths, University of London", "51.4934", "-0.0900"),
    ("Imperial College London", "51.4988", "-0.1749"),
    ("Institute of Cancer Research", "51.4920", "-0.1710"),
    ("King's College London", "51.5115", "-0.1160"),
    ("London School of Economics", "51.5144", "-0.1165"),
    ("London School of Hygiene & Tropical Medicine", "51.5209", "-0.1306"),
    ("Natural History Museum", "51.4967", "-0.1764"),
    ("Queen Mary University of London", "51.5241", "-0.0604"),
    ("Royal Veterinary College", "51.5365", "-0.1340"),
    ("SOAS University of London", "51.5223", "-0.1290"),
    ("University College London", "51.5246", "-0.1340"),
]


def london():
    return [
        listed(name=name, region=Region.LONDON, latitude=Decimal(lat), longitude=Decimal(lon))
        for name, lat, lon in LONDON
    ]


def test_organisations_too_close_to_tell_apart_are_one_numbered_marker(client):
    in_london = london()
    nottingham = listed(
        name="University of Nottingham", latitude=Decimal("52.9387"), longitude=Decimal("-1.1960")
    )

    response = client.get(URL)
    text = " ".join(response.content.decode().split())

    drawn = response.context["drawn"]
    assert [c.organisations for c in drawn] == [[nottingham], in_london]
    assert len(response.context["markers"]) == 16  # still counted one by one
    assert (
        '<a href="#together-1" class="map-marker map-cluster" aria-label="15 organisations '
        'close together in London (England): see the list below the map">' in text
    )
    listed_below = text[text.index('id="together-1"') :]
    assert listed_below.startswith('id="together-1" class="h6 mt-3" tabindex="-1">London')
    for organisation in in_london:
        page = reverse("directory:public_organisation", args=[organisation.slug])
        assert f'<li><a href="{page}">' in listed_below


def test_supporters_are_diamonds_drawn_above_signatories(client):
    # Named to come first, and placed just apart from the signatories around it.
    supporter = listed(
        name="Aardvark Supporters' Trust",
        kind=OrganisationKind.SUPPORTER,
        latitude=Decimal("52.9387"),
        longitude=Decimal("-1.1960"),
    )
    signatories = [
        listed(name=name, latitude=Decimal("52.9387"), longitude=Decimal(longitude))
        for name, longitude in [("Nottingham Trent", "-0.9500"), ("Derby", "-1.4700")]
    ]

    response = client.get(URL)
    text = response.content.decode()

    assert [c.organisations for c in response.context["drawn"]] == [
        [signatories[1]],  # Derby
        [signatories[0]],
        [supporter],
    ]
    supporter_at = text.index('aria-label="Aardvark Supporters&#x27; Trust, supporter"')
    assert supporter_at > text.index('aria-label="Nottingham Trent, signatory"')
    assert '<path d="M' in text[supporter_at : text.index("</a>", supporter_at)]


def test_a_group_is_formed_only_where_markers_would_overlap():
    def marker(x, y):
        organisation = OrganisationFactory.build(latitude=Decimal("52"), longitude=Decimal("-1"))
        return maps.Marker(organisation=organisation, x=x, y=y)

    apart = maps.clusters([marker(100, 100), marker(100 + maps.CLUSTER_DISTANCE, 100)])
    overlapping = maps.clusters([marker(100, 100), marker(100 + maps.CLUSTER_DISTANCE - 1, 100)])

    assert [c.is_group for c in apart] == [False, False]
    assert [len(c.members) for c in overlapping] == [2]
