"""Peer review through its services: assigning, replying, reviewing, moderating, releasing."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from action_plans.enums import SubmissionStatus
from core.exceptions import ApplicationError, NotPermitted, TransitionNotAllowed
from reviews import selectors, services
from reviews.enums import AssignmentStatus, ConflictReason, FeedbackStatus
from reviews.models import Assignment, Feedback, Outcome, Review
from tests.factories import MembershipFactory, StaffFactory, UserFactory

from .builders import assign, review_tag, reviewer, submitted_stage, write_review

pytestmark = pytest.mark.django_db
A = AssignmentStatus


def test_the_round_gathers_the_stages_due_at_its_submission_round(autumn, stage):
    assert list(selectors.round_submissions(autumn)) == [stage]


def test_assigning_asks_each_reviewer_makes_one_lead_and_starts_the_review(
    autumn, stage, team, on_commit
):
    mail.outbox.clear()
    with on_commit(execute=True):
        created = assign(autumn, stage, team)

    assert [(a.reviewer, a.is_lead, a.status) for a in created] == [
        (team[0], True, A.INVITED),
        (team[1], False, A.INVITED),
        (team[2], False, A.INVITED),
    ]
    stage.refresh_from_db()
    assert stage.status == SubmissionStatus.IN_REVIEW
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in team)
    assert all(m.subject.startswith("Please review University of Testshire") for m in mail.outbox)


def test_a_reviewer_from_the_organisation_is_never_assigned(autumn, stage, team):
    colleague = reviewer(organisation=stage.organisation, name="Own Staff")
    member = reviewer(name="Member")
    MembershipFactory(user=member, organisation=stage.organisation, role="contributor")

    for conflicted in (colleague, member):
        with pytest.raises(ApplicationError, match="conflict of interest"):
            assign(autumn, stage, [team[0], conflicted])
    assert Assignment.objects.count() == 0


def test_a_declared_conflict_stops_assignment(autumn, stage, team):
    services.conflict_declare(
        actor=team[1],
        organisation=stage.organisation,
        reason=ConflictReason.COLLABORATION,
        note="We run a joint facility.",
    )
    with pytest.raises(ApplicationError, match="Ben Cole has a conflict of interest"):
        assign(autumn, stage, team)
    assert Assignment.objects.count() == 0


def test_declaring_a_conflict_later_withdraws_the_open_assignment(autumn, stage, team, on_commit):
    assign(autumn, stage, team)
    mail.outbox.clear()

    with on_commit(execute=True):
        services.conflict_declare(
            actor=team[2],
            organisation=stage.organisation,
            reason=ConflictReason.EMPLOYMENT,
            note="I worked there until last year.",
        )

    assert Assignment.objects.get(reviewer=team[2]).status == A.WITHDRAWN
    assert [m.subject for m in mail.outbox] == [
        "Cara Diaz has a conflict with University of Testshire: 1 assignment withdrawn"
    ]


def test_moving_a_reviewer_to_the_organisation_takes_them_off_its_review(
    autumn, stage, team, on_commit
):
    assign(autumn, stage, team)
    profile = team[1].reviewer_profile
    profile.organisation = stage.organisation
    mail.outbox.clear()

    with on_commit(execute=True):
        services.reviewer_profile_save(actor=StaffFactory(), profile=profile)

    assert Assignment.objects.get(reviewer=team[1]).status == A.WITHDRAWN
    assert Assignment.objects.filter(status=A.INVITED).count() == 2
    (notice,) = mail.outbox
    assert "(works at the organisation)" in notice.body


def test_a_conflict_needs_a_reason_and_is_declared_once(stage, team):
    with pytest.raises(ApplicationError, match="what the conflict is"):
        services.conflict_declare(
            actor=team[0], organisation=stage.organisation, reason="personal", note=" "
        )
    services.conflict_declare(
        actor=team[0], organisation=stage.organisation, reason="personal", note="My partner."
    )
    with pytest.raises(ApplicationError, match="already declared"):
        services.conflict_declare(
            actor=team[0], organisation=stage.organisation, reason="other", note="Again."
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trained": False}, "paused or not yet trained"),
        ({"active": False}, "paused or not yet trained"),
    ],
)
def test_only_trained_active_reviewers_are_assigned(autumn, stage, fields, message):
    with pytest.raises(ApplicationError, match=message):
        assign(autumn, stage, [reviewer(**fields)])


def test_a_reviewer_at_capacity_is_refused(autumn, team):
    busy = reviewer(name="Busy Bee", capacity=1)
    assign(autumn, submitted_stage("University of One"), [busy])
    with pytest.raises(ApplicationError, match="Busy Bee already has 1 reviews this round"):
        assign(autumn, submitted_stage("University of Two"), [busy])


def test_the_team_cannot_outgrow_the_round(autumn, stage, team):
    assign(autumn, stage, team)
    with pytest.raises(ApplicationError, match="0 places open, 1 chosen"):
        assign(autumn, stage, [reviewer()])


def test_nobody_is_asked_twice_about_one_submission(autumn, stage, team):
    (first, *_) = assign(autumn, stage, team)
    services.assignment_decline(actor=team[0], assignment=first, reason="On leave.")
    with pytest.raises(ApplicationError, match="already been asked"):
        assign(autumn, stage, [team[0]])


def test_only_staff_assign(autumn, stage, team):
    with pytest.raises(NotPermitted):
        services.reviewers_assign(
            actor=team[0], review_round=autumn, submission=stage, reviewers=team[1:]
        )


def test_one_lead_per_submission_by_database_constraint(autumn, stage, team):
    first, second, _ = assign(autumn, stage, team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=second.pk).update(is_lead=True)


def test_a_decline_needs_a_reason_and_proposes_a_replacement(autumn, stage, team, on_commit):
    spare = reviewer(name="Dev Spare")
    (first, *_) = assign(autumn, stage, team)
    with pytest.raises(ApplicationError, match="why you decline"):
        services.assignment_decline(actor=team[0], assignment=first, reason="")
    mail.outbox.clear()

    with on_commit(execute=True):
        services.assignment_decline(actor=team[0], assignment=first, reason="On fieldwork.")

    first.refresh_from_db()
    assert (first.status, first.decline_reason) == (A.DECLINED, "On fieldwork.")
    (notice,) = mail.outbox
    assert "The portal proposes Dev Spare" in notice.body
    proposal = selectors.submission_proposal(autumn, stage)
    assert [p.user for p in proposal.reviewers] == [spare]


def test_someone_else_cannot_answer_an_assignment(autumn, stage, team):
    (first, *_) = assign(autumn, stage, team)
    with pytest.raises(NotPermitted):
        services.assignment_accept(actor=team[1], assignment=first, no_conflict=True)


def test_a_submitted_review_is_locked(autumn, stage, team):
    (first, *_) = assign(autumn, stage, team)
    done = write_review(first)

    assert done.status == A.SUBMITTED
    with pytest.raises(ApplicationError, match="submitted and cannot be changed"):
        write_review(done)
    with pytest.raises(TransitionNotAllowed):
        services.assignment_withdraw(actor=StaffFactory(), assignment=done, note="Late.")


def test_a_review_cannot_be_submitted_incomplete(autumn, stage, team):
    (first, *_) = assign(autumn, stage, team)
    accepted = services.assignment_accept(actor=team[0], assignment=first, no_conflict=True)
    with pytest.raises(ApplicationError) as refused:
        services.review_submit(actor=team[0], assignment=accepted)
    assert refused.value.message.startswith("Before submitting, add: A score for Visibility;")
    assert Review.objects.get().submitted_at is None


def test_an_older_version_of_a_review_is_refused(autumn, stage, team):
    (first, *_) = assign(autumn, stage, team)
    accepted = services.assignment_accept(actor=team[0], assignment=first, no_conflict=True)
    version = accepted.review.version
    args = {
        "scores": {},
        "strengths": "One tab.",
        "areas_to_develop": "",
        "recommendations": "",
        "suggested_outcome": None,
    }
    services.review_save(actor=team[0], assignment=accepted, version=version, **args)
    with pytest.raises(services.StaleEdit):
        services.review_save(
            actor=team[0], assignment=accepted, version=version, **{**args, "strengths": "Two"}
        )
    assert Review.objects.get().strengths == "One tab."


def test_the_last_review_in_tells_the_lead_and_itss(autumn, stage, team, settings, on_commit):
    assignments = assign(autumn, stage, team)
    for assignment in assignments[:2]:
        write_review(assignment)
    mail.outbox.clear()

    with on_commit(execute=True):
        write_review(assignments[2])

    (notice,) = mail.outbox
    assert notice.subject == "All reviews are in for University of Testshire · Stage 1"
    assert notice.to == [settings.ITSS_TEAM_EMAIL, team[0].email]


def test_feedback_starts_from_the_reviews_without_names_of_scores(autumn, stage, team):
    assignments = assign(autumn, stage, team)
    for assignment, outcome in zip(assignments, ["accepted", "commended", "accepted"], strict=True):
        write_review(assignment, outcome=outcome)

    staff = StaffFactory()
    feedback = services.feedback_start(actor=staff, review_round=autumn, submission=stage)

    assert feedback.outcome.slug == "accepted"
    assert feedback.strengths == "\n\n".join(f"Strengths seen by {review_tag(r)}." for r in team)
    visibility = feedback.themes.get(theme__slug="visibility")
    assert visibility.text == "\n\n".join(f"{review_tag(r)} on Visibility." for r in team)
    assert services.feedback_start(actor=staff, review_round=autumn, submission=stage) == feedback


def test_feedback_waits_for_a_submitted_review(autumn, stage, team):
    assign(autumn, stage, team)
    with pytest.raises(ApplicationError, match="none is in yet"):
        services.feedback_start(actor=StaffFactory(), review_round=autumn, submission=stage)


def _ready_feedback(autumn, stage, team) -> Feedback:
    for assignment in assign(autumn, stage, team):
        write_review(assignment)
    feedback = services.feedback_start(actor=team[0], review_round=autumn, submission=stage)
    return services.feedback_save(
        actor=team[0],
        feedback=feedback,
        version=feedback.version,
        outcome=Outcome.objects.get(slug="accepted-with-recommendations"),
        summary="A candid, well-evidenced plan.",
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations=feedback.recommendations,
        themes={},
    )


def test_releasing_feedback_tells_the_institution_and_freezes_it(autumn, stage, team, on_commit):
    feedback = _ready_feedback(autumn, stage, team)
    lead = stage.organisation.memberships.get().user
    mail.outbox.clear()

    with on_commit(execute=True):
        released = services.feedback_release(actor=StaffFactory(), feedback=feedback)

    assert released.status == FeedbackStatus.RELEASED
    stage.refresh_from_db()
    assert stage.status == SubmissionStatus.FEEDBACK_RELEASED
    (message,) = mail.outbox
    assert message.to == [lead.email, stage.organisation.lead_email]
    assert message.subject == "Feedback on your Stage 1 submission: Accepted with recommendations"
    # The institution is never told who reviewed it.
    for person in team:
        assert person.name not in message.body
    with pytest.raises(ApplicationError, match="cannot be changed"):
        services.feedback_save(
            actor=team[0],
            feedback=released,
            version=released.version,
            outcome=None,
            summary="",
            strengths="",
            areas_to_develop="",
            recommendations="",
            themes={},
        )


def test_feedback_is_not_released_incomplete_or_with_reviews_out(autumn, stage, team):
    assignments = assign(autumn, stage, team)
    write_review(assignments[0])
    feedback = services.feedback_start(actor=team[0], review_round=autumn, submission=stage)
    staff = StaffFactory()

    with pytest.raises(ApplicationError, match="add the overall judgement"):
        services.feedback_release(actor=staff, feedback=feedback)
    feedback = services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=feedback.outcome,
        summary="Good.",
        strengths="Much.",
        areas_to_develop="Some.",
        recommendations="",
        themes={},
    )
    with pytest.raises(ApplicationError, match="2 reviews are still out"):
        services.feedback_release(actor=staff, feedback=feedback)
    with pytest.raises(NotPermitted):
        services.feedback_release(actor=UserFactory(), feedback=feedback)
    assert Feedback.objects.get().status == FeedbackStatus.DRAFT
