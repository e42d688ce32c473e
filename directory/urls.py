from django.urls import path

from .feeds import NewOrganisationsFeed
from .views import public

app_name = "directory"
urlpatterns = [
    path("organisations/", public.directory, name="directory"),
    path("organisations/feed/", NewOrganisationsFeed(), name="feed"),
    path("organisations/map/", public.network_map, name="map"),
    path("organisations/network/", public.network, name="network"),
    path("organisations/<slug:slug>/", public.public_organisation, name="public_organisation"),
    path(
        "organisations/<slug:slug>/action-plan.pdf",
        public.published_plan_download,
        name="published_plan_pdf",
    ),
    path(
        "organisations/<slug:slug>/action-plan.pdf/prepare/",
        public.published_plan_prepare,
        name="published_plan_prepare",
    ),
]
