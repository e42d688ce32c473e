from django.db import models


class SubmissionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    FEEDBACK_RELEASED = "feedback_released", "Feedback released"


class StageState(models.TextChoices):
    """What the dashboard says of a stage: a submission's status, or that none exists yet."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    FEEDBACK_RELEASED = "feedback_released", "Feedback released"


S = SubmissionStatus

# From each status, where a submission may go. Submitting freezes the content;
# only staff reopening (back to IN_PROGRESS, with a reason) unfreezes it.
SUBMISSION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.IN_PROGRESS: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.IN_PROGRESS, S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.IN_PROGRESS, S.FEEDBACK_RELEASED}),
    S.FEEDBACK_RELEASED: frozenset(),
}

# Only a submission in these statuses may have its content changed.
EDITABLE_STATUSES = frozenset({S.IN_PROGRESS})


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CARRIED_OVER = "carried_over", "Carried over"
    DROPPED = "dropped", "Dropped"


# What became of an action of the previous plan (the reflection a later stage asks for).
PREVIOUS_OUTCOMES = (
    ActionStatus.DONE,
    ActionStatus.IN_PROGRESS,
    ActionStatus.CARRIED_OVER,
    ActionStatus.DROPPED,
)


class VoiceMethod(models.TextChoices):
    SURVEY = "survey", "Survey"
    FOCUS_GROUP = "focus_group", "Focus groups"
    TECHNICIAN_NETWORK = "technician_network", "Technician network"
    COMMITTEE = "committee", "Committee seats"
    OTHER = "other", "Other"


class ReminderMilestone(models.TextChoices):
    """The date a reminder rule counts from."""

    WINDOW_OPENS = "window_opens", "the day the stage's window opens"
    DUE = "due", "the due date"


class OffsetUnit(models.TextChoices):
    DAY = "day", "days"
    WEEK = "week", "weeks"
    MONTH = "month", "months"


class OffsetDirection(models.TextChoices):
    BEFORE = "before", "before"
    AFTER = "after", "after"


class ReminderTemplate(models.TextChoices):
    """The wording of a reminder: ``templates/email/reminders/<value>_{subject,body}``."""

    WINDOW_OPEN = "window_open", "The window is open"
    UPCOMING = "upcoming", "The due date is coming up"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Overdue, to the head of organisation and ITSS"


class PackStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


class PackDocument(models.TextChoices):
    """What a pack is a PDF of."""

    SUBMISSION = "submission", "The submission"
    PUBLISHED_PLAN = "published_plan", "The published action plan, with progress"


class DatePrecision(models.TextChoices):
    """How precise a planned date is: the lead's own words ("by January 2028", "by 2027").

    The date stored with it is the last day of the period, so dates of any precision
    sort, compare and fall due together."""

    DAY = "day", "A day"
    MONTH = "month", "A month"
    QUARTER = "quarter", "A quarter"
    YEAR = "year", "A year"
