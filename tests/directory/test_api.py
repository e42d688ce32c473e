"""The open-data API: what it lists, filters and pages, and that it never exposes anything
beyond the public pages (checked by listing every key of every response)."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action_plans import services as plan_services
from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from tests.action_plans.builders import announced_organisation, lead_of, started, submitted
from tests.factories import OrganisationFactory
from tests.organisations.builders import many_public_organisations
from tests.reviews.builders import assign, review_round, reviewer, write_review

pytestmark = pytest.mark.django_db

S = OnboardingStatus
LIST = reverse("api:organisations")
# The count and the page of organisations with their latest stages (anonymous: no session;
# throttling counts in the cache, not the database).
LIST_QUERIES = 2

ORGANISATION_KEYS = {
    "slug",
    "name",
    "short_name",
    "kind",
    "type",
    "nation_or_region",
    "country",
    "status",
    "joined",
    "latest_stage_submitted",
    "technician_commitment_page",
    "website",
    "contact",
    "contact.name",
    "contact.role",
    "contact.email",
    "latitude",
    "longitude",
    "page",
    "url",
    "action_plan",
}
PLAN_KEYS = {
    "organisation",
    "stage",
    "submitted_on",
    "published_on",
    "themes",
    "themes.theme",
    "themes.commitment",
    "themes.actions",
    "themes.actions.number",
    "themes.actions.title",
    "themes.actions.description",
    "themes.actions.owner",
    "themes.actions.success_measures",
    "themes.actions.starts_on",
    "themes.actions.target",
    "themes.actions.target_date",
    "themes.actions.target_precision",
    "themes.actions.target_on",
    "themes.actions.milestones",
    "themes.actions.progress",
    "themes.actions.progress_note",
    "themes.actions.progress_recorded_on",
}


def keys(data, prefix="") -> set[str]:
    """Every key in ``data``, nested ones as dotted paths (lists looked into)."""
    found = set()
    if isinstance(data, list):
        for item in data:
            found |= keys(item, prefix)
    elif isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}{key}"
            found.add(path)
            found |= keys(value, path + ".")
    return found


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json"
    return response


@pytest.fixture
def published():
    """An organisation with a published Stage 1 plan."""
    organisation = announced_organisation(name="University of Openshire")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    plan_services.submission_publish(actor=lead, submission=stage)
    return organisation


def test_the_list_gives_public_fields_only(client, published):
    OrganisationFactory(name="Enquiring University", status=S.ENQUIRY)
    OrganisationFactory(name="Withdrawn University", status=S.WITHDRAWN)

    data = get(client, LIST).json()

    assert set(data) == {"count", "next", "previous", "results"}
    assert [o["name"] for o in data["results"]] == ["University of Openshire"]
    assert keys(data["results"]) == ORGANISATION_KEYS
    (organisation,) = data["results"]
    assert organisation["contact"] == {
        "name": "Sam Patel",
        "role": "Technical Services Manager",
        "email": "technicians@example.ac.uk",
    }
    assert organisation["action_plan"].endswith(
        "/api/v1/organisations/university-of-openshire/action-plan/"
    )


def test_the_detail_gives_the_same_and_404_for_anyone_not_public(client, published):
    detail = get(client, reverse("api:organisation", args=[published.slug])).json()
    assert keys(detail) == ORGANISATION_KEYS

    hidden = OrganisationFactory(name="Enquiring University", status=S.ENQUIRY)
    response = client.get(reverse("api:organisation", args=[hidden.slug]))
    assert response.status_code == 404


def test_the_plan_is_the_published_one_never_a_draft(client, published):
    lead = published.memberships.get().user
    draft = started(published, lead, number=2)
    plan_services.action_add(
        actor=lead,
        submission=draft,
        themes=[published.submissions.get(stage_number=1).actions.first().themes.first()],
        title="A draft action nobody has submitted",
        owner="Drafts",
        success_measures="None yet.",
    )

    data = get(client, reverse("api:action_plan", args=[published.slug])).json()

    assert keys(data) == PLAN_KEYS
    assert data["stage"] == 1
    assert "A draft action nobody has submitted" not in json.dumps(data)
    assert [t["theme"] for t in data["themes"]] == [
        "Visibility",
        "Recognition",
        "Career development",
        "Sustainability",
    ]


def test_no_plan_published_is_a_404_and_a_null_link(client):
    organisation = announced_organisation(name="Drafting University")
    submitted(organisation, lead_of(organisation))  # submitted, not published

    assert client.get(reverse("api:action_plan", args=[organisation.slug])).status_code == 404
    detail = get(client, reverse("api:organisation", args=[organisation.slug])).json()
    assert detail["action_plan"] is None


def test_no_review_or_reviewer_ever_appears(client):
    autumn = review_round()
    organisation = announced_organisation(name="Reviewed University")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    plan_services.submission_publish(actor=lead, submission=stage)
    team = [reviewer(name=name) for name in ("Ana Ruiz", "Ben Cole", "Cara Diaz")]
    for assignment in assign(autumn, stage, team):
        write_review(assignment)

    everything = json.dumps(
        [
            get(client, LIST).json(),
            get(client, reverse("api:organisation", args=[organisation.slug])).json(),
            get(client, reverse("api:action_plan", args=[organisation.slug])).json(),
        ]
    )
    for person in team:
        assert person.name not in everything
        assert person.email not in everything
    assert "Strengths seen by" not in everything
    assert lead.email not in everything  # the lead's own address is not the public contact


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "supporter"},
        {"region": "london"},
        {"status": "lapsed"},
        {"joined": "2017"},
        {"q": "imperial college"},
        {"org_type": "learned_society"},
        {"sort": "newest"},
    ],
)
def test_the_filters_are_the_directorys(client, params):
    OrganisationFactory(
        name="Imperial College London",
        status=S.ACTIVE,
        announced_on=date(2017, 5, 1),
        region=Region.LONDON,
    )
    OrganisationFactory(
        name="Royal Society of Chemistry",
        kind=OrganisationKind.SUPPORTER,
        org_type=OrganisationType.LEARNED_SOCIETY,
        status=S.ACTIVE,
        announced_on=date(2019, 1, 1),
    )
    OrganisationFactory(name="Lapsed University", status=S.LAPSED, announced_on=date(2018, 3, 1))

    api = [o["name"] for o in get(client, LIST, **params).json()["results"]]
    page = client.get(reverse("directory:directory"), params).context["page"]

    assert api == [o.name for o in page.object_list]
    assert api


def test_an_invalid_filter_is_a_400_with_the_reason(client):
    response = client.get(LIST, {"kind": "nonsense"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_pages_of_a_chosen_size(client):
    for n in range(7):
        OrganisationFactory(name=f"University {n}", status=S.ACTIVE, announced_on=date(2020, 1, 1))
    first = get(client, LIST, page_size=3).json()
    last = get(client, LIST, page_size=3, page=3).json()
    assert (first["count"], len(first["results"]), len(last["results"])) == (7, 3, 1)
    assert first["next"].endswith("page=2&page_size=3")
    assert client.get(LIST, {"page": 99}).status_code == 404


def test_the_schema_is_openapi_and_names_every_endpoint(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/organisations/",
        "/api/v1/organisations/{slug}/",
        "/api/v1/organisations/{slug}/action-plan/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/organisations/"]["get"]["parameters"]}
    assert {
        "q",
        "kind",
        "org_type",
        "region",
        "status",
        "joined",
        "stage",
        "sort",
        "page",
    } <= parameters


def test_the_docs_page_loads_its_script_from_our_own_files(client):
    page = client.get(reverse("api:docs"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "<style>" not in text
    assert "<script>" not in text
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST, params).status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_10_and_500_organisations(client):
    many_public_organisations(0, 10)
    small = _queries(client, page_size=200)
    many_public_organisations(10, 500)
    large = _queries(client, page_size=200)
    assert small == large == LIST_QUERIES
