"""Who may do what in peer review.

The conflict rule is checked here, in one place, for every page and every service: a
reviewer never reaches a submission of an organisation they have a conflict with (their
own, one they belong to, or one they declared), whatever address they type. Permissions on
a submission take a Submission and are declared here; those on an assignment, a conflict or
feedback are declared on their model (``Meta.rules_permissions``) from the predicates here.
Services ask for the same permissions as the pages."""

import rules
from django.contrib.auth import get_user_model

from accounts.rules import is_itss_staff, is_member_of_organisation, is_reviewer

from .enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, OthersReviews


def conflicted_organisation_ids(user) -> frozenset[int]:
    """The organisations ``user`` must not review: those they belong to, the one on their
    reviewer profile, and those they declared a conflict with. Cached on the user object
    for one request (three small queries the first time). Read through the user's own
    relations: the models declare their permissions with these rules, so rules come first."""
    cached = getattr(user, "_tc_conflicts", None)
    if cached is None:
        ids = set(user.memberships.values_list("organisation_id", flat=True))
        ids.update(user.conflicts.values_list("organisation_id", flat=True))
        ids.update(
            get_user_model()
            ._default_manager.filter(pk=user.pk, reviewer_profile__organisation__isnull=False)
            .values_list("reviewer_profile__organisation_id", flat=True)
        )
        cached = user._tc_conflicts = frozenset(ids)
    return cached


def _active_assignment(user, submission):
    """The user's assignment to ``submission`` that holds a place in its team, if any.
    Cached per user and submission for one request."""
    cache = user.__dict__.setdefault("_tc_assignments", {})
    if submission.pk not in cache:
        cache[submission.pk] = (
            submission.review_assignments.filter(
                reviewer=user, status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)
            )
            .select_related("round")
            .first()
        )
    return cache[submission.pk]


@rules.predicate
def has_conflict(user, submission) -> bool:
    if submission is None or not user.is_authenticated:
        return False
    return submission.organisation_id in conflicted_organisation_ids(user)


@rules.predicate
def is_assigned_reviewer(user, submission) -> bool:
    if submission is None or not user.is_authenticated or not user.is_active:
        return False
    return _active_assignment(user, submission) is not None


@rules.predicate
def has_submitted_own_review(user, submission) -> bool:
    if submission is None or not user.is_authenticated:
        return False
    assignment = _active_assignment(user, submission)
    return assignment is not None and assignment.status == AssignmentStatus.SUBMITTED


@rules.predicate
def has_accepted(user, submission) -> bool:
    """The reviewer accepted (declaring no conflict of interest), whether or not their
    review is in: only then do they read the submission."""
    if submission is None or not user.is_authenticated:
        return False
    assignment = _active_assignment(user, submission)
    return assignment is not None and assignment.status in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.SUBMITTED,
    )


@rules.predicate
def round_shows_others_after_own(user, submission) -> bool:
    if submission is None or not user.is_authenticated:
        return False
    assignment = _active_assignment(user, submission)
    return assignment is not None and assignment.round.others_reviews == OthersReviews.AFTER_OWN


@rules.predicate
def is_lead_reviewer(user, submission) -> bool:
    if submission is None or not user.is_authenticated:
        return False
    assignment = _active_assignment(user, submission)
    return (
        assignment is not None
        and assignment.is_lead
        and assignment.status in (AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)
    )


@rules.predicate
def is_own_assignment(user, assignment) -> bool:
    return assignment is not None and user.is_authenticated and assignment.reviewer_id == user.pk


@rules.predicate
def assignment_without_conflict(user, assignment) -> bool:
    return assignment is not None and not has_conflict(user, assignment.submission)


@rules.predicate
def is_own_conflict(user, conflict) -> bool:
    return conflict is not None and user.is_authenticated and conflict.reviewer_id == user.pk


@rules.predicate
def leads_team_with_own_review_in(user, feedback) -> bool:
    """The lead reviewer of the feedback's submission, their own review submitted and no
    conflict with the organisation."""
    if feedback is None:
        return False
    submission = feedback.submission
    return (
        is_lead_reviewer(user, submission)
        and has_submitted_own_review(user, submission)
        and not has_conflict(user, submission)
    )


@rules.predicate
def is_member_of_reviewed_organisation(user, feedback) -> bool:
    return feedback is not None and is_member_of_organisation(
        user, feedback.submission.organisation
    )


@rules.predicate
def is_released(_user, feedback) -> bool:
    return feedback is not None and feedback.is_released


reviewing = is_reviewer & is_assigned_reviewer & ~has_conflict
# The reviewer's own assignment, with no conflict with the organisation: they reply to it
# and write its review (Assignment.Meta.rules_permissions).
own_assignment_without_conflict = is_own_assignment & assignment_without_conflict

# Staff pages.
rules.add_perm("reviews.manage_pool", is_itss_staff)
rules.add_perm("reviews.manage_rounds", is_itss_staff)
rules.add_perm("reviews.assign_reviewers", is_itss_staff)
rules.add_perm("reviews.release_feedback", is_itss_staff)
# The reviewer's own pages: their dashboard, profile, conflicts.
rules.add_perm("reviews.view_reviewer_dashboard", is_reviewer)
rules.add_perm("reviews.declare_conflict", is_reviewer)
# Submission level (the submission belongs to action_plans, so these are declared here).
rules.add_perm("reviews.review_submission", is_itss_staff | reviewing)
# The submission's content, attachments and PDF: not before the reviewer has accepted and
# declared no conflict of interest; until then they see the organisation, stage and round.
rules.add_perm("reviews.read_submission", is_itss_staff | (reviewing & has_accepted))
rules.add_perm(
    "reviews.view_other_reviews",
    is_itss_staff | (reviewing & round_shows_others_after_own & has_submitted_own_review),
)
rules.add_perm(
    "reviews.write_feedback",
    is_itss_staff | (reviewing & is_lead_reviewer & has_submitted_own_review),
)
# Assignment, Conflict and Feedback declare their own in ``Meta.rules_permissions``.
