from django.contrib import admin

from .models import ActivityLog, OutboundEmail, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "verb", "actor", "from_status", "to_status"]
    list_filter = ["verb"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "status", "attempts"]
    list_filter = ["status", "template"]
