import pytest
from django.core import mail

from accounts.models import Invitation
from tests.conftest import with_totp
from tests.factories import InvitationFactory, MembershipFactory, ReviewerFactory, UserFactory

URL = "/staff/reviewers/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["outsider", "lead", "reviewer"])
def test_only_staff_see_the_pool(client, role):
    user = {
        "outsider": UserFactory,
        "lead": lambda: MembershipFactory().user,
        "reviewer": lambda: with_totp(ReviewerFactory()),
    }[role]()
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"email": "x@example.org", "role": "reviewer"}).status_code == 404
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_staff_invite_a_reviewer_who_then_joins(staff_client, client):
    response = staff_client.post(
        URL, {"name": "Kim Lee", "email": "Kim@Example.org", "role": "reviewer"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.organisation) == (
        "kim@example.org",
        "reviewer",
        None,
    )
    assert mail.outbox[0].to == ["kim@example.org"]
    assert invitation.token in mail.outbox[0].body

    page = staff_client.get(URL)
    assert b"kim@example.org" in page.content


@pytest.mark.django_db
def test_inviting_an_existing_reviewer_is_refused_with_a_message(staff_client):
    ReviewerFactory(email="r@example.org")
    response = staff_client.post(URL, {"email": "r@example.org", "role": "reviewer"})
    assert response.status_code == 400
    assert "already a peer reviewer" in response.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_staff_withdraw_a_reviewer_invitation(staff_client, staff_user):
    invitation = InvitationFactory(role="reviewer", organisation=None, invited_by=staff_user)
    response = staff_client.post(
        f"/accounts/invitations/{invitation.pk}/revoke/", {"next": "https://elsewhere.example.com/"}
    )
    # A "next" pointing off the site is ignored.
    assert response["Location"] == URL
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.django_db
def test_pool_queries_do_not_grow_with_reviewers(staff_client):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        MembershipFactory(user=ReviewerFactory(), role="contributor")
    small = count()
    for _ in range(25):
        MembershipFactory(user=ReviewerFactory(), role="contributor")
        InvitationFactory(role="reviewer", organisation=None)
    assert count() == small
