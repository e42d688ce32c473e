import pytest

from tests.factories import OrganisationFactory


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="University of Aston Vale")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="University of Brackley")
