from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import CyclePolicy, DueDateExtension, RatingLevel, Submission, SubmissionRound


@admin.register(CyclePolicy)
class CyclePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "opens_after_months",
        "closes_after_months",
        "repeat_every_months",
        "later_window_months",
        "deadline_time",
    ]


@admin.register(RatingLevel)
class RatingLevelAdmin(admin.ModelAdmin):
    list_display = ["value", "label", "descriptor"]


@admin.register(SubmissionRound)
class SubmissionRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "deadline", "kind"]


@admin.register(DueDateExtension)
class DueDateExtensionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "stage_number", "due_at", "approved_by", "created_at"]
    readonly_fields = ["organisation", "stage_number", "due_at", "reason", "approved_by"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "stage_number", "status", "submitted_at", "published_at"]
    list_filter = ["status", "stage_number"]
    search_fields = ["organisation__name"]
