from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_itss_staff", "is_reviewer", "is_active"]
    list_filter = ["is_itss_staff", "is_reviewer", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "name", "password"]}),
        (
            "Roles",
            {"fields": ["is_itss_staff", "is_reviewer", "is_active", "is_staff", "is_superuser"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email"]
    readonly_fields = ["token"]
