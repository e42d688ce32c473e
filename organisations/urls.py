from django.urls import path

from .views import imports, staff, team, workspace

app_name = "organisations"
urlpatterns = [
    path("staff/pipeline/", staff.pipeline, name="pipeline"),
    path("staff/organisations/new/", staff.organisation_create, name="organisation_create"),
    path("staff/organisations/<slug:slug>/", staff.staff_organisation, name="staff_organisation"),
    path(
        "staff/organisations/<slug:slug>/edit/", staff.organisation_edit, name="organisation_edit"
    ),
    path(
        "staff/organisations/<slug:slug>/signed-form/",
        staff.signed_form_download,
        name="signed_form_download",
    ),
    path(
        "staff/organisations/<slug:slug>/<slug:action>/",
        staff.organisation_transition,
        name="organisation_transition",
    ),
    path("staff/import/", imports.import_upload, name="import_upload"),
    path("staff/import/confirm/", imports.import_confirm, name="import_confirm"),
    path("organisations/<slug:slug>/workspace/", workspace.workspace, name="workspace"),
    path(
        "organisations/<slug:slug>/public-details/",
        workspace.public_details_edit,
        name="public_details",
    ),
    path("organisations/<slug:slug>/invite/", team.invitation_create, name="invitation_create"),
]
