"""A review round with submitted stages and a pool of reviewers, built through the services."""

from datetime import date, datetime, time

from django.utils import timezone

from accounts.enums import InvitationRole
from accounts.services import invitation_accept, invitation_create
from action_plans.deadlines import uk_datetime
from action_plans.models import SubmissionRound
from core.models import Theme
from reviews import services
from reviews.enums import ConflictReason
from reviews.models import Outcome, ReviewerProfile, ReviewRound, ScoreLevel
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.factories import ReviewerFactory, StaffFactory

# Organisations announced on 16 May 2024 owe Stage 1 in the window 16 May to 16 November
# 2025: the September 2025 round (30 September, 17:00 UK) falls inside it.
SUBMISSIONS_DUE = uk_datetime(date(2025, 9, 30), time(17, 0))
REVIEWS_DUE = uk_datetime(date(2026, 1, 31), time(17, 0))
TRAINED_ON = date(2025, 6, 1)


def review_round(**fields) -> ReviewRound:
    submission_round, _ = SubmissionRound.objects.get_or_create(
        deadline=SUBMISSIONS_DUE, defaults={"name": "September 2025"}
    )
    values = {
        "name": "Autumn 2025",
        "submission_round": submission_round,
        "review_due_at": REVIEWS_DUE,
        **fields,
    }
    return ReviewRound.objects.create(**values)


def submitted_stage(name: str | None = None, **fields):
    """An organisation's submitted Stage 1, due at the September 2025 round."""
    organisation = announced_organisation(**({"name": name} if name else {}), **fields)
    return submitted(organisation, lead_of(organisation))


def reviewer(
    *,
    organisation=None,
    themes: list[str] = (),
    capacity: int = 2,
    trained: bool = True,
    active: bool = True,
    **user_fields,
):
    """A peer reviewer with a profile."""
    user = ReviewerFactory(**user_fields)
    profile = ReviewerProfile.objects.create(
        user=user,
        organisation=organisation,
        capacity=capacity,
        trained_on=TRAINED_ON if trained else None,
        is_active=active,
    )
    profile.themes.set(Theme.objects.filter(slug__in=themes))
    return user


def assign(review_round, submission, reviewers, *, lead=None, staff=None):
    return services.reviewers_assign(
        actor=staff or StaffFactory(),
        review_round=review_round,
        submission=submission,
        reviewers=list(reviewers),
        lead=lead,
    )


def write_review(assignment, *, level: int = 3, outcome: str = "accepted", submit: bool = True):
    """Accept ``assignment`` and write (and by default submit) a full review."""
    actor = assignment.reviewer
    if assignment.status == "invited":
        assignment = services.assignment_accept(
            actor=actor, assignment=assignment, no_conflict=True
        )
    review = assignment.review
    score_level = ScoreLevel.objects.get(value=level)
    tag = review_tag(actor)
    services.review_save(
        actor=actor,
        assignment=assignment,
        version=review.version,
        scores={
            s.theme_id: (score_level, f"{tag} on {s.theme.name}.") for s in review.scores.all()
        },
        strengths=f"Strengths seen by {tag}.",
        areas_to_develop=f"Areas {tag} would develop.",
        recommendations=f"{tag} recommends more.",
        suggested_outcome=Outcome.objects.get(slug=outcome),
    )
    if submit:
        services.review_submit(actor=actor, assignment=assignment)
    assignment.refresh_from_db()
    return assignment


def review_tag(reviewer) -> str:
    """How a built review's text tells its reviewer apart, without naming them."""
    return f"reviewer {reviewer.pk}"


def now_in_review() -> datetime:
    """A moment during the round: after the submissions were due, before the reviews."""
    return timezone.make_aware(datetime(2025, 11, 3, 10, 0))


# The three ways a reviewer comes to have a conflict with an organisation.


def conflict_by_profile(*, staff, reviewer, organisation) -> None:
    """Staff record that the reviewer works there."""
    profile = ReviewerProfile.objects.get(user=reviewer)
    profile.organisation = organisation
    services.reviewer_profile_save(actor=staff, profile=profile)


def conflict_by_membership(*, staff, reviewer, organisation) -> None:
    """The reviewer joins the organisation's team through an invitation."""
    invitation = invitation_create(
        inviter=staff,
        email=reviewer.email,
        role=InvitationRole.CONTRIBUTOR,
        organisation=organisation,
    )
    invitation_accept(invitation=invitation, user=reviewer)


def conflict_by_declaration(*, staff, reviewer, organisation) -> None:
    """The reviewer declares a close collaboration."""
    services.conflict_declare(
        actor=reviewer,
        organisation=organisation,
        reason=ConflictReason.COLLABORATION,
        note="We share a facility.",
    )
