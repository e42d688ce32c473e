"""Demo peer review: a pool of reviewers, finished rounds whose feedback is released, and
a round under way, all made through the services."""

from datetime import date, time, timedelta

from django.db import transaction

from accounts.models import User
from action_plans.deadlines import add_months, uk_date, uk_datetime
from action_plans.models import SubmissionRound
from core.models import Theme
from organisations.models import Organisation
from reviews import selectors, services
from reviews.enums import ConflictReason
from reviews.models import (
    Assignment,
    Conflict,
    Feedback,
    Outcome,
    Review,
    ReviewerProfile,
    ReviewRound,
    ScoreLevel,
)

TRAINED_ON = date(2018, 3, 1)

# Reviewer email: their organisation (short name), job title, themes of expertise.
PROFILES = {
    "reviewer@leeds.example.org": ("Leeds", "Technical Manager", ["visibility", "recognition"]),
    "reviewer@glasgow.example.org": (
        "Glasgow",
        "Senior Technician",
        ["career-development", "sustainability"],
    ),
    "reviewer@sheffield.example.org": (
        "Sheffield",
        "Technical Services Lead",
        ["recognition", "career-development"],
    ),
    "reviewer@bristol.example.org": ("Bristol", "Workshop Manager", ["sustainability"]),
    "reviewer@york.example.org": ("York", "Research Technician", ["visibility"]),
}

# The review rounds: the submission round each reviews, and whether it is finished.
ROUNDS = [
    ("Autumn 2018", "September 2018", True),
    ("Autumn 2021", "September 2021", True),
    ("Autumn 2024", "September 2024", True),
    ("Autumn 2026", "September 2026", False),
]
# Reviews are due about four months after the submissions.
REVIEW_MONTHS = 4

COMMENTS = {
    1: "Little evidence yet; the actions do not yet say who will do what, or by when.",
    2: "Relevant actions, though the success measures are vague and owners are not named.",
    3: "Clear evidence of where things stand, with owned actions that follow from it.",
    4: "Candid evidence shaped with technicians, and actions others could learn from.",
}


@transaction.atomic
def seed_reviews(staff: User) -> None:
    """Create the demo's reviewer profiles and review rounds. Running it again changes
    nothing."""
    reviewers = _profiles(staff)
    Conflict.objects.get_or_create(
        reviewer=reviewers["reviewer@york.example.org"],
        organisation=Organisation.objects.get(short_name="Nottingham"),
        defaults={
            "reason": ConflictReason.COLLABORATION,
            "note": "We share an electron microscopy facility with Nottingham.",
        },
    )
    for name, submission_round, finished in ROUNDS:
        deadline = SubmissionRound.objects.filter(name=submission_round).first()
        if deadline is None or ReviewRound.objects.filter(name=name).exists():
            continue
        review_round = services.review_round_save(
            actor=staff,
            review_round=ReviewRound(
                name=name,
                submission_round=deadline,
                review_due_at=uk_datetime(
                    add_months(uk_date(deadline.deadline), REVIEW_MONTHS), time(17, 0)
                ),
            ),
        )
        if finished:
            _finish(review_round, staff)
        else:
            _under_way(review_round, staff, reviewers)


def _profiles(staff) -> dict[str, User]:
    found = {}
    for email, (short_name, title, themes) in PROFILES.items():
        user = User.objects.get(email=email)
        found[email] = user
        if ReviewerProfile.objects.filter(user=user).exists():
            continue
        profile = ReviewerProfile(
            user=user,
            organisation=Organisation.objects.filter(short_name=short_name).first(),
            job_title=title,
            capacity=3,
            trained_on=TRAINED_ON,
        )
        services.reviewer_profile_save(
            actor=staff, profile=profile, themes=Theme.objects.filter(slug__in=themes)
        )
    return found


def _assign_proposed(review_round, staff) -> list[Assignment]:
    created = []
    for proposal in selectors.round_proposals(review_round):
        if proposal.reviewers:
            created += services.reviewers_assign(
                actor=staff,
                review_round=review_round,
                submission=proposal.submission,
                reviewers=[p.user for p in proposal.reviewers],
                lead=proposal.lead.user,
            )
    return created


def _review(assignment: Assignment, *, level: int, submit: bool = True) -> None:
    reviewer = assignment.reviewer
    assignment = services.assignment_accept(actor=reviewer, assignment=assignment, no_conflict=True)
    review = assignment.review
    outcomes = {1: "changes-required", 2: "accepted-with-recommendations", 3: "accepted"}
    services.review_save(
        actor=reviewer,
        assignment=assignment,
        version=review.version,
        scores={
            score.theme_id: (
                ScoreLevel.objects.get(value=min(level + (score.theme.position % 2), 4)),
                COMMENTS[min(level + (score.theme.position % 2), 4)],
            )
            for score in review.scores.select_related("theme")
        },
        strengths="A technician network that meets monthly and reports to the senior team.",
        areas_to_develop="Career pathways are promised but not yet written down.",
        recommendations="Publish the technical career framework and name an owner for each step.",
        suggested_outcome=Outcome.objects.get(slug=outcomes.get(level, "commended")),
    )
    if submit:
        services.review_submit(actor=reviewer, assignment=assignment)


def _finish(review_round: ReviewRound, staff) -> None:
    """Every submission of the round reviewed by its team, moderated and released, with
    the dates moved back to when that would have happened."""
    for index, assignment in enumerate(_assign_proposed(review_round, staff)):
        _review(assignment, level=2 + index % 2)
    for row in selectors.round_progress(review_round).rows:
        if not row.all_reviews_in:
            continue
        feedback = services.feedback_start(
            actor=staff, review_round=review_round, submission=row.submission
        )
        feedback = services.feedback_save(
            actor=staff,
            feedback=feedback,
            version=feedback.version,
            outcome=feedback.outcome,
            summary=(
                f"{row.submission.organisation.name} has a credible plan, built with its "
                "technicians. The reviewers agree it meets the Commitment; the feedback below "
                "sets out what would make the next stage stronger."
            ),
            strengths=feedback.strengths.split("\n\n")[0],
            areas_to_develop=feedback.areas_to_develop.split("\n\n")[0],
            recommendations=feedback.recommendations.split("\n\n")[0],
            themes={t.theme_id: t.text.split("\n\n")[0] for t in feedback.themes.all()},
        )
        services.feedback_release(actor=staff, feedback=feedback)
    _backdate(review_round)


def _backdate(review_round: ReviewRound) -> None:
    due = review_round.review_due_at
    assignments = review_round.assignments.all()
    assignments.update(responded_at=due - timedelta(days=100), respond_by=due - timedelta(days=95))
    Review.objects.filter(assignment__round=review_round).update(
        submitted_at=due - timedelta(days=14)
    )
    Feedback.objects.filter(round=review_round).update(released_at=due + timedelta(days=21))


def _under_way(review_round: ReviewRound, staff, reviewers: dict[str, User]) -> None:
    """The current round: the lead has a draft, one reviewer has still to reply, one
    declined, so the team is one short and staff see a replacement proposed."""
    glasgow, leeds, sheffield = (
        reviewers["reviewer@glasgow.example.org"],
        reviewers["reviewer@leeds.example.org"],
        reviewers["reviewer@sheffield.example.org"],
    )
    for submission in selectors.round_submissions(review_round):
        lead, _invited, declining = services.reviewers_assign(
            actor=staff,
            review_round=review_round,
            submission=submission,
            reviewers=[glasgow, leeds, sheffield],
            lead=glasgow,
        )
        _review(lead, level=3, submit=False)
        services.assignment_decline(
            actor=sheffield,
            assignment=declining,
            reason="I am on fieldwork for most of the review period.",
        )
