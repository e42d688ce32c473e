from django.contrib import admin

from .models import ActivityLog, OutboundEmail, Theme


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the portal's own pages and services."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]


# The audit trail: written only by the portal's services, read here, never edited.
@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "verb", "actor", "from_status", "to_status"]
    list_filter = ["verb"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "status", "attempts"]
    list_filter = ["status", "template"]
