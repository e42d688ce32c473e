"""The API answers as its OpenAPI schema says. schemathesis reads the live schema at
``/api/schema/`` and sends every operation requests made from it, valid and invalid; each
answer must be no server error and match the schema (status, content type, body), with
every schemathesis check on. Deterministic: a fixed seed and a bounded number of examples.

Also each operation on real data the fuzzing cannot guess: organisations with and without
a website, page, contact address, coordinates and published plan."""

from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from action_plans import services as plan_services
from organisations.enums import OnboardingStatus, OrganisationKind, Region
from tests.action_plans.builders import announced_organisation, lead_of, submitted

pytestmark = pytest.mark.django_db

CONFIG = {
    "seed": 20260101,
    "generation": {
        "mode": "all",  # valid requests, and requests the schema says are invalid
        "max-examples": 30,
        "deterministic": True,
        "database": "none",
    },
}


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """The application is called as a server calls it, and a server's request closes the
    database connection at its end; here that connection holds the test's transaction, so
    keep it open, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world():
    """A published plan from an organisation that gave every address; one that gave none
    (empty strings in the database) and has no coordinates; a lapsed supporter."""
    full = announced_organisation(
        name="University of Openshire",
        website="https://www.openshire.ac.uk/",
        latitude="52.93800",
        longitude="-1.19500",
    )
    lead = lead_of(full)
    plan_services.submission_publish(actor=lead, submission=submitted(full, lead))
    bare = announced_organisation(
        name="Institute of Nowhere",
        tc_page_url="",
        website="",
        contact_name="",
        contact_role="",
        contact_email="",
        region=Region.OUTSIDE_UK,
        country="Canada",
    )
    lapsed = announced_organisation(
        name="Society of Lapsing",
        kind=OrganisationKind.SUPPORTER,
        status=OnboardingStatus.LAPSED,
        lapsed_on=date(2026, 6, 1),
    )
    return [full, bare, lapsed]


# Loaded once, when the tests are collected: the schema is made from the code alone.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", get_wsgi_application(), config=schemathesis.Config.from_dict(CONFIG)
)


@schema.parametrize()
@settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    deadline=None,
)
def test_every_operation_answers_as_its_schema_says(case, world):
    case.call_and_validate()


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/api/v1/organisations/", {}),
        ("/api/v1/organisations/", {"query": {"page_size": "1", "page": "2"}}),
        ("/api/v1/organisations/", {"query": {"page": "99"}}),
        ("/api/v1/organisations/", {"query": {"joined": "0"}}),
        ("/api/v1/organisations/", {"query": {"kind": "nonsense", "sort": "sideways"}}),
        ("/api/v1/organisations/{slug}/", {"path_parameters": {"slug": "university-of-openshire"}}),
        ("/api/v1/organisations/{slug}/", {"path_parameters": {"slug": "institute-of-nowhere"}}),
        ("/api/v1/organisations/{slug}/", {"path_parameters": {"slug": "society-of-lapsing"}}),
        ("/api/v1/organisations/{slug}/", {"path_parameters": {"slug": "no-such-place"}}),
        (
            "/api/v1/organisations/{slug}/action-plan/",
            {"path_parameters": {"slug": "university-of-openshire"}},
        ),
        (
            "/api/v1/organisations/{slug}/action-plan/",
            {"path_parameters": {"slug": "institute-of-nowhere"}},
        ),
    ],
)
def test_real_answers_match_the_schema(world, path, parameters):
    case = schema[path]["GET"].Case(**parameters)
    case.call_and_validate()
