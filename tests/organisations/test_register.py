"""Recording an enquiry and editing an organisation's details: forms, services and pages."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import ActivityLog
from core.services import activity_for
from organisations import services
from organisations.enums import OnboardingStatus
from organisations.forms import EnquiryForm, OrganisationForm
from organisations.models import Organisation
from tests.factories import CohortFactory, OrganisationFactory, StaffFactory
from tests.organisations.builders import activity_rows, stored

pytestmark = pytest.mark.django_db

S = OnboardingStatus


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _details(**overrides) -> dict:
    """What the enquiry form posts for a new university, as strings."""
    return {
        "kind": "signatory",
        "name": "University of Lincoln",
        "short_name": "Lincoln",
        "org_type": "university",
        "region": "east_midlands",
        "country": "",
        "website": "https://www.lincoln.ac.uk/",
        "latitude": "53.22830",
        "longitude": "-0.54870",
        "enquiry_received_on": "2024-01-10",
        "note": "Enquiry at the HEaTED conference.",
        **overrides,
    }


# The form.

FORM_CASES = {
    # case: (overrides, field with the error or None, message)
    "valid UK": ({}, None, None),
    "valid outside the UK": (
        {"region": "outside_uk", "country": "Ireland", "name": "Trinity College Dublin"},
        None,
        None,
    ),
    "outside the UK without a country": (
        {"region": "outside_uk", "country": "  "},
        "country",
        "Give the country of an organisation outside the UK.",
    ),
    "UK region with a country": (
        {"country": "England"},
        "country",
        "Leave the country empty for an organisation in the UK.",
    ),
    "latitude without longitude": (
        {"longitude": ""},
        "longitude",
        "Give both latitude and longitude, or neither.",
    ),
    "longitude without latitude": (
        {"latitude": ""},
        "longitude",
        "Give both latitude and longitude, or neither.",
    ),
    "latitude beyond the pole": (
        {"latitude": "91"},
        "latitude",
        "Ensure this value is less than or equal to 90.",
    ),
    "unknown region": (
        {"region": "midlands"},
        "region",
        "Select a valid choice. midlands is not one of the available choices.",
    ),
    "missing name": ({"name": ""}, "name", "Name: this field is required."),
    "enquiry in the future": (
        {"enquiry_received_on": (date.today() + timedelta(days=2)).isoformat()},
        "enquiry_received_on",
        "The enquiry date cannot be in the future.",
    ),
}


@pytest.mark.parametrize(("overrides", "field", "message"), FORM_CASES.values(), ids=FORM_CASES)
def test_the_enquiry_form_validates_the_location_and_dates(overrides, field, message):
    form = EnquiryForm(_details(**overrides))

    if field is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert message in form.errors[field]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "outside_uk", "country": ""}, "Give the country of an organisation outside"),
        ({"region": "scotland", "country": "Scotland"}, "Leave the country empty"),
    ],
)
def test_the_edit_form_validates_the_location_of_an_existing_organisation(overrides, message):
    organisation = OrganisationFactory()
    data = {**_details(name=organisation.name), **overrides}

    form = OrganisationForm(data, instance=organisation)

    assert not form.is_valid()
    assert any(e.startswith(message) for e in form.errors["country"])


# The services.


def test_recording_an_enquiry_starts_the_organisation_at_the_beginning():
    staff = StaffFactory()

    organisation = services.organisation_create(
        actor=staff,
        note="Met at the HEaTED conference.",
        kind="signatory",
        name="University of Lincoln",
        org_type="university",
        region="east_midlands",
        latitude=Decimal("53.2283"),
        longitude=Decimal("-0.5487"),
    )

    organisation.refresh_from_db()
    assert (organisation.slug, organisation.status, organisation.enquiry_received_on) == (
        "university-of-lincoln",
        S.ENQUIRY,
        timezone.localdate(),
    )
    assert [
        (e.actor, e.verb, e.from_status, e.to_status, e.note) for e in activity_for(organisation)
    ] == [(staff, "enquiry recorded", "", S.ENQUIRY, "Met at the HEaTED conference.")]


def test_a_new_organisation_gets_a_slug_of_its_own():
    OrganisationFactory(name="University of St Andrews", slug="university-of-st-andrews")

    organisation = services.organisation_create(
        actor=StaffFactory(),
        kind="signatory",
        name="University of St. Andrews!",
        org_type="university",
        region="scotland",
        enquiry_received_on=date(2024, 2, 1),
    )

    assert organisation.slug == "university-of-st-andrews-2"
    assert organisation.enquiry_received_on == date(2024, 2, 1)


CREATE_REFUSALS = {
    "same name as another": (
        {"name": "University of Leeds"},
        "Name: Organisation with this Name already exists.",
    ),
    "UK region with a country": (
        {"country": "England"},
        "Leave the country empty for an organisation in the UK.",
    ),
    "a field staff may not set": ({"status": S.ACTIVE}, "Unknown fields: status"),
    "a bad email": (
        {"contact_email": "not an address"},
        "Public contact email: Enter a valid email address.",
    ),
}


@pytest.mark.parametrize(("fields", "message"), CREATE_REFUSALS.values(), ids=CREATE_REFUSALS)
def test_recording_an_invalid_enquiry_writes_nothing(fields, message):
    OrganisationFactory(name="University of Leeds")
    counts = (Organisation.objects.count(), ActivityLog.objects.count())

    with pytest.raises(ApplicationError) as refused:
        services.organisation_create(
            actor=StaffFactory(),
            **{
                "kind": "signatory",
                "name": "University of Bradford",
                "org_type": "university",
                "region": "yorkshire",
                **fields,
            },
        )

    assert refused.value.message == message
    assert (Organisation.objects.count(), ActivityLog.objects.count()) == counts


def test_editing_logs_the_changed_fields_by_their_labels():
    staff = StaffFactory()
    organisation = OrganisationFactory(website="https://old.example.org/")
    cohort = CohortFactory()

    services.organisation_update(
        actor=staff,
        organisation=organisation,
        note="From the signed form.",
        name=organisation.name,  # unchanged: not listed
        lead_name="Priya Shah",
        website="https://www.example.org/",
        cohort=cohort,
    )

    organisation.refresh_from_db()
    assert (organisation.lead_name, organisation.website, organisation.cohort) == (
        "Priya Shah",
        "https://www.example.org/",
        cohort,
    )
    entry = activity_for(organisation).get()
    assert (entry.actor, entry.verb, entry.from_status, entry.to_status, entry.note) == (
        staff,
        "details updated",
        "",
        "",
        "Changed: nominated lead, website, cohort. From the signed form.",
    )


def test_saving_unchanged_details_logs_nothing():
    organisation = OrganisationFactory(short_name="Testshire")

    services.organisation_update(
        actor=StaffFactory(), organisation=organisation, short_name="Testshire"
    )

    assert not ActivityLog.objects.exists()


UPDATE_REFUSALS = {
    "UK region with a country": (
        {"country": "Wales"},
        "Leave the country empty for an organisation in the UK.",
    ),
    "the status": ({"status": S.ACTIVE}, "Unknown fields: status"),
    "an onboarding date": ({"announced_on": date(2024, 1, 1)}, "Unknown fields: announced_on"),
    "another's name": ({"name": "University of Leeds"}, None),
}


@pytest.mark.parametrize(("fields", "message"), UPDATE_REFUSALS.values(), ids=UPDATE_REFUSALS)
def test_an_invalid_edit_changes_nothing(fields, message):
    OrganisationFactory(name="University of Leeds")
    organisation = OrganisationFactory()
    before, log = stored(organisation), activity_rows()

    with pytest.raises(ApplicationError) as refused:
        services.organisation_update(actor=StaffFactory(), organisation=organisation, **fields)

    if message:
        assert refused.value.message == message
    assert stored(organisation) == before
    assert activity_rows() == log


# The pages.


def test_staff_record_an_enquiry_through_the_form(staff_client):
    response = staff_client.post(reverse("organisations:organisation_create"), _details())

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == organisation.get_staff_url()
    assert (organisation.name, organisation.status, organisation.enquiry_received_on) == (
        "University of Lincoln",
        S.ENQUIRY,
        date(2024, 1, 10),
    )
    assert (organisation.latitude, organisation.longitude) == (
        Decimal("53.22830"),
        Decimal("-0.54870"),
    )
    assert activity_for(organisation).get().note == "Enquiry at the HEaTED conference."
    page = _text(staff_client.get(response.url))
    assert "Enquiry from University of Lincoln recorded." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "outside_uk"}, "Give the country of an organisation outside the UK."),
        ({"country": "England"}, "Leave the country empty for an organisation in the UK."),
        ({"latitude": ""}, "Give both latitude and longitude, or neither."),
    ],
)
def test_an_invalid_enquiry_is_shown_again_with_the_reason(staff_client, overrides, message):
    response = staff_client.post(
        reverse("organisations:organisation_create"), _details(**overrides)
    )

    assert response.status_code == 400
    assert message in _text(response)
    assert not Organisation.objects.exists()
    assert not ActivityLog.objects.exists()


def _edit_data(organisation, **overrides):
    fields = {
        name: getattr(organisation, name) if name != "cohort" else organisation.cohort_id
        for name in services.EDITABLE_FIELDS
    }
    data = {k: "" if v is None else str(v) for k, v in fields.items()}
    return {**data, "note": "", **overrides}


def test_staff_edit_the_details_and_the_change_is_logged(staff_client, staff_user):
    organisation = OrganisationFactory(lead_name="")

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, lead_name="Priya Shah", lead_email="priya@example.org"),
    )

    assert response.status_code == 302
    assert response.url == organisation.get_staff_url()
    organisation.refresh_from_db()
    assert (organisation.lead_name, organisation.lead_email) == ("Priya Shah", "priya@example.org")
    entry = activity_for(organisation).get()
    assert (entry.actor, entry.note) == (
        staff_user,
        "Changed: nominated lead, nominated lead email.",
    )


def test_an_invalid_edit_is_refused_and_the_page_still_shows_what_is_stored(staff_client):
    organisation = OrganisationFactory(name="University of Derby")
    before = stored(organisation)

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, name="Derby Uni", region="outside_uk", country=""),
    )

    assert response.status_code == 400
    page = _text(response)
    assert "Give the country of an organisation outside the UK." in page
    assert "<title>Edit University of Derby" in page
    assert stored(organisation) == before
    assert not ActivityLog.objects.exists()


# The head of organisation's email, used to escalate overdue reminders.


def test_staff_edit_the_head_of_organisation_email(staff_client):
    organisation = OrganisationFactory(head_name="Professor Jane Whitfield")

    form = _text(
        staff_client.get(reverse("organisations:organisation_edit", args=[organisation.slug]))
    )
    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, head_email="vice-chancellor@example.org"),
    )

    assert 'name="head_email"' in form
    assert "Head of organisation email" in form
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.head_email == "vice-chancellor@example.org"
    assert activity_for(organisation).get().note == "Changed: head of organisation email."
    page = _text(staff_client.get(organisation.get_staff_url()))
    assert "Professor Jane Whitfield · vice-chancellor@example.org" in page


def test_an_invalid_head_of_organisation_email_is_refused(staff_client):
    organisation = OrganisationFactory()
    before = stored(organisation)

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, head_email="the vice-chancellor"),
    )

    assert response.status_code == 400
    assert "Enter a valid email address." in _text(response)
    assert stored(organisation) == before


def test_the_admin_edits_the_head_email_but_not_the_lapsed_date(rf):
    organisation_admin = admin.site._registry[Organisation]
    request = rf.get("/")
    request.user = StaffFactory()

    fields = organisation_admin.get_form(request).base_fields

    assert "head_email" in fields
    assert "lapsed_on" not in fields
    assert "lapsed_on" in organisation_admin.get_readonly_fields(request)
