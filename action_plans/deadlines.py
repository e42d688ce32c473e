"""Deadline arithmetic for the numbered stages of a Technician Commitment submission.

Stage 1 has a window that opens and closes a set number of calendar months after the
organisation's announcement date; every later stage is nominally due a fixed number of months
after the previous stage's actual due date, with a window that opens some months before that
nominal date. Within a window the stage is due at the earliest submission round whose deadline
falls inside it; if no round does, it is due at a fixed time on the window's last day. All dates
are UK calendar dates and all times are UK wall-clock times (GMT or BST), so a deadline stays at
the same time of day across the clock changes and "days left" counts calendar days.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Policy:
    opens_after_months: int
    closes_after_months: int
    repeat_every_months: int
    later_window_months: int
    deadline_time: time

    def __post_init__(self) -> None:
        # A bad policy would otherwise surface much later as an empty or inverted window.
        if self.opens_after_months > self.closes_after_months:
            raise ValueError("Stage 1 cannot open after it closes.")
        # Strictly shorter: a window opening on the previous due date would snap to the very
        # round the previous stage used.
        if not 0 <= self.later_window_months < self.repeat_every_months:
            raise ValueError("A later stage's window must be shorter than the repeat interval.")
        if self.deadline_time.tzinfo is not None:
            raise ValueError("The deadline time is UK wall-clock time and must be naive.")


@dataclass(frozen=True)
class StageDates:
    number: int
    opens_on: date
    closes_on: date
    due_at: datetime
    from_round: bool


def add_months(day: date, months: int) -> date:
    # relativedelta clamps to the last day of a shorter month instead of overflowing into the next.
    return day + relativedelta(months=months)


def uk_datetime(day: date, at: time) -> datetime:
    """The moment the UK clock shows ``at`` on ``day``.

    A wall time skipped when the clocks go forward is read with the offset in force before the
    gap, so 01:30 on the spring-forward Sunday becomes 02:30 BST: the deadline moves later by
    the length of the gap rather than earlier. A wall time that happens twice when the clocks go
    back is taken at its first occurrence (BST), the earlier of the two. Both follow fold=0 and
    match how iCalendar (RFC 5545) resolves the same cases.
    """
    if at.tzinfo is not None:
        raise ValueError("Expected a naive time of day, read as UK wall-clock time.")
    wall_clock = datetime.combine(day, at.replace(fold=0), tzinfo=UK)
    # The round trip through UTC turns a skipped wall time into one the UK clock really shows.
    return wall_clock.astimezone(UTC).astimezone(UK)


def uk_date(moment: datetime) -> date:
    return _in_uk(moment).date()


def stage_window(
    policy: Policy, *, announced_on: date, number: int, previous_due_on: date | None
) -> tuple[date, date]:
    if number < 1:
        raise ValueError(f"Stages are numbered from 1, not {number}.")
    if number == 1:
        return (
            add_months(announced_on, policy.opens_after_months),
            add_months(announced_on, policy.closes_after_months),
        )
    if previous_due_on is None:
        raise ValueError(f"Stage {number} needs the previous stage's due date.")
    nominal_due_on = add_months(previous_due_on, policy.repeat_every_months)
    # Counting back from the nominal date, not forward from the previous one: month-end
    # clamping makes the two differ (29 Feb 2024 + 36 - 6 is 28 Aug 2026, + 30 is 29 Aug).
    return add_months(nominal_due_on, -policy.later_window_months), nominal_due_on


def due_in_window(
    policy: Policy, *, opens_on: date, closes_on: date, round_deadlines: Iterable[datetime]
) -> tuple[datetime, bool]:
    if opens_on > closes_on:
        raise ValueError(f"The window opens on {opens_on}, after it closes on {closes_on}.")
    # Every round is converted, not only those that might match, so a naive one is never
    # silently skipped just because it happens to lie outside this window.
    rounds_in_uk = [_in_uk(deadline) for deadline in round_deadlines]
    inside = [deadline for deadline in rounds_in_uk if opens_on <= deadline.date() <= closes_on]
    if inside:
        # Ordered by UTC: aware datetimes sharing a zone compare by wall clock, which gets the
        # repeated hour at the end of BST wrong.
        return min(inside, key=_in_utc), True
    return uk_datetime(closes_on, policy.deadline_time), False


def stages(
    policy: Policy, *, announced_on: date, round_deadlines: Iterable[datetime], count: int
) -> list[StageDates]:
    if count < 0:
        raise ValueError(f"Cannot compute {count} stages.")
    # The rounds are consulted once per stage, so a one-shot iterator must be kept.
    rounds = tuple(round_deadlines)
    schedule: list[StageDates] = []
    previous_due_on: date | None = None
    for number in range(1, count + 1):
        opens_on, closes_on = stage_window(
            policy, announced_on=announced_on, number=number, previous_due_on=previous_due_on
        )
        due_at, from_round = due_in_window(
            policy, opens_on=opens_on, closes_on=closes_on, round_deadlines=rounds
        )
        schedule.append(StageDates(number, opens_on, closes_on, due_at, from_round))
        previous_due_on = uk_date(due_at)
    return schedule


def days_left(due_at: datetime, *, now: datetime) -> int:
    # Calendar days, not elapsed time: a day across a clock change is 23 or 25 hours long.
    return (uk_date(due_at) - uk_date(now)).days


def is_overdue(due_at: datetime, *, now: datetime) -> bool:
    return _in_utc(now) > _in_utc(due_at)


def effective_due(scheduled: datetime, extended_to: datetime | None) -> datetime:
    # Checked even when an extension replaces it, so a naive schedule cannot go unnoticed.
    scheduled_in_uk = _in_uk(scheduled)
    return scheduled_in_uk if extended_to is None else _in_uk(extended_to)


def _in_uk(moment: datetime) -> datetime:
    return _in_utc(moment).astimezone(UK)


def _in_utc(moment: datetime) -> datetime:
    # A naive datetime would be read as the server's local time, which is a guess, not a fact.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Expected an aware datetime, got naive {moment!r}.")
    return moment.astimezone(UTC)
