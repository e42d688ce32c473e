from django.contrib import admin

from .models import Cohort, Organisation


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "org_type", "region", "status", "cohort"]
    list_filter = ["kind", "status", "region", "org_type"]
    search_fields = ["name", "short_name", "slug"]
    # Status moves only through the onboarding services, never by hand here.
    readonly_fields = ["status", "signed_form"]
