"""The organisation workspace: for its members (and staff); nobody else learns it exists."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import InvitationRole, MembershipRole
from tests.accounts.people import person
from tests.conftest import with_totp
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _invite_action(org):
    return f'action="{reverse("organisations:invitation_create", kwargs={"slug": org.slug})}"'


# role: (status, sees the invite form and pending invitations)
WORKSPACE = {
    "lead_a": (200, True),
    "contributor_a": (200, False),
    "staff": (200, True),
    "lead_b": (404, False),
    "outsider": (404, False),
    "reviewer": (404, False),
    "inactive_staff": (302, False),  # an inactive account is signed out by Django
}


@pytest.mark.parametrize(("role", "expected"), WORKSPACE.items())
def test_who_sees_the_workspace_and_the_invite_form(client, org_a, org_b, role, expected):
    user = person(role, org_a=org_a, org_b=org_b)
    if user.requires_two_factor:
        with_totp(user)
    InvitationFactory(organisation=org_a, email="pending.person@example.org")
    client.force_login(user)

    response = client.get(org_a.get_absolute_url())

    page = response.content.decode()
    assert (response.status_code, _invite_action(org_a) in page) == expected
    assert ("pending.person@example.org" in page) is expected[1]


def test_anonymous_visitors_are_sent_to_sign_in(client, org_a):
    response = client.get(org_a.get_absolute_url())

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={org_a.get_absolute_url()}"


def test_an_unknown_organisation_answers_404_like_a_forbidden_one(client, org_a, org_b):
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    unknown = client.get(reverse("organisations:workspace", kwargs={"slug": "no-such-place"}))
    forbidden = client.get(org_b.get_absolute_url())

    assert unknown.status_code == forbidden.status_code == 404
    assert org_b.name not in forbidden.content.decode()


def test_members_see_their_team(client, org_a, org_b):
    contributor = person("contributor_a", org_a=org_a, org_b=org_b)
    lead = MembershipFactory(organisation=org_a, role=MembershipRole.LEAD).user
    client.force_login(contributor)

    page = client.get(org_a.get_absolute_url()).content.decode()

    assert lead.email in page
    assert contributor.email in page
    # Only those who may invite are offered to remove members.
    for membership in org_a.memberships.all():
        assert reverse("accounts:membership_remove", kwargs={"pk": membership.pk}) not in page


def test_a_lead_is_offered_to_remove_others_but_not_themselves(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    colleague = MembershipFactory(organisation=org_a, role=MembershipRole.CONTRIBUTOR)
    client.force_login(lead)

    page = client.get(org_a.get_absolute_url()).content.decode()

    assert reverse("accounts:membership_remove", kwargs={"pk": colleague.pk}) in page
    own = lead.memberships.get()
    assert reverse("accounts:membership_remove", kwargs={"pk": own.pk}) not in page


def test_the_invite_form_offers_lead_and_contributor(client, org_a, org_b):
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    page = client.get(org_a.get_absolute_url()).content.decode()

    assert f'value="{InvitationRole.LEAD}"' in page
    assert f'value="{InvitationRole.CONTRIBUTOR}"' in page
    assert f'value="{InvitationRole.REVIEWER}"' not in page


def test_only_pending_invitations_are_listed(client, org_a, org_b):
    InvitationFactory(organisation=org_a, email="pending@example.org")
    InvitationFactory(organisation=org_a, email="used@example.org", accepted_at=timezone.now())
    InvitationFactory(organisation=org_a, email="withdrawn@example.org", revoked_at=timezone.now())
    InvitationFactory(
        organisation=org_a,
        email="expired@example.org",
        expires_at=timezone.now() - timedelta(days=1),
    )
    InvitationFactory(organisation=org_b, email="elsewhere@example.org")
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    page = client.get(org_a.get_absolute_url()).content.decode()

    assert "pending@example.org" in page
    for hidden in ("used", "withdrawn", "expired", "elsewhere"):
        assert f"{hidden}@example.org" not in page
