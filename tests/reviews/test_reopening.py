"""Reopening a submission under review, and its review resuming once it is submitted again.

A submission's status has one owner, ``action_plans``: peer review moves it only through
``submission_start_review``, ``submission_release_feedback`` and ``submission_reopen``.
Reopening a stage under review takes its reviewers off their open reviews first, so nobody
goes on reviewing what its organisation is changing; once it is submitted again, staff
resume the review, the same reviewers are asked again with their drafts kept, and the
feedback can be released."""

import pytest
from django.urls import reverse

from action_plans import services as plan_services
from action_plans.enums import SubmissionStatus
from action_plans.services import UnderReview
from core.exceptions import ApplicationError
from core.models import OutboundEmail
from core.services import activity_for
from reviews import services
from reviews.enums import AssignmentStatus, FeedbackStatus
from reviews.models import Assignment, Feedback
from tests.conftest import with_totp
from tests.factories import StaffFactory

from .builders import assign, review_tag, write_review

pytestmark = pytest.mark.django_db
A = AssignmentStatus
S = SubmissionStatus


def _status(submission) -> str:
    submission.refresh_from_db()
    return submission.status


def _statuses(assignments) -> list[str]:
    return [Assignment.objects.get(pk=a.pk).status for a in assignments]


def _resubmit(stage):
    return plan_services.submission_submit(
        actor=stage.submitted_by, submission=stage, confirmed=True
    )


def _feedback_written(staff, autumn, stage) -> Feedback:
    started = services.feedback_start(actor=staff, review_round=autumn, submission=stage)
    return services.feedback_save(
        actor=staff,
        feedback=started,
        version=started.version,
        outcome=started.outcome,
        summary="A plan shaped with technicians.",
        strengths=started.strengths,
        areas_to_develop=started.areas_to_develop,
        recommendations=started.recommendations,
        themes={},
    )


def test_reopening_a_stage_under_review_around_its_reviewers_is_refused(autumn, stage, team):
    """What let reviewers go on reviewing while the organisation edited."""
    staff = with_totp(StaffFactory())
    assignments = assign(autumn, stage, team, staff=staff)

    with pytest.raises(UnderReview, match="with its peer reviewers"):
        plan_services.submission_reopen(actor=staff, submission=stage, reason="Dates missing.")

    assert _status(stage) == S.IN_REVIEW
    assert _statuses(assignments) == [A.INVITED] * 3


def test_the_whole_sequence_from_assignment_to_release_through_a_reopening(
    client, autumn, stage, team
):
    staff = with_totp(StaffFactory())
    lead_reviewer, second, third = assign(autumn, stage, team, staff=staff)
    write_review(lead_reviewer, submit=False)  # accepted, a draft under way
    write_review(second)  # a review in
    # The third has not replied.
    client.force_login(staff)

    response = client.post(
        reverse("reviews:reopen", args=[stage.pk]), {"reason": "The action plan lacks dates."}
    )

    assert response.status_code == 302
    assert _status(stage) == S.IN_PROGRESS
    assert _statuses([lead_reviewer, second, third]) == [A.WITHDRAWN, A.SUBMITTED, A.WITHDRAWN]
    told = OutboundEmail.objects.filter(template="reviews/reopened")
    assert sorted(address for m in told for address in m.to) == sorted(
        [team[0].email, team[2].email]
    )
    assert all("The action plan lacks dates." in m.body_text for m in told)
    # Nobody reviews while the organisation edits, and nothing can be released.
    with pytest.raises(ApplicationError):
        write_review(Assignment.objects.get(pk=lead_reviewer.pk))
    with pytest.raises(ApplicationError, match="reopened"):
        services.review_resume(actor=staff, review_round=autumn, submission=stage)

    _resubmit(stage)
    assert _status(stage) == S.SUBMITTED
    feedback = _feedback_written(staff, autumn, stage)
    with pytest.raises(ApplicationError, match="resume its review"):
        services.feedback_release(actor=staff, feedback=feedback)

    response = client.post(reverse("reviews:resume", args=[autumn.pk, stage.pk]))

    assert response.status_code == 302
    assert _status(stage) == S.IN_REVIEW
    assert _statuses([lead_reviewer, second, third]) == [A.INVITED, A.SUBMITTED, A.INVITED]
    again = Assignment.objects.get(pk=lead_reviewer.pk)
    assert again.is_lead
    assert again.withdrawn_by_reopening is False
    assert OutboundEmail.objects.filter(template="reviews/resumed").count() == 2
    # The lead carries on from their draft.
    services.assignment_accept(actor=team[0], assignment=again, no_conflict=True)
    assert again.review.strengths == f"Strengths seen by {review_tag(team[0])}."
    for assignment in (again, Assignment.objects.get(pk=third.pk)):
        write_review(Assignment.objects.get(pk=assignment.pk))

    released = services.feedback_release(actor=staff, feedback=feedback)

    assert released.status == FeedbackStatus.RELEASED
    assert _status(stage) == S.FEEDBACK_RELEASED
    steps = [(e.verb, e.from_status, e.to_status) for e in activity_for(stage).order_by("pk")]
    assert [step for step in steps if step[1]] == [
        ("submitted", S.IN_PROGRESS, S.SUBMITTED),
        ("review started", S.SUBMITTED, S.IN_REVIEW),
        ("reopened", S.IN_REVIEW, S.IN_PROGRESS),
        ("submitted", S.IN_PROGRESS, S.SUBMITTED),
        ("review started", S.SUBMITTED, S.IN_REVIEW),
        ("feedback released", S.IN_REVIEW, S.FEEDBACK_RELEASED),
    ]


def test_staff_may_fill_the_open_places_instead_and_the_stage_goes_back_in_review(
    autumn, stage, team
):
    from .builders import reviewer

    staff = with_totp(StaffFactory())
    lead_reviewer, *_ = assign(autumn, stage, team[:1], staff=staff)
    services.submission_reopen(actor=staff, submission=stage, reason="Wrong file attached.")
    _resubmit(stage)

    newcomer = reviewer(name="Dev Shah")
    assign(autumn, stage, [newcomer], staff=staff)

    assert _status(stage) == S.IN_REVIEW
    # The reviewer taken off by the reopening is still asked again when staff resume.
    asked = services.review_resume(actor=staff, review_round=autumn, submission=stage)
    assert [a.pk for a in asked] == [lead_reviewer.pk]
    assert _statuses([lead_reviewer]) == [A.INVITED]


def test_a_reviewer_who_came_to_a_conflict_meanwhile_is_not_asked_again(autumn, stage, team):
    from .builders import conflict_by_profile

    staff = with_totp(StaffFactory())
    first, second, _ = assign(autumn, stage, team, staff=staff)
    services.submission_reopen(actor=staff, submission=stage, reason="Wrong file attached.")
    conflict_by_profile(staff=staff, reviewer=team[1], organisation=stage.organisation)
    _resubmit(stage)

    asked = services.review_resume(actor=staff, review_round=autumn, submission=stage)

    assert team[1] not in [a.reviewer for a in asked]
    assert _statuses([first, second]) == [A.INVITED, A.WITHDRAWN]


def test_reopening_takes_the_ready_mark_off_the_feedback(autumn, stage, team):
    staff = with_totp(StaffFactory())
    (only,) = assign(autumn, stage, team[:1], staff=staff)
    write_review(only)
    feedback = _feedback_written(staff, autumn, stage)
    services.feedback_mark_ready(actor=team[0], feedback=feedback, note="All agreed.")

    services.submission_reopen(actor=staff, submission=stage, reason="Dates missing.")

    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.DRAFT


def test_reopening_needs_staff_and_a_reason_and_changes_nothing_when_refused(autumn, stage, team):
    staff = with_totp(StaffFactory())
    assignments = assign(autumn, stage, team, staff=staff)

    with pytest.raises(ApplicationError, match="reason"):
        services.submission_reopen(actor=staff, submission=stage, reason="  ")
    with pytest.raises(ApplicationError, match="Only ITSS staff"):
        services.submission_reopen(actor=team[0], submission=stage, reason="Mine.")

    assert _status(stage) == S.IN_REVIEW
    assert _statuses(assignments) == [A.INVITED] * 3


def test_the_reopen_page_says_who_is_taken_off(client, autumn, stage, team):
    staff = with_totp(StaffFactory())
    assign(autumn, stage, team, staff=staff)
    client.force_login(staff)

    page = client.get(reverse("reviews:reopen", args=[stage.pk])).content.decode()
    empty = client.post(reverse("reviews:reopen", args=[stage.pk]), {"reason": ""})

    assert all(person.name in page for person in team)
    assert empty.status_code == 400
    assert _status(stage) == S.IN_REVIEW


def test_the_stage_page_sends_staff_to_reopen_with_the_review(client, autumn, stage, team):
    staff = with_totp(StaffFactory())
    assign(autumn, stage, team, staff=staff)
    client.force_login(staff)

    page = client.get(stage.get_absolute_url()).content.decode()

    assert reverse("reviews:reopen", args=[stage.pk]) in page


def test_the_round_page_lists_a_reopened_stage_and_offers_to_resume_it(client, autumn, stage, team):
    staff = with_totp(StaffFactory())
    assign(autumn, stage, team, staff=staff)
    services.submission_reopen(actor=staff, submission=stage, reason="Dates missing.")
    client.force_login(staff)

    while_reopened = client.get(autumn.get_absolute_url())
    _resubmit(stage)
    resubmitted = client.get(autumn.get_absolute_url())

    assert while_reopened.context["progress"].reopened == [stage]
    assert "Resume the review" not in while_reopened.content.decode()
    assert resubmitted.context["progress"].reopened == []
    assert "Resume the review" in resubmitted.content.decode()


def test_the_reviewer_taken_off_sees_their_review_paused(client, autumn, stage, team):
    staff = with_totp(StaffFactory())
    assign(autumn, stage, team, staff=staff)
    services.submission_reopen(actor=staff, submission=stage, reason="Dates missing.")
    client.force_login(team[0])

    page = client.get(reverse("reviews:dashboard")).content.decode()

    assert "Paused: the submission was reopened" in page
