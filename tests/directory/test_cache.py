"""Public pages are kept whole for visitors, and made afresh once what they show changes."""

import warnings
from datetime import date

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action_plans import packs
from action_plans import services as plan_services
from action_plans.enums import ActionStatus, PackStatus
from action_plans.models import SubmissionPack
from action_plans.tasks import render_submission_pack
from directory.cache import public_changed
from organisations import services
from organisations.enums import OnboardingStatus
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.factories import OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("directory:directory")


@pytest.fixture(autouse=True)
def _generation_in_the_cache():
    """Each test starts with the cache emptied: the site's generation is set afresh in it,
    so this process's memory of the last one (kept for a second) agrees with it."""
    public_changed()


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


# What a change makes afresh --------------------------------------------------------------


def _public(name: str, **fields):
    values = {"status": OnboardingStatus.ACTIVE, "announced_on": date(2020, 1, 1), **fields}
    return OrganisationFactory(name=name, **values)


def _page_of(organisation) -> str:
    return reverse("directory:public_organisation", args=[organisation.slug])


def test_a_change_the_lists_do_not_show_makes_only_the_organisations_page_afresh(client):
    organisation = _public("University of Keepshire")
    other = _public("University of Otherton")
    for url in (URL, _page_of(organisation), _page_of(other)):
        _queries(client, url)

    organisation.contact_name = "Priya Shah"
    organisation.save()

    own, page = _queries(client, _page_of(organisation))
    assert own > 0
    assert "Priya Shah" in page
    assert _queries(client, URL)[0] == 0
    assert _queries(client, _page_of(other))[0] == 0


@pytest.mark.parametrize(
    "change",
    [
        {"name": "University of Keepshire and Dales"},
        {"status": OnboardingStatus.LAPSED},
        {"region": "wales"},
        {"latitude": "51.4816", "longitude": "-3.1791"},
        {"announced_on": date(2021, 3, 1)},
    ],
    ids=lambda change: "-".join(change),
)
def test_a_change_to_what_the_lists_show_makes_them_afresh(client, change):
    organisation = _public("University of Keepshire")
    _queries(client, URL)

    for field, value in change.items():
        setattr(organisation, field, value)
    organisation.save()

    assert _queries(client, URL)[0] > 0


def test_a_change_saved_with_named_fields_the_lists_do_not_show_leaves_them_kept(client):
    organisation = _public("University of Keepshire")
    _queries(client, URL)

    organisation.contact_name = "Priya Shah"
    organisation.save(update_fields=["contact_name"])

    assert _queries(client, URL)[0] == 0
    assert "Priya Shah" in _queries(client, _page_of(organisation))[1]


def test_a_new_address_leaves_no_page_kept_at_the_old_one(client):
    organisation = _public("University of Keepshire")
    old = _page_of(organisation)
    _queries(client, old)

    organisation.slug = "keepshire"
    organisation.save(update_fields=["slug"])

    assert client.get(old).status_code == 404


def test_a_pdf_finishing_makes_only_its_organisations_page_afresh(
    client, django_capture_on_commit_callbacks
):
    organisation = announced_organisation(name="University of Keepshire")
    other = _public("University of Otherton")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    plan_services.submission_publish(actor=lead, submission=stage)
    pdf = packs.published_plan_pdf_request(organisation=organisation)
    for url in (URL, _page_of(organisation), _page_of(other)):
        _queries(client, url)

    with django_capture_on_commit_callbacks(execute=True):
        render_submission_pack(pack_id=pdf.pk)  # as a worker renders it

    own, page = _queries(client, _page_of(organisation))
    assert (own > 0, "Download the action plan (PDF" in page) == (True, True)
    assert _queries(client, URL)[0] == 0
    assert _queries(client, _page_of(other))[0] == 0


def test_a_stages_own_pdf_is_on_no_public_page_and_keeps_every_page(client):
    organisation = announced_organisation(name="University of Keepshire")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    for url in (URL, _page_of(organisation)):
        _queries(client, url)

    pack = packs.pack_request(submission=stage, user=lead)
    render_submission_pack(pack_id=pack.pk)

    assert SubmissionPack.objects.get(pk=pack.pk).status == PackStatus.READY
    assert _queries(client, URL)[0] == 0
    assert _queries(client, _page_of(organisation))[0] == 0


def test_progress_on_a_plan_makes_only_its_organisations_page_afresh(client):
    organisation = announced_organisation(name="University of Keepshire")
    other = _public("University of Otherton")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    plan_services.submission_publish(actor=lead, submission=stage)
    for url in (URL, _page_of(organisation), _page_of(other)):
        _queries(client, url)

    plan_services.action_progress_record(
        actor=lead, action=stage.actions.first(), status=ActionStatus.DONE, note="Done in May."
    )

    own, page = _queries(client, _page_of(organisation))
    assert (own > 0, "Done in May." in page) == (True, True)
    assert _queries(client, URL)[0] == 0
    assert _queries(client, _page_of(other))[0] == 0


def test_publishing_a_plan_makes_the_lists_afresh(client):
    organisation = announced_organisation(name="University of Keepshire")
    lead = lead_of(organisation)
    stage = submitted(organisation, lead)
    _queries(client, reverse("directory:network"))

    plan_services.submission_publish(actor=lead, submission=stage)

    assert _queries(client, reverse("directory:network"))[0] > 0
