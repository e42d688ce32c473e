"""Invitations, memberships, and the emailed link before a first second factor."""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotPermitted
from core.services import activity_record, email_send

from .enums import InvitationRole, InvitationStatus, MembershipRole
from .models import ENROLMENT_LINK_VALID, EnrolmentLink, Invitation, Membership, User
from .rules import is_itss_staff, is_lead_of_organisation
from .selectors import enrolment_link_problem, enrolment_link_wait, enrolment_token_digest

_STATUS_MESSAGES = {
    InvitationStatus.ACCEPTED: "This invitation has already been used. Sign in instead, or ask "
    "for a new invitation if you cannot.",
    InvitationStatus.EXPIRED: "This invitation has expired. Ask the person who invited you to "
    "send a new one.",
    InvitationStatus.REVOKED: "This invitation was withdrawn. Ask the person who invited you "
    "if you think this is a mistake.",
}


def _check_may_invite(*, inviter, organisation, role) -> None:
    if role == InvitationRole.REVIEWER:
        if not is_itss_staff(inviter):
            raise NotPermitted("Only ITSS staff can invite peer reviewers.")
        return
    if organisation is None:
        raise ApplicationError("Choose the organisation the person will join.")
    if not (is_itss_staff(inviter) or is_lead_of_organisation(inviter, organisation)):
        raise NotPermitted("You cannot invite people to this organisation.")


@transaction.atomic
def invitation_create(
    *, inviter, email: str, role: str, organisation=None, name: str = ""
) -> Invitation:
    """Invite a person by email; a pending invitation for the same place is replaced.

    Side effects: revokes any earlier pending invitation of the same email to the
    same organisation (or, for reviewers, to the pool); logs the invitation on
    the organisation; emails the link."""
    email = email.strip().lower()
    if role not in InvitationRole.values:
        raise ApplicationError("Choose a valid role.")
    _check_may_invite(inviter=inviter, organisation=organisation, role=role)
    if (
        organisation is not None
        and Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists()
    ):
        raise ApplicationError(f"{email} is already a member of {organisation}.")
    if (
        role == InvitationRole.REVIEWER
        and User.objects.filter(email__iexact=email, is_reviewer=True).exists()
    ):
        raise ApplicationError(f"{email} is already a peer reviewer.")
    # One live invitation per person and place: a new one, whatever its role,
    # replaces the earlier (an older link must not change the role later).
    Invitation.objects.filter(
        email__iexact=email,
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        email=email, name=name.strip(), organisation=organisation, role=role, invited_by=inviter
    )
    if organisation is not None:
        activity_record(
            subject=organisation,
            actor=inviter,
            verb="invitation sent",
            note=f"{email} invited as {invitation.get_role_display().lower()}.",
        )
    email_send(
        to=[email],
        template="accounts/invitation",
        context={
            "invitation": invitation,
            "inviter": inviter,
            "accept_path": invitation.get_absolute_url(),
        },
        about=invitation,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_may_invite(inviter=actor, organisation=locked.organisation, role=locked.role)
    if locked.status != InvitationStatus.PENDING:
        raise ApplicationError("Only a pending invitation can be withdrawn.")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    if locked.organisation is not None:
        activity_record(
            subject=locked.organisation, actor=actor, verb="invitation withdrawn", note=locked.email
        )
    return locked


def invitation_problem(invitation: Invitation) -> str:
    """Why this invitation can no longer be used, or "" when it can."""
    return _STATUS_MESSAGES.get(invitation.status, "")


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, name: str = "", password: str = ""
) -> User:
    """Use an invitation: create the account if needed, then the membership or role.

    A new account's email address counts as verified, since the link reached it.
    Raises ApplicationError when the invitation is used, expired or withdrawn."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(locked)
    if problem:
        raise ApplicationError(problem)
    if user is None:
        if User.objects.filter(email__iexact=locked.email).exists():
            raise ApplicationError("An account with this email already exists: sign in to accept.")
        if not name.strip():
            raise ApplicationError("Enter your name.")
        user = User(email=locked.email, name=name.strip())
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    elif user.email.lower() != locked.email.lower():
        raise ApplicationError(
            f"This invitation is for {locked.email}, but you are signed in as {user.email}."
        )
    if locked.role == InvitationRole.REVIEWER:
        if not user.is_reviewer:
            user.is_reviewer = True
            user.save(update_fields=["is_reviewer"])
    else:
        Membership.objects.update_or_create(
            user=user,
            organisation=locked.organisation,
            defaults={"role": MembershipRole(locked.role)},
        )
        activity_record(
            subject=locked.organisation,
            actor=user,
            verb="invitation accepted",
            note=f"{user.email} joined as {locked.get_role_display().lower()}.",
        )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return user


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    organisation = membership.organisation
    if not (is_itss_staff(actor) or is_lead_of_organisation(actor, organisation)):
        raise NotPermitted("You cannot remove members of this organisation.")
    if (
        membership.role == MembershipRole.LEAD
        and not organisation.memberships.filter(role=MembershipRole.LEAD)
        .exclude(pk=membership.pk)
        .exists()
        and not is_itss_staff(actor)
    ):
        raise ApplicationError("An organisation needs at least one lead: invite another first.")
    membership.delete()
    activity_record(
        subject=organisation,
        actor=actor,
        verb="member removed",
        note=f"{membership.user.email} ({membership.get_role_display().lower()}).",
    )


@transaction.atomic
def enrolment_link_send(*, user: User) -> EnrolmentLink:
    """Email ``user`` a one-time link to confirm that the account is theirs before they
    set up its first second factor: a password alone must not be enough to enrol.

    Side effects: locks the account's row, so requests at once count against the same
    limits; stores the link with only its token's digest; logs it on the account; emails
    the link to the account's own address after commit. Refuses (``ApplicationError``)
    when the account already has an authenticator, or when links were asked for too
    often (``selectors.enrolment_link_wait``)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if is_mfa_enabled(locked):
        raise ApplicationError("Two-factor sign-in is already set up for this account.")
    wait = enrolment_link_wait(user=locked)
    if wait:
        raise ApplicationError(wait)
    token = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=locked,
        token_digest=enrolment_token_digest(token),
        expires_at=timezone.now() + ENROLMENT_LINK_VALID,
    )
    activity_record(subject=locked, actor=locked, verb="two-factor set-up link sent")
    email_send(
        to=[locked.email],
        template="accounts/two_factor_link",
        context={
            "user": locked,
            "link_path": reverse("accounts:two_factor_link", kwargs={"token": token}),
            "expires_at": link.expires_at,
            "valid_minutes": int(ENROLMENT_LINK_VALID.total_seconds() // 60),
        },
        about=link,
    )
    return link


@transaction.atomic
def enrolment_link_use(*, user: User, token: str) -> EnrolmentLink:
    """Use an emailed set-up link: it works once, within its time, for its own account.

    Side effects: marks this link, and any other of the account's that still works,
    used; logs it on the account. Refuses (``ApplicationError``, nothing written) a link
    that is unknown, another account's, used or expired."""
    link = (
        EnrolmentLink.objects.select_for_update()
        .filter(token_digest=enrolment_token_digest(token))
        .first()
    )
    problem = enrolment_link_problem(link, user=user)
    if problem:
        raise ApplicationError(problem)
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(
        used_at=now, updated_at=now
    )
    link.refresh_from_db()
    activity_record(subject=user, actor=user, verb="two-factor set-up confirmed by email")
    return link
