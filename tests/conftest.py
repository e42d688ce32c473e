import os
import shutil

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache

from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated():
    """Every test starts with an empty cache (rate limits, used TOTP codes)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _clean_media():
    yield
    shutil.rmtree(os.path.dirname(settings.MEDIA_ROOT), ignore_errors=True)


def with_totp(user):
    """Give ``user`` an authenticator app, as staff and reviewers must have."""
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff_user(db):
    return with_totp(StaffFactory())


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def lead(db, organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def outsider(db):
    """Signed-in, but with no role and no membership."""
    return UserFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
