from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import adds_an_authenticator, enrolment_allowed

# Views a person who still has to set up two-factor sign-in may open: allauth's
# own (sign out, password, two-factor set-up), confirming by email that the
# account is theirs, and accepting an invitation.
_ALLOWED_VIEW_MODULES = ("allauth.",)
_ALLOWED_VIEWS = {
    "accounts.views.invitation_accept",
    "accounts.views.two_factor_confirm",
    "accounts.views.two_factor_link",
    "core.views.healthz",
}


class RequireTwoFactorMiddleware:
    """ITSS staff and peer reviewers must have an authenticator before using the portal,
    and nobody adds a first authenticator without first confirming by email that the
    account is theirs (``accounts.two_factor``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if adds_an_authenticator(view_func):
            if enrolment_allowed(request) or is_mfa_enabled(user):
                return None
            return redirect("accounts:two_factor_confirm")
        if not user.requires_two_factor:
            return None
        module = getattr(view_func, "__module__", "") or ""
        name = f"{module}.{getattr(view_func, '__name__', '')}"
        if module.startswith(_ALLOWED_VIEW_MODULES) or name in _ALLOWED_VIEWS:
            return None
        if is_mfa_enabled(user):
            return None
        messages.warning(
            request,
            "Your role requires two-factor sign-in. Set up an authenticator app to continue.",
        )
        if enrolment_allowed(request):
            return redirect(reverse("mfa_activate_totp"))
        return redirect(reverse("accounts:two_factor_confirm"))
