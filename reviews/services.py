"""Changes in peer review. Each runs in one transaction and changes nothing when it refuses
(``ApplicationError``); each lists its side effects."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.rules import is_itss_staff
from action_plans import packs
from action_plans import services as plan_services
from action_plans.deadlines import uk_date
from action_plans.enums import SubmissionStatus
from action_plans.models import Submission
from action_plans.selectors import themes_in_use
from core.exceptions import ApplicationError, NotPermitted
from core.services import (
    activity_record,
    email_send,
    instance_changed_fields,
    instance_validate,
    transition_apply,
)
from organisations.models import Organisation
from organisations.selectors import lead_addresses

from . import selectors
from .enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    FEEDBACK_TRANSITIONS,
    AssignmentStatus,
    ConflictReason,
    FeedbackStatus,
    ReviewerReminderKind,
)
from .models import (
    Assignment,
    Conflict,
    Feedback,
    Outcome,
    Review,
    ReviewerProfile,
    ReviewerReminder,
    ReviewRound,
    ScoreLevel,
    ThemeFeedback,
    ThemeScore,
)
from .rules import conflicted_organisation_ids, is_own_assignment
from .tasks import render_feedback_report

A = AssignmentStatus


class StaleEdit(ApplicationError):
    """Someone saved a newer version since the form was opened."""


WRITE_FEEDBACK_ONLY = (
    "Only the lead reviewer, with their own review in, or ITSS staff write the feedback."
)


def _authorise(actor, permission: str, obj=None, *, refusal: str) -> None:
    """Refuse with ``refusal`` unless ``actor`` holds ``permission`` on ``obj``: the same
    rule (``reviews.rules``, or the model's ``Meta.rules_permissions``) the pages ask."""
    if not actor.has_perm(permission, obj):
        raise NotPermitted(refusal)


def _authorise_own(actor, permission: str, assignment: Assignment) -> None:
    """Refuse unless ``assignment`` is ``actor``'s own and they have no conflict with the
    organisation, saying which of the two it is."""
    if not actor.has_perm(permission, assignment):
        raise NotPermitted(
            "You have a conflict of interest with this organisation."
            if is_own_assignment(actor, assignment)
            else "This is not your assignment."
        )


# The pool --------------------------------------------------------------------------------


@transaction.atomic
def reviewer_profile_save(*, actor, profile: ReviewerProfile, themes=None) -> ReviewerProfile:
    """Create or change a reviewer's profile (validated by its form); staff only.

    Side effects: saves it and its themes; logs the change on the reviewer's profile; takes
    them off any open review of the organisation now on their profile. A reviewer paused or
    untrained keeps their current assignments; they are only not proposed or assigned new
    ones."""
    _authorise(
        actor, "reviews.manage_pool", refusal="Only ITSS staff can change reviewer profiles."
    )
    if not profile.user.is_reviewer:
        raise ApplicationError(f"{profile.user} is not a peer reviewer.")
    created = profile.pk is None
    instance_validate(profile, exclude=["user"])
    themes_changed = themes is not None and (
        created or {t.pk for t in themes} != set(profile.themes.values_list("pk", flat=True))
    )
    if not instance_changed_fields(profile) and not themes_changed:
        return profile
    profile.save()
    if themes_changed:
        profile.themes.set(themes)
    if profile.organisation_id:
        conflicted_assignments_withdraw(
            actor=actor, reviewer=profile.user, why="works at the organisation", about=profile
        )
    state = "active" if profile.is_active else "paused"
    trained = f"trained {profile.trained_on:%-d %b %Y}" if profile.trained_on else "not trained"
    activity_record(
        subject=profile,
        actor=actor,
        verb="reviewer profile created" if created else "reviewer profile changed",
        note=f"{state}, {trained}, {profile.capacity} a round",
    )
    return profile


@transaction.atomic
def conflict_declare(*, actor, organisation: Organisation, reason: str, note: str) -> Conflict:
    """A reviewer declares a conflict of interest with ``organisation``.

    Side effects: records it; withdraws any assignment of theirs to that organisation's
    submissions that they have not yet submitted (they must not go on), logging each and
    telling the ITSS team, who then assign someone else."""
    _authorise(
        actor,
        "reviews.declare_conflict",
        refusal="Only peer reviewers declare conflicts of interest.",
    )
    if reason not in ConflictReason.values:
        raise ApplicationError("Choose the kind of conflict.")
    if not note.strip():
        raise ApplicationError("Say in a sentence what the conflict is.")
    try:
        with transaction.atomic():
            conflict = Conflict.objects.create(
                reviewer=actor, organisation=organisation, reason=reason, note=note.strip()
            )
    except IntegrityError as exc:
        raise ApplicationError(
            f"You have already declared a conflict with {organisation}."
        ) from exc
    conflicted_assignments_withdraw(
        actor=actor,
        reviewer=actor,
        why=f"declared: {conflict.get_reason_display().lower()}",
        about=conflict,
    )
    return conflict


def conflicted_assignments_withdraw(*, actor, reviewer, why: str, about) -> list[Assignment]:
    """Take ``reviewer`` off every review they have not yet submitted of an organisation
    they now have a conflict with (declared, or their organisation changed).

    Side effects: withdraws each, logged with ``why``; emails the ITSS team the list, so
    they assign someone else."""
    reviewer.__dict__.pop("_tc_conflicts", None)
    conflicts = conflicted_organisation_ids(reviewer)
    withdrawn = [
        _assignment_move(
            assignment, to=A.WITHDRAWN, actor=actor, verb="withdrawn: conflict", note=why
        )
        for assignment in Assignment.objects.filter(
            reviewer=reviewer,
            submission__organisation__in=conflicts,
            status__in=(A.INVITED, A.ACCEPTED),
        ).select_related("round", "submission__organisation")
    ]
    for organisation in {a.submission.organisation for a in withdrawn}:
        email_send(
            to=[settings.ITSS_TEAM_EMAIL],
            template="reviews/conflict_withdrawn",
            context={
                "reviewer": reviewer,
                "organisation": organisation,
                "why": why,
                "assignments": [a for a in withdrawn if a.submission.organisation == organisation],
            },
            about=about,
        )
    return withdrawn


@transaction.atomic
def conflict_remove(*, actor, conflict: Conflict) -> None:
    """A reviewer takes back a declared conflict (declared by mistake). Logged."""
    _authorise(
        actor,
        "reviews.remove_conflict",
        conflict,
        refusal="You can only remove your own declarations.",
    )
    activity_record(
        subject=actor,
        actor=actor,
        verb="conflict removed",
        note=f"{conflict.organisation}: {conflict.get_reason_display()}",
    )
    conflict.delete()
    actor.__dict__.pop("_tc_conflicts", None)


# Rounds ----------------------------------------------------------------------------------


@transaction.atomic
def review_round_save(*, actor, review_round: ReviewRound) -> ReviewRound:
    """Create or change a review round (validated by its form); staff only. Logged.
    Settings apply at once to what reviewers see; a moved deadline moves the reminders."""
    _authorise(actor, "reviews.manage_rounds", refusal="Only ITSS staff can manage review rounds.")
    created = review_round.pk is None
    if review_round.review_due_at <= review_round.submission_round.deadline:
        raise ApplicationError("Reviews are due after the submissions they review.")
    instance_validate(review_round)
    if not instance_changed_fields(review_round):
        return review_round
    review_round.save()
    activity_record(
        subject=review_round,
        actor=actor,
        verb="review round created" if created else "review round changed",
        note=f"reviews due {review_round.review_due_at:%-d %b %Y %H:%M}",
    )
    return review_round


# Assignment ------------------------------------------------------------------------------


def _assignment_move(assignment, *, to, actor, verb, note="", changes=None, guard=None):
    return transition_apply(
        instance=assignment,
        to_status=to,
        allowed=ASSIGNMENT_TRANSITIONS,
        actor=actor,
        verb=verb,
        note=note,
        changes=changes,
        guard=guard,
    )


def _check_assignable(
    review_round: ReviewRound, submission: Submission, profiles: list[ReviewerProfile]
) -> None:
    """Refuse a team that breaks a rule: conflicts, untrained or paused reviewers, full
    capacity, someone asked before, or more places than the round's team size."""
    if submission.status == SubmissionStatus.IN_PROGRESS:
        raise ApplicationError("Only a submitted stage can be reviewed.")
    if not selectors.round_submissions(review_round).filter(pk=submission.pk).exists():
        raise ApplicationError(f"{submission} is not reviewed in {review_round}.")
    taken = list(submission.review_assignments.select_for_update())
    asked = {a.reviewer_id for a in taken}
    team = [a for a in taken if a.status in ACTIVE_ASSIGNMENT_STATUSES]
    if len(team) + len(profiles) > review_round.team_size:
        open_places = review_round.team_size - len(team)
        raise ApplicationError(
            f"The team is {review_round.team_size}; {open_places} place"
            f"{'s' if open_places != 1 else ''} open, {len(profiles)} chosen."
        )
    loads = selectors.loads_in_round(review_round)
    conflicts = selectors.conflicts_by_reviewer(p.user_id for p in profiles)
    for profile in profiles:
        name = profile.user.name or profile.user.email
        if not profile.is_assignable:
            raise ApplicationError(f"{name} is paused or not yet trained.")
        if submission.organisation_id in conflicts.get(profile.user_id, ()):
            raise ApplicationError(
                f"{name} has a conflict of interest with {submission.organisation}."
            )
        if profile.user_id in asked:
            raise ApplicationError(f"{name} has already been asked to review {submission}.")
        if loads[profile.user_id] >= profile.capacity:
            raise ApplicationError(f"{name} already has {profile.capacity} reviews this round.")


@transaction.atomic
def reviewers_assign(
    *,
    actor,
    review_round: ReviewRound,
    submission: Submission,
    reviewers: list[User],
    lead: User | None = None,
    now: datetime | None = None,
) -> list[Assignment]:
    """Ask ``reviewers`` to review ``submission`` in ``review_round``; staff only.

    Side effects: refuses the whole team if any one breaks a rule (``_check_assignable``),
    so nothing half-assigns; creates an assignment each, to be answered within the round's
    reply time; makes ``lead`` the lead reviewer (the first named, if the team has none);
    moves the submission to "in review"; logs each on the submission; emails each reviewer
    after commit, recorded as their "on assignment" reminder; in a round that hides the
    institution's name, asks for the PDF of the submission without it."""
    _authorise(actor, "reviews.assign_reviewers", refusal="Only ITSS staff can assign reviewers.")
    if not reviewers:
        raise ApplicationError("Choose at least one reviewer.")
    if len({r.pk for r in reviewers}) != len(reviewers):
        raise ApplicationError("A reviewer can hold only one place in a team.")
    now = now or timezone.now()
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    profiles = list(
        ReviewerProfile.objects.filter(user__in=reviewers)
        .select_related("user")
        .prefetch_related("themes")
    )
    if len(profiles) != len(reviewers):
        raise ApplicationError("Everyone in the team needs a reviewer profile.")
    _check_assignable(review_round, locked, profiles)
    has_lead = locked.review_assignments.filter(
        is_lead=True, status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)
    ).exists()
    if lead is not None and has_lead:
        raise ApplicationError("The team has a lead reviewer already.")
    if lead is not None and lead not in reviewers:
        raise ApplicationError("The lead reviewer must be one of the team.")
    lead = lead or (None if has_lead else reviewers[0])
    respond_by = min(
        now + timedelta(days=review_round.respond_within_days), review_round.review_due_at
    )
    created = []
    for reviewer in reviewers:
        assignment = Assignment.objects.create(
            round=review_round,
            submission=locked,
            reviewer=reviewer,
            is_lead=reviewer == lead,
            assigned_by=actor,
            respond_by=respond_by,
        )
        activity_record(
            subject=locked,
            actor=actor,
            verb="reviewer assigned",
            note=f"{reviewer}{' (lead)' if assignment.is_lead else ''}, {review_round}",
        )
        _notify_assigned(assignment, today=uk_date(now))
        created.append(assignment)
    if not review_round.show_institution:
        # The team reads a PDF without the institution's name: have it ready.
        packs.pack_request(submission=locked, user=actor, withhold_name=True)
    if locked.status == SubmissionStatus.SUBMITTED:
        plan_services.submission_start_review(
            actor=actor, submission=locked, note=str(review_round)
        )
    return created


def _notify_assigned(assignment: Assignment, *, today: date) -> None:
    reminder = ReviewerReminder.objects.create(
        assignment=assignment,
        kind=ReviewerReminderKind.ASSIGNED,
        due_on=uk_date(assignment.round.review_due_at),
        sent_on=today,
    )
    reminder.email = email_send(
        to=[assignment.reviewer.email],
        template="reviews/assigned",
        context=selectors.reviewer_email_context(assignment),
        about=assignment,
    )
    reminder.save(update_fields=["email"])


NO_CONFLICT = "Declared no conflict of interest with the organisation."


@transaction.atomic
def assignment_accept(
    *, actor, assignment: Assignment, no_conflict: bool, now: datetime | None = None
) -> Assignment:
    """The reviewer accepts, declaring that they have no conflict of interest with the
    organisation (``no_conflict``); only then may they read the submission.

    Side effects: refuses without the declaration; stamps the reply; creates their draft
    review with a score row per theme (or keeps the draft they had, when asked again after
    a reopened submission came back); logs the acceptance with the declaration."""
    _authorise_own(actor, "reviews.respond_to_assignment", assignment)
    if not no_conflict:
        raise ApplicationError(
            "Confirm that you have no conflict of interest with this organisation, or "
            "declare the conflict."
        )
    accepted = _assignment_move(
        assignment,
        to=A.ACCEPTED,
        actor=actor,
        verb="assignment accepted",
        note=NO_CONFLICT,
        changes={"responded_at": now or timezone.now()},
    )
    review, _ = Review.objects.get_or_create(assignment=accepted)
    ThemeScore.objects.bulk_create(
        [ThemeScore(review=review, theme=theme) for theme in themes_in_use()],
        ignore_conflicts=True,
    )
    return accepted


@transaction.atomic
def assignment_decline(
    *, actor, assignment: Assignment, reason: str, now: datetime | None = None
) -> Assignment:
    """The reviewer declines, saying why. Side effects: stamps the reply and the reason;
    the place opens (a lead's role with it); logs it; emails the ITSS team with the
    replacement the portal proposes."""
    _authorise_own(actor, "reviews.respond_to_assignment", assignment)
    if not reason.strip():
        raise ApplicationError("Say briefly why you decline, so the team can plan.")
    declined = _assignment_move(
        assignment,
        to=A.DECLINED,
        actor=actor,
        verb="assignment declined",
        note=reason.strip(),
        changes={"responded_at": now or timezone.now(), "decline_reason": reason.strip()},
    )
    proposal = selectors.submission_proposal(declined.round, declined.submission)
    email_send(
        to=[settings.ITSS_TEAM_EMAIL],
        template="reviews/declined",
        context={
            "assignment": declined,
            "replacement": proposal.lead,
            "path": declined.round.get_absolute_url(),
        },
        about=declined,
    )
    return declined


@transaction.atomic
def assignment_declare_conflict(
    *, actor, assignment: Assignment, reason: str, note: str, now: datetime | None = None
) -> Assignment:
    """The reviewer, asked to review, declares a conflict of interest instead of accepting.

    Side effects: declines the assignment with the conflict as the reason (the ITSS team
    are emailed with a replacement, as for any decline); where the round shows the
    institution's name, records the conflict with the organisation too (``conflict_declare``:
    their other open reviews of it are withdrawn), so they are not asked again. A round that
    hides the name records it on the decline only: a declared conflict would show the
    reviewer the name."""
    _authorise_own(actor, "reviews.respond_to_assignment", assignment)
    if reason not in ConflictReason.values:
        raise ApplicationError("Choose the kind of conflict.")
    if not note.strip():
        raise ApplicationError("Say in a sentence what the conflict is.")
    label = ConflictReason(reason).label
    declined = assignment_decline(
        actor=actor,
        assignment=assignment,
        reason=f"Conflict of interest ({label.lower()}): {note.strip()}",
        now=now,
    )
    if declined.round.show_institution:
        conflict_declare(
            actor=actor,
            organisation=declined.submission.organisation,
            reason=reason,
            note=note,
        )
    return declined


@transaction.atomic
def assignment_withdraw(*, actor, assignment: Assignment, note: str) -> Assignment:
    """Staff take a reviewer off a submission they have not reviewed yet. Logged; the
    reviewer is told."""
    _authorise(
        actor, "reviews.assign_reviewers", refusal="Only ITSS staff can withdraw assignments."
    )
    if not note.strip():
        raise ApplicationError("Say why the reviewer is taken off.")
    withdrawn = _assignment_move(
        assignment, to=A.WITHDRAWN, actor=actor, verb="assignment withdrawn", note=note.strip()
    )
    email_send(
        to=[withdrawn.reviewer.email],
        template="reviews/withdrawn",
        context=selectors.reviewer_email_context(withdrawn),
        about=withdrawn,
    )
    return withdrawn


# Reviewing -------------------------------------------------------------------------------


def _lock_review(actor, assignment: Assignment, version: int | None) -> Review:
    _authorise_own(actor, "reviews.write_review", assignment)
    current = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if current.status != A.ACCEPTED:
        raise ApplicationError(
            "This review is submitted and cannot be changed."
            if current.status == A.SUBMITTED
            else "Accept the assignment before writing the review."
        )
    review = Review.objects.select_for_update().get(assignment=current)
    if version is not None and version != review.version:
        raise StaleEdit("This review was saved elsewhere since you opened it; reload to see it.")
    return review


@transaction.atomic
def review_save(
    *,
    actor,
    assignment: Assignment,
    version: int | None,
    scores: dict[int, tuple[ScoreLevel | None, str]],
    strengths: str,
    areas_to_develop: str,
    recommendations: str,
    suggested_outcome: Outcome | None,
) -> Review:
    """Save the reviewer's draft. ``scores``: by theme id, (level or None, comment).

    Side effects: refuses a version older than the stored one (another tab saved) and any
    change once submitted; writes the fields and the scores; bumps the version."""
    review = _lock_review(actor, assignment, version)
    by_theme = {score.theme_id: score for score in review.scores.all()}
    changed = []
    for theme_id, (level, comment) in scores.items():
        score = by_theme.get(theme_id)
        if score is None:
            raise ApplicationError("That theme is not part of this review.")
        score.level = level
        score.comment = comment.strip()
        changed.append(score)
    ThemeScore.objects.bulk_update(changed, ["level", "comment"])
    review.strengths = strengths.strip()
    review.areas_to_develop = areas_to_develop.strip()
    review.recommendations = recommendations.strip()
    review.suggested_outcome = suggested_outcome
    review.version += 1
    review.save()
    return review


@transaction.atomic
def review_submit(*, actor, assignment: Assignment, now: datetime | None = None) -> Review:
    """Submit the review; it is then locked. Side effects: refuses while anything is
    missing; stamps the time; moves the assignment to "submitted"; logs it; when it is the
    team's last review, emails the lead reviewer and the ITSS team that moderation can
    begin."""
    review = _lock_review(actor, assignment, None)
    missing = selectors.review_missing(review)
    if missing:
        raise ApplicationError("Before submitting, add: " + "; ".join(missing) + ".")
    review.submitted_at = now or timezone.now()
    review.save(update_fields=["submitted_at", "updated_at"])
    done = _assignment_move(assignment, to=A.SUBMITTED, actor=actor, verb="review submitted")
    team = done.submission.review_assignments.filter(
        round=done.round, status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)
    ).select_related("reviewer")
    if all(a.status == A.SUBMITTED for a in team):
        lead = next((a for a in team if a.is_lead), None)
        email_send(
            to=[settings.ITSS_TEAM_EMAIL, *([lead.reviewer.email] if lead else [])],
            template="reviews/all_reviews_in",
            context={
                "submission": done.submission,
                "round": done.round,
                "path": feedback_path(done.round, done.submission),
            },
            about=done.submission,
        )
    return review


def feedback_path(review_round: ReviewRound, submission: Submission) -> str:
    return reverse("reviews:moderate", kwargs={"pk": review_round.pk, "submission": submission.pk})


# Feedback --------------------------------------------------------------------------------


def _joined(parts: list[str]) -> str:
    return "\n\n".join(part for part in parts if part)


@transaction.atomic
def feedback_start(*, actor, review_round: ReviewRound, submission: Submission) -> Feedback:
    """The consolidated feedback on ``submission``, created on first use pre-filled from
    the submitted reviews (their strengths, areas to develop, recommendations and each
    theme's comments, without names) and the outcome most of them suggest. The lead
    reviewer, their own review in, or staff."""
    _authorise(actor, "reviews.write_feedback", submission, refusal=WRITE_FEEDBACK_ONLY)
    existing = Feedback.objects.filter(round=review_round, submission=submission).first()
    if existing is not None:
        return existing
    reviews = [
        r for r in selectors.reviews_of_submission(submission, review_round) if r.is_submitted
    ]
    if not reviews:
        raise ApplicationError("Feedback is written from submitted reviews; none is in yet.")
    outcomes = [r.suggested_outcome for r in reviews if r.suggested_outcome]
    outcome = max(outcomes, key=lambda o: (outcomes.count(o), o.position)) if outcomes else None
    feedback = Feedback.objects.create(
        round=review_round,
        submission=submission,
        outcome=outcome,
        strengths=_joined([r.strengths for r in reviews]),
        areas_to_develop=_joined([r.areas_to_develop for r in reviews]),
        recommendations=_joined([r.recommendations for r in reviews]),
        updated_by=actor,
    )
    ThemeFeedback.objects.bulk_create(
        [
            ThemeFeedback(
                feedback=feedback,
                theme=theme,
                text=_joined(
                    [s.comment for r in reviews for s in r.scores.all() if s.theme_id == theme.pk]
                ),
            )
            for theme in themes_in_use()
        ]
    )
    activity_record(
        subject=submission, actor=actor, verb="feedback started", note=str(review_round)
    )
    return feedback


@transaction.atomic
def feedback_save(
    *,
    actor,
    feedback: Feedback,
    version: int | None,
    outcome: Outcome | None,
    summary: str,
    strengths: str,
    areas_to_develop: str,
    recommendations: str,
    themes: dict[int, str],
) -> Feedback:
    """Save the consolidated feedback (lead reviewer or staff). Side effects: refuses once
    released and a version older than the stored one; writes it; bumps the version. A
    change by the lead reviewer after they marked it ready takes the mark off (logged: they
    mark it again when it is); a change by staff, who release it, keeps the mark."""
    locked = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("submission")
        .get(pk=feedback.pk)
    )
    _authorise(actor, "reviews.write_feedback", locked.submission, refusal=WRITE_FEEDBACK_ONLY)
    if locked.is_released:
        raise ApplicationError("Released feedback cannot be changed.")
    if version is not None and version != locked.version:
        raise StaleEdit("This feedback was saved by someone else since you opened it; reload.")
    if locked.status == FeedbackStatus.READY and not actor.has_perm("reviews.release_feedback"):
        locked = _feedback_unready(locked, actor=actor, note="Changed by the lead reviewer.")
    locked.outcome = outcome
    locked.summary = summary.strip()
    locked.strengths = strengths.strip()
    locked.areas_to_develop = areas_to_develop.strip()
    locked.recommendations = recommendations.strip()
    locked.updated_by = actor
    locked.version += 1
    locked.save()
    rows = {row.theme_id: row for row in locked.themes.all()}
    for theme_id, text in themes.items():
        if theme_id in rows:
            rows[theme_id].text = text.strip()
    ThemeFeedback.objects.bulk_update(list(rows.values()), ["text"])
    return locked


def _feedback_unready(feedback: Feedback, *, actor, note: str) -> Feedback:
    return transition_apply(
        instance=feedback,
        to_status=FeedbackStatus.DRAFT,
        allowed=FEEDBACK_TRANSITIONS,
        actor=actor,
        verb="ready mark taken off",
        note=note,
    )


def _outstanding_reviews(feedback: Feedback) -> int:
    return feedback.submission.review_assignments.filter(
        round=feedback.round, status__in=(A.INVITED, A.ACCEPTED)
    ).count()


@transaction.atomic
def feedback_mark_ready(*, actor, feedback: Feedback, note: str = "") -> Feedback:
    """The lead reviewer marks the moderated feedback ready for staff to release.

    Side effects: refuses anyone but the lead reviewer who has submitted their own review,
    while the outcome, judgement, strengths or areas to develop are missing, and while a
    review of the team is still out; moves the feedback to "ready for release", logged with
    ``note``; emails the ITSS team after commit. Staff see the mark on the round page."""
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("submission")
        .get(pk=feedback.pk)
    )
    submission = feedback.submission
    _authorise(
        actor,
        "reviews.mark_feedback_ready",
        feedback,
        refusal="Only the lead reviewer, with their own review in, marks it ready.",
    )
    missing = selectors.feedback_missing(feedback)
    if missing:
        raise ApplicationError("Before marking it ready, add " + ", ".join(missing) + ".")
    outstanding = _outstanding_reviews(feedback)
    if outstanding:
        raise ApplicationError(
            f"{outstanding} review{'s are' if outstanding != 1 else ' is'} still out: the "
            "feedback is ready once every review is in."
        )
    ready = transition_apply(
        instance=feedback,
        to_status=FeedbackStatus.READY,
        allowed=FEEDBACK_TRANSITIONS,
        actor=actor,
        verb="feedback marked ready for release",
        note=note.strip(),
    )
    email_send(
        to=[settings.ITSS_TEAM_EMAIL],
        template="reviews/feedback_ready",
        context={
            "feedback": ready,
            "submission": submission,
            "round": ready.round,
            "lead": actor,
            "note": note.strip(),
            "path": feedback_path(ready.round, submission),
        },
        about=submission,
    )
    return ready


@transaction.atomic
def feedback_release(*, actor, feedback: Feedback, now: datetime | None = None) -> Feedback:
    """Staff release the feedback to the institution.

    Side effects: refuses while the outcome, judgement, strengths or areas to develop are
    missing, while a review of the team is still out, or while the submission is not in
    review (reopened, or submitted again and its review not yet resumed); marks it released
    (frozen), with who and when, whether or not the lead reviewer marked it ready; moves
    the submission to "feedback released" (``action_plans``' service); logs both; emails
    the organisation's institutional leads (and its nominated lead) after commit; renders
    the feedback report (PDF) in the background."""
    _authorise(actor, "reviews.release_feedback", refusal="Only ITSS staff can release feedback.")
    missing = selectors.feedback_missing(feedback)
    if missing:
        raise ApplicationError("Before releasing, add " + ", ".join(missing) + ".")
    outstanding = _outstanding_reviews(feedback)
    if outstanding:
        raise ApplicationError(
            f"{outstanding} review{'s are' if outstanding != 1 else ' is'} still out: submit "
            "or withdraw before releasing."
        )
    now = now or timezone.now()
    submission = plan_services.submission_release_feedback(
        actor=actor, submission=feedback.submission, note=f"{feedback.outcome}"
    )
    released = transition_apply(
        instance=feedback,
        to_status=FeedbackStatus.RELEASED,
        allowed=FEEDBACK_TRANSITIONS,
        actor=actor,
        verb="feedback released",
        changes={"released_at": now, "released_by": actor},
    )
    organisation = submission.organisation
    leads = lead_addresses([organisation])[organisation.pk]
    email_send(
        to=leads or [settings.ITSS_TEAM_EMAIL],
        template="reviews/feedback_released",
        context={"submission": submission, "organisation": organisation, "feedback": released},
        about=submission,
    )
    feedback_report_queue(feedback=released)
    return released


def feedback_report_queue(*, feedback: Feedback) -> None:
    """Render the feedback report in the background once the transaction commits."""
    feedback_id = feedback.pk
    transaction.on_commit(lambda: render_feedback_report.delay(feedback_id=feedback_id))


# Reopening a submission under review, and resuming its review ----------------------------


@transaction.atomic
def submission_reopen(*, actor, submission: Submission, reason: str) -> Submission:
    """Staff reopen a submitted stage for its organisation to change, with a reason. For a
    stage in peer review this is the only way: nobody goes on reviewing what is changing.

    Side effects: takes every reviewer off a review of it they have not submitted (invited
    or accepted: withdrawn, marked as withdrawn by the reopening, their draft kept, logged
    with the reason) and emails each; keeps the reviews already submitted; takes the
    "ready for release" mark off its draft feedback; then reopens it through
    ``action_plans.services.submission_reopen`` (a published plan comes down). Once it is
    submitted again, ``review_resume`` asks the same reviewers again."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if not actor.has_perm("action_plans.reopen_submission", locked):
        if is_itss_staff(actor):
            raise ApplicationError(
                f"Stage {locked.stage_number} is not submitted: nothing to reopen."
            )
        raise NotPermitted("Only ITSS staff can reopen submissions.")
    if not reason.strip():
        raise ApplicationError("Give the reason for reopening the submission.")
    open_ones = list(
        locked.review_assignments.filter(status__in=(A.INVITED, A.ACCEPTED)).select_related(
            "round", "reviewer", "submission__organisation"
        )
    )
    for assignment in open_ones:
        withdrawn = _assignment_move(
            assignment,
            to=A.WITHDRAWN,
            actor=actor,
            verb="withdrawn: submission reopened",
            note=reason.strip(),
            changes={"withdrawn_by_reopening": True},
        )
        email_send(
            to=[withdrawn.reviewer.email],
            template="reviews/reopened",
            context={**selectors.reviewer_email_context(withdrawn), "reason": reason.strip()},
            about=withdrawn,
        )
    for feedback in locked.feedback.filter(status=FeedbackStatus.READY):
        _feedback_unready(feedback, actor=actor, note="The submission was reopened.")
    return plan_services.submission_reopen(
        actor=actor, submission=locked, reason=reason, reviewers_withdrawn=True
    )


@transaction.atomic
def review_resume(
    *, actor, review_round: ReviewRound, submission: Submission, now: datetime | None = None
) -> list[Assignment]:
    """Staff resume the review of a stage that was reopened and has been submitted again.

    Side effects: refuses while the stage is still reopened; asks again every reviewer of
    the round taken off by the reopening (back to "awaiting reply" with a new reply date,
    their draft kept; they declare no conflict again on accepting), unless they have since
    come to a conflict, been paused or the team is full, each logged and emailed; a lead
    asked again stays lead unless the team has found another; moves the stage back to "in
    review" (``action_plans.services.submission_start_review``). Returns those asked again.
    Reviews submitted before the reopening stand."""
    _authorise(actor, "reviews.assign_reviewers", refusal="Only ITSS staff can resume reviews.")
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status == SubmissionStatus.IN_PROGRESS:
        raise ApplicationError(
            "The stage is still reopened: its review resumes once it is submitted again."
        )
    now = now or timezone.now()
    taken = list(
        locked.review_assignments.filter(round=review_round)
        .select_for_update(of=("self",))
        .select_related("reviewer__reviewer_profile", "round")
    )
    held = [a for a in taken if a.status == A.WITHDRAWN and a.withdrawn_by_reopening]
    if locked.status != SubmissionStatus.SUBMITTED and not held:
        raise ApplicationError("The review is under way: there is nothing to resume.")
    if not held and not any(a.is_active for a in taken):
        raise ApplicationError(f"{locked} has no team in {review_round}: assign one instead.")
    places = review_round.team_size - sum(1 for a in taken if a.is_active)
    has_lead = any(a.is_lead and a.is_active for a in taken)
    conflicts = selectors.conflicts_by_reviewer(a.reviewer_id for a in held)
    respond_by = min(
        now + timedelta(days=review_round.respond_within_days), review_round.review_due_at
    )
    asked = []
    for assignment in held:
        profile = getattr(assignment.reviewer, "reviewer_profile", None)
        if (
            places <= 0
            or profile is None
            or not profile.is_assignable
            or locked.organisation_id in conflicts.get(assignment.reviewer_id, ())
        ):
            continue
        lead = assignment.is_lead and not has_lead
        has_lead = has_lead or lead
        again = _assignment_move(
            assignment,
            to=A.INVITED,
            actor=actor,
            verb="asked again: review resumed",
            changes={
                "withdrawn_by_reopening": False,
                "is_lead": lead,
                "respond_by": respond_by,
                "responded_at": None,
            },
        )
        email_send(
            to=[again.reviewer.email],
            template="reviews/resumed",
            context=selectors.reviewer_email_context(again),
            about=again,
        )
        places -= 1
        asked.append(again)
    if locked.status == SubmissionStatus.SUBMITTED:
        plan_services.submission_start_review(
            actor=actor, submission=locked, note=f"{review_round}: review resumed"
        )
    return asked
