from django.db import models


class ConflictReason(models.TextChoices):
    """Why a reviewer declares a conflict with an organisation. Their own organisation is a
    conflict without being declared."""

    EMPLOYMENT = "employment", "Recent employment"
    COLLABORATION = "collaboration", "Close collaboration"
    PERSONAL = "personal", "Personal relationship"
    OTHER = "other", "Other"


class OthersReviews(models.TextChoices):
    """When a reviewer may read the other reviews of a submission they review."""

    NEVER = "never", "Never"
    AFTER_OWN = "after_own", "Only after submitting their own"


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", "Awaiting reply"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SUBMITTED = "submitted", "Review submitted"
    WITHDRAWN = "withdrawn", "Withdrawn by staff"


A = AssignmentStatus

# From each status, where an assignment may go. A submitted review is final; staff may
# withdraw an assignment that has not been submitted (a reviewer who went quiet). Only an
# assignment withdrawn because its submission was reopened is asked again (back to
# "invited", its draft kept) when the review resumes; the service checks which.
ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.INVITED: frozenset({A.ACCEPTED, A.DECLINED, A.WITHDRAWN}),
    A.ACCEPTED: frozenset({A.SUBMITTED, A.WITHDRAWN}),
    A.DECLINED: frozenset(),
    A.SUBMITTED: frozenset(),
    A.WITHDRAWN: frozenset({A.INVITED}),
}

# Assignments that hold a place in a team and count against the reviewer's capacity.
ACTIVE_ASSIGNMENT_STATUSES = frozenset({A.INVITED, A.ACCEPTED, A.SUBMITTED})


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready for release"
    RELEASED = "released", "Released"


F = FeedbackStatus

# The lead reviewer marks the feedback ready; their own later edit takes the mark off (they
# mark it again), a staff edit keeps it. Staff release it, marked or not.
FEEDBACK_TRANSITIONS: dict[str, frozenset[str]] = {
    F.DRAFT: frozenset({F.READY, F.RELEASED}),
    F.READY: frozenset({F.DRAFT, F.RELEASED}),
    F.RELEASED: frozenset(),
}


class ReviewerReminderKind(models.TextChoices):
    """The reminders a reviewer gets about one assignment, and when, counted back from the
    review's due date (``days_before``); "assigned" goes when the assignment is made."""

    ASSIGNED = "assigned", "On assignment"
    WEEK_BEFORE = "week_before", "7 days before the review is due"
    THREE_DAYS_BEFORE = "three_days_before", "3 days before the review is due"
    DUE_TODAY = "due_today", "On the day the review is due"


REVIEWER_REMINDER_DAYS_BEFORE: dict[str, int] = {
    ReviewerReminderKind.WEEK_BEFORE: 7,
    ReviewerReminderKind.THREE_DAYS_BEFORE: 3,
    ReviewerReminderKind.DUE_TODAY: 0,
}
