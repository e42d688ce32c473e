from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Assignment, Conflict, Feedback, Outcome, ReviewerProfile, ScoreLevel


@admin.register(ScoreLevel)
class ScoreLevelAdmin(admin.ModelAdmin):
    """The reviewers' scale: its wording is the ITSS team's to change."""

    list_display = ["value", "label", "descriptor"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["position", "label", "slug", "description"]
    list_display_links = ["label"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "capacity", "trained_on", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["user__name", "user__email", "organisation__name"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    """Read only: reviewers declare conflicts on their own page (which also withdraws any
    review of theirs they must not go on with)."""

    list_display = ["reviewer", "organisation", "reason", "declared_at"]
    search_fields = ["reviewer__name", "organisation__name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["submission", "reviewer", "round", "is_lead", "status"]
    list_filter = ["status", "round"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["submission", "round", "status", "outcome", "released_at"]
    list_filter = ["status", "round"]
