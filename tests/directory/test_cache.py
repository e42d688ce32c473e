"""Public pages are kept whole for visitors, and made afresh once what they show changes."""

import warnings
from datetime import date

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action_plans import services as plan_services
from organisations import services
from organisations.enums import OnboardingStatus
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.factories import OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("directory:directory")


def _queries(client, url, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_second_visitor_gets_the_kept_page_without_queries(client):
    OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )
    first, page = _queries(client, URL)
    again, kept = _queries(client, URL)
    assert first > 0
    assert (again, kept) == (0, page)


def test_a_long_address_is_kept_under_a_key_of_fixed_length(client):
    OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )
    search = "é" * 199 + " ' <"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        first, page = _queries(client, URL, q=search)
        again, kept = _queries(client, URL, q=search)
        other, _ = _queries(client, URL, q=search[:-1])
    assert (again, kept) == (0, page)
    assert other > 0


def test_a_change_through_the_services_shows_at_once(client):
    organisation = OrganisationFactory(
        name="University of Keepshire",
        status=OnboardingStatus.ANNOUNCED,
        announced_on=date(2020, 1, 1),
    )
    _queries(client, URL)

    services.organisation_update(
        actor=StaffFactory(), organisation=organisation, short_name="Keepshire"
    )
    _, page = _queries(client, URL)

    assert "(Keepshire)" in page


def test_publishing_a_plan_shows_on_the_organisation_page_at_once(client):
    organisation = announced_organisation(name="University of Keepshire")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    url = reverse("directory:public_organisation", args=[organisation.slug])
    _, before = _queries(client, url)

    plan_services.submission_publish(actor=lead, submission=stage)
    _, after = _queries(client, url)

    assert "has not published an action plan" in before
    assert "has not published an action plan" not in after


def test_signed_in_people_always_get_their_own_page(client):
    OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )
    _queries(client, URL)
    client.force_login(UserFactory(name="Priya Shah"))
    queries, page = _queries(client, URL)
    assert queries > 0
    assert "Priya Shah" in page


def test_a_kept_csv_is_still_a_download(client):
    OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )
    client.get(URL, {"format": "csv"})
    response = client.get(URL, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="technician-commitment-'
    )


def test_public_pages_carry_no_csrf_token(client):
    OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )
    response = client.get(URL)
    assert "X-CSRFToken" not in response.content.decode()
    assert "csrftoken" not in response.cookies
