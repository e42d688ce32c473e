"""Signing in, where people land, the closed sign-up, rate limits and password reset."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.enums import MembershipRole
from accounts.models import User
from core.enums import EmailStatus
from core.models import OutboundEmail
from tests.accounts.people import PASSWORD, STRONG_PASSWORD, person
from tests.conftest import with_totp
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
HOME = reverse("accounts:home")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _signed_in_id(client):
    return client.session.get(SESSION_KEY)


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


# Sign-up is closed: accounts come only from invitations.


def test_the_sign_up_page_explains_accounts_are_by_invitation(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assert "Accounts are by invitation" in _text(response)
    assert 'name="password1"' not in response.content.decode()


def test_posting_to_sign_up_creates_nobody(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "eager@example.org", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )

    assert "Accounts are by invitation" in _text(response)
    assert User.objects.count() == 0
    assert _signed_in_id(client) is None


def test_the_login_page_offers_no_sign_up_link(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert reverse("account_signup") not in response.content.decode()
    assert "Accounts are by invitation only" in _text(response)


# Signing in and landing.


def test_a_lead_signs_in_by_email_and_lands_on_their_workspace(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    response = client.post(LOGIN, {"login": lead.email, "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(HOME, 302), (org_a.get_absolute_url(), 302)]
    assert response.status_code == 200
    assert _signed_in_id(client) == str(lead.pk)


def test_the_email_is_not_case_sensitive(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    response = _sign_in(client, lead.email.upper())

    assert response.url == HOME
    assert _signed_in_id(client) == str(lead.pk)


@pytest.mark.parametrize(
    "password", ["wrong-password", "", PASSWORD.upper()], ids=["wrong", "empty", "case"]
)
def test_a_wrong_password_does_not_sign_in(client, org_a, org_b, password):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    response = _sign_in(client, lead.email, password)

    assert response.status_code == 200
    assert _signed_in_id(client) is None


def test_an_unknown_email_gets_the_same_refusal_as_a_wrong_password(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    wrong = _sign_in(client, lead.email, "wrong-password")
    unknown = _sign_in(client, "nobody@example.org", "wrong-password")

    message = "The email address and/or password you specified are not correct."
    assert message in _text(wrong)
    assert message in _text(unknown)


def test_a_deactivated_account_cannot_sign_in(client, org_a, org_b):
    user = person("inactive_lead_a", org_a=org_a, org_b=org_b)

    response = _sign_in(client, user.email)

    assert (response.status_code, response.url) == (302, reverse("account_inactive"))
    assert _signed_in_id(client) is None


def test_staff_land_on_the_pipeline(client):
    client.force_login(with_totp(person("staff", org_a=None, org_b=None)))

    assert client.get(HOME).url == reverse("organisations:pipeline")


def test_a_member_of_several_organisations_chooses_on_the_home_page(client, org_a, org_b):
    user = UserFactory()
    MembershipFactory(user=user, organisation=org_a, role=MembershipRole.LEAD)
    MembershipFactory(user=user, organisation=org_b, role=MembershipRole.CONTRIBUTOR)
    client.force_login(user)

    response = client.get(HOME)

    assert response.status_code == 200
    page = _text(response)
    assert org_a.name in page
    assert org_b.name in page
    assert org_a.get_absolute_url() in page


def test_a_reviewer_with_one_organisation_lands_on_the_home_page(client, org_a, org_b):
    reviewer = with_totp(person("reviewer", org_a=org_a, org_b=org_b))
    MembershipFactory(user=reviewer, organisation=org_a, role=MembershipRole.CONTRIBUTOR)
    client.force_login(reviewer)

    response = client.get(HOME)

    assert response.status_code == 200
    assert "You are in the pool of peer reviewers" in _text(response)
    assert org_a.name in _text(response)


def test_someone_without_a_role_is_told_how_to_get_one(client):
    client.force_login(UserFactory())

    response = client.get(HOME)

    assert "Your account is not yet linked to an organisation" in _text(response)


def test_home_needs_signing_in(client):
    response = client.get(HOME)

    assert response.url == f"{LOGIN}?next={HOME}"


# Rate limits (ACCOUNT_RATE_LIMITS["login_failed"] = "10/m/ip,5/5m/key"). allauth refuses
# with the sign-in form and an error, not a 429 (that is for the "login" limit, 30/m/ip).


def test_after_five_failures_even_the_right_password_is_refused(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    for _ in range(5):
        assert _sign_in(client, lead.email, "wrong-password").status_code == 200

    response = _sign_in(client, lead.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in _text(response)
    assert _signed_in_id(client) is None


def test_four_failures_still_allow_the_right_password(client, org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    for _ in range(4):
        _sign_in(client, lead.email, "wrong-password")

    response = _sign_in(client, lead.email, PASSWORD)

    assert response.url == HOME
    assert _signed_in_id(client) == str(lead.pk)


def test_one_locked_account_does_not_lock_another(client, org_a, org_b):
    locked = person("lead_a", org_a=org_a, org_b=org_b)
    other = person("lead_b", org_a=org_a, org_b=org_b)
    for _ in range(5):
        _sign_in(client, locked.email, "wrong-password")

    response = _sign_in(client, other.email, PASSWORD)

    assert response.url == HOME
    assert _signed_in_id(client) == str(other.pk)


def test_many_failures_from_one_address_lock_every_account(client):
    for n in range(10):
        _sign_in(client, f"guess{n}@example.org", "wrong-password")
    user = UserFactory()

    response = _sign_in(client, user.email, PASSWORD)

    assert "Too many failed login attempts" in _text(response)
    assert _signed_in_id(client) is None


def test_more_than_thirty_sign_in_posts_a_minute_get_429(client):
    for _ in range(30):
        assert client.post(LOGIN, {}).status_code == 200

    assert client.post(LOGIN, {}).status_code == 429


# Password reset goes through the outbox.


def test_password_reset_is_recorded_in_the_outbox_and_delivered(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": lead.email})

    assert response.url == reverse("account_reset_password_done")
    outbox = OutboundEmail.objects.get()
    assert outbox.to == [lead.email]
    assert outbox.template == "account/email/password_reset_key"
    assert outbox.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert outbox.status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert mail.outbox[0].subject == outbox.subject
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_reset_link_sets_a_new_password(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": lead.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)

    form = client.get(link.group(1), follow=True)
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )

    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password(STRONG_PASSWORD)
    # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off: the person signs in themselves.
    assert _signed_in_id(client) is None
    assert _sign_in(client, lead.email, STRONG_PASSWORD).url == HOME


def test_a_reset_for_an_unknown_address_looks_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.url == reverse("account_reset_password_done")
    # No reset link goes to an address without an account.
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
