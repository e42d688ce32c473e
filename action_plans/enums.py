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
