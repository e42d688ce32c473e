"""Reviewer reminders and the ITSS note on overdue reviews, sent by the daily sweep.

The same rules as the organisations' deadline reminders: what is due *on or before* today
and not yet sent goes out, so a day the sweep did not run loses nothing; only the most
recent reminder due goes, not a pile; each is claimed under a unique constraint in the
same transaction as its message, so concurrent or repeated sweeps send it once; and an
assignment answered, submitted, declined or withdrawn is not reminded.

A reviewer hears on assignment (sent by ``reviewers_assign``), 7 and 3 days before the
review is due and on the day. ITSS hear once a week while a round has overdue reviews."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from action_plans.deadlines import uk_date
from core.claims import claim_rows
from core.services import email_message, email_queue_many, email_render

from . import selectors
from .enums import REVIEWER_REMINDER_DAYS_BEFORE, AssignmentStatus
from .models import Assignment, ReviewerReminder, ReviewRound, RoundOverdueNotice


@dataclass(frozen=True)
class ReviewerDue:
    assignment: Assignment
    kind: str
    due_on: date
    fire_on: date


def reviewer_reminder_due(
    assignment: Assignment, *, today: date, last_sent_on: date | None
) -> ReviewerDue | None:
    """The one reminder to send ``assignment``'s reviewer today, if any."""
    if assignment.status not in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED):
        return None
    due_on = uk_date(assignment.round.review_due_at)
    if today > due_on:
        return None  # past the due date, ITSS chase (the round's overdue notice)
    fired = [
        (due_on - timedelta(days=days), kind)
        for kind, days in REVIEWER_REMINDER_DAYS_BEFORE.items()
        if due_on - timedelta(days=days) <= today
    ]
    if not fired:
        return None
    fire_on, kind = max(fired)
    if last_sent_on is not None and last_sent_on >= fire_on:
        return None
    return ReviewerDue(assignment=assignment, kind=kind, due_on=due_on, fire_on=fire_on)


@dataclass
class ReviewSweepResult:
    due: int = 0
    sent: int = 0
    notices: int = 0


def review_reminders_send_due(*, now: datetime | None = None) -> ReviewSweepResult:
    """Send the reviewer reminders and overdue notices due on or before today (UK).

    Side effects: claims a ReviewerReminder (or RoundOverdueNotice) row for each and
    records its outbox message in the same transaction; delivery is queued after commit.
    A fixed number of queries plus one batch of inserts."""
    now = now or timezone.now()
    today = uk_date(now)
    result = ReviewSweepResult()
    open_assignments = list(
        Assignment.objects.filter(
            status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED),
            round__review_due_at__gte=now - timedelta(days=1),
        )
        .select_related("round__submission_round", "reviewer", "submission__organisation", "review")
        .prefetch_related("review__scores__theme")
    )
    last_sent = _last_sent([a.pk for a in open_assignments])
    due = [
        found
        for assignment in open_assignments
        if (
            found := reviewer_reminder_due(
                assignment,
                today=today,
                last_sent_on=last_sent.get(
                    (assignment.pk, uk_date(assignment.round.review_due_at))
                ),
            )
        )
    ]
    result.due = len(due)
    if due:
        result.sent = _send_reviewer_reminders(due, today=today)
    result.notices = _send_overdue_notices(now=now, today=today)
    return result


def _last_sent(assignment_ids: list[int]) -> dict[tuple[int, date], date]:
    rows = (
        ReviewerReminder.objects.filter(assignment_id__in=assignment_ids)
        .values("assignment_id", "due_on")
        .annotate(last=Max("sent_on"))
        .order_by()
    )
    return {(r["assignment_id"], r["due_on"]): r["last"] for r in rows}


@transaction.atomic
def _send_reviewer_reminders(due: list[ReviewerDue], *, today: date) -> int:
    claimed = claim_rows(
        ReviewerReminder,
        columns=["assignment_id", "kind", "due_on", "sent_on"],
        rows=[[d.assignment.pk, d.kind, d.due_on, today] for d in due],
        unique=["assignment_id", "kind", "due_on"],
    )
    mine = [d for d in due if (d.assignment.pk, d.kind, d.due_on) in claimed]
    if not mine:
        return 0
    labels = selectors.institution_labels(d.assignment for d in mine)
    emails = email_queue_many(
        [_reminder_email(d, today=today, institution=labels[d.assignment.pk]) for d in mine]
    )
    ReviewerReminder.objects.bulk_update(
        [
            ReviewerReminder(pk=claimed[(d.assignment.pk, d.kind, d.due_on)], email=email)
            for d, email in zip(mine, emails, strict=True)
        ],
        ["email"],
    )
    return len(mine)


def _reminder_email(due: ReviewerDue, *, today: date, institution: str):
    assignment = due.assignment
    review = getattr(assignment, "review", None)
    context = {
        **selectors.reviewer_email_context(assignment, institution=institution),
        "days_left": (due.due_on - today).days,
        "missing": selectors.review_missing(review) if review is not None else [],
    }
    return email_message(
        to=[assignment.reviewer.email],
        rendered=email_render(template="reviews/reminder", context=context),
        about=assignment,
    )


def _send_overdue_notices(*, now: datetime, today: date) -> int:
    """Once a week, counted from the due date, while a round has overdue reviews."""
    overdue = list(
        selectors.overdue_assignments(now)
        .select_related("round", "reviewer", "submission__organisation")
        .order_by("round", "submission__organisation__name")
    )
    by_round: dict[int, list[Assignment]] = {}
    for assignment in overdue:
        by_round.setdefault(assignment.round_id, []).append(assignment)
    sent = 0
    for round_id, assignments in by_round.items():
        review_round: ReviewRound = assignments[0].round
        due_on = uk_date(review_round.review_due_at)
        week = max((today - due_on).days - 1, 0) // 7
        with transaction.atomic():
            claimed = claim_rows(
                RoundOverdueNotice,
                columns=["round_id", "due_on", "week", "sent_on"],
                rows=[[round_id, due_on, week, today]],
                unique=["round_id", "due_on", "week"],
            )
            if not claimed:
                continue
            rendered = email_render(
                template="reviews/round_overdue",
                context={
                    "round": review_round,
                    "overdue": assignments,
                    "path": review_round.get_absolute_url(),
                },
            )
            (email,) = email_queue_many(
                [
                    email_message(
                        to=[settings.ITSS_TEAM_EMAIL], rendered=rendered, about=review_round
                    )
                ]
            )
            RoundOverdueNotice.objects.filter(pk=claimed[(round_id, due_on, week)]).update(
                email=email
            )
            sent += 1
    return sent
