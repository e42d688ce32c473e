from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    """The least a Django view can do: what every request costs before any page's work."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("tc_portal.urls")),
]
