from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api

app_name = "api"
urlpatterns = [
    path("v1/organisations/", api.OrganisationList.as_view(), name="organisations"),
    path("v1/organisations/<slug:slug>/", api.OrganisationDetail.as_view(), name="organisation"),
    path(
        "v1/organisations/<slug:slug>/action-plan/",
        api.ActionPlanDetail.as_view(),
        name="action_plan",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", api.NoSuchAddress.as_view()),
]
