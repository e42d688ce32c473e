"""The staff pipeline: stage counts, filters, search, htmx fragment and pagination."""

import html
import re

import pytest
from django.urls import reverse

from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from tests.factories import OrganisationFactory
from tests.organisations.builders import organisation_at

pytestmark = pytest.mark.django_db

S = OnboardingStatus
PIPELINE = reverse("organisations:pipeline")
HTMX = {"HX-Request": "true", "HX-Target": "pipeline-results"}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _listed(response) -> list[str]:
    """The organisations in the results table, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', _text(response))


@pytest.fixture
def network(db):
    def add(name, short, kind, org_type, region, status, **extra):
        return organisation_at(
            status,
            name=name,
            short_name=short,
            kind=kind,
            org_type=org_type,
            region=region,
            **extra,
        )

    sig, sup = OrganisationKind.SIGNATORY, OrganisationKind.SUPPORTER
    uni, soc = OrganisationType.UNIVERSITY, OrganisationType.LEARNED_SOCIETY
    return [
        add("University of Nottingham", "Nottingham", sig, uni, Region.EAST_MIDLANDS, S.ACTIVE),
        add("Imperial College London", "Imperial", sig, uni, Region.LONDON, S.ANNOUNCED),
        add("Royal Society of Chemistry", "RSC", sup, soc, Region.EAST, S.MEETING_HELD),
        add("Institute of Physics", "IOP", sup, soc, Region.LONDON, S.ENQUIRY),
        add("University of Edinburgh", "Edinburgh", sig, uni, Region.SCOTLAND, S.WITHDRAWN),
        add(
            "Trinity College Dublin",
            "Trinity",
            sig,
            uni,
            Region.OUTSIDE_UK,
            S.ENQUIRY,
            country="Ireland",
        ),
    ]


ALL = [
    "Imperial College London",
    "Institute of Physics",
    "Royal Society of Chemistry",
    "Trinity College Dublin",
    "University of Edinburgh",
    "University of Nottingham",
]

FILTERS = {
    "nothing": ({}, ALL),
    "kind supporter": (
        {"kind": "supporter"},
        ["Institute of Physics", "Royal Society of Chemistry"],
    ),
    "kind signatory": (
        {"kind": "signatory"},
        [
            "Imperial College London",
            "Trinity College Dublin",
            "University of Edinburgh",
            "University of Nottingham",
        ],
    ),
    "stage enquiry": ({"status": "enquiry"}, ["Institute of Physics", "Trinity College Dublin"]),
    "stage withdrawn": ({"status": "withdrawn"}, ["University of Edinburgh"]),
    "region london": ({"region": "london"}, ["Imperial College London", "Institute of Physics"]),
    "outside the UK": ({"region": "outside_uk"}, ["Trinity College Dublin"]),
    "search name": ({"q": "imperial"}, ["Imperial College London"]),
    "search part of a name": ({"q": "NOTT"}, ["University of Nottingham"]),
    "search short name": ({"q": "rsc"}, ["Royal Society of Chemistry"]),
    "search with spaces": (
        {"q": "  College  "},
        ["Imperial College London", "Trinity College Dublin"],
    ),
    "search nothing found": ({"q": "Hogwarts"}, []),
    "kind and region": ({"kind": "signatory", "region": "london"}, ["Imperial College London"]),
    "kind and stage": ({"kind": "supporter", "status": "enquiry"}, ["Institute of Physics"]),
    "all empty": ({"q": "", "kind": "", "status": "", "region": ""}, ALL),
}


@pytest.mark.parametrize(("query", "expected"), FILTERS.values(), ids=FILTERS)
def test_the_pipeline_filters_by_kind_stage_region_and_search(
    staff_client, network, query, expected
):
    response = staff_client.get(PIPELINE, query)

    assert response.status_code == 200
    assert _listed(response) == expected
    if not expected:
        assert "No organisations match these filters." in _text(response)


def test_the_stage_counts_cover_every_organisation_whatever_the_filter(staff_client, network):
    response = staff_client.get(PIPELINE, {"kind": "supporter"})

    counts = {c["status"]: c["count"] for c in response.context["counts"]}
    assert counts == {
        S.ENQUIRY: 2,
        S.MEETING_HELD: 1,
        S.FORM_RECEIVED: 0,
        S.ANNOUNCED: 1,
        S.ACTIVE: 1,
        S.LAPSED: 0,
        S.WITHDRAWN: 1,
    }
    assert response.context["total"] == 6


def test_each_row_shows_the_stage_and_the_next_action(staff_client, network):
    page = _text(staff_client.get(PIPELINE, {"q": "Chemistry"}))

    assert "Meeting held" in page
    assert "Receive the signed form" in page
    assert "(RSC)" in page
    assert "East of England" in page
    assert "Ireland" in _text(staff_client.get(PIPELINE, {"q": "Trinity"}))


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "kind=robots",
        "region=atlantis",
        "status=enquiry&status=nonsense",
        "page=abc",
        "page=0",
        "page=-3",
        "page=99999",
        "page=1.5",
        "q=%00",
        "kind=%00",
        "q=" + "x" * 3000,
        "q=%27%3B+DROP+TABLE+directory_organisation%3B--",
        "unknown=1",
        "status[]=active",
    ],
)
def test_a_hand_edited_url_never_breaks_the_pipeline(staff_client, network, query):
    response = staff_client.get(f"{PIPELINE}?{query}")

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=bogus", "Select a valid choice. bogus is not one of the available choices."),
        ("kind=robots", "Select a valid choice. robots is not one of the available choices."),
        ("region=atlantis", "Select a valid choice. atlantis is not one of the available choices."),
    ],
)
def test_an_invalid_filter_value_is_explained_and_lists_nothing(
    staff_client, network, query, message
):
    response = staff_client.get(f"{PIPELINE}?{query}")

    assert response.status_code in (200, 400)
    assert message in _text(response)
    assert _listed(response) == []


def test_an_htmx_request_gets_only_the_results_fragment(staff_client, network):
    response = staff_client.get(PIPELINE, {"kind": "supporter"}, headers=HTMX)

    assert response.status_code == 200
    fragment = _text(response)
    assert _listed(response) == ["Institute of Physics", "Royal Society of Chemistry"]
    assert "Showing 1–2 of 2 organisations." in fragment
    assert "<html" not in fragment
    assert "<form" not in fragment
    assert "Onboarding pipeline</h1>" not in fragment
    assert 'id="pipeline-results"' not in fragment


@pytest.mark.parametrize(
    "headers",
    [{}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-Target": "main"}],
    ids=["plain", "htmx-without-target", "htmx-other-target"],
)
def test_other_requests_get_the_whole_page(staff_client, network, headers):
    response = staff_client.get(PIPELINE, headers=headers)

    page = _text(response)
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert 'id="pipeline-results"' in page
    assert _listed(response) == ALL


@pytest.fixture
def sixty(db):
    signatories = [
        OrganisationFactory(name=f"University of Place {n:02d}", kind="signatory")
        for n in range(1, 46)
    ]
    supporters = [
        OrganisationFactory(name=f"Society of Things {n:02d}", kind="supporter")
        for n in range(1, 16)
    ]
    return signatories + supporters


def test_the_pipeline_is_paginated_by_fifty(staff_client, sixty):
    first = staff_client.get(PIPELINE)
    second = staff_client.get(PIPELINE, {"page": "2"})

    assert len(_listed(first)) == 50
    assert _listed(second) == [f"University of Place {n:02d}" for n in range(36, 46)]
    assert _listed(first) + _listed(second) == sorted(o.name for o in sixty)
    assert "Showing 1–50 of 60 organisations." in _text(first)
    assert "Showing 51–60 of 60 organisations." in _text(second)
    assert 'href="?page=2"' in first.content.decode()
    assert 'href="?page=1"' in second.content.decode()
    assert "Page 2 of 2" in _text(second)


def test_a_page_beyond_the_last_shows_the_last(staff_client, sixty):
    response = staff_client.get(PIPELINE, {"page": "7"})

    assert response.status_code == 200
    assert response.context["page"].number == 2


def test_the_page_links_keep_the_filters(staff_client, sixty):
    response = staff_client.get(PIPELINE, {"kind": "signatory", "q": "Place"})

    assert "Showing 1–45 of 45 organisations." in _text(response)
    assert "Page " not in _text(response)

    filtered = staff_client.get(PIPELINE, {"q": "o", "page": "1"})
    assert 'href="?q=o&amp;page=2"' in filtered.content.decode()

    htmx_second = staff_client.get(PIPELINE, {"q": "o", "page": "2"}, headers=HTMX)
    assert 'href="?q=o&amp;page=1"' in htmx_second.content.decode()
    assert len(_listed(htmx_second)) == 10
