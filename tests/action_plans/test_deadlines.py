"""Stage windows, round snapping and UK-time deadlines, without a database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from action_plans.deadlines import (
    UK,
    Policy,
    StageDates,
    add_months,
    days_left,
    due_in_window,
    effective_due,
    is_overdue,
    stage_window,
    stages,
    uk_date,
    uk_datetime,
)

SIGNATORY = Policy(
    opens_after_months=12,
    closes_after_months=18,
    repeat_every_months=36,
    later_window_months=6,
    deadline_time=time(17, 0),
)
SUPPORTER = Policy(
    opens_after_months=6,
    closes_after_months=12,
    repeat_every_months=36,
    later_window_months=6,
    deadline_time=time(17, 0),
)
NEW_YORK = ZoneInfo("America/New_York")


def uk(year: int, month: int, day: int, hour: int = 17, minute: int = 0) -> datetime:
    """A UK wall-clock moment; never used for a time inside a clock-change gap or overlap."""
    return datetime(year, month, day, hour, minute, tzinfo=UK)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Rounds on the 15th of January and September: every stage of a cohort lands on one.
MID_MONTH_ROUNDS = [uk(year, month, 15) for year in range(2018, 2028) for month in (1, 9)]

# Rounds on the last Friday of January and September, so their dates drift from year to year.
LAST_FRIDAY_ROUNDS = [
    uk(2018, 1, 26),
    uk(2018, 9, 28),
    uk(2019, 1, 25),
    uk(2019, 9, 27),
    uk(2020, 1, 31),
    uk(2020, 9, 25),
    uk(2021, 1, 29),
    uk(2021, 9, 24),
    uk(2022, 1, 28),
    uk(2022, 9, 30),
    uk(2023, 1, 27),
    uk(2023, 9, 29),
    uk(2024, 1, 26),
    uk(2024, 9, 27),
    uk(2025, 1, 31),
    uk(2025, 9, 26),
    uk(2026, 1, 30),
    uk(2026, 9, 25),
    uk(2027, 1, 29),
    uk(2027, 9, 24),
]


# --- add_months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="31-jan+1-common-year"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="31-jan+1-leap-year"),
        pytest.param(date(2025, 3, 31), -1, date(2025, 2, 28), id="31-mar-1-common-year"),
        pytest.param(date(2024, 3, 31), -1, date(2024, 2, 29), id="31-mar-1-leap-year"),
        pytest.param(date(2025, 4, 30), 1, date(2025, 5, 30), id="30-apr+1-keeps-30th"),
        pytest.param(date(2025, 8, 31), 1, date(2025, 9, 30), id="31-aug+1"),
        pytest.param(date(2025, 12, 31), 1, date(2026, 1, 31), id="31-dec+1-next-year"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="29-feb+12"),
        pytest.param(date(2024, 2, 29), 48, date(2028, 2, 29), id="29-feb+48-next-leap-year"),
        pytest.param(date(2024, 2, 29), -12, date(2023, 2, 28), id="29-feb-12"),
        pytest.param(date(2025, 1, 15), -1, date(2024, 12, 15), id="15-jan-1-previous-year"),
        pytest.param(date(2025, 1, 31), -2, date(2024, 11, 30), id="31-jan-2-previous-year"),
        pytest.param(date(2025, 2, 15), -13, date(2024, 1, 15), id="15-feb-13"),
        pytest.param(date(2017, 5, 16), 18, date(2018, 11, 16), id="16-may+18"),
        pytest.param(date(2025, 6, 30), 0, date(2025, 6, 30), id="zero-months"),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --- uk_datetime and uk_date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        pytest.param(date(2026, 1, 15), utc(2026, 1, 15, 17), id="winter-gmt"),
        pytest.param(date(2026, 7, 15), utc(2026, 7, 15, 16), id="summer-bst"),
        pytest.param(date(2025, 3, 29), utc(2025, 3, 29, 17), id="2025-day-before-bst"),
        pytest.param(date(2025, 3, 30), utc(2025, 3, 30, 16), id="2025-bst-starts"),
        pytest.param(date(2025, 10, 26), utc(2025, 10, 26, 17), id="2025-bst-ends"),
        pytest.param(date(2026, 3, 29), utc(2026, 3, 29, 16), id="2026-bst-starts"),
        pytest.param(date(2026, 10, 25), utc(2026, 10, 25, 17), id="2026-bst-ends"),
    ],
)
def test_uk_datetime_at_five_pm(day, expected_utc):
    moment = uk_datetime(day, time(17, 0))

    assert moment == expected_utc
    assert moment.tzinfo is UK
    assert (moment.date(), moment.time()) == (day, time(17, 0))


@pytest.mark.parametrize(
    ("day", "at", "expected_utc", "expected_wall_clock"),
    [
        pytest.param(
            date(2026, 3, 29),
            time(1, 30),
            utc(2026, 3, 29, 1, 30),
            time(2, 30),
            id="skipped-hour-moves-later",
        ),
        pytest.param(
            date(2026, 10, 25),
            time(1, 30),
            utc(2026, 10, 25, 0, 30),
            time(1, 30),
            id="repeated-hour-takes-first-bst",
        ),
        pytest.param(
            date(2026, 10, 25),
            time(1, 30, fold=1),
            utc(2026, 10, 25, 0, 30),
            time(1, 30),
            id="repeated-hour-ignores-fold",
        ),
    ],
)
def test_uk_datetime_at_clock_change_hours(day, at, expected_utc, expected_wall_clock):
    moment = uk_datetime(day, at)

    # Converted first: an ambiguous wall time never compares equal to a moment in another zone.
    assert moment.astimezone(UTC) == expected_utc
    assert moment.time() == expected_wall_clock


def test_uk_datetime_refuses_a_time_with_its_own_zone():
    with pytest.raises(ValueError):
        uk_datetime(date(2026, 1, 15), time(17, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(utc(2026, 1, 15, 23, 30), date(2026, 1, 15), id="winter-utc-same-date"),
        pytest.param(utc(2026, 6, 29, 23, 30), date(2026, 6, 30), id="summer-utc-next-uk-date"),
        pytest.param(uk(2026, 6, 30, 0, 30), date(2026, 6, 30), id="already-uk"),
        pytest.param(
            datetime(2026, 6, 29, 20, 0, tzinfo=NEW_YORK), date(2026, 6, 30), id="new-york"
        ),
    ],
)
def test_uk_date(moment, expected):
    assert uk_date(moment) == expected


def test_uk_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        uk_date(datetime(2026, 6, 30, 17, 0))


# --- Policy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"opens_after_months": 19}, id="opens-after-it-closes"),
        pytest.param({"repeat_every_months": 0}, id="never-repeats"),
        pytest.param({"later_window_months": 37}, id="later-window-longer-than-repeat"),
        pytest.param({"later_window_months": 36}, id="later-window-as-long-as-repeat"),
        pytest.param({"later_window_months": -1}, id="negative-later-window"),
        pytest.param({"deadline_time": time(17, 0, tzinfo=UTC)}, id="deadline-time-with-zone"),
    ],
)
def test_policy_refuses_inconsistent_rules(fields):
    rules = {
        "opens_after_months": 12,
        "closes_after_months": 18,
        "repeat_every_months": 36,
        "later_window_months": 6,
        "deadline_time": time(17, 0),
    }
    with pytest.raises(ValueError):
        Policy(**(rules | fields))


# --- stage_window -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "announced_on", "expected"),
    [
        pytest.param(
            SIGNATORY, date(2017, 5, 16), (date(2018, 5, 16), date(2018, 11, 16)), id="sig-16-may"
        ),
        pytest.param(
            SIGNATORY,
            date(2022, 8, 31),
            (date(2023, 8, 31), date(2024, 2, 29)),
            id="sig-31-aug-ends-29-feb",
        ),
        pytest.param(
            SIGNATORY,
            date(2023, 8, 31),
            (date(2024, 8, 31), date(2025, 2, 28)),
            id="sig-31-aug-ends-28-feb",
        ),
        pytest.param(
            SIGNATORY, date(2024, 2, 29), (date(2025, 2, 28), date(2025, 8, 29)), id="sig-29-feb"
        ),
        pytest.param(
            SIGNATORY, date(2023, 12, 31), (date(2024, 12, 31), date(2025, 6, 30)), id="sig-31-dec"
        ),
        pytest.param(
            SUPPORTER,
            date(2023, 8, 31),
            (date(2024, 2, 29), date(2024, 8, 31)),
            id="sup-31-aug-opens-29-feb",
        ),
        pytest.param(
            SUPPORTER,
            date(2024, 8, 31),
            (date(2025, 2, 28), date(2025, 8, 31)),
            id="sup-31-aug-opens-28-feb",
        ),
        pytest.param(
            SUPPORTER, date(2024, 2, 29), (date(2024, 8, 29), date(2025, 2, 28)), id="sup-29-feb"
        ),
        pytest.param(
            SUPPORTER, date(2023, 12, 31), (date(2024, 6, 30), date(2024, 12, 31)), id="sup-31-dec"
        ),
        pytest.param(
            SUPPORTER, date(2023, 3, 31), (date(2023, 9, 30), date(2024, 3, 31)), id="sup-31-mar"
        ),
    ],
)
def test_first_stage_window_counts_from_the_announcement(policy, announced_on, expected):
    assert (
        stage_window(policy, announced_on=announced_on, number=1, previous_due_on=None) == expected
    )


def test_first_stage_window_ignores_a_previous_due_date():
    assert stage_window(
        SIGNATORY, announced_on=date(2017, 5, 16), number=1, previous_due_on=date(2016, 1, 1)
    ) == (date(2018, 5, 16), date(2018, 11, 16))


@pytest.mark.parametrize(
    ("number", "previous_due_on", "expected"),
    [
        pytest.param(
            2, date(2018, 9, 28), (date(2021, 3, 28), date(2021, 9, 28)), id="stage-2-mid-month"
        ),
        pytest.param(
            3, date(2021, 9, 24), (date(2024, 3, 24), date(2024, 9, 24)), id="stage-3-mid-month"
        ),
        pytest.param(
            2, date(2021, 8, 31), (date(2024, 2, 29), date(2024, 8, 31)), id="31-aug-opens-29-feb"
        ),
        pytest.param(
            2, date(2022, 8, 31), (date(2025, 2, 28), date(2025, 8, 31)), id="31-aug-opens-28-feb"
        ),
        # Counted back from the nominal 28 Feb 2027, not forward 30 months to 29 Aug 2026.
        pytest.param(
            2, date(2024, 2, 29), (date(2026, 8, 28), date(2027, 2, 28)), id="from-29-feb"
        ),
        pytest.param(
            2, date(2020, 2, 29), (date(2022, 8, 28), date(2023, 2, 28)), id="from-29-feb-2020"
        ),
        pytest.param(
            2, date(2020, 3, 31), (date(2022, 9, 30), date(2023, 3, 31)), id="from-31-mar"
        ),
        pytest.param(
            4, date(2021, 12, 31), (date(2024, 6, 30), date(2024, 12, 31)), id="stage-4-31-dec"
        ),
    ],
)
def test_later_stage_window_counts_from_the_previous_due_date(number, previous_due_on, expected):
    # Announcement date plays no part in a later stage.
    assert (
        stage_window(
            SIGNATORY,
            announced_on=date(2000, 1, 1),
            number=number,
            previous_due_on=previous_due_on,
        )
        == expected
    )


def test_later_stage_window_is_the_same_for_supporters_and_signatories():
    kwargs = {"announced_on": date(2023, 8, 31), "number": 2, "previous_due_on": date(2024, 8, 30)}

    assert stage_window(SUPPORTER, **kwargs) == stage_window(SIGNATORY, **kwargs)


@pytest.mark.parametrize(
    ("number", "previous_due_on"),
    [
        pytest.param(0, None, id="stage-0"),
        pytest.param(0, date(2020, 1, 1), id="stage-0-with-previous"),
        pytest.param(-1, None, id="negative-stage"),
        pytest.param(2, None, id="stage-2-without-previous"),
        pytest.param(5, None, id="stage-5-without-previous"),
    ],
)
def test_stage_window_refuses_impossible_stages(number, previous_due_on):
    with pytest.raises(ValueError):
        stage_window(
            SIGNATORY,
            announced_on=date(2017, 5, 16),
            number=number,
            previous_due_on=previous_due_on,
        )


# --- due_in_window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("round_deadlines", "expected"),
    [
        pytest.param([], (uk(2026, 9, 30), False), id="no-rounds-window-end-at-5pm"),
        pytest.param([uk(2026, 6, 15)], (uk(2026, 6, 15), True), id="one-inside"),
        pytest.param(
            [uk(2026, 6, 15), uk(2026, 5, 10)], (uk(2026, 5, 10), True), id="two-inside-earliest"
        ),
        pytest.param([uk(2026, 4, 1)], (uk(2026, 4, 1), True), id="on-opening-day"),
        pytest.param(
            [uk(2026, 9, 30, 23, 59)], (uk(2026, 9, 30, 23, 59), True), id="on-closing-day-late"
        ),
        pytest.param([uk(2026, 3, 31)], (uk(2026, 9, 30), False), id="day-before-opening"),
        pytest.param([uk(2026, 10, 1, 9, 0)], (uk(2026, 9, 30), False), id="day-after-closing"),
        pytest.param(
            [uk(2026, 3, 31), uk(2026, 10, 1), uk(2026, 7, 3)],
            (uk(2026, 7, 3), True),
            id="inside-between-two-outside",
        ),
        # 23:30 UTC on 31 March is 00:30 on 1 April in BST: inside.
        pytest.param(
            [utc(2026, 3, 31, 23, 30)],
            (uk(2026, 4, 1, 0, 30), True),
            id="utc-day-before-is-uk-opening-day",
        ),
        # 23:30 UTC on 30 September is 00:30 on 1 October in BST: outside.
        pytest.param(
            [utc(2026, 9, 30, 23, 30)],
            (uk(2026, 9, 30), False),
            id="utc-closing-day-is-uk-day-after",
        ),
        pytest.param(
            [datetime(2026, 9, 30, 20, 0, tzinfo=NEW_YORK)],
            (uk(2026, 9, 30), False),
            id="new-york-evening-is-uk-day-after",
        ),
        pytest.param(
            [utc(2027, 1, 29, 17), utc(2026, 8, 1, 16), utc(2026, 5, 1, 16)],
            (uk(2026, 5, 1), True),
            id="unsorted-utc",
        ),
        pytest.param(
            iter([uk(2026, 9, 1), uk(2026, 6, 1)]), (uk(2026, 6, 1), True), id="one-shot-iterator"
        ),
    ],
)
def test_due_in_window(round_deadlines, expected):
    due_at, from_round = due_in_window(
        SIGNATORY,
        opens_on=date(2026, 4, 1),
        closes_on=date(2026, 9, 30),
        round_deadlines=round_deadlines,
    )

    assert (due_at, from_round) == expected
    assert due_at.tzinfo is UK


def test_due_in_window_falls_back_to_five_pm_gmt_in_winter():
    due_at, from_round = due_in_window(
        SIGNATORY, opens_on=date(2018, 5, 16), closes_on=date(2018, 11, 16), round_deadlines=[]
    )

    assert (due_at, from_round) == (utc(2018, 11, 16, 17), False)


def test_due_in_window_orders_rounds_by_instant_in_the_repeated_hour():
    # 01:30 BST (00:30 UTC) comes before 01:10 GMT (01:10 UTC) although its wall clock is later.
    first_bst = datetime(2026, 10, 25, 1, 30, tzinfo=UK)
    then_gmt = datetime(2026, 10, 25, 1, 10, tzinfo=UK, fold=1)

    due_at, from_round = due_in_window(
        SIGNATORY,
        opens_on=date(2026, 10, 1),
        closes_on=date(2026, 10, 31),
        round_deadlines=[then_gmt, first_bst],
    )

    assert (due_at.astimezone(UTC), from_round) == (utc(2026, 10, 25, 0, 30), True)


@pytest.mark.parametrize(
    "round_deadlines",
    [
        pytest.param([datetime(2026, 6, 15, 17, 0)], id="naive-inside"),
        pytest.param([datetime(2030, 1, 1, 17, 0)], id="naive-outside"),
        pytest.param([uk(2026, 6, 15), datetime(2026, 6, 1, 17, 0)], id="naive-among-aware"),
    ],
)
def test_due_in_window_refuses_naive_rounds(round_deadlines):
    with pytest.raises(ValueError):
        due_in_window(
            SIGNATORY,
            opens_on=date(2026, 4, 1),
            closes_on=date(2026, 9, 30),
            round_deadlines=round_deadlines,
        )


def test_due_in_window_refuses_a_window_that_closes_before_it_opens():
    with pytest.raises(ValueError):
        due_in_window(
            SIGNATORY, opens_on=date(2026, 9, 30), closes_on=date(2026, 4, 1), round_deadlines=[]
        )


# --- stages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "announced_on", "round_deadlines", "expected"),
    [
        pytest.param(
            SIGNATORY,
            date(2017, 5, 16),
            MID_MONTH_ROUNDS,
            [
                StageDates(1, date(2018, 5, 16), date(2018, 11, 16), uk(2018, 9, 15), True),
                StageDates(2, date(2021, 3, 15), date(2021, 9, 15), uk(2021, 9, 15), True),
                StageDates(3, date(2024, 3, 15), date(2024, 9, 15), uk(2024, 9, 15), True),
            ],
            id="signatory-may-2017-mid-month-rounds",
        ),
        # Each September round falls a few days earlier than the last, so Stage 3's window
        # (ending 24 Sep 2024) closes before that year's round on 27 Sep: it is due at the end.
        pytest.param(
            SIGNATORY,
            date(2017, 5, 16),
            LAST_FRIDAY_ROUNDS,
            [
                StageDates(1, date(2018, 5, 16), date(2018, 11, 16), uk(2018, 9, 28), True),
                StageDates(2, date(2021, 3, 28), date(2021, 9, 28), uk(2021, 9, 24), True),
                StageDates(3, date(2024, 3, 24), date(2024, 9, 24), uk(2024, 9, 24), False),
            ],
            id="signatory-may-2017-last-friday-rounds",
        ),
        pytest.param(
            SIGNATORY,
            date(2017, 5, 16),
            [],
            [
                StageDates(1, date(2018, 5, 16), date(2018, 11, 16), uk(2018, 11, 16), False),
                StageDates(2, date(2021, 5, 16), date(2021, 11, 16), uk(2021, 11, 16), False),
                StageDates(3, date(2024, 5, 16), date(2024, 11, 16), uk(2024, 11, 16), False),
            ],
            id="signatory-no-rounds",
        ),
        # Two rounds fall in Stage 1's window; the earlier one wins.
        pytest.param(
            SUPPORTER,
            date(2023, 3, 10),
            LAST_FRIDAY_ROUNDS,
            [
                StageDates(1, date(2023, 9, 10), date(2024, 3, 10), uk(2023, 9, 29), True),
                StageDates(2, date(2026, 3, 29), date(2026, 9, 29), uk(2026, 9, 25), True),
                StageDates(3, date(2029, 3, 25), date(2029, 9, 25), uk(2029, 9, 25), False),
            ],
            id="supporter-march-2023",
        ),
        pytest.param(
            SUPPORTER,
            date(2023, 8, 31),
            [],
            [
                StageDates(1, date(2024, 2, 29), date(2024, 8, 31), uk(2024, 8, 31), False),
                StageDates(2, date(2027, 2, 28), date(2027, 8, 31), uk(2027, 8, 31), False),
            ],
            id="supporter-31-aug-no-rounds",
        ),
    ],
)
def test_stages(policy, announced_on, round_deadlines, expected):
    assert (
        stages(
            policy,
            announced_on=announced_on,
            round_deadlines=round_deadlines,
            count=len(expected),
        )
        == expected
    )


def test_stages_chain_from_the_uk_date_of_a_round_given_in_utc():
    # 23:30 UTC on 14 Sep 2018 is 00:30 on 15 Sep in the UK; Stage 2 chains from the 15th.
    schedule = stages(
        SIGNATORY,
        announced_on=date(2017, 5, 16),
        round_deadlines=iter([utc(2018, 9, 14, 23, 30)]),
        count=2,
    )

    assert [(stage.opens_on, stage.closes_on) for stage in schedule] == [
        (date(2018, 5, 16), date(2018, 11, 16)),
        (date(2021, 3, 15), date(2021, 9, 15)),
    ]


def test_stages_with_a_count_of_zero_is_empty():
    assert stages(SIGNATORY, announced_on=date(2017, 5, 16), round_deadlines=[], count=0) == []


@pytest.mark.parametrize(
    ("round_deadlines", "count"),
    [
        pytest.param([], -1, id="negative-count"),
        pytest.param([datetime(2018, 9, 15, 17, 0)], 1, id="naive-round"),
    ],
)
def test_stages_refuses_bad_input(round_deadlines, count):
    with pytest.raises(ValueError):
        stages(
            SIGNATORY, announced_on=date(2017, 5, 16), round_deadlines=round_deadlines, count=count
        )


# --- days_left ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_at", "now", "expected"),
    [
        pytest.param(uk(2026, 3, 30), uk(2026, 3, 28, 12), 2, id="across-bst-start"),
        pytest.param(uk(2026, 10, 26), uk(2026, 10, 24, 23, 30), 2, id="across-bst-end"),
        # 22h30m apart across the lost hour, yet a calendar day.
        pytest.param(uk(2026, 3, 29), uk(2026, 3, 28, 17, 30), 1, id="short-day-still-one"),
        # 25h45m apart across the repeated hour, yet two calendar days.
        pytest.param(uk(2026, 10, 26, 0, 15), uk(2026, 10, 24, 23, 30), 2, id="long-day-two"),
        pytest.param(uk(2026, 6, 30), uk(2026, 6, 30, 0, 1), 0, id="due-day-morning"),
        pytest.param(uk(2026, 6, 30), uk(2026, 6, 30, 23, 59), 0, id="due-day-after-deadline"),
        pytest.param(uk(2026, 6, 30), uk(2026, 7, 1, 0, 1), -1, id="day-after"),
        pytest.param(uk(2026, 6, 30), uk(2026, 7, 10, 9), -10, id="ten-days-late"),
        pytest.param(uk(2027, 1, 15), uk(2026, 1, 15, 9), 365, id="a-year-ahead"),
        # 23:30 UTC on 29 June is already 30 June in the UK.
        pytest.param(uk(2026, 6, 30), utc(2026, 6, 29, 23, 30), 0, id="now-utc-before-midnight"),
        pytest.param(uk(2026, 7, 1), utc(2026, 6, 29, 23, 30), 1, id="now-utc-ahead-one"),
        pytest.param(uk(2026, 1, 16), utc(2026, 1, 15, 23, 30), 1, id="now-utc-in-winter"),
        # 23:30 UTC on 30 June is 00:30 on 1 July in the UK.
        pytest.param(utc(2026, 6, 30, 23, 30), uk(2026, 6, 30, 9), 1, id="due-utc-next-uk-day"),
    ],
)
def test_days_left(due_at, now, expected):
    assert days_left(due_at, now=now) == expected


@pytest.mark.parametrize(
    ("due_at", "now"),
    [
        pytest.param(uk(2026, 6, 30), datetime(2026, 6, 29, 12, 0), id="naive-now"),
        pytest.param(datetime(2026, 6, 30, 17, 0), uk(2026, 6, 29), id="naive-due"),
    ],
)
def test_days_left_refuses_naive_datetimes(due_at, now):
    with pytest.raises(ValueError):
        days_left(due_at, now=now)


# --- is_overdue ---------------------------------------------------------------------------------

DUE = uk(2026, 3, 30)
ONE_SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("due_at", "now", "expected"),
    [
        pytest.param(DUE, DUE - ONE_SECOND, False, id="one-second-before"),
        pytest.param(DUE, DUE, False, id="at-the-deadline"),
        pytest.param(DUE, DUE + ONE_SECOND, True, id="one-second-after"),
        # 17:00 BST is 16:00 UTC.
        pytest.param(DUE, utc(2026, 3, 30, 16) - ONE_SECOND, False, id="utc-one-second-before"),
        pytest.param(DUE, utc(2026, 3, 30, 16) + ONE_SECOND, True, id="utc-one-second-after"),
        pytest.param(DUE, uk(2026, 3, 30, 23, 59), True, id="evening-of-due-day"),
        # 01:10 GMT is 40 minutes after 01:30 BST, though its wall clock reads earlier.
        pytest.param(
            datetime(2026, 10, 25, 1, 30, tzinfo=UK),
            datetime(2026, 10, 25, 1, 10, tzinfo=UK, fold=1),
            True,
            id="repeated-hour-gmt-after-bst",
        ),
    ],
)
def test_is_overdue(due_at, now, expected):
    assert is_overdue(due_at, now=now) is expected


def test_is_overdue_refuses_a_naive_now():
    with pytest.raises(ValueError):
        is_overdue(DUE, now=datetime(2026, 3, 30, 18, 0))


# --- effective_due ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduled", "extended_to", "expected"),
    [
        pytest.param(uk(2026, 3, 30), None, uk(2026, 3, 30), id="no-extension"),
        pytest.param(uk(2026, 3, 30), uk(2026, 5, 29), uk(2026, 5, 29), id="extended-later"),
        pytest.param(uk(2026, 3, 30), uk(2026, 3, 2), uk(2026, 3, 2), id="brought-forward"),
        pytest.param(uk(2026, 3, 30), utc(2026, 5, 29, 16), uk(2026, 5, 29), id="extension-in-utc"),
    ],
)
def test_effective_due(scheduled, extended_to, expected):
    due_at = effective_due(scheduled, extended_to)

    assert due_at == expected
    assert due_at.tzinfo is UK


@pytest.mark.parametrize(
    ("scheduled", "extended_to"),
    [
        pytest.param(datetime(2026, 3, 30, 17, 0), None, id="naive-scheduled"),
        pytest.param(uk(2026, 3, 30), datetime(2026, 5, 29, 17, 0), id="naive-extension"),
    ],
)
def test_effective_due_refuses_naive_datetimes(scheduled, extended_to):
    with pytest.raises(ValueError):
        effective_due(scheduled, extended_to)
