"""Truth tables for the role predicates and the permissions composed from them.

Every row is one person, checked against organisation A."""

import pytest

from accounts.rules import (
    is_itss_staff,
    is_lead_of_organisation,
    is_member_of_organisation,
    is_reviewer,
)
from tests.accounts.people import ROLES, person

pytestmark = pytest.mark.django_db

# role: (is_itss_staff, is_reviewer, is_member_of_organisation(A), is_lead_of_organisation(A))
PREDICATES = {
    "anonymous": (False, False, False, False),
    "outsider": (False, False, False, False),
    "contributor_a": (False, False, True, False),
    "lead_a": (False, False, True, True),
    "inactive_lead_a": (False, False, False, False),
    "lead_b": (False, False, False, False),
    "reviewer": (False, True, False, False),
    "staff": (True, False, False, False),
    "inactive_staff": (False, False, False, False),
}


@pytest.mark.parametrize(("role", "expected"), PREDICATES.items())
def test_role_predicates(role, expected, org_a, org_b):
    user = person(role, org_a=org_a, org_b=org_b)

    assert (
        is_itss_staff(user),
        is_reviewer(user),
        is_member_of_organisation(user, org_a),
        is_lead_of_organisation(user, org_a),
    ) == expected


@pytest.mark.parametrize("role", ["contributor_a", "lead_a", "staff"])
def test_organisation_predicates_are_false_without_an_organisation(role, org_a, org_b):
    user = person(role, org_a=org_a, org_b=org_b)

    assert is_member_of_organisation(user, None) is False
    assert is_lead_of_organisation(user, None) is False


# Permissions about one organisation are checked against A; the others have no object.
OBJECT_PERMS = (
    "accounts.invite_member",
    "accounts.remove_member",
    "organisations.view_workspace",
    "organisations.edit_public_details",
)
GLOBAL_PERMS = (
    "accounts.invite_reviewer",
    "organisations.view_pipeline",
    "organisations.manage_organisation",
)
PERMS = OBJECT_PERMS + GLOBAL_PERMS

T, F = True, False
PERMISSIONS = {
    #                 invite  remove  view_ws  edit_pub  inv_rev  pipeline  manage
    "anonymous": (F, F, F, F, F, F, F),
    "outsider": (F, F, F, F, F, F, F),
    "contributor_a": (F, F, T, F, F, F, F),
    "lead_a": (T, T, T, T, F, F, F),
    "inactive_lead_a": (F, F, F, F, F, F, F),
    "lead_b": (F, F, F, F, F, F, F),
    "reviewer": (F, F, F, F, F, F, F),
    "staff": (T, T, T, T, T, T, T),
    "inactive_staff": (F, F, F, F, F, F, F),
}


def test_the_permission_table_covers_every_role():
    assert set(ROLES) <= set(PERMISSIONS)
    assert set(PERMISSIONS) == set(PREDICATES)


@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        (role, perm, allowed)
        for role, row in PERMISSIONS.items()
        for perm, allowed in zip(PERMS, row, strict=True)
    ],
)
def test_permission_matrix(role, perm, expected, org_a, org_b):
    user = person(role, org_a=org_a, org_b=org_b)
    target = org_a if perm in OBJECT_PERMS else None

    assert user.has_perm(perm, target) is expected


@pytest.mark.parametrize("perm", OBJECT_PERMS)
def test_a_lead_of_a_has_no_organisation_permission_over_b(perm, org_a, org_b):
    lead_of_a = person("lead_a", org_a=org_a, org_b=org_b)

    assert lead_of_a.has_perm(perm, org_b) is False


def test_a_superuser_gets_the_portals_permissions_only_through_their_roles(org_a, org_b):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    staff_admin = UserFactory(is_superuser=True, is_staff=True, is_itss_staff=True)

    # The Django admin's own model permissions still come with being a superuser...
    assert admin.has_perm("directory.change_organisation")
    # ...but the portal's rules look at roles and memberships only.
    assert not admin.has_perm("organisations.view_pipeline")
    assert not admin.has_perm("organisations.view_workspace", org_a)
    assert staff_admin.has_perm("organisations.view_pipeline")
    assert staff_admin.has_perm("action_plans.view_stages", org_a)
    assert not staff_admin.has_perm("action_plans.start_stage", org_a)
