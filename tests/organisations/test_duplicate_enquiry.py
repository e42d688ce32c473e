"""A new enquiry, or an edit, that gives a name already in the register is refused with the
name of the organisation that has it, its stage, and a link to its record."""

import pytest
from django.urls import reverse

from organisations.enums import OnboardingStatus
from organisations.models import Organisation
from tests.factories import OrganisationFactory
from tests.organisations.test_register import _details, _edit_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["King's & Queen's College", "KING'S & QUEEN'S COLLEGE"])
def test_a_duplicate_enquiry_names_and_links_the_organisation_it_duplicates(staff_client, name):
    existing = OrganisationFactory(
        name="King's & Queen's College", status=OnboardingStatus.MEETING_HELD
    )

    response = staff_client.post(reverse("organisations:organisation_create"), _details(name=name))

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "King&#x27;s &amp; Queen&#x27;s College is already in the register (meeting held): "
        f'<a href="{existing.get_staff_url()}">open its record</a> to carry on, or give '
        "another name."
    ]
    assert f'<a href="{existing.get_staff_url()}">open its record</a>' in response.content.decode()
    assert Organisation.objects.count() == 1


def test_renaming_into_another_organisations_name_links_that_one(staff_client):
    other = OrganisationFactory(name="University of Leeds")
    organisation = OrganisationFactory(name="University of Lincoln")

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, name="university of leeds"),
    )

    assert response.status_code == 400
    assert f'<a href="{other.get_staff_url()}">open its record</a>' in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "University of Lincoln"


def test_an_organisation_keeps_its_own_name_on_an_edit(staff_client):
    organisation = OrganisationFactory(name="University of Lincoln")

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        _edit_data(organisation, short_name="Lincoln"),
    )

    assert response.status_code == 302
