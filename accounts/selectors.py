"""Reads for accounts: the emailed links that come before a first second factor."""

import hashlib
from datetime import timedelta

from django.utils import timezone

from .models import ENROLMENT_LINK_INTERVAL, ENROLMENT_LINKS_PER_HOUR, EnrolmentLink, User

LINK_NOT_VALID = (
    "This link is not valid. Check that you copied the whole link from the email, "
    "or ask for a new one."
)
LINK_OTHER_ACCOUNT = (
    "This link was sent for a different account. Sign out, then sign in to the account "
    "whose address received it."
)
LINK_USED = (
    "This link has already been used. If you still need to set up two-factor sign-in, "
    "ask for a new link."
)
LINK_EXPIRED = "This link has expired. Ask for a new one."


def enrolment_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enrolment_link_for_token(token: str) -> EnrolmentLink | None:
    return EnrolmentLink.objects.filter(token_digest=enrolment_token_digest(token)).first()


def enrolment_link_problem(link: EnrolmentLink | None, *, user: User) -> str:
    """Why ``user`` cannot use this link now, or "" when they can."""
    if link is None:
        return LINK_NOT_VALID
    if link.user_id != user.pk:
        return LINK_OTHER_ACCOUNT
    if link.used_at is not None:
        return LINK_USED
    if link.expires_at <= timezone.now():
        return LINK_EXPIRED
    return ""


def enrolment_link_latest(*, user: User) -> EnrolmentLink | None:
    """The newest link that still works, to say on the page that it was sent."""
    return EnrolmentLink.objects.filter(user=user).usable().first()


def enrolment_link_wait(*, user: User) -> str:
    """Why ``user`` may not be sent another link yet, or "" when they may."""
    now = timezone.now()
    sent = list(
        EnrolmentLink.objects.filter(
            user=user, created_at__gt=now - timedelta(hours=1)
        ).values_list("created_at", flat=True)
    )
    if any(at > now - ENROLMENT_LINK_INTERVAL for at in sent):
        return (
            "A link was sent less than a minute ago. Check your inbox (and spam folder) "
            "before asking for another."
        )
    if len(sent) >= ENROLMENT_LINKS_PER_HOUR:
        return (
            f"{ENROLMENT_LINKS_PER_HOUR} links were sent in the last hour. Use the newest "
            "one, or ask again later."
        )
    return ""
