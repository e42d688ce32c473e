"""Deadline reminders: each rule on its day, catching up, never twice, never stale."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from action_plans import services
from action_plans.deadlines import UK, add_months, uk_datetime
from action_plans.models import Reminder, ReminderRule, SubmissionRound
from action_plans.reminders import latest_occurrence, occurrence_on, reminders_send_due
from core.enums import EmailStatus
from core.models import OutboundEmail
from organisations.enums import OrganisationKind
from tests.factories import StaffFactory

from .builders import announced_organisation, lead_of, started, submitted

pytestmark = pytest.mark.django_db

ROUND_DUE = datetime(2025, 5, 20, 17, 0, tzinfo=UK)
# Announced so that Stage 1's window (12-18 months for signatories, 6-12 for
# supporters) opens on 10 January 2025 and holds the 20 May 2025 round.
ANNOUNCED = {
    OrganisationKind.SIGNATORY: date(2024, 1, 10),
    OrganisationKind.SUPPORTER: date(2024, 7, 10),
}

# Every default rule and the day it falls due for a stage due on 20 May 2025 whose
# window opens on 10 January 2025.
DEFAULT_RULE_DAYS = [
    ("Six months before", date(2024, 11, 20)),
    ("Window opens", date(2025, 1, 10)),
    ("Twelve weeks before", date(2025, 2, 25)),
    ("Two weeks before", date(2025, 5, 6)),
    ("On the due date", date(2025, 5, 20)),
    ("Two weeks overdue", date(2025, 6, 3)),
    ("Monthly while overdue", date(2025, 6, 20)),
]


def morning(day: date) -> datetime:
    """When the daily sweep runs: 06:30 UK time."""
    return uk_datetime(day, time(6, 30))


def sent() -> list[tuple[date, str]]:
    return [
        (r.sent_on, r.rule.name)
        for r in Reminder.objects.select_related("rule").order_by("sent_on", "id")
    ]


@pytest.fixture
def with_round(db):
    return SubmissionRound.objects.create(name="May 2025", deadline=ROUND_DUE)


def organisation_of(kind):
    organisation = announced_organisation(kind=kind, announced_on=ANNOUNCED[kind])
    lead_of(organisation)
    return organisation


@pytest.mark.parametrize("kind", [OrganisationKind.SIGNATORY, OrganisationKind.SUPPORTER])
@pytest.mark.parametrize(("rule_name", "day"), DEFAULT_RULE_DAYS)
def test_each_default_rule_fires_on_its_day_and_not_the_day_before(
    with_round, kind, rule_name, day
):
    organisation_of(kind)
    reminders_send_due(now=morning(day - timedelta(days=1)))
    assert rule_name not in [name for _, name in sent()]

    reminders_send_due(now=morning(day))

    assert sent()[-1] == (day, rule_name)


def test_a_stage_run_daily_gets_each_reminder_once_in_order(with_round):
    organisation_of(OrganisationKind.SIGNATORY)
    day = date(2024, 11, 1)
    while day <= date(2025, 9, 1):
        reminders_send_due(now=morning(day))
        day += timedelta(days=1)

    assert sent() == [
        *((day, name) for name, day in DEFAULT_RULE_DAYS),
        (date(2025, 7, 20), "Monthly while overdue"),
        (date(2025, 8, 20), "Monthly while overdue"),
    ]
    assert OutboundEmail.objects.count() == 9


def test_a_day_the_sweep_did_not_run_is_caught_up_the_next_day(with_round):
    organisation_of(OrganisationKind.SIGNATORY)
    reminders_send_due(now=morning(date(2025, 5, 5)))
    # Nothing ran on 6 May, when "Two weeks before" fell due.
    reminders_send_due(now=morning(date(2025, 5, 7)))

    reminder = Reminder.objects.select_related("rule").get(rule__name="Two weeks before")
    assert (reminder.fire_on, reminder.sent_on) == (date(2025, 5, 6), date(2025, 5, 7))


def test_several_reminders_due_at_once_send_only_the_latest(with_round):
    organisation_of(OrganisationKind.SIGNATORY)
    # First run long after the window opened: four rules are past, one email goes.
    result = reminders_send_due(now=morning(date(2025, 5, 8)))

    assert (result.due, result.sent) == (1, 1)
    assert sent() == [(date(2025, 5, 8), "Two weeks before")]


def test_rerunning_the_sweep_sends_nothing_more(with_round):
    organisation_of(OrganisationKind.SIGNATORY)
    first = reminders_send_due(now=morning(date(2025, 5, 20)))
    again = reminders_send_due(now=morning(date(2025, 5, 20)))
    later_that_day = reminders_send_due(now=uk_datetime(date(2025, 5, 20), time(16, 0)))

    assert (first.sent, again.sent, later_that_day.sent) == (1, 0, 0)
    assert Reminder.objects.count() == OutboundEmail.objects.count() == 1


def test_monthly_reminders_keep_their_day_at_month_ends():
    rule = ReminderRule(amount=1, unit="month", direction="after", repeat_every_months=1)
    anchor = date(2025, 1, 31)

    assert [occurrence_on(rule, anchor=anchor, occurrence=n) for n in range(4)] == [
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
    ]
    assert latest_occurrence(rule, anchor=anchor, today=date(2025, 4, 29)) == (
        1,
        date(2025, 3, 31),
    )
    assert latest_occurrence(rule, anchor=anchor, today=date(2025, 2, 27)) is None


def test_no_reminder_once_the_stage_is_submitted(with_round):
    organisation = organisation_of(OrganisationKind.SIGNATORY)
    reminders_send_due(now=morning(date(2025, 5, 6)))
    lead = organisation.memberships.get().user
    submitted(organisation, lead)

    for day in (date(2025, 5, 20), date(2025, 6, 3), date(2025, 7, 20), date(2026, 6, 1)):
        reminders_send_due(now=morning(day))

    assert sent() == [(date(2025, 5, 6), "Two weeks before")]


def test_the_next_stage_has_its_own_reminders_after_a_submission(with_round):
    organisation = organisation_of(OrganisationKind.SIGNATORY)
    submitted(organisation, organisation.memberships.get().user)
    # Stage 2 is due 36 months after 20 May 2025, its window opening 6 months before.
    reminders_send_due(now=morning(date(2027, 11, 19)))
    assert sent() == []

    reminders_send_due(now=morning(date(2027, 11, 20)))
    reminders_send_due(now=morning(date(2028, 2, 26)))

    assert [(r.stage_number, r.rule.name) for r in Reminder.objects.order_by("id")] == [
        (2, "Window opens"),
        (2, "Twelve weeks before"),
    ]


def test_an_extended_deadline_moves_its_reminders():
    # Dates from today, because staff may only extend a due date into the future.
    today = date.today()
    organisation = announced_organisation(announced_on=add_months(today, -17))
    lead_of(organisation)
    due_on = add_months(organisation.announced_on, 18)
    reminders_send_due(now=morning(due_on - timedelta(days=14)))
    new_due = uk_datetime(due_on + timedelta(days=60), time(17, 0))
    services.due_date_extend(
        actor=StaffFactory(),
        organisation=organisation,
        stage_number=1,
        due_at=new_due,
        reason="Restructure of the technical services.",
    )

    # The old due date passes without "due today" or "overdue".
    for offset in range(0, 40):
        reminders_send_due(now=morning(due_on + timedelta(days=offset)))
    assert [name for _, name in sent()] == ["Two weeks before"]

    reminders_send_due(now=morning(new_due.date() - timedelta(days=14)))
    reminders_send_due(now=morning(new_due.date()))
    reminder = Reminder.objects.order_by("-id").first()
    assert [name for _, name in sent()] == [
        "Two weeks before",
        "Two weeks before",
        "On the due date",
    ]
    assert reminder.due_at == new_due
    assert reminder.anchor_on == new_due.date()


def test_the_email_says_when_what_and_where_and_carries_the_deadline(
    with_round, django_capture_on_commit_callbacks, settings
):
    organisation = organisation_of(OrganisationKind.SIGNATORY)
    lead = organisation.memberships.get().user
    started(organisation, lead)

    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=morning(date(2025, 5, 6)))

    (message,) = mail.outbox
    body = message.body
    assert message.subject == (
        f"Stage 1 for {organisation.display_name} is due 20 May 2025 (14 days left)"
    )
    assert sorted(message.to) == sorted([lead.email, organisation.lead_email])
    assert "Due: Tuesday 20 May 2025, 17:00 (UK time)" in body
    assert "14 days left." in body
    assert "Still to do before it can be submitted:" in body
    assert "- Write the organisation profile." in body
    link = f"{settings.SITE_URL}/organisations/{organisation.slug}/stages/1/"
    assert link in body
    html = message.alternatives[0][0]
    assert f'<a href="{link}">' in html
    (filename, content, mimetype) = message.attachments[0]
    assert (filename, mimetype) == ("stage-1-deadline.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == ROUND_DUE
    outbox = OutboundEmail.objects.get()
    assert (outbox.status, outbox.about) == (EmailStatus.SENT, organisation)
    assert outbox.message_id == message.extra_headers["Message-ID"]


def test_escalation_copies_the_head_of_organisation_and_itss(with_round, settings):
    organisation = organisation_of(OrganisationKind.SIGNATORY)
    organisation.head_email = "vice-chancellor@example.ac.uk"
    organisation.save()

    reminders_send_due(now=morning(date(2025, 6, 3)))
    reminders_send_due(now=morning(date(2025, 6, 20)))

    overdue, escalation = OutboundEmail.objects.order_by("id")
    assert settings.ITSS_TEAM_EMAIL not in overdue.to
    assert "vice-chancellor@example.ac.uk" not in overdue.to
    assert overdue.subject == f"Overdue: Stage 1 for {organisation.display_name}"
    assert escalation.to[-2:] == ["vice-chancellor@example.ac.uk", settings.ITSS_TEAM_EMAIL]
    assert "Overdue by 31 days." in escalation.body_text


def test_an_organisation_with_no_lead_is_reported_to_itss(with_round, settings):
    announced_organisation(announced_on=ANNOUNCED["signatory"], lead_email="")

    reminders_send_due(now=morning(date(2025, 5, 6)))

    email = OutboundEmail.objects.get()
    assert email.to == [settings.ITSS_TEAM_EMAIL]
    assert "has no institutional lead with an email address" in email.body_text


def test_rules_are_data_staff_can_change(with_round):
    organisation_of(OrganisationKind.SIGNATORY)
    ReminderRule.objects.exclude(name="Two weeks before").update(is_active=False)
    ReminderRule.objects.filter(name="Two weeks before").update(amount=3)
    ReminderRule.objects.create(
        name="Supporters only",
        amount=1,
        unit="day",
        template="upcoming",
        kind=OrganisationKind.SUPPORTER,
    )

    for day in (date(2025, 4, 28), date(2025, 4, 29), date(2025, 5, 19), date(2025, 5, 6)):
        reminders_send_due(now=morning(day))

    assert sent() == [(date(2025, 4, 29), "Two weeks before")]


def test_a_batch_that_fails_midway_records_nothing_and_the_retry_sends_once(with_round):
    for _ in range(3):
        organisation_of(OrganisationKind.SIGNATORY)
    rule = ReminderRule.objects.get(name="Two weeks before")
    # A template that cannot be rendered fails the batch after its rows were claimed.
    ReminderRule.objects.filter(pk=rule.pk).update(template="missing")
    with pytest.raises(Exception, match="missing"):
        reminders_send_due(now=morning(date(2025, 5, 6)), batch_size=2)
    claimed_before_failure = Reminder.objects.count()

    ReminderRule.objects.filter(pk=rule.pk).update(template="upcoming")
    reminders_send_due(now=morning(date(2025, 5, 6)), batch_size=2)
    reminders_send_due(now=morning(date(2025, 5, 6)), batch_size=2)

    assert claimed_before_failure == 0
    assert Reminder.objects.count() == OutboundEmail.objects.count() == 3


def test_sweep_queries_grow_by_batch_not_by_organisation(with_round):
    def queries_for_sweep(count):
        Reminder.objects.all().delete()
        OutboundEmail.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            result = reminders_send_due(now=morning(date(2025, 5, 6)), batch_size=10)
        return result, len(context.captured_queries)

    for _ in range(10):
        organisation_of(OrganisationKind.SIGNATORY)
    one_batch, queries_one = queries_for_sweep(10)
    for _ in range(10):
        organisation_of(OrganisationKind.SIGNATORY)
    two_batches, queries_two = queries_for_sweep(20)

    assert (one_batch.sent, two_batches.sent) == (10, 20)
    assert (one_batch.batches, two_batches.batches) == (1, 2)
    per_batch = queries_two - queries_one
    assert queries_one <= 3 + per_batch * 2
    assert per_batch <= 16


def test_the_command_sends_and_a_dry_run_only_counts(with_round, capsys):
    organisation_of(OrganisationKind.SIGNATORY)
    # The command uses the real clock, when the organisation is long overdue.
    call_command("send_reminders", "--dry-run")
    assert "1 reminder(s) due across 1 organisation(s); nothing sent" in capsys.readouterr().out
    assert Reminder.objects.count() == 0

    call_command("send_reminders")
    call_command("send_reminders")

    out = capsys.readouterr().out
    assert "Sent 1 reminder(s) of 1 due" in out
    assert "Sent 0 reminder(s) of 0 due" in out
    assert Reminder.objects.get().rule.name == "Monthly while overdue"
