"""The invitation pages: accepting a link, and sending or withdrawing invitations."""

import html
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import InvitationRole, InvitationStatus, MembershipRole
from accounts.models import Invitation, Membership, User
from accounts.services import invitation_accept
from core.exceptions import ApplicationError
from core.models import ActivityLog
from core.services import activity_for
from tests.accounts.people import PASSWORD, STRONG_PASSWORD, person
from tests.conftest import with_totp
from tests.factories import InvitationFactory, MembershipFactory, StaffFactory, UserFactory


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _signed_in_id(client):
    return client.session.get(SESSION_KEY)


def _new_account(name="Sam Okoye", password=STRONG_PASSWORD, password2=None):
    return {"name": name, "password1": password, "password2": password2 or password}


def _accounts_written():
    return (
        User.objects.count(),
        EmailAddress.objects.count(),
        Membership.objects.count(),
        ActivityLog.objects.count(),
    )


@pytest.fixture
def invitation(org_a):
    return InvitationFactory(
        organisation=org_a, email="sam@example.org", role=InvitationRole.CONTRIBUTOR
    )


# A new person accepting.


@pytest.mark.django_db
def test_the_link_offers_a_new_person_an_account(client, invitation):
    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 200
    page = _text(response)
    assert "Create your account" in page
    assert "sam@example.org" in page
    assert f"Join {invitation.organisation.name}" in page


@pytest.mark.django_db
def test_accepting_creates_a_verified_account_and_membership_and_signs_in(client, invitation):
    response = client.post(invitation.get_absolute_url(), _new_account())

    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    user = User.objects.get(email="sam@example.org")
    assert user.name == "Sam Okoye"
    assert user.check_password(STRONG_PASSWORD)
    assert (user.is_reviewer, user.is_itss_staff, user.is_staff) == (False, False, False)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("sam@example.org", True, True)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (
        invitation.organisation,
        MembershipRole.CONTRIBUTOR,
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == user
    assert _signed_in_id(client) == str(user.pk)
    log = activity_for(invitation.organisation).get()
    assert (log.actor, log.verb) == (user, "invitation accepted")

    # Home sends a person with one organisation straight to its workspace.
    landing = client.get(response.url, follow=True)
    assert landing.redirect_chain == [(invitation.organisation.get_absolute_url(), 302)]
    assert f"Welcome to {invitation.organisation}'s team on the portal." in _text(landing)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        (_new_account(password="password"), "This password is too common."),
        (_new_account(password="84736251"), "This password is entirely numeric."),
        (_new_account(password="pip3tte"), "This password is too short."),
        (_new_account(password="sam@example.org"), "too similar"),
        (_new_account(password2="something-else-entirely"), "The two passwords do not match."),
        (_new_account(name=""), "Your full name: this field is required."),
        (_new_account(name="   "), "Your full name: this field is required."),
    ],
    ids=["common", "numeric", "short", "like-email", "mismatch", "no-name", "blank-name"],
)
def test_an_unacceptable_account_is_refused_and_nothing_is_written(client, invitation, data, error):
    before = _accounts_written()

    response = client.post(invitation.get_absolute_url(), data)

    assert response.status_code == 400
    assert error in _text(response)
    assert _accounts_written() == before
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert _signed_in_id(client) is None


@pytest.mark.django_db
def test_a_reviewer_invitation_makes_a_reviewer_without_a_membership(client):
    invitation = InvitationFactory(organisation=None, role=InvitationRole.REVIEWER)

    page = client.get(invitation.get_absolute_url())
    response = client.post(invitation.get_absolute_url(), _new_account(), follow=True)

    assert "Join the peer reviewer pool" in _text(page)
    assert "set up an authenticator app" in _text(page)
    user = User.objects.get(email=invitation.email)
    assert user.is_reviewer is True
    assert Membership.objects.count() == 0
    # Signed in, but the portal waits until the new reviewer sets up two-factor sign-in.
    assert _signed_in_id(client) == str(user.pk)
    assert response.redirect_chain[:2] == [
        (reverse("accounts:home"), 302),
        (reverse("mfa_activate_totp"), 302),
    ]


# Links that can no longer be used.


def _expire(invitation):
    invitation.expires_at = timezone.now() - timedelta(seconds=1)


def _use(invitation):
    invitation.accepted_at = timezone.now()


def _withdraw(invitation):
    invitation.revoked_at = timezone.now()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_expire, "This invitation has expired. Ask the person who invited you to send a new one."),
        (_use, "This invitation has already been used. Sign in instead"),
        (_withdraw, "This invitation was withdrawn."),
    ],
    ids=["expired", "used", "withdrawn"],
)
def test_a_spent_link_answers_410_and_writes_nothing(client, invitation, spoil, message, method):
    spoil(invitation)
    invitation.save()
    before = _accounts_written()

    response = getattr(client, method)(invitation.get_absolute_url(), _new_account())

    assert response.status_code == 410
    page = _text(response)
    assert message in page
    assert "This invitation cannot be used" in page
    assert f"You were invited by {invitation.invited_by.name}" in page
    assert _accounts_written() == before
    assert _signed_in_id(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_answers_404_with_a_clear_message(client, method):
    response = getattr(client, method)(
        reverse("accounts:invitation_accept", kwargs={"token": "not-a-real-token"}),
        _new_account(),
    )

    assert response.status_code == 404
    assert "This invitation link is not valid. Check that you copied the whole link" in _text(
        response
    )
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_the_same_link_cannot_be_used_twice(client, invitation):
    first = client.post(invitation.get_absolute_url(), _new_account())
    client.logout()

    second = client.post(invitation.get_absolute_url(), _new_account(name="Someone Else"))

    assert first.status_code == 302
    assert second.status_code == 410
    assert "already been used" in _text(second)
    assert list(User.objects.filter(email="sam@example.org").values_list("name", flat=True)) == [
        "Sam Okoye"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_second_acceptance_waits_for_the_first_and_is_refused(org_a):
    """The row lock serialises two people using one link at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL); SQLite serialises whole transactions")
    invitation = InvitationFactory(
        organisation=org_a, email="sam@example.org", role=InvitationRole.CONTRIBUTOR
    )
    outcome = {}

    def second_attempt():
        try:
            invitation_accept(
                invitation=Invitation.objects.get(pk=invitation.pk),
                name="Second",
                password=STRONG_PASSWORD,
            )
            outcome["second"] = "accepted"
        except ApplicationError as exc:
            outcome["second"] = exc.message
        finally:
            connection.close()

    with transaction.atomic():
        invitation_accept(invitation=invitation, name="First", password=STRONG_PASSWORD)
        racer = threading.Thread(target=second_attempt)
        racer.start()
        racer.join(timeout=0.5)
        # Still waiting on the lock the first acceptance holds.
        assert racer.is_alive()
    racer.join(timeout=10)

    assert "already been used" in outcome["second"]
    assert list(User.objects.filter(email="sam@example.org").values_list("name", flat=True)) == [
        "First"
    ]
    assert Membership.objects.count() == 1


# Someone who already has an account.


@pytest.mark.django_db
def test_an_existing_account_signs_in_then_accepts(client, invitation):
    existing = MembershipFactory(user=UserFactory(email="sam@example.org")).user
    accept_url = invitation.get_absolute_url()

    page = client.get(accept_url)
    assert "There is already an account for sam@example.org" in _text(page)
    assert f'href="{reverse("account_login")}?next={accept_url}"' in page.content.decode()
    assert "Create your account" not in _text(page)

    # Posting without signing in changes nothing.
    assert client.post(accept_url, _new_account()).status_code == 200
    assert Membership.objects.filter(user=existing).count() == 1

    signed_in = client.post(
        reverse("account_login"),
        {"login": "sam@example.org", "password": PASSWORD, "next": accept_url},
    )
    assert signed_in.status_code == 302
    assert signed_in.url == accept_url
    assert "You are signed in as sam@example.org" in _text(client.get(accept_url))

    accepted = client.post(accept_url)

    assert accepted.status_code == 302
    assert accepted.url == reverse("accounts:home")
    assert Membership.objects.get(user=existing, organisation=invitation.organisation).role == (
        MembershipRole.CONTRIBUTOR
    )
    assert User.objects.filter(email="sam@example.org").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == existing


@pytest.mark.django_db
def test_someone_signed_in_as_another_email_is_refused(client, invitation):
    other = UserFactory(email="someone.else@example.org")
    client.force_login(other)
    before = _accounts_written()

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert (
        "This invitation is for sam@example.org, but you are signed in as someone.else@example.org."
        in _text(response)
    )
    assert _accounts_written() == before
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert other.memberships.count() == 0


@pytest.mark.django_db
def test_a_signed_in_lead_accepting_a_reviewer_invitation_becomes_a_reviewer(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    invitation = InvitationFactory(
        organisation=None, role=InvitationRole.REVIEWER, email=lead.email
    )
    client.force_login(lead)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.is_reviewer is True
    assert lead.memberships.get().role == MembershipRole.LEAD


# Sending, withdrawing and removing through the pages.


def _invite_url(organisation):
    return reverse("organisations:invitation_create", kwargs={"slug": organisation.slug})


@pytest.mark.django_db
def test_a_lead_sends_an_invitation_from_the_workspace(client, org_a, org_b):
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    response = client.post(
        _invite_url(org_a),
        {
            "email": "new@example.org",
            "name": "New Person",
            "role": InvitationRole.CONTRIBUTOR,
            "next": org_a.get_absolute_url(),
        },
        follow=True,
    )

    assert response.redirect_chain == [(org_a.get_absolute_url(), 302)]
    assert "Invitation sent to new@example.org." in _text(response)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new@example.org", InvitationRole.CONTRIBUTOR)


@pytest.mark.django_db
def test_the_invite_page_offers_no_reviewer_role(client, org_a, org_b):
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    response = client.post(
        _invite_url(org_a), {"email": "r@example.org", "role": InvitationRole.REVIEWER}
    )

    assert response.status_code == 400
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_inviting_a_member_shows_the_refusal(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    client.force_login(lead)

    response = client.post(
        _invite_url(org_a), {"email": lead.email, "role": InvitationRole.CONTRIBUTOR}
    )

    assert response.status_code == 400
    assert f"{lead.email} is already a member of {org_a}." in _text(response)
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("lead_a", 200),
        ("staff", 200),
        ("contributor_a", 404),
        ("lead_b", 404),
        ("outsider", 404),
        ("reviewer", 404),
    ],
)
def test_who_may_open_the_invite_page(client, org_a, org_b, role, status):
    user = person(role, org_a=org_a, org_b=org_b)
    if user.requires_two_factor:
        with_totp(user)
    client.force_login(user)

    assert client.get(_invite_url(org_a)).status_code == status
    post = client.post(_invite_url(org_a), {"email": "x@example.org", "role": "contributor"})
    assert post.status_code == (302 if status == 200 else 404)


@pytest.mark.django_db
def test_signing_in_is_needed_to_invite(client, org_a):
    response = client.get(_invite_url(org_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("https://evil.example/", "workspace"),
        ("//evil.example/path", "workspace"),
        ("/accounts/home/", "/accounts/home/"),
    ],
)
def test_the_invite_page_never_redirects_off_site(client, org_a, org_b, next_url, lands_on):
    client.force_login(person("lead_a", org_a=org_a, org_b=org_b))

    response = client.post(
        _invite_url(org_a), {"email": "x@example.org", "role": "contributor", "next": next_url}
    )

    assert response.status_code == 302
    assert response.url == (org_a.get_absolute_url() if lands_on == "workspace" else lands_on)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("lead_a", 302), ("contributor_a", 404)])
def test_withdrawing_through_the_page(client, org_a, org_b, role, status):
    invitation = InvitationFactory(organisation=org_a)
    client.force_login(person(role, org_a=org_a, org_b=org_b))

    response = client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}))

    assert response.status_code == status
    invitation.refresh_from_db()
    expected = InvitationStatus.REVOKED if status == 302 else InvitationStatus.PENDING
    assert invitation.status == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("staff", 302), ("lead_a", 404), ("reviewer", 404)])
def test_only_staff_withdraw_a_reviewer_invitation_through_the_page(
    client, org_a, org_b, role, status
):
    invitation = InvitationFactory(organisation=None, role=InvitationRole.REVIEWER)
    user = person(role, org_a=org_a, org_b=org_b)
    if user.requires_two_factor:
        with_totp(user)
    client.force_login(user)

    response = client.post(reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}))

    assert response.status_code == status
    if status == 302:
        assert response.url == reverse("reviews:pool")
    invitation.refresh_from_db()
    expected = InvitationStatus.REVOKED if status == 302 else InvitationStatus.PENDING
    assert invitation.status == expected


@pytest.mark.django_db
def test_withdrawing_a_used_invitation_shows_why_not(client, org_a):
    invitation = InvitationFactory(organisation=org_a, accepted_at=timezone.now())
    client.force_login(with_totp(StaffFactory()))

    response = client.post(
        reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk}), follow=True
    )

    assert "Only a pending invitation can be withdrawn." in _text(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("lead_a", 302), ("contributor_a", 404)])
def test_removing_a_member_through_the_page(client, org_a, org_b, role, status):
    target = MembershipFactory(organisation=org_a, role=MembershipRole.CONTRIBUTOR)
    client.force_login(person(role, org_a=org_a, org_b=org_b))

    response = client.post(reverse("accounts:membership_remove", kwargs={"pk": target.pk}))

    assert response.status_code == status
    assert Membership.objects.filter(pk=target.pk).exists() is (status == 404)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:invitation_revoke", "accounts:membership_remove"])
def test_withdrawing_and_removing_need_a_post(client, org_a, name):
    client.force_login(with_totp(StaffFactory()))

    assert client.get(reverse(name, kwargs={"pk": 1})).status_code == 405
