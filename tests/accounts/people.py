"""The people the role matrices are drawn over, and a helper for two-factor codes."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import AnonymousUser

from accounts.enums import MembershipRole
from tests.conftest import totp_window_with_time_left
from tests.factories import MembershipFactory, ReviewerFactory, StaffFactory, UserFactory

PASSWORD = "correct-horse-battery"  # what UserFactory gives everyone
STRONG_PASSWORD = "lab-bench-pipette-42"

ROLES = (
    "anonymous",
    "outsider",
    "contributor_a",
    "lead_a",
    "lead_b",
    "reviewer",
    "staff",
    "inactive_staff",
)


def person(role: str, *, org_a, org_b):
    """One person in ``role``; ``_a``/``_b`` say which of the two organisations."""
    if role == "anonymous":
        return AnonymousUser()
    if role == "outsider":
        return UserFactory()
    if role == "contributor_a":
        return MembershipFactory(organisation=org_a, role=MembershipRole.CONTRIBUTOR).user
    if role == "lead_a":
        return MembershipFactory(organisation=org_a, role=MembershipRole.LEAD).user
    if role == "inactive_lead_a":
        user = MembershipFactory(organisation=org_a, role=MembershipRole.LEAD).user
        user.is_active = False
        user.save(update_fields=["is_active"])
        return user
    if role == "lead_b":
        return MembershipFactory(organisation=org_b, role=MembershipRole.LEAD).user
    if role == "reviewer":
        return ReviewerFactory()
    if role == "staff":
        return StaffFactory()
    if role == "inactive_staff":
        return StaffFactory(is_active=False)
    raise ValueError(role)


def current_totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods away), from a
    window with time left for posting it (see ``totp_window_with_time_left``)."""
    totp_window_with_time_left()
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
