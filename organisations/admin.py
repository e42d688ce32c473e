from django.contrib import admin

from .models import Cohort, Organisation


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_type", "region", "status", "cohort"]
    list_filter = ["kind", "status", "region", "org_type"]
    search_fields = ["name", "short_name", "slug", "lead_email", "head_email", "contact_email"]
    # Status moves only through the onboarding services, never by hand here; so does
    # the date it lapsed, which lapsing and restoring set and clear.
    readonly_fields = ["status", "signed_form", "lapsed_on"]
