from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

# Paths a person who still has to set up two-factor sign-in may open.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/media/")


class RequireTwoFactorMiddleware:
    """ITSS staff and peer reviewers must have an authenticator before using the portal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_two_factor
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Your role requires two-factor sign-in. Set up an authenticator app to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
