"""Hand-edited and hostile query strings on the directory and the API: every filter with
values out of range, of the wrong type, huge, empty, with NUL bytes, or repeated. The page
lists what the rest of the address asks for and says which filter it left out; the API
refuses with a 400 naming the parameter. Never a 500."""

from datetime import date

import pytest
from django.urls import reverse

from organisations.enums import OnboardingStatus, OrganisationKind
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("directory:directory")
API = reverse("api:organisations")
HUGE = "9" * 40

# Each filter with values it cannot use, and the label the page gives it.
BAD = {
    "joined": ("Year joined", ["0", "-1", "10000", "2016", "2101", HUGE, "abc", "1e5", "2020.5"]),
    "kind": ("Kind", ["0", "-1", HUGE, "nonsense", "SIGNATORY", "signatory\x00"]),
    "org_type": ("Type", ["0", HUGE, "castle"]),
    "region": ("Nation or region", ["-1", "atlantis", "\x00"]),
    "status": ("Status", ["0", "withdrawn", "enquiry"]),
    "stage": ("Stage", ["-1", "4", "10000", HUGE, "one"]),
    "sort": ("Order", ["0", "sideways", "-name", "name;drop"]),
    "q": ("Search by name", ["\x00", "a\x00b", "x" * 201]),
}
CASES = [(name, value) for name, (_label, values) in BAD.items() for value in values]


@pytest.fixture
def network():
    joined = {"status": OnboardingStatus.ACTIVE, "announced_on": date(2020, 3, 1)}
    return [
        OrganisationFactory(name="University of Arden", **joined),
        OrganisationFactory(name="Brookes Society", kind=OrganisationKind.SUPPORTER, **joined),
    ]


def _listed(response) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


@pytest.mark.parametrize(("name", "value"), CASES)
def test_the_page_leaves_out_a_filter_it_cannot_use_and_says_so(client, network, name, value):
    response = client.get(PAGE, {name: value, "kind" if name != "kind" else "status": ""})

    assert response.status_code == 200
    assert _listed(response) == ["Brookes Society", "University of Arden"]
    text = response.content.decode()
    assert "Left out, as the address gave a value the directory does not recognise" in text
    assert BAD[name][0] in text
    assert name in response.context["filter"].errors


def test_the_rest_of_the_address_still_applies(client, network):
    response = client.get(PAGE, {"kind": "supporter", "joined": "0"})

    assert _listed(response) == ["Brookes Society"]
    assert response.context["ignored"] == ["Year joined"]
    assert "Enter a year from 2017 to 2100." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "joined=0&format=csv",
        "joined=2020&joined=0",
        "kind=signatory&kind=nonsense&kind=supporter",
        "page=0",
        "page=-1",
        f"page={HUGE}",
        "page=abc",
        "page=%00",
        "page=1&page=2",
        "joined=&kind=&org_type=&region=&status=&stage=&sort=&q=&page=",
        "unknown=1",
    ],
)
def test_the_page_answers_any_query(client, network, query):
    response = client.get(f"{PAGE}?{query}")

    assert response.status_code == 200


def test_an_understood_address_says_nothing_was_left_out(client, network):
    response = client.get(PAGE, {"joined": "2020", "kind": "signatory"})

    assert _listed(response) == ["University of Arden"]
    assert "Left out" not in response.content.decode()


@pytest.mark.parametrize(("name", "value"), CASES)
def test_the_api_refuses_a_filter_it_cannot_use_naming_it(client, network, name, value):
    response = client.get(API, {name: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [name]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page", "1.5"),
        ("page", "last"),
        ("page", "\x00"),
        ("page", "٣"),  # a digit, but not an ASCII one
        ("page_size", "0"),
        ("page_size", "-5"),
        ("page_size", "201"),
        ("page_size", HUGE),
        ("page_size", "ten"),
    ],
)
def test_the_api_refuses_a_page_it_cannot_use_naming_it(client, network, name, value):
    response = client.get(API, {name: value})

    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_a_bad_page_and_page_size_are_both_named(client, network):
    response = client.get(API, {"page": "0", "page_size": "1000"})

    assert response.status_code == 400
    assert response.json() == {
        "page": ["Enter a whole number from 1."],
        "page_size": ["Enter a whole number from 1 to 200."],
    }


def test_a_page_past_the_last_is_a_404_in_json(client, network):
    response = client.get(API, {"page": HUGE})

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no page {HUGE} of these results."}


def test_empty_values_mean_no_filter_in_the_api(client, network):
    response = client.get(
        f"{API}?joined=&kind=&org_type=&region=&status=&stage=&sort=&q=&page=&page_size="
    )

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_any_other_address_under_the_api_is_a_404_in_json(client):
    response = client.get("/api/v1/organisations/a%2Fb/")

    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address."}
