"""Deadline reminders: when each rule falls due, and the daily sweep that sends them.

The sweep is exactly-once by construction, not by care:

- it sends what is due *on or before* today and not yet sent, so a day it did not run
  loses nothing (the next run catches up);
- for each stage it sends at most one reminder per run, the most recent one due: a
  sweep that was down for a week, or an organisation whose window opened with three
  rules already past, gets one message stating the due date and days left, not a pile;
- a reminder is claimed by inserting its row under a unique constraint (organisation,
  stage, rule, milestone date, occurrence) with ON CONFLICT DO NOTHING, in the same
  transaction as its outbox message; a second sweep running at once, or one retried
  after a worker died mid-batch, finds the row and sends nothing;
- nothing is sent for a stage already submitted (only the current, unsubmitted stage is
  looked at), and reminders count from the due date in force, so an extension moves them.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.claims import claim_rows
from core.exceptions import NotPermitted
from core.services import (
    activity_record,
    email_message,
    email_queue_many,
    email_render,
    instance_changed_fields,
    instance_validate,
)
from organisations.models import Organisation
from organisations.selectors import lead_addresses

from . import deadlines
from .calendar import deadlines_calendar
from .enums import OffsetDirection, OffsetUnit, ReminderMilestone
from .models import Reminder, ReminderRule
from .selectors import (
    SCHEDULED_STATUSES,
    StageView,
    current_stages,
    submission_missing,
    submissions_in_full,
    themes_in_use,
)

BATCH_SIZE = 500


# Dates -------------------------------------------------------------------------------


def occurrence_on(rule: ReminderRule, *, anchor: date, occurrence: int = 0) -> date:
    """The UK date occurrence number ``occurrence`` (from 0) of ``rule`` falls on, counted
    from the milestone date ``anchor``."""
    sign = -1 if rule.direction == OffsetDirection.BEFORE else 1
    months = occurrence * rule.repeat_every_months
    # Months are always counted from the milestone itself, so a month-end date does not
    # drift (31 Jan, 28 Feb, 31 Mar rather than 31 Jan, 28 Feb, 28 Mar).
    if rule.unit == OffsetUnit.MONTH:
        return deadlines.add_months(anchor, sign * rule.amount + months)
    days = rule.amount * (7 if rule.unit == OffsetUnit.WEEK else 1)
    return deadlines.add_months(anchor + timedelta(days=sign * days), months)


def latest_occurrence(rule: ReminderRule, *, anchor: date, today: date) -> tuple[int, date] | None:
    """The last occurrence of ``rule`` on or before ``today``, as (number, date), or None."""
    first = occurrence_on(rule, anchor=anchor)
    if first > today:
        return None
    if not rule.repeat_every_months:
        return 0, first
    months = (today.year - first.year) * 12 + today.month - first.month
    number = max(months // rule.repeat_every_months, 0)
    while occurrence_on(rule, anchor=anchor, occurrence=number) > today:
        number -= 1
    return number, occurrence_on(rule, anchor=anchor, occurrence=number)


def milestone_of(rule: ReminderRule, stage: StageView) -> date:
    if rule.milestone == ReminderMilestone.WINDOW_OPENS:
        return stage.opens_on
    return deadlines.uk_date(stage.due_at)


def rule_applies(rule: ReminderRule, organisation: Organisation) -> bool:
    return rule.is_active and rule.kind in ("", organisation.kind)


@dataclass(frozen=True)
class Due:
    """One reminder due for one organisation's current stage."""

    organisation: Organisation
    stage: StageView
    rule: ReminderRule
    anchor_on: date
    occurrence: int
    fire_on: date

    @property
    def key(self) -> tuple:
        return (
            self.organisation.pk,
            self.stage.number,
            self.rule.pk,
            self.anchor_on,
            self.occurrence,
        )


def reminder_due(
    organisation: Organisation,
    stage: StageView,
    rules: list[ReminderRule],
    *,
    today: date,
    last_sent_on: date | None,
) -> Due | None:
    """The one reminder to send today for ``stage``, if any: the most recent occurrence
    of any rule that has fallen due, unless a reminder already went out on or after it."""
    if stage.is_submitted:
        return None
    best, best_rank = None, None
    for rule in rules:
        if not rule_applies(rule, organisation):
            continue
        anchor = milestone_of(rule, stage)
        latest = latest_occurrence(rule, anchor=anchor, today=today)
        if latest is None:
            continue
        occurrence, fire_on = latest
        # On the same day, the rule that widens the audience wins, then the window opening.
        rank = (
            fire_on,
            rule.to_head or rule.to_itss,
            rule.milestone == ReminderMilestone.WINDOW_OPENS,
            -rule.pk,
        )
        if best_rank is None or rank > best_rank:
            best_rank = rank
            best = Due(organisation, stage, rule, anchor, occurrence, fire_on)
    if best is None or (last_sent_on is not None and last_sent_on >= best.fire_on):
        return None
    return best


def rule_timing(rule: ReminderRule) -> str:
    """When ``rule`` goes out, in words: "2 weeks before the due date, then every month"."""
    milestone = ReminderMilestone(rule.milestone).label
    if rule.amount == 0:
        timing = f"On {milestone}"
    else:
        unit = OffsetUnit(rule.unit).label
        if rule.amount == 1:
            unit = unit.removesuffix("s")
        timing = f"{rule.amount} {unit} {OffsetDirection(rule.direction).label} {milestone}"
    if rule.repeat_every_months == 1:
        timing += ", then every month until submitted"
    elif rule.repeat_every_months:
        timing += f", then every {rule.repeat_every_months} months until submitted"
    return timing


@transaction.atomic
def reminder_rule_save(*, actor, rule: ReminderRule) -> ReminderRule:
    """Create or change a reminder rule (validated by its form), recording who did it.
    A change applies from the next sweep; reminders already sent are not affected."""
    if not actor.has_perm("action_plans.manage_reminders"):
        raise NotPermitted("Only ITSS staff can change reminder rules.")
    created = rule.pk is None
    instance_validate(rule)
    if not instance_changed_fields(rule):
        return rule
    rule.save()
    activity_record(
        subject=rule,
        actor=actor,
        verb="reminder rule added" if created else "reminder rule changed",
        note=f"{rule.name}: {rule_timing(rule)}{'' if rule.is_active else ' (off)'}.",
    )
    return rule


# The sweep ---------------------------------------------------------------------------


@dataclass
class SweepResult:
    organisations: int = 0
    due: int = 0
    sent: int = 0
    batches: int = 0
    reminders: list[Reminder] = field(default_factory=list)


def reminders_send_due(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, dry_run: bool = False
) -> SweepResult:
    """Send every reminder due on or before today (UK) that has not been sent.

    Side effects per batch of organisations, in one transaction: claims a Reminder row
    per reminder (skipping any another sweep already claimed), records an outbox message
    for each claimed one with its calendar attachment, and queues delivery after commit.
    With ``dry_run`` it only counts what would go out. Queries grow with the number of
    batches, not of organisations."""
    now = now or timezone.now()
    today = deadlines.uk_date(now)
    rules = list(ReminderRule.objects.filter(is_active=True))
    result = SweepResult()
    if not rules:
        return result
    for batch in _organisation_batches(batch_size):
        result.batches += 1
        result.organisations += len(batch)
        stages = current_stages(batch, now=now)
        last_sent = _last_sent_on([o.pk for o in batch])
        due = [
            reminder
            for organisation in batch
            if (stage := stages.get(organisation.pk))
            and (
                reminder := reminder_due(
                    organisation,
                    stage,
                    rules,
                    today=today,
                    last_sent_on=last_sent.get((organisation.pk, stage.number)),
                )
            )
        ]
        result.due += len(due)
        if due and not dry_run:
            claimed = _send_batch(due, today=today, now=now)
            result.sent += len(claimed)
            result.reminders.extend(claimed)
    return result


def _organisation_batches(size: int) -> Iterator[list[Organisation]]:
    # Keyset pages: each batch is one indexed query, however far into the table.
    scheduled = Organisation.objects.filter(
        status__in=SCHEDULED_STATUSES, announced_on__isnull=False
    ).order_by("pk")
    last_pk = 0
    while batch := list(scheduled.filter(pk__gt=last_pk)[:size]):
        yield batch
        last_pk = batch[-1].pk


def _last_sent_on(organisation_ids: list[int]) -> dict[tuple[int, int], date]:
    rows = (
        Reminder.objects.filter(organisation_id__in=organisation_ids)
        .values("organisation_id", "stage_number")
        .annotate(last=Max("sent_on"))
        .order_by()
    )
    return {(r["organisation_id"], r["stage_number"]): r["last"] for r in rows}


@transaction.atomic
def _send_batch(due: list[Due], *, today: date, now: datetime) -> list[Reminder]:
    claimed_ids = _claim(due, today=today)
    if not claimed_ids:
        return []
    claimed = [d for d in due if d.key in claimed_ids]
    organisations = [d.organisation for d in claimed]
    leads = lead_addresses(organisations)
    missing = _missing_items([d.stage for d in claimed])
    emails = [
        _reminder_email(d, leads=leads.get(d.organisation.pk, []), missing=missing, now=now)
        for d in claimed
    ]
    emails = email_queue_many(emails)
    reminders = []
    for d, email in zip(claimed, emails, strict=True):
        reminder = Reminder(pk=claimed_ids[d.key], email=email)
        reminders.append(reminder)
    Reminder.objects.bulk_update(reminders, ["email"])
    return list(Reminder.objects.filter(pk__in=claimed_ids.values()).select_related("rule"))


def _claim(due: list[Due], *, today: date) -> dict[tuple, int]:
    """Insert a row per reminder, skipping those already there; the keys inserted, with
    their ids (``core.claims.claim_rows``: a second sweep at once skips them)."""
    created_at = timezone.now()
    return claim_rows(
        Reminder,
        columns=[
            "organisation_id",
            "stage_number",
            "rule_id",
            "anchor_on",
            "occurrence",
            "fire_on",
            "sent_on",
            "due_at",
            "created_at",
        ],
        rows=[[*d.key, d.fire_on, today, d.stage.due_at, created_at] for d in due],
        unique=["organisation_id", "stage_number", "rule_id", "anchor_on", "occurrence"],
    )


def _missing_items(stages: list[StageView]) -> dict[int, list[str]]:
    """What each started submission still lacks, by submission id, in a fixed number of
    queries however many there are."""
    ids = [s.submission.pk for s in stages if s.submission is not None]
    if not ids:
        return {}
    themes = list(themes_in_use())
    return {
        submission.pk: submission_missing(submission, themes=themes)
        for submission in submissions_in_full().filter(pk__in=ids)
    }


def _reminder_email(due: Due, *, leads: list[str], missing: dict[int, list[str]], now):
    organisation, stage, rule = due.organisation, due.stage, due.rule
    recipients = list(leads) if rule.to_leads else []
    no_lead = rule.to_leads and not leads
    if rule.to_head and organisation.head_email:
        recipients.append(organisation.head_email)
    # Nobody to tell at the organisation: ITSS hear of it rather than nobody.
    if rule.to_itss or not recipients:
        recipients.append(settings.ITSS_TEAM_EMAIL)
    submission = stage.submission
    context = {
        "organisation": organisation,
        "stage": stage,
        "rule": rule,
        "days_left": stage.days_left,
        "days_overdue": -stage.days_left,
        "is_overdue": stage.is_overdue,
        "started": submission is not None,
        "missing": missing.get(submission.pk, []) if submission else [],
        "no_lead": no_lead,
        "head_missing": rule.to_head and not organisation.head_email,
        "stage_path": reverse(
            "action_plans:submission", kwargs={"slug": organisation.slug, "number": stage.number}
        ),
    }
    rendered = email_render(template=f"reminders/{rule.template}", context=context)
    calendar = deadlines_calendar(organisation, [stage]).decode()
    return email_message(
        to=list(dict.fromkeys(address.lower() for address in recipients)),
        rendered=rendered,
        about=organisation,
        attachments=[
            {
                "filename": f"stage-{stage.number}-deadline.ics",
                "content_type": "text/calendar",
                "content": calendar,
            }
        ],
    )
