from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Pages made for a signed-in person are kept by no cache, shared or their own browser's
    (a shared computer's back button must not show someone else's plan after sign-out).

    An answer that already says how to cache it is left alone: the public pages served to
    visitors and the downloads that set their own header know better."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
