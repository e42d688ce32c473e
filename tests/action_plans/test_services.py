"""Writing, submitting, reopening and publishing a stage, through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from action_plans import selectors, services
from action_plans.enums import ActionStatus, SubmissionStatus
from action_plans.models import Action, PreviousActionReview
from core.exceptions import ApplicationError, NotPermitted
from core.models import ActivityLog
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    contributor_of,
    lead_of,
    pdf_upload,
    started,
    submitted,
)
from tests.conftest import with_totp
from tests.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return announced_organisation()


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


def test_starting_stage_one_creates_every_section(organisation, lead):
    submission = started(organisation, lead)

    assert (submission.stage_number, submission.status) == (1, SubmissionStatus.IN_PROGRESS)
    assert submission.self_assessment.lead_name == "Priya Shah"
    assert [a.theme.slug for a in submission.theme_assessments.all()] == [
        "visibility",
        "recognition",
        "career-development",
        "sustainability",
    ]
    assert submission.previous_action_reviews.count() == 0


def test_a_stage_cannot_be_started_twice_or_out_of_turn(organisation, lead):
    started(organisation, lead)
    for number in (1, 2):
        with pytest.raises(ApplicationError) as refused:
            started(organisation, lead, number)
        assert refused.value.message == f"Stage {number} cannot be started now."


def test_an_organisation_not_yet_announced_has_no_stage_to_start():
    organisation = OrganisationFactory()
    with pytest.raises(ApplicationError) as refused:
        started(organisation, lead_of(organisation))
    assert refused.value.message == (
        "Stages are scheduled once the organisation has been announced."
    )


def test_someone_outside_the_organisation_cannot_start_or_edit(organisation, lead):
    outsider = lead_of(announced_organisation())
    with pytest.raises(NotPermitted):
        started(organisation, outsider)
    submission = started(organisation, lead)
    with pytest.raises(NotPermitted):
        services.self_assessment_save(
            actor=outsider, submission=submission, version=1, profile="Ours now."
        )
    with pytest.raises(NotPermitted):
        services.self_assessment_save(
            actor=with_totp(StaffFactory()), submission=submission, version=1, profile="Staff."
        )


def test_the_profile_word_limit_is_enforced(organisation, lead, settings):
    settings.PROFILE_WORD_LIMIT = 5
    submission = started(organisation, lead)
    with pytest.raises(ApplicationError) as refused:
        services.self_assessment_save(
            actor=lead, submission=submission, version=1, profile="one two three four five six"
        )
    assert refused.value.message == "The organisation profile has 6 words; the limit is 5."
    submission.self_assessment.refresh_from_db()
    assert (submission.self_assessment.profile, submission.self_assessment.version) == ("", 1)


def test_the_second_of_two_colleagues_saving_one_section_gets_a_conflict(organisation, lead):
    colleague = contributor_of(organisation)
    submission = started(organisation, lead)
    opened_at = submission.self_assessment.version

    services.self_assessment_save(
        actor=colleague, submission=submission, version=opened_at, profile="Colleague's text."
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.self_assessment_save(
            actor=lead, submission=submission, version=opened_at, profile="Lead's text."
        )

    assert conflict.value.message.startswith(f"{colleague.name} saved this section at ")
    stored = submission.self_assessment
    stored.refresh_from_db()
    assert (stored.profile, stored.version, stored.updated_by) == (
        "Colleague's text.",
        opened_at + 1,
        colleague,
    )


def test_the_checklist_names_everything_missing(organisation, lead):
    organisation.tc_page_url = ""
    organisation.contact_name = ""
    organisation.save()
    submission = selectors.submission_for_editing(started(organisation, lead))

    missing = selectors.submission_missing(submission)

    assert missing == [
        "Write the organisation profile.",
        "Assess the theme “Visibility”: a narrative and a rating.",
        "Add at least one action for the theme “Visibility”.",
        "Assess the theme “Recognition”: a narrative and a rating.",
        "Add at least one action for the theme “Recognition”.",
        "Assess the theme “Career development”: a narrative and a rating.",
        "Add at least one action for the theme “Career development”.",
        "Assess the theme “Sustainability”: a narrative and a rating.",
        "Add at least one action for the theme “Sustainability”.",
        "Record how technicians' voices shaped the plan (technician voice).",
        "Give the address of your public Technician Commitment web page.",
        "Name your public point of contact, with an email address.",
    ]


def test_submitting_an_incomplete_stage_is_refused_and_changes_nothing(organisation, lead):
    submission = started(organisation, lead)
    with pytest.raises(ApplicationError) as refused:
        services.submission_submit(actor=lead, submission=submission, confirmed=True)
    assert refused.value.message.startswith("The submission is not complete yet: ")
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_at) == (SubmissionStatus.IN_PROGRESS, None)


def test_only_the_lead_submits_and_only_when_confirmed(organisation, lead):
    colleague = contributor_of(organisation)
    submission = complete(started(organisation, lead), lead)
    with pytest.raises(NotPermitted):
        services.submission_submit(actor=colleague, submission=submission, confirmed=True)
    with pytest.raises(ApplicationError) as refused:
        services.submission_submit(actor=lead, submission=submission, confirmed=False)
    assert refused.value.message == (
        "Confirm that the submission is complete and ready for review."
    )


def test_submitting_freezes_stamps_hashes_and_tells_staff(
    organisation, lead, settings, django_capture_on_commit_callbacks
):
    submission = complete(started(organisation, lead), lead)
    expected_hash = selectors.submission_hash(selectors.submission_for_editing(submission))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = services.submission_submit(actor=lead, submission=submission, confirmed=True)

    done.refresh_from_db()
    assert done.status == SubmissionStatus.SUBMITTED
    assert done.submitted_by == lead
    assert done.content_hash == expected_hash
    assert len(done.content_hash) == 64
    # Announced 16 May 2024: Stage 1 was due by 16 November 2025 at the latest.
    assert done.is_late
    assert [m.to for m in mail.outbox] == [[settings.ITSS_TEAM_EMAIL]]
    assert mail.outbox[0].subject == f"{organisation.name} submitted Stage 1 (late)"
    assert done.content_hash in mail.outbox[0].body


def test_the_hash_changes_with_the_content(organisation, lead):
    submission = complete(started(organisation, lead), lead)
    before = selectors.submission_hash(selectors.submission_for_editing(submission))
    action = submission.actions.first()
    services.action_save(
        actor=lead,
        action=action,
        version=action.version,
        themes=action.themes.all(),
        title="A sharper title",
        owner=action.owner,
    )
    after = selectors.submission_hash(selectors.submission_for_editing(submission))
    assert before != after


FROZEN_CHANGES = {
    "self-assessment": lambda s, u: services.self_assessment_save(
        actor=u, submission=s, version=s.self_assessment.version, profile="Changed."
    ),
    "theme": lambda s, u: services.theme_assessment_save(
        actor=u,
        assessment=s.theme_assessments.first(),
        version=s.theme_assessments.first().version,
        narrative="Changed.",
        rating=None,
    ),
    "add action": lambda s, u: services.action_add(
        actor=u, submission=s, themes=s.actions.first().themes.all(), title="New", owner="Me"
    ),
    "edit action": lambda s, u: services.action_save(
        actor=u,
        action=s.actions.first(),
        version=s.actions.first().version,
        themes=s.actions.first().themes.all(),
        title="Changed",
        owner="Me",
    ),
    "remove action": lambda s, u: services.action_remove(actor=u, action=s.actions.first()),
    "move action": lambda s, u: services.action_move(actor=u, action=s.actions.first(), offset=1),
    "add evidence": lambda s, u: services.voice_evidence_add(
        actor=u,
        submission=s,
        method="survey",
        held_on=timezone.localdate(),
        participants=3,
        description="x",
        what_changed="y",
    ),
    "remove evidence": lambda s, u: services.voice_evidence_remove(
        actor=u, evidence=s.voice_evidence.first()
    ),
    "attach": lambda s, u: services.attachment_add(actor=u, submission=s, upload=pdf_upload()),
    "submit again": lambda s, u: services.submission_submit(actor=u, submission=s, confirmed=True),
}


@pytest.mark.parametrize("change", FROZEN_CHANGES)
def test_a_submitted_stage_refuses_every_change(organisation, lead, change):
    submission = submitted(organisation, lead)
    content = selectors.submission_hash(selectors.submission_for_editing(submission))

    with pytest.raises(services.SubmissionFrozen) as refused:
        FROZEN_CHANGES[change](submission, lead)

    assert refused.value.message.startswith("Stage 1 was submitted on ")
    assert selectors.submission_hash(selectors.submission_for_editing(submission)) == content


def test_staff_reopen_with_a_reason_and_the_lead_can_edit_again(organisation, lead):
    staff = with_totp(StaffFactory())
    submission = submitted(organisation, lead)
    services.submission_publish(actor=lead, submission=submission)
    with pytest.raises(ApplicationError):
        services.submission_reopen(actor=staff, submission=submission, reason="  ")
    with pytest.raises(NotPermitted):
        services.submission_reopen(actor=lead, submission=submission, reason="Mine")

    reopened = services.submission_reopen(
        actor=staff, submission=submission, reason="Evidence file was the wrong one."
    )

    assert (reopened.status, reopened.published_at) == (SubmissionStatus.IN_PROGRESS, None)
    log = ActivityLog.objects.filter(verb="reopened").get()
    assert (log.actor, log.note) == (staff, "Evidence file was the wrong one.")
    services.self_assessment_save(
        actor=lead,
        submission=reopened,
        version=reopened.self_assessment.version,
        profile="Corrected.",
    )


def test_publishing_needs_a_submitted_plan_and_the_lead(organisation, lead):
    colleague = contributor_of(organisation)
    submission = started(organisation, lead)
    with pytest.raises(ApplicationError) as refused:
        services.submission_publish(actor=lead, submission=submission)
    assert refused.value.message == "Submit the plan before publishing it."

    submission = services.submission_submit(
        actor=lead, submission=complete(submission, lead), confirmed=True
    )
    with pytest.raises(NotPermitted):
        services.submission_publish(actor=colleague, submission=submission)
    published = services.submission_publish(actor=lead, submission=submission)

    assert (published.published_by, published.is_published) == (lead, True)
    assert selectors.published_plan(organisation) == published
    with pytest.raises(ApplicationError) as again:
        services.submission_publish(actor=lead, submission=submission)
    assert again.value.message == "This plan is already published."


def test_stage_two_prefills_from_stage_one(organisation, lead):
    first = submitted(organisation, lead)

    second = started(organisation, lead, 2)

    assert second.self_assessment.profile == first.self_assessment.profile
    assert second.self_assessment.technician_count == 420
    assert second.self_assessment.progress_since == ""
    assert [r.action for r in second.previous_action_reviews.all()] == list(first.actions.all())
    assert {r.outcome for r in second.previous_action_reviews.all()} == {""}
    assert second.actions.count() == 0
    # Each previous action must be accounted for before Stage 2 can go in.
    missing = selectors.submission_missing(selectors.submission_for_editing(second))
    assert "Say what became of 4 actions of the previous plan." in missing


def test_an_action_carried_over_is_copied_into_the_new_plan_once(organisation, lead):
    submitted(organisation, lead)
    second = started(organisation, lead, 2)
    review = second.previous_action_reviews.first()

    for _ in range(2):
        review = services.previous_action_review_save(
            actor=lead,
            review=review,
            version=review.version,
            outcome=ActionStatus.CARRIED_OVER,
            note="Half done; the second half moves on.",
        )

    copies = list(second.actions.all())
    assert [(a.title, a.carried_from, a.status) for a in copies] == [
        (review.action.title, review.action, ActionStatus.IN_PROGRESS)
    ]
    assert list(copies[0].themes.all()) == list(review.action.themes.all())
    assert PreviousActionReview.objects.get(pk=review.pk).outcome == ActionStatus.CARRIED_OVER


def test_progress_is_recorded_after_submission_and_kept(organisation, lead):
    submission = started(organisation, lead)
    complete(submission, lead)
    action = submission.actions.first()
    with pytest.raises(ApplicationError):
        services.action_progress_record(
            actor=lead, action=action, status=ActionStatus.DONE, note=""
        )
    services.submission_submit(actor=lead, submission=submission, confirmed=True)
    colleague = contributor_of(organisation)

    services.action_progress_record(
        actor=colleague, action=action, status=ActionStatus.IN_PROGRESS, note="Pilot running."
    )
    services.action_progress_record(
        actor=lead, action=action, status=ActionStatus.DONE, note="Rolled out."
    )

    assert [(u.status, u.note, u.recorded_by) for u in action.updates.all()] == [
        (ActionStatus.DONE, "Rolled out.", lead),
        (ActionStatus.IN_PROGRESS, "Pilot running.", colleague),
    ]
    assert Action.objects.get(pk=action.pk).status == ActionStatus.NOT_STARTED


def test_staff_extend_a_due_date_with_a_reason(organisation, lead):
    staff = with_totp(StaffFactory())
    new_due = timezone.now() + timedelta(days=30)
    with pytest.raises(NotPermitted):
        services.due_date_extend(
            actor=lead, organisation=organisation, stage_number=1, due_at=new_due, reason="x"
        )
    with pytest.raises(ApplicationError) as refused:
        services.due_date_extend(
            actor=staff, organisation=organisation, stage_number=2, due_at=new_due, reason="x"
        )
    assert refused.value.message == f"{organisation} has not reached Stage 2."

    services.due_date_extend(
        actor=staff,
        organisation=organisation,
        stage_number=1,
        due_at=new_due,
        reason="Restructuring of technical services.",
    )

    stage = selectors.stage_of(organisation, 1)
    assert stage.due_at == new_due
    assert (stage.extension.approved_by, stage.extension.reason) == (
        staff,
        "Restructuring of technical services.",
    )
    assert not stage.is_overdue
