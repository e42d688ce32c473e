"""Which session may add an account's first authenticator.

A password alone must not be enough to enrol a second factor: whoever holds a
stolen password would enrol their own and lock the owner out. So the first
authenticator may only be added in a session that has just proved it can read
the account's mailbox, by following an emailed one-time link
(``services.enrolment_link_use``) or by accepting an invitation sent there.
"""

from allauth.mfa.totp.views import ActivateTOTPView
from django.utils import timezone

from .models import ENROLMENT_LINK_VALID

_SESSION_KEY = "accounts.first_factor_allowed"


def enrolment_allow(request) -> None:
    """Let this session, for its signed-in account only, add a first authenticator
    for a while."""
    until = timezone.now() + ENROLMENT_LINK_VALID
    request.session[_SESSION_KEY] = {"user": request.user.pk, "until": until.timestamp()}


def enrolment_allowed(request) -> bool:
    grant = request.session.get(_SESSION_KEY) or {}
    return (
        grant.get("user") == request.user.pk and grant.get("until", 0) > timezone.now().timestamp()
    )


def adds_an_authenticator(view_func) -> bool:
    """Whether the view sets up an authenticator app (allauth's, or a subclass)."""
    view_class = getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, ActivateTOTPView)
