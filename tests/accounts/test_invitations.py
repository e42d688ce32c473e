"""Invitation and membership services: who may invite whom, and what each call writes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.enums import InvitationRole, InvitationStatus, MembershipRole
from accounts.models import Invitation, Membership
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
)
from core.enums import EmailStatus
from core.exceptions import ApplicationError, NotPermitted
from core.models import ActivityLog, OutboundEmail
from core.services import activity_for
from tests.accounts.people import STRONG_PASSWORD, person
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    ReviewerFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _written():
    """Row counts of everything an invitation can write."""
    return (
        Invitation.objects.count(),
        OutboundEmail.objects.count(),
        ActivityLog.objects.count(),
        Membership.objects.count(),
    )


def test_staff_invites_a_lead_queues_delivers_and_logs(org_a, django_capture_on_commit_callbacks):
    staff = StaffFactory(name="Alex Morgan")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            inviter=staff,
            email="  New.Lead@Example.ORG ",
            role=InvitationRole.LEAD,
            organisation=org_a,
            name=" Priya Shah ",
        )

    assert (invitation.email, invitation.name) == ("new.lead@example.org", "Priya Shah")
    assert (invitation.role, invitation.invited_by) == (InvitationRole.LEAD, staff)
    assert invitation.status == InvitationStatus.PENDING
    accept_url = f"{settings.SITE_URL}/accounts/invitations/{invitation.token}/"

    outbox = OutboundEmail.objects.get()
    assert outbox.to == ["new.lead@example.org"]
    assert outbox.template == "accounts/invitation"
    assert outbox.about == invitation
    assert outbox.status == EmailStatus.SENT
    assert accept_url in outbox.body_text

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["new.lead@example.org"]
    assert sent.subject == (
        f"You are invited to join {org_a.name} on the Technician Commitment portal"
    )
    assert accept_url in sent.body
    assert "Alex Morgan has invited you" in sent.body
    assert "institutional lead" in sent.body

    log = activity_for(org_a).get()
    assert (log.actor, log.verb) == (staff, "invitation sent")
    assert log.note == "new.lead@example.org invited as institutional lead."


def test_nothing_is_delivered_before_the_transaction_commits(org_a):
    invitation_create(
        inviter=StaffFactory(), email="x@example.org", role=InvitationRole.LEAD, organisation=org_a
    )

    assert OutboundEmail.objects.get().status == EmailStatus.QUEUED
    assert mail.outbox == []


def test_a_lead_invites_a_contributor(org_a, org_b, django_capture_on_commit_callbacks):
    lead = person("lead_a", org_a=org_a, org_b=org_b)

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            inviter=lead,
            email="colleague@example.org",
            role=InvitationRole.CONTRIBUTOR,
            organisation=org_a,
        )

    assert invitation.status == InvitationStatus.PENDING
    assert (invitation.organisation, invitation.invited_by) == (org_a, lead)
    assert [m.to for m in mail.outbox] == [["colleague@example.org"]]
    assert activity_for(org_a).get().note == "colleague@example.org invited as contributor."


# inviter, role invited to (organisation A, or none for reviewers), allowed?
WHO_MAY_INVITE = [
    ("staff", InvitationRole.LEAD, True),
    ("staff", InvitationRole.CONTRIBUTOR, True),
    ("staff", InvitationRole.REVIEWER, True),
    ("lead_a", InvitationRole.LEAD, True),
    ("lead_a", InvitationRole.CONTRIBUTOR, True),
    ("lead_a", InvitationRole.REVIEWER, False),
    ("lead_b", InvitationRole.CONTRIBUTOR, False),
    ("contributor_a", InvitationRole.CONTRIBUTOR, False),
    ("contributor_a", InvitationRole.LEAD, False),
    ("outsider", InvitationRole.CONTRIBUTOR, False),
    ("reviewer", InvitationRole.CONTRIBUTOR, False),
    ("reviewer", InvitationRole.REVIEWER, False),
    ("inactive_staff", InvitationRole.LEAD, False),
    ("inactive_staff", InvitationRole.REVIEWER, False),
    ("anonymous", InvitationRole.CONTRIBUTOR, False),
]


@pytest.mark.parametrize(("role", "invited_as", "allowed"), WHO_MAY_INVITE)
def test_who_may_invite(role, invited_as, allowed, org_a, org_b):
    inviter = person(role, org_a=org_a, org_b=org_b)
    organisation = None if invited_as == InvitationRole.REVIEWER else org_a
    before = _written()

    if allowed:
        invitation = invitation_create(
            inviter=inviter, email="new@example.org", role=invited_as, organisation=organisation
        )
        assert invitation.status == InvitationStatus.PENDING
        assert Invitation.objects.count() == before[0] + 1
    else:
        with pytest.raises(NotPermitted):
            invitation_create(
                inviter=inviter, email="new@example.org", role=invited_as, organisation=organisation
            )
        assert _written() == before


def test_a_lead_cannot_invite_a_reviewer_even_to_their_own_organisation(org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    before = _written()

    with pytest.raises(NotPermitted, match="Only ITSS staff can invite peer reviewers"):
        invitation_create(
            inviter=lead, email="r@example.org", role=InvitationRole.REVIEWER, organisation=org_a
        )

    assert _written() == before


def test_staff_invite_a_reviewer_without_an_organisation(django_capture_on_commit_callbacks):
    staff = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            inviter=staff, email="Reviewer@Example.org", role=InvitationRole.REVIEWER
        )

    assert (invitation.organisation, invitation.role) == (None, InvitationRole.REVIEWER)
    # No organisation to log it against: only the email is written.
    assert ActivityLog.objects.count() == 0
    assert mail.outbox[0].subject == "You are invited to be a Technician Commitment peer reviewer"
    assert invitation.get_absolute_url() in mail.outbox[0].body


def test_inviting_an_existing_member_is_refused_whatever_the_case(org_a):
    MembershipFactory(organisation=org_a, user=UserFactory(email="member@example.org"))
    before = _written()

    with pytest.raises(
        ApplicationError, match=f"member@example.org is already a member of {org_a}"
    ):
        invitation_create(
            inviter=StaffFactory(),
            email="MEMBER@example.org",
            role=InvitationRole.CONTRIBUTOR,
            organisation=org_a,
        )

    assert _written() == before


def test_a_member_of_another_organisation_can_be_invited(org_a, org_b):
    MembershipFactory(organisation=org_b, user=UserFactory(email="member@example.org"))

    invitation = invitation_create(
        inviter=StaffFactory(),
        email="member@example.org",
        role=InvitationRole.LEAD,
        organisation=org_a,
    )

    assert invitation.status == InvitationStatus.PENDING


def test_inviting_an_existing_reviewer_as_reviewer_is_refused():
    ReviewerFactory(email="reviewer@example.org")
    before = _written()

    with pytest.raises(ApplicationError, match="already a peer reviewer"):
        invitation_create(
            inviter=StaffFactory(), email="Reviewer@example.org", role=InvitationRole.REVIEWER
        )

    assert _written() == before


@pytest.mark.parametrize(
    ("role", "organisation", "message"),
    [
        ("owner", "a", "Choose a valid role."),
        ("", "a", "Choose a valid role."),
        (InvitationRole.LEAD, None, "Choose the organisation the person will join."),
        (InvitationRole.CONTRIBUTOR, None, "Choose the organisation the person will join."),
    ],
)
def test_invalid_invitations_are_refused(role, organisation, message, org_a):
    before = _written()

    with pytest.raises(ApplicationError) as excinfo:
        invitation_create(
            inviter=StaffFactory(),
            email="x@example.org",
            role=role,
            organisation=org_a if organisation else None,
        )

    assert excinfo.value.message == message
    assert _written() == before


def test_re_inviting_revokes_the_earlier_pending_invitation(
    org_a, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = invitation_create(
            inviter=staff, email="lead@example.org", role=InvitationRole.LEAD, organisation=org_a
        )
        second = invitation_create(
            inviter=staff, email="LEAD@example.org", role=InvitationRole.LEAD, organisation=org_a
        )

    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED
    assert second.status == InvitationStatus.PENDING
    assert first.token != second.token
    assert list(Invitation.objects.pending()) == [second]
    assert len(mail.outbox) == 2
    with pytest.raises(ApplicationError, match="withdrawn"):
        invitation_accept(invitation=first, name="Late", password=STRONG_PASSWORD)


def test_re_inviting_leaves_other_organisations_invitations_alone(org_a, org_b):
    staff = StaffFactory()
    to_b = invitation_create(
        inviter=staff, email="lead@example.org", role=InvitationRole.LEAD, organisation=org_b
    )

    invitation_create(
        inviter=staff, email="lead@example.org", role=InvitationRole.LEAD, organisation=org_a
    )

    to_b.refresh_from_db()
    assert to_b.status == InvitationStatus.PENDING
    assert Invitation.objects.pending().count() == 2


def test_re_inviting_with_a_different_role_replaces_the_earlier_invitation(org_a):
    staff = StaffFactory()
    as_contributor = invitation_create(
        inviter=staff,
        email="person@example.org",
        role=InvitationRole.CONTRIBUTOR,
        organisation=org_a,
    )

    as_lead = invitation_create(
        inviter=staff, email="person@example.org", role=InvitationRole.LEAD, organisation=org_a
    )

    as_contributor.refresh_from_db()
    assert as_contributor.status == InvitationStatus.REVOKED
    assert list(Invitation.objects.pending()) == [as_lead]


def test_a_lead_withdraws_a_pending_invitation(org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    invitation = InvitationFactory(organisation=org_a, email="gone@example.org")

    revoked = invitation_revoke(actor=lead, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == revoked.status == InvitationStatus.REVOKED
    log = activity_for(org_a).get()
    assert (log.actor, log.verb, log.note) == (lead, "invitation withdrawn", "gone@example.org")


def test_staff_withdraw_a_reviewer_invitation():
    invitation = InvitationFactory(organisation=None, role=InvitationRole.REVIEWER)

    invitation_revoke(actor=StaffFactory(), invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


@pytest.mark.parametrize("role", ["contributor_a", "lead_b", "outsider", "reviewer"])
def test_only_those_who_may_invite_may_withdraw(role, org_a, org_b):
    invitation = InvitationFactory(organisation=org_a)
    actor = person(role, org_a=org_a, org_b=org_b)

    with pytest.raises(NotPermitted):
        invitation_revoke(actor=actor, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert ActivityLog.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"accepted_at": timezone.now()},
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["accepted", "revoked", "expired"],
)
def test_only_a_pending_invitation_can_be_withdrawn(changes, org_a):
    invitation = InvitationFactory(organisation=org_a, **changes)
    status = invitation.status

    with pytest.raises(ApplicationError, match="Only a pending invitation can be withdrawn"):
        invitation_revoke(actor=StaffFactory(), invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == status
    assert ActivityLog.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, InvitationStatus.PENDING),
        ({"accepted_at": timezone.now()}, InvitationStatus.ACCEPTED),
        ({"accepted_at": timezone.now(), "revoked_at": timezone.now()}, InvitationStatus.ACCEPTED),
        ({"revoked_at": timezone.now()}, InvitationStatus.REVOKED),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, InvitationStatus.EXPIRED),
        (
            {"expires_at": timezone.now() - timedelta(seconds=1), "revoked_at": timezone.now()},
            InvitationStatus.REVOKED,
        ),
    ],
)
def test_status_is_derived_from_the_dates(changes, status, org_a):
    invitation = InvitationFactory(organisation=org_a, **changes)

    assert invitation.status == status
    assert (invitation in Invitation.objects.pending()) is (status == InvitationStatus.PENDING)


def test_a_new_invitation_expires_after_the_configured_days(org_a, settings):
    settings.INVITATION_VALID_DAYS = 3
    before = timezone.now()

    invitation = InvitationFactory(organisation=org_a)

    assert before + timedelta(days=3) <= invitation.expires_at <= timezone.now() + timedelta(days=3)


# Accepting, at the service level (the pages are tested in test_invitation_views).


def test_accepting_twice_is_refused_even_with_a_stale_copy(org_a):
    invitation = InvitationFactory(organisation=org_a, role=InvitationRole.CONTRIBUTOR)
    stale = Invitation.objects.get(pk=invitation.pk)

    user = invitation_accept(invitation=invitation, name="First", password=STRONG_PASSWORD)

    with pytest.raises(ApplicationError, match="already been used"):
        invitation_accept(invitation=stale, name="Second", password=STRONG_PASSWORD)
    with pytest.raises(ApplicationError, match="already been used"):
        invitation_accept(invitation=stale, user=user)
    assert Membership.objects.get().user == user
    assert user.name == "First"


def test_an_existing_account_must_accept_signed_in(org_a):
    UserFactory(email="known@example.org")
    invitation = InvitationFactory(organisation=org_a, email="known@example.org")
    before = _written()

    with pytest.raises(ApplicationError, match="sign in to accept"):
        invitation_accept(invitation=invitation, name="Someone", password=STRONG_PASSWORD)

    assert _written() == before


def test_a_member_accepting_keeps_one_membership(org_a):
    user = UserFactory(email="member@example.org")
    MembershipFactory(organisation=org_a, user=user, role=MembershipRole.CONTRIBUTOR)
    invitation = InvitationFactory(
        organisation=org_a, email="member@example.org", role=InvitationRole.LEAD
    )

    invitation_accept(invitation=invitation, user=user)

    assert Membership.objects.get(user=user).role == MembershipRole.LEAD


# Removing members.


def test_a_lead_removes_a_contributor(org_a, org_b):
    lead = person("lead_a", org_a=org_a, org_b=org_b)
    contributor = MembershipFactory(
        organisation=org_a,
        user=UserFactory(email="c@example.org"),
        role=MembershipRole.CONTRIBUTOR,
    )

    membership_remove(actor=lead, membership=contributor)

    assert list(Membership.objects.filter(organisation=org_a)) == [lead.memberships.get()]
    log = activity_for(org_a).get()
    assert (log.actor, log.verb, log.note) == (
        lead,
        "member removed",
        "c@example.org (contributor).",
    )


@pytest.mark.parametrize("role", ["contributor_a", "lead_b", "outsider", "reviewer"])
def test_only_leads_and_staff_remove_members(role, org_a, org_b):
    membership = MembershipFactory(organisation=org_a, role=MembershipRole.CONTRIBUTOR)
    actor = person(role, org_a=org_a, org_b=org_b)
    before = _written()

    with pytest.raises(NotPermitted):
        membership_remove(actor=actor, membership=membership)

    assert _written() == before


def test_the_last_lead_cannot_be_removed_by_a_lead(org_a):
    only_lead = MembershipFactory(organisation=org_a, role=MembershipRole.LEAD)

    with pytest.raises(ApplicationError, match="needs at least one lead"):
        membership_remove(actor=only_lead.user, membership=only_lead)

    assert Membership.objects.filter(pk=only_lead.pk).exists()


def test_a_lead_can_remove_another_lead(org_a):
    one, other = MembershipFactory.create_batch(2, organisation=org_a, role=MembershipRole.LEAD)

    membership_remove(actor=one.user, membership=other)

    assert list(Membership.objects.all()) == [one]


def test_staff_may_remove_the_last_lead(org_a):
    only_lead = MembershipFactory(organisation=org_a, role=MembershipRole.LEAD)

    membership_remove(actor=StaffFactory(), membership=only_lead)

    assert Membership.objects.count() == 0
