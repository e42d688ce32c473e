"""Two-factor sign-in: ITSS staff and peer reviewers cannot use the portal without it."""

import html
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.enums import InvitationRole
from accounts.models import Invitation
from core.models import OutboundEmail
from tests.accounts.people import PASSWORD, current_totp_code, person
from tests.conftest import with_totp
from tests.factories import InvitationFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("mfa_activate_totp")
CONFIRM = reverse("accounts:two_factor_confirm")
AUTHENTICATE = reverse("mfa_authenticate")
LOGIN = reverse("account_login")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _signed_in_id(client):
    return client.session.get(SESSION_KEY)


def _sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"login": user.email, "password": password})


def _portal_pages(org):
    return [
        "/",
        "/staff/pipeline/",
        "/staff/reviewers/",
        "/accounts/home/",
        org.get_absolute_url(),
        reverse("organisations:invitation_create", kwargs={"slug": org.slug}),
    ]


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_without_an_authenticator_every_portal_page_leads_to_set_up(client, role, org_a, org_b):
    client.force_login(person(role, org_a=org_a, org_b=org_b))

    for path in _portal_pages(org_a):
        response = client.get(path)
        # First to confirming by email that the account is theirs (test_two_factor_enrolment).
        assert (path, response.status_code, response.url) == (path, 302, CONFIRM)


def test_home_leads_staff_on_to_set_up(client):
    client.force_login(StaffFactory())

    response = client.get(reverse("accounts:home"), follow=True)

    assert response.redirect_chain[0] == (CONFIRM, 302)
    assert (
        "Your role requires two-factor sign-in. Set up an authenticator app to continue."
        in _text(response)
    )


def test_staff_without_an_authenticator_cannot_invite(client, org_a):
    client.force_login(StaffFactory())

    response = client.post(
        reverse("organisations:invitation_create", kwargs={"slug": org_a.slug}),
        {"email": "new@example.org", "role": InvitationRole.LEAD},
    )

    assert (response.status_code, response.url) == (302, CONFIRM)
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_with_an_authenticator_the_pages_open(client, role, org_a, org_b):
    user = with_totp(person(role, org_a=org_a, org_b=org_b))
    client.force_login(user)

    assert client.get("/").status_code == 200
    pipeline = client.get("/staff/pipeline/")
    # Reviewers get past two-factor sign-in, and then are simply not staff.
    assert pipeline.status_code == (200 if role == "staff" else 404)


@pytest.mark.parametrize("role", ["lead_a", "contributor_a"])
def test_members_are_never_asked_for_two_factor(client, role, org_a, org_b):
    client.force_login(person(role, org_a=org_a, org_b=org_b))

    assert client.get(reverse("accounts:home")).url == org_a.get_absolute_url()
    assert client.get(org_a.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200


def test_someone_without_a_role_is_never_asked_for_two_factor(client):
    client.force_login(person("outsider", org_a=None, org_b=None))

    assert client.get(reverse("accounts:home")).status_code == 200
    assert client.get("/").status_code == 200


def test_staff_can_still_sign_out_check_health_and_accept_an_invitation(client):
    staff = StaffFactory()
    invitation = InvitationFactory(
        organisation=None, role=InvitationRole.REVIEWER, email=staff.email
    )
    client.force_login(staff)

    assert client.get("/healthz").status_code == 200
    assert client.get(invitation.get_absolute_url()).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_change_password")).status_code == 200

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert _signed_in_id(client) is None


def test_a_new_staff_member_sets_up_an_authenticator_and_gets_in(client):
    staff = StaffFactory()
    # A real sign-in: no authenticator yet, so the password alone signs in ...
    assert _sign_in(client, staff).url == reverse("accounts:home")
    # ... and the portal sends them to confirm by email that the account is theirs ...
    assert client.get(reverse("accounts:home")).url == CONFIRM
    client.post(CONFIRM)
    email = OutboundEmail.objects.get(template="accounts/two_factor_link")
    link = re.search(r"https?://\S+(/accounts/two-factor/confirm/\S+/)", email.body_text)[1]
    # ... then to set one up, after allauth asks for the password again.
    reauthenticate = f"{reverse('account_reauthenticate')}?next={ACTIVATE.replace('/', '%2F')}"
    setup = client.post(link, follow=True)
    assert setup.redirect_chain == [(ACTIVATE, 302), (reauthenticate, 302)]
    confirmed = client.post(reauthenticate, {"password": PASSWORD})
    assert confirmed.url == ACTIVATE
    assert client.get(ACTIVATE).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(ACTIVATE, {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()

    done = client.post(ACTIVATE, {"code": current_totp_code(secret)})

    assert done.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/staff/pipeline/").status_code == 200


# The real sign-in journey for someone who has an authenticator.


@pytest.fixture(params=["staff", "reviewer"])
def two_factor_user(request):
    user = StaffFactory() if request.param == "staff" else ReviewerFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    return user


def _wrong_code(secret):
    right = current_totp_code(secret)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_the_password_alone_does_not_sign_in(client, two_factor_user):
    response = _sign_in(client, two_factor_user)

    assert (response.status_code, response.url) == (302, AUTHENTICATE)
    assert _signed_in_id(client) is None
    page = client.get(AUTHENTICATE)
    assert page.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in _text(page)
    assert client.get("/").status_code == 200  # the public home page
    assert client.get(reverse("accounts:home")).url.startswith(LOGIN)


def test_a_wrong_code_does_not_sign_in(client, two_factor_user):
    _sign_in(client, two_factor_user)

    response = client.post(AUTHENTICATE, {"code": _wrong_code(two_factor_user.totp_secret)})

    assert response.status_code == 200
    assert "Incorrect code." in _text(response)
    assert _signed_in_id(client) is None


def test_the_right_code_signs_in(client, two_factor_user):
    _sign_in(client, two_factor_user)

    response = client.post(AUTHENTICATE, {"code": current_totp_code(two_factor_user.totp_secret)})

    assert (response.status_code, response.url) == (302, reverse("accounts:home"))
    assert _signed_in_id(client) == str(two_factor_user.pk)
    home = client.get(reverse("accounts:home"))
    landing = reverse(
        "organisations:pipeline" if two_factor_user.is_itss_staff else "reviews:dashboard"
    )
    assert home.url == landing
    assert client.get(landing).status_code == 200


def test_a_code_works_only_once(client, two_factor_user):
    code = current_totp_code(two_factor_user.totp_secret)
    _sign_in(client, two_factor_user)
    client.post(AUTHENTICATE, {"code": code})
    client.post(reverse("account_logout"))

    _sign_in(client, two_factor_user)
    replay = client.post(AUTHENTICATE, {"code": code})

    assert replay.status_code == 200
    assert _signed_in_id(client) is None


def test_a_reused_code_says_it_was_already_used(client, two_factor_user):
    code = current_totp_code(two_factor_user.totp_secret)
    _sign_in(client, two_factor_user)
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    _sign_in(client, two_factor_user)
    replay = client.post(AUTHENTICATE, {"code": code})

    assert replay.status_code == 200
    assert "This code has already been used. Wait for the next code." in _text(replay)
    assert "Incorrect code." not in _text(replay)
    assert _signed_in_id(client) is None


def test_confirming_it_is_you_with_a_used_code_says_so(client, two_factor_user):
    code = current_totp_code(two_factor_user.totp_secret)
    _sign_in(client, two_factor_user)
    client.post(AUTHENTICATE, {"code": code})

    response = client.post(reverse("mfa_reauthenticate"), {"code": code})

    assert response.status_code == 200
    assert "This code has already been used. Wait for the next code." in _text(response)


def test_repeated_wrong_codes_lock_the_second_step(client, two_factor_user):
    _sign_in(client, two_factor_user)
    for _ in range(5):
        client.post(AUTHENTICATE, {"code": _wrong_code(two_factor_user.totp_secret)})

    response = client.post(AUTHENTICATE, {"code": current_totp_code(two_factor_user.totp_secret)})

    assert "Too many failed login attempts. Try again later." in _text(response)
    assert _signed_in_id(client) is None


def test_the_admin_login_cannot_skip_the_second_factor(client):
    staff = with_totp(StaffFactory(is_staff=True))

    client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": PASSWORD, "next": "/django-admin/"},
    )

    assert _signed_in_id(client) is None
    assert client.get("/staff/pipeline/").status_code != 200
