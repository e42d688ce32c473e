"""A first authenticator needs more than the password: a one-time link emailed to the
account's own address, followed and confirmed in the session that sets it up."""

import html
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnrolmentLink
from core.models import ActivityLog, OutboundEmail
from tests.accounts.people import PASSWORD, current_totp_code, person
from tests.conftest import with_totp
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("mfa_activate_totp")
CONFIRM = reverse("accounts:two_factor_confirm")
LOGIN = reverse("account_login")


def _text(response) -> str:
    """The page's words, as read: tags dropped, spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split()).replace(" .", ".").replace(" :", ":")


def _sign_in(client, user):
    """A real sign-in with the password, as someone who has only the password would."""
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # allauth asks for the password again before two-factor changes; do it up front.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def _ask_for_link(client) -> str:
    """Ask for the link and read it, as its owner would, from the email."""
    response = client.post(CONFIRM)
    assert (response.status_code, response.url) == (302, CONFIRM)
    email = OutboundEmail.objects.filter(template="accounts/two_factor_link").latest("pk")
    return re.search(r"https?://\S+(/accounts/two-factor/confirm/\S+/)", email.body_text)[1]


def _try_to_enrol(client, secret=None) -> Client:
    """Post a correct code for a secret planted in the session, as an attacker could."""
    secret = secret or generate_totp_secret()
    session = client.session
    session[SECRET_SESSION_KEY] = secret
    session.save()
    return client.post(ACTIVATE, {"code": current_totp_code(secret)})


# With only the password.


@pytest.mark.parametrize("role", ["staff", "reviewer", "lead_a", "outsider"])
def test_the_password_alone_cannot_reach_the_set_up(client, role, org_a, org_b):
    user = person(role, org_a=org_a, org_b=org_b)
    _sign_in(client, user)

    page = client.get(ACTIVATE)
    attempt = _try_to_enrol(client)

    assert (page.status_code, page.url) == (302, CONFIRM)
    assert (attempt.status_code, attempt.url) == (302, CONFIRM)
    assert not Authenticator.objects.filter(user=user).exists()


def test_recovery_codes_cannot_be_a_first_factor_either(client):
    staff = StaffFactory()
    _sign_in(client, staff)

    client.post(reverse("mfa_generate_recovery_codes"))

    assert not Authenticator.objects.filter(user=staff).exists()


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_portal_pages_lead_first_to_confirming_by_email(client, role, org_a, org_b):
    _sign_in(client, person(role, org_a=org_a, org_b=org_b))

    response = client.get(reverse("accounts:home"), follow=True)

    assert response.redirect_chain == [(CONFIRM, 302)]
    text = _text(response)
    assert "Confirm it’s you" in text
    assert "Your role requires two-factor sign-in." in text


def test_the_confirm_page_says_where_the_link_goes(client):
    staff = StaffFactory(email="alex.morgan@itss.example.org")
    _sign_in(client, staff)

    page = client.get(CONFIRM)

    assert page.status_code == 200
    assert "we will email a one-time link to alex.morgan@itss.example.org" in _text(page)
    assert EnrolmentLink.objects.count() == 0  # a GET sends nothing


# The link.


def test_the_link_goes_to_the_accounts_own_address_and_only_its_digest_is_kept(client):
    staff = StaffFactory(email="alex.morgan@itss.example.org")
    _sign_in(client, staff)

    path = _ask_for_link(client)

    email = OutboundEmail.objects.get(template="accounts/two_factor_link")
    assert email.to == ["alex.morgan@itss.example.org"]
    assert email.subject == (
        "Confirm it's you to set up two-factor sign-in on the Technician Commitment portal"
    )
    assert "If it was not you, do not open the link: someone knows your password." in (
        email.body_text
    )
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = EnrolmentLink.objects.get()
    assert link.user == staff
    assert token not in link.token_digest
    assert (
        timedelta(minutes=29, seconds=59)
        < link.expires_at - link.created_at
        <= timedelta(minutes=30)
    )
    assert ActivityLog.objects.filter(verb="two-factor set-up link sent", actor=staff).exists()


def test_following_the_link_then_confirming_opens_the_set_up(client):
    staff = StaffFactory()
    _sign_in(client, staff)
    path = _ask_for_link(client)

    shown = client.get(path)
    confirmed = client.post(path)

    assert shown.status_code == 200
    assert "Confirm and set up two-factor sign-in" in _text(shown)
    assert (confirmed.status_code, confirmed.url) == (302, ACTIVATE)
    assert client.get(ACTIVATE).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    done = client.post(ACTIVATE, {"code": current_totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/staff/pipeline/").status_code == 200
    assert EnrolmentLink.objects.get().used_at is not None


def test_opening_the_link_uses_nothing_up(client):
    """Mail scanners open links: a GET must neither use the link nor open the set-up."""
    _sign_in(client, StaffFactory())
    path = _ask_for_link(client)

    for _ in range(3):
        assert client.get(path).status_code == 200

    assert EnrolmentLink.objects.get().used_at is None
    assert client.get(ACTIVATE).url == CONFIRM
    assert client.post(path).url == ACTIVATE


def test_the_link_works_once(client):
    staff = StaffFactory()
    _sign_in(client, staff)
    path = _ask_for_link(client)
    client.post(path)
    elsewhere = _sign_in(Client(), staff)

    again = elsewhere.post(path)

    assert again.status_code == 410
    assert "This link has already been used." in _text(again)
    assert elsewhere.get(ACTIVATE).url == CONFIRM
    assert (_try_to_enrol(elsewhere).status_code, Authenticator.objects.count()) == (302, 0)


def test_an_expired_link_is_refused(client):
    _sign_in(client, StaffFactory())
    path = _ask_for_link(client)
    EnrolmentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    shown = client.get(path)
    posted = client.post(path)

    assert shown.status_code == posted.status_code == 410
    assert "This link has expired. Ask for a new one." in _text(posted)
    assert EnrolmentLink.objects.get().used_at is None
    assert client.get(ACTIVATE).url == CONFIRM


def test_the_link_works_only_for_its_own_account(client):
    owner = StaffFactory()
    _sign_in(client, owner)
    path = _ask_for_link(client)
    other = _sign_in(Client(), StaffFactory())

    shown = other.get(path)
    posted = other.post(path)

    assert shown.status_code == posted.status_code == 404
    assert "This link was sent for a different account." in _text(posted)
    assert EnrolmentLink.objects.get().used_at is None
    assert other.get(ACTIVATE).url == CONFIRM
    # Still good for its owner.
    assert client.post(path).url == ACTIVATE


def test_confirming_opens_the_set_up_in_that_session_only(client):
    staff = StaffFactory()
    _sign_in(client, staff)
    path = _ask_for_link(client)
    other_session = _sign_in(Client(), staff)

    client.post(path)

    assert client.get(ACTIVATE).status_code == 200
    assert other_session.get(ACTIVATE).url == CONFIRM


def test_a_made_up_link_is_refused_without_error(client):
    _sign_in(client, StaffFactory())

    response = client.post(reverse("accounts:two_factor_link", kwargs={"token": "x" * 300}))

    assert response.status_code == 404
    assert "This link is not valid." in _text(response)


def test_a_signed_out_visitor_signs_in_first_and_comes_back_to_the_link(client):
    staff = StaffFactory()
    _sign_in(client, staff)
    path = _ask_for_link(client)
    browser = Client()

    response = browser.get(path)
    assert response.url == f"{LOGIN}?next={path}"
    signed_in = browser.post(response.url, {"login": staff.email, "password": PASSWORD})

    assert signed_in.url == path
    assert browser.get(path).status_code == 200


def test_using_a_link_retires_the_accounts_other_links(client):
    _sign_in(client, StaffFactory())
    first = _ask_for_link(client)
    EnrolmentLink.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    second = _ask_for_link(client)

    client.post(second)

    assert EnrolmentLink.objects.filter(used_at__isnull=True).count() == 0
    assert client.post(first).status_code == 410


# Asking for links.


def test_a_second_link_within_a_minute_is_refused(client):
    _sign_in(client, StaffFactory())
    _ask_for_link(client)

    response = client.post(CONFIRM)

    assert response.status_code == 429
    assert "A link was sent less than a minute ago." in _text(response)
    assert OutboundEmail.objects.filter(template="accounts/two_factor_link").count() == 1


def test_no_more_than_five_links_an_hour(client):
    staff = StaffFactory()
    _sign_in(client, staff)
    an_hour_ago = timezone.now() - timedelta(minutes=59)
    for minutes in range(5):
        EnrolmentLink.objects.create(
            user=staff, token_digest=f"{minutes}" * 64, expires_at=timezone.now()
        )
    EnrolmentLink.objects.update(created_at=an_hour_ago)

    response = client.post(CONFIRM)

    assert response.status_code == 429
    assert "5 links were sent in the last hour." in _text(response)
    assert EnrolmentLink.objects.count() == 5
    assert not OutboundEmail.objects.exists()


def test_the_limits_count_per_account(client):
    _sign_in(client, StaffFactory())
    _ask_for_link(client)
    other = _sign_in(Client(), StaffFactory())

    assert other.post(CONFIRM).url == CONFIRM
    assert EnrolmentLink.objects.count() == 2


def test_the_page_says_a_link_was_sent(client):
    _sign_in(client, StaffFactory())
    _ask_for_link(client)

    page = client.get(CONFIRM)

    assert "We sent a link at" in _text(page)
    assert "Send another link" in _text(page)


def test_with_an_authenticator_there_is_nothing_to_confirm(client):
    staff = with_totp(StaffFactory())
    client.force_login(staff)

    assert client.get(CONFIRM).url == reverse("mfa_index")
    assert client.post(CONFIRM).url == reverse("mfa_index")
    assert not EnrolmentLink.objects.exists()


# Other proof that the mailbox is the person's.


def test_accepting_an_invitation_counts_as_confirming(client):
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(organisation=None, role="reviewer")
    client.post(
        invitation.get_absolute_url(),
        {
            "name": "Sam Reviewer",
            "password1": "lab-bench-pipette-42",
            "password2": "lab-bench-pipette-42",
        },
    )

    assert client.get(reverse("accounts:home")).url == ACTIVATE


def test_a_member_may_still_choose_two_factor_through_the_link(client, org_a):
    lead = person("lead_a", org_a=org_a, org_b=None)
    _sign_in(client, lead)
    assert client.get(org_a.get_absolute_url()).status_code == 200  # never pushed to it

    client.post(_ask_for_link(client))

    assert client.get(ACTIVATE).status_code == 200


def test_an_account_without_a_role_is_not_pushed_to_confirm(client):
    _sign_in(client, UserFactory())

    assert client.get(reverse("accounts:home")).status_code == 200
