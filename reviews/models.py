from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from rules.contrib.models import RulesModelBase, RulesModelMixin

from accounts.rules import is_itss_staff, is_reviewer
from action_plans.models import Submission, SubmissionRound
from core.models import ScaleStep, Theme, TimeStampedModel
from core.storage import private_storage
from organisations.models import Organisation

from .enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    ConflictReason,
    FeedbackStatus,
    OthersReviews,
    ReviewerReminderKind,
)
from .rules import (
    is_member_of_reviewed_organisation,
    is_own_conflict,
    is_released,
    leads_team_with_own_review_in,
    own_assignment_without_conflict,
)


class PermissionsByName(RulesModelMixin):
    """A model whose ``Meta.rules_permissions`` names each permission in full
    ("respond_to_assignment"), rather than as a verb the model's name is appended to;
    views, templates and services ask for ``reviews.<name>``."""

    @classmethod
    def get_perm(cls, perm_type):
        return f"{cls._meta.app_label}.{perm_type}"


class ReviewerProfile(TimeStampedModel):
    """What staff need to know to assign a peer reviewer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewers",
        help_text="Where the reviewer works. They never review it.",
    )
    job_title = models.CharField(max_length=150, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="reviewers", verbose_name="themes of expertise"
    )
    capacity = models.PositiveSmallIntegerField(
        "reviews per round",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How many submissions they can review in one round.",
    )
    trained_on = models.DateField(
        "training completed",
        null=True,
        blank=True,
        help_text="Only trained reviewers are assigned.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="A paused reviewer is not assigned new reviews."
    )

    class Meta:
        ordering = ["user__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=10),
                name="reviewer_capacity_1_to_10",
                violation_error_message="A reviewer takes between 1 and 10 reviews a round.",
            )
        ]

    def __str__(self):
        return str(self.user)

    @property
    def is_assignable(self) -> bool:
        return self.is_active and self.trained_on is not None and self.user.is_active


class Conflict(PermissionsByName, models.Model, metaclass=RulesModelBase):
    """An organisation a reviewer has declared they must not review."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reviewer_conflicts"
    )
    reason = models.CharField(max_length=20, choices=ConflictReason.choices)
    note = models.TextField(help_text="A sentence on the conflict, for the ITSS team.")
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "organisation"], name="one_conflict_per_organisation"
            )
        ]
        rules_permissions = {"remove_conflict": is_reviewer & is_own_conflict}

    def __str__(self):
        return f"{self.reviewer} ↔ {self.organisation} ({self.get_reason_display()})"


class ScoreLevel(ScaleStep):
    """One step of the reviewers' scale for a theme (data: Poor, Fair, Good, Excellent)."""


class Outcome(models.Model):
    """An overall outcome a review may suggest and the feedback gives (data)."""

    slug = models.SlugField(unique=True)
    label = models.CharField(max_length=80)
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class ReviewRound(TimeStampedModel):
    """One of the year's assessment rounds: the submissions due at a submission round,
    reviewed by a deadline, under settings for what reviewers see."""

    name = models.CharField(max_length=80, unique=True)
    submission_round = models.OneToOneField(
        SubmissionRound,
        on_delete=models.PROTECT,
        related_name="review_round",
        help_text=(
            "It gathers the submissions due at this round, and those due since the "
            "previous review round."
        ),
    )
    review_due_at = models.DateTimeField("reviews due")
    respond_within_days = models.PositiveSmallIntegerField(
        "reply within (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A reviewer accepts or declines within this many days of being assigned.",
    )
    team_size = models.PositiveSmallIntegerField(
        "reviewers per submission",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    others_reviews = models.CharField(
        "reviewers see the other reviews",
        max_length=12,
        choices=OthersReviews.choices,
        default=OthersReviews.AFTER_OWN,
    )
    show_institution = models.BooleanField(
        "reviewers see the institution's name",
        default=True,
        help_text="When off, reviewers see “Institution A” and the like instead of the name.",
    )

    class Meta:
        ordering = ["-review_due_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team_size__gte=1) & Q(team_size__lte=6),
                name="review_team_1_to_6",
                violation_error_message="A team has between 1 and 6 reviewers.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:round", kwargs={"pk": self.pk})


class Assignment(PermissionsByName, TimeStampedModel, metaclass=RulesModelBase):
    """One reviewer asked to review one submission in one round."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="assignments")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    is_lead = models.BooleanField("lead reviewer", default=False)
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    withdrawn_by_reopening = models.BooleanField(
        default=False,
        help_text="Taken off because the submission was reopened: asked again when its "
        "review resumes.",
    )

    class Meta:
        ordering = ["round", "submission", "-is_lead", "created_at"]
        constraints = [
            # Asked once: a reviewer who declined is not asked again for the same submission.
            models.UniqueConstraint(
                fields=["submission", "reviewer"], name="one_assignment_per_reviewer"
            ),
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(is_lead=True, status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)),
                name="one_lead_reviewer_per_submission",
                violation_error_message="A submission has one lead reviewer.",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.DECLINED) | ~Q(decline_reason=""),
                name="decline_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["round", "reviewer", "status"])]
        rules_permissions = {
            # Accept, decline or declare a conflict; then write the review. What the
            # assignment's status allows is the transition table's to say.
            "respond_to_assignment": own_assignment_without_conflict,
            "write_review": own_assignment_without_conflict,
        }

    def __str__(self):
        return f"{self.reviewer} → {self.submission}"

    def get_absolute_url(self):
        return reverse("reviews:assignment", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ASSIGNMENT_STATUSES


class Review(TimeStampedModel):
    """A reviewer's scores and comments on the submission of one assignment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    strengths = models.TextField(blank=True)
    areas_to_develop = models.TextField("areas to develop", blank=True)
    recommendations = models.TextField(blank=True)
    suggested_outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Review by {self.assignment.reviewer} of {self.assignment.submission}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ThemeScore(models.Model):
    """A review's score and comment on one theme."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        ScoreLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["theme__position", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "theme"], name="one_score_per_theme")
        ]

    def __str__(self):
        return f"{self.theme}: {self.level or '—'}"


class Feedback(PermissionsByName, TimeStampedModel, metaclass=RulesModelBase):
    """The consolidated feedback on one submission, written from the reviews and released
    to the institution by staff. Carries no reviewer's name or individual score."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="feedback")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="feedback")
    status = models.CharField(
        max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.DRAFT
    )
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField("overall judgement", blank=True)
    strengths = models.TextField(blank=True)
    areas_to_develop = models.TextField("areas to develop", blank=True)
    recommendations = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The feedback report (PDF) the institution downloads, rendered once it is released.
    report = models.FileField(storage=private_storage, upload_to="feedback/", blank=True)
    report_pages = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(fields=["round", "submission"], name="one_feedback_per_round"),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.RELEASED) | Q(released_at__isnull=False),
                name="released_feedback_has_time",
            ),
        ]
        rules_permissions = {
            # The institution reads it once released; never the reviews behind it.
            "view_feedback": is_itss_staff | (is_member_of_reviewed_organisation & is_released),
            "mark_feedback_ready": is_reviewer & leads_team_with_own_review_in,
        }

    def __str__(self):
        return f"Feedback on {self.submission}"

    @property
    def is_released(self) -> bool:
        return self.status == FeedbackStatus.RELEASED


class ThemeFeedback(models.Model):
    """The feedback on one theme."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["theme__position", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "theme"], name="one_feedback_per_theme")
        ]

    def __str__(self):
        return f"{self.theme} feedback"


class ReviewerReminder(models.Model):
    """A reminder sent to a reviewer about one assignment. The unique constraint makes the
    daily sweep send each once, however often or concurrently it runs; the due date is part
    of the key, so a round whose deadline moves gets its reminders again."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReviewerReminderKind.choices)
    due_on = models.DateField(help_text="The review's due date (UK) the reminder counted from.")
    sent_on = models.DateField()
    email = models.ForeignKey(
        "core.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "due_on"], name="one_reviewer_reminder"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.assignment}"


class RoundOverdueNotice(models.Model):
    """The note to ITSS that a round has overdue reviews: once a week while any is. The due
    date is part of the key, so a round whose deadline moves is counted from the new one."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="notices")
    due_on = models.DateField(help_text="The reviews' due date (UK) the weeks count from.")
    week = models.PositiveSmallIntegerField(help_text="Weeks after the reviews were due, from 0.")
    sent_on = models.DateField()
    email = models.ForeignKey(
        "core.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "due_on", "week"], name="one_overdue_notice_a_week"
            )
        ]

    def __str__(self):
        return f"{self.round}: overdue reviews, week {self.week}"
