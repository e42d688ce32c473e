"""Reviewer reminders and the ITSS overdue notice: each on its day, caught up, never twice,
never once the review is done, and against the round's current due date.

The sweep is given its moment (``now=``); it runs at 06:30 UK time. Reviews in the
builders' round are due on Saturday 31 January 2026 at 17:00."""

import threading
from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from action_plans.deadlines import uk_datetime
from core.models import OutboundEmail
from reviews import services
from reviews.enums import AssignmentStatus, ReviewerReminderKind
from reviews.models import Assignment, ReviewerReminder, ReviewRound, RoundOverdueNotice
from reviews.reminders import review_reminders_send_due, reviewer_reminder_due
from tests.factories import StaffFactory

from .builders import review_round, reviewer, submitted_stage, write_review

A = AssignmentStatus
K = ReviewerReminderKind
DUE = date(2026, 1, 31)
ASSIGNED_ON = date(2026, 1, 2)
REMINDER_DAYS = [
    (K.WEEK_BEFORE, date(2026, 1, 24)),
    (K.THREE_DAYS_BEFORE, date(2026, 1, 28)),
    (K.DUE_TODAY, date(2026, 1, 31)),
]


def morning(day: date):
    """When the daily sweep runs: 06:30 UK time."""
    return uk_datetime(day, time(6, 30))


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def sweep(*on: date):
    return [review_reminders_send_due(now=morning(day)) for day in on]


def reminders(*, with_due_on: bool = False) -> list[tuple]:
    """The reminders sent so far (not the assignment email), oldest first."""
    rows = ReviewerReminder.objects.exclude(kind=K.ASSIGNED).order_by("sent_on", "id")
    if with_due_on:
        return [(r.sent_on, r.kind, r.due_on) for r in rows]
    return [(r.sent_on, r.kind) for r in rows]


def notices() -> list[tuple[date, int]]:
    return list(RoundOverdueNotice.objects.order_by("sent_on").values_list("sent_on", "week"))


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def autumn(db):
    return review_round()


@pytest.fixture
def stage(autumn):
    # The round exists first, so the stage is due at its submission round.
    return submitted_stage("University of Testshire")


@pytest.fixture
def assign(autumn, stage, staff):
    """Ask reviewers on ``day`` (the "assigned" email goes that day)."""

    def assign(*reviewers, day: date = ASSIGNED_ON):
        return services.reviewers_assign(
            actor=staff,
            review_round=autumn,
            submission=stage,
            reviewers=list(reviewers),
            now=morning(day),
        )

    return assign


@pytest.fixture
def assignment(assign):
    (assignment,) = assign(reviewer(name="Ana Ruiz", email="ana@example.org"))
    return assignment


# The rule on its own ---------------------------------------------------------------------

J = {n: date(2026, 1, n) for n in range(1, 32)}


@pytest.mark.parametrize(
    ("status", "today", "last_sent_on", "expected"),
    [
        (A.INVITED, J[23], J[2], None),
        (A.INVITED, J[24], J[2], (K.WEEK_BEFORE, J[24])),
        (A.ACCEPTED, J[24], J[2], (K.WEEK_BEFORE, J[24])),
        (A.INVITED, J[24], J[24], None),  # assigned that morning
        (A.INVITED, J[27], J[24], None),
        (A.INVITED, J[28], J[24], (K.THREE_DAYS_BEFORE, J[28])),
        (A.INVITED, J[29], None, (K.THREE_DAYS_BEFORE, J[28])),  # only the latest
        (A.ACCEPTED, J[30], J[30], None),
        (A.ACCEPTED, J[31], J[28], (K.DUE_TODAY, J[31])),
        (A.ACCEPTED, J[31], J[31], None),
        (A.INVITED, date(2026, 2, 1), J[28], None),  # overdue: ITSS chase
        (A.SUBMITTED, J[24], J[2], None),
        (A.DECLINED, J[24], J[2], None),
        (A.WITHDRAWN, J[31], J[2], None),
    ],
)
def test_the_reminder_due_on_a_day(status, today, last_sent_on, expected):
    assignment = Assignment(
        status=status, round=ReviewRound(review_due_at=uk_datetime(DUE, time(17, 0)))
    )

    found = reviewer_reminder_due(assignment, today=today, last_sent_on=last_sent_on)

    if expected is None:
        assert found is None
    else:
        assert (found.kind, found.fire_on, found.due_on) == (*expected, DUE)


# Each reminder on its day ---------------------------------------------------------------


@pytest.mark.parametrize(("kind", "day"), REMINDER_DAYS)
def test_each_reminder_fires_on_its_day_and_not_the_day_before(assignment, kind, day):
    sweep(day - timedelta(days=1))
    assert kind not in [k for _, k in reminders()]

    (result,) = sweep(day)

    assert reminders()[-1] == (day, kind)
    assert (result.due, result.sent) == (1, 1)


def test_a_reviewer_swept_daily_gets_each_reminder_once_in_order(assignment):
    sweep(*days(ASSIGNED_ON, DUE + timedelta(days=10)))

    assert reminders() == [(day, kind) for kind, day in REMINDER_DAYS]
    assert OutboundEmail.objects.filter(template="reviews/reminder").count() == 3


@pytest.mark.parametrize(
    ("assigned_on", "first"),
    [
        (date(2026, 1, 24), (date(2026, 1, 28), K.THREE_DAYS_BEFORE)),
        (date(2026, 1, 26), (date(2026, 1, 28), K.THREE_DAYS_BEFORE)),
        (date(2026, 1, 28), (date(2026, 1, 31), K.DUE_TODAY)),
        (date(2026, 1, 30), (date(2026, 1, 31), K.DUE_TODAY)),
        (date(2026, 1, 31), None),
    ],
    ids=["on-week-before", "after-week-before", "on-three-days", "day-before-due", "due-day"],
)
def test_the_assignment_email_counts_as_sent(assign, assigned_on, first):
    assign(reviewer(), day=assigned_on)

    sweep(*days(assigned_on, DUE))

    assert reminders()[:1] == ([first] if first else [])


@pytest.mark.parametrize(
    ("swept_on", "expected"),
    [
        ([date(2026, 1, 23), date(2026, 1, 25)], [(date(2026, 1, 25), K.WEEK_BEFORE)]),
        ([date(2026, 1, 23), date(2026, 1, 29)], [(date(2026, 1, 29), K.THREE_DAYS_BEFORE)]),
        (
            [date(2026, 1, 27), date(2026, 1, 28)],
            [(date(2026, 1, 27), K.WEEK_BEFORE), (date(2026, 1, 28), K.THREE_DAYS_BEFORE)],
        ),
        (
            [date(2026, 1, 29), date(2026, 1, 31)],
            [(date(2026, 1, 29), K.THREE_DAYS_BEFORE), (date(2026, 1, 31), K.DUE_TODAY)],
        ),
    ],
    ids=["missed-week-before", "missed-both-sends-latest", "late-then-on-time", "missed-day"],
)
def test_a_day_the_sweep_did_not_run_is_caught_up_with_the_latest_reminder(
    assignment, swept_on, expected
):
    results = sweep(*swept_on)

    assert reminders() == expected
    assert [r.sent for r in results] == [
        sum(1 for day, _ in expected if day == swept) for swept in swept_on
    ]


def test_rerunning_the_sweep_the_same_day_sends_nothing_more(assignment):
    first, again = sweep(date(2026, 1, 24), date(2026, 1, 24))
    later_that_day = review_reminders_send_due(now=uk_datetime(date(2026, 1, 24), time(16, 0)))

    assert (first.sent, again.sent, later_that_day.sent) == (1, 0, 0)
    assert (again.due, later_that_day.due) == (0, 0)
    assert reminders() == [(date(2026, 1, 24), K.WEEK_BEFORE)]
    assert OutboundEmail.objects.filter(template="reviews/reminder").count() == 1


def _accept(assignment, staff):
    services.assignment_accept(actor=assignment.reviewer, assignment=assignment, no_conflict=True)


def _submit(assignment, staff):
    write_review(assignment)


def _decline(assignment, staff):
    services.assignment_decline(
        actor=assignment.reviewer, assignment=assignment, reason="Away all month."
    )


def _withdraw(assignment, staff):
    services.assignment_withdraw(actor=staff, assignment=assignment, note="Gone quiet.")


@pytest.mark.parametrize(
    ("change", "status", "later"),
    [
        (None, A.INVITED, [K.THREE_DAYS_BEFORE, K.DUE_TODAY]),
        (_accept, A.ACCEPTED, [K.THREE_DAYS_BEFORE, K.DUE_TODAY]),
        (_submit, A.SUBMITTED, []),
        (_decline, A.DECLINED, []),
        (_withdraw, A.WITHDRAWN, []),
    ],
    ids=["still-invited", "accepted", "submitted", "declined", "withdrawn"],
)
def test_no_reminder_once_the_review_is_submitted_declined_or_withdrawn(
    assignment, staff, change, status, later
):
    sweep(date(2026, 1, 24))
    if change:
        change(assignment, staff)
    assignment.refresh_from_db()
    assert assignment.status == status

    sweep(*days(date(2026, 1, 25), DUE))

    assert [kind for _, kind in reminders()] == [K.WEEK_BEFORE, *later]


@pytest.mark.parametrize(
    ("moved_on", "new_due", "before_the_move", "after_the_move"),
    [
        (
            date(2026, 1, 24),
            date(2026, 2, 28),
            [(date(2026, 1, 24), K.WEEK_BEFORE, DUE)],
            [
                (date(2026, 2, 21), K.WEEK_BEFORE, date(2026, 2, 28)),
                (date(2026, 2, 25), K.THREE_DAYS_BEFORE, date(2026, 2, 28)),
                (date(2026, 2, 28), K.DUE_TODAY, date(2026, 2, 28)),
            ],
        ),
        (
            # Moved after the 3-day reminder to a date whose week-before day has passed:
            # that one goes the next morning, counted against the new date.
            date(2026, 1, 28),
            date(2026, 2, 2),
            [
                (date(2026, 1, 24), K.WEEK_BEFORE, DUE),
                (date(2026, 1, 28), K.THREE_DAYS_BEFORE, DUE),
            ],
            [
                (date(2026, 1, 29), K.WEEK_BEFORE, date(2026, 2, 2)),
                (date(2026, 1, 30), K.THREE_DAYS_BEFORE, date(2026, 2, 2)),
                (date(2026, 2, 2), K.DUE_TODAY, date(2026, 2, 2)),
            ],
        ),
    ],
    ids=["a-month-later", "days-later"],
)
def test_moving_the_due_date_later_reminds_against_the_new_date(
    autumn, assignment, staff, moved_on, new_due, before_the_move, after_the_move
):
    sweep(*days(ASSIGNED_ON, moved_on))
    assert reminders(with_due_on=True) == before_the_move
    autumn.review_due_at = uk_datetime(new_due, time(17, 0))
    services.review_round_save(actor=staff, review_round=autumn)

    sweep(*days(moved_on + timedelta(days=1), new_due + timedelta(days=3)))

    assert reminders(with_due_on=True) == before_the_move + after_the_move
    # Not overdue on the old date: ITSS hear nothing until the new one has passed.
    assert notices() == [(new_due + timedelta(days=1), 0)]


@pytest.mark.parametrize(
    ("day", "subject", "says"),
    [
        (
            date(2026, 1, 24),
            "Your review of University of Testshire is due in 7 days",
            "is due in 7 days, on Saturday 31 January 2026, 17:00 (UK time).",
        ),
        (
            date(2026, 1, 25),  # the week-before reminder, caught up a day late
            "Your review of University of Testshire is due in 6 days",
            "is due in 6 days, on Saturday 31 January 2026, 17:00 (UK time).",
        ),
        (
            date(2026, 1, 28),
            "Your review of University of Testshire is due in 3 days",
            "is due in 3 days, on Saturday 31 January 2026, 17:00 (UK time).",
        ),
        (
            date(2026, 1, 31),
            "Your review of University of Testshire is due today",
            "is due today, Saturday 31 January 2026, 17:00 (UK time).",
        ),
    ],
    ids=["7-days", "6-days-caught-up", "3-days", "today"],
)
def test_the_email_states_the_days_left_and_links_to_the_assignment(
    assignment, django_capture_on_commit_callbacks, day, subject, says
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(day)

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == subject
    assert says in message.body
    assert f"{settings.SITE_URL}/reviews/assignments/{assignment.pk}/" in message.body
    assert "You have not yet accepted or declined it." in message.body


def test_an_accepted_reviewer_is_told_what_the_review_still_lacks(
    assignment, django_capture_on_commit_callbacks
):
    services.assignment_accept(actor=assignment.reviewer, assignment=assignment, no_conflict=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(date(2026, 1, 28))

    (message,) = mail.outbox
    assert "Still to do before you can submit it:" in message.body
    assert "- A suggested outcome" in message.body
    assert "You have not yet accepted or declined it." not in message.body


# ITSS: the round's overdue reviews ------------------------------------------------------


def test_itss_hear_once_a_week_while_reviews_are_overdue(assign, staff):
    late, quick = assign(reviewer(name="Late Lou"), reviewer(name="Quick Quinn"))
    write_review(quick)

    sweep(*days(date(2026, 1, 25), date(2026, 2, 10)))
    services.assignment_withdraw(actor=staff, assignment=late, note="Gone quiet.")
    sweep(*days(date(2026, 2, 11), date(2026, 3, 10)))

    assert notices() == [(date(2026, 2, 1), 0), (date(2026, 2, 8), 1)]
    assert OutboundEmail.objects.filter(template="reviews/round_overdue").count() == 2


def test_the_overdue_notice_lists_what_is_still_out(
    assign, django_capture_on_commit_callbacks, autumn
):
    late, later, quick = assign(
        reviewer(name="Late Lou"), reviewer(name="Later Lee"), reviewer(name="Quick Quinn")
    )
    services.assignment_accept(actor=later.reviewer, assignment=later, no_conflict=True)
    write_review(quick)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        (result,) = sweep(date(2026, 2, 1))

    assert result.notices == 1
    (message,) = mail.outbox
    assert message.to == [settings.ITSS_TEAM_EMAIL]
    assert message.subject == "Autumn 2025: 2 reviews overdue"
    assert "University of Testshire · Stage 1: Late Lou (awaiting reply)" in message.body
    assert "University of Testshire · Stage 1: Later Lee (accepted)" in message.body
    assert "Quick Quinn" not in message.body
    assert f"{settings.SITE_URL}/staff/review-rounds/{autumn.pk}/" in message.body


def test_itss_hear_weekly_again_when_an_extended_round_falls_overdue(autumn, assign, staff):
    assign(reviewer(name="Late Lou"))
    sweep(*days(date(2026, 1, 25), date(2026, 2, 9)))
    assert notices() == [(date(2026, 2, 1), 0), (date(2026, 2, 8), 1)]

    autumn.review_due_at = uk_datetime(date(2026, 2, 28), time(17, 0))
    services.review_round_save(actor=staff, review_round=autumn)
    sweep(*days(date(2026, 2, 10), date(2026, 3, 20)))

    # Overdue again from 1 March: a notice that week and every week after, as before.
    assert [sent_on for sent_on, _ in notices()] == [
        date(2026, 2, 1),
        date(2026, 2, 8),
        date(2026, 3, 1),
        date(2026, 3, 8),
        date(2026, 3, 15),
    ]


def test_past_the_due_date_the_reviewer_is_not_reminded_and_itss_are(assignment):
    # The sweep did not run on the due day: the "due today" reminder is not sent a day
    # late (the review is overdue by then); the round's overdue notice goes instead.
    results = sweep(date(2026, 1, 30), date(2026, 2, 1))

    assert reminders() == [(date(2026, 1, 30), K.THREE_DAYS_BEFORE)]
    assert [(r.sent, r.notices) for r in results] == [(1, 0), (0, 1)]


def test_itss_hear_nothing_when_no_review_is_overdue(assign):
    first, second = assign(reviewer(), reviewer())
    write_review(first)
    write_review(second)

    results = sweep(*days(date(2026, 1, 25), date(2026, 3, 10)))

    assert notices() == []
    assert sum(r.notices for r in results) == 0
    assert reminders() == []  # nothing to remind of once both are in


# The sweep's queries ----------------------------------------------------------------------

# Finding the open assignments, when each was last reminded, and the overdue ones; then
# claiming the reminders, recording their emails and linking them (a savepoint around
# those three): 8. Accepted reviews add their scores and themes (for what is still
# missing); a round that hides names adds the rounds' deadlines and the submissions in its
# window (for the labels).
SWEEP_QUERIES = {
    (A.INVITED, "shown"): 8,
    (A.INVITED, "hidden"): 10,
    (A.ACCEPTED, "shown"): 10,
    (A.ACCEPTED, "hidden"): 12,
}


def _sweep_queries(day: date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        (result,) = sweep(day)
    return result.sent, len(queries)


@pytest.mark.parametrize("names", ["shown", "hidden"])
@pytest.mark.parametrize("status", [A.INVITED, A.ACCEPTED])
def test_the_sweep_runs_the_same_queries_however_many_reminders_go(autumn, staff, status, names):
    """The sweep's docstring: "A fixed number of queries plus one batch of inserts"."""
    if names == "hidden":
        autumn.show_institution = False
        autumn.save(update_fields=["show_institution"])
    pool = [reviewer(capacity=10) for _ in range(2)]

    def assign(count: int) -> None:
        for n in range(count):
            (assignment,) = services.reviewers_assign(
                actor=staff,
                review_round=autumn,
                submission=submitted_stage(),
                reviewers=[pool[n % 2]],
                now=morning(ASSIGNED_ON),
            )
            if status == A.ACCEPTED:
                services.assignment_accept(
                    actor=assignment.reviewer, assignment=assignment, no_conflict=True
                )

    assign(2)
    sent_small, small = _sweep_queries(date(2026, 1, 24))  # 2 "week before"
    assign(4)
    sent_large, large = _sweep_queries(date(2026, 1, 28))  # 6 "three days before"

    assert (sent_small, sent_large) == (2, 6)
    assert large == small
    assert small == SWEEP_QUERIES[(status, names)]


# Two sweeps at once (PostgreSQL) --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under concurrency is PostgreSQL's; CI runs this on it")
    the_round = review_round()
    staff = StaffFactory()
    pool = [reviewer(capacity=10) for _ in range(4)]
    for n in range(6):
        services.reviewers_assign(
            actor=staff,
            review_round=the_round,
            submission=submitted_stage(f"University of Race {n}"),
            reviewers=pool[n % 2 : n % 2 + 3],
            now=morning(ASSIGNED_ON),
        )
    mail.outbox.clear()
    start = threading.Barrier(2)
    results, errors = [], []

    def race():
        try:
            start.wait(timeout=10)
            results.append(review_reminders_send_due(now=morning(date(2026, 1, 24))))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r.sent for r in results) == 18
    assert ReviewerReminder.objects.filter(kind=K.WEEK_BEFORE).count() == 18
    assert OutboundEmail.objects.filter(template="reviews/reminder").count() == 18
    assert len(mail.outbox) == 18
    assert len({(m.to[0], m.body) for m in mail.outbox}) == 18
