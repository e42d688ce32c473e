"""Planned dates of a day, month, quarter or year: stored as the period's last day, shown
and read back as the lead wrote them."""

from datetime import date

import pytest

from action_plans.enums import DatePrecision as P
from action_plans.periods import Period, period, period_from_parts, period_parse

# (the date the lead means, its precision, the last day stored, how it reads)
SHOWN = [
    ("day", date(2027, 12, 11), P.DAY, date(2027, 12, 11), "11 December 2027"),
    ("month", date(2027, 12, 11), P.MONTH, date(2027, 12, 31), "December 2027"),
    ("february leap", date(2028, 2, 3), P.MONTH, date(2028, 2, 29), "February 2028"),
    ("quarter", date(2027, 11, 1), P.QUARTER, date(2027, 12, 31), "October–December 2027"),
    ("first quarter", date(2027, 2, 14), P.QUARTER, date(2027, 3, 31), "January–March 2027"),
    ("year", date(2027, 6, 1), P.YEAR, date(2027, 12, 31), "2027"),
]


@pytest.mark.parametrize(
    ("on", "precision", "stored", "text"), [row[1:] for row in SHOWN], ids=[r[0] for r in SHOWN]
)
def test_a_period_is_stored_as_its_last_day_and_shown_as_given(on, precision, stored, text):
    planned = period(on, precision)

    assert (planned.on, planned.precision, planned.text) == (stored, precision, text)
    assert period_parse(text) == planned
    assert period(planned.on, precision) == planned  # normalising again changes nothing


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("End of Jan 2028", Period(date(2028, 1, 31), P.MONTH)),
        ("by end of Dec 2022", Period(date(2022, 12, 31), P.MONTH)),
        ("by the end of September 2026", Period(date(2026, 9, 30), P.MONTH)),
        ("Sept 2026", Period(date(2026, 9, 30), P.MONTH)),
        ("2027-12", Period(date(2027, 12, 31), P.MONTH)),
        ("2027-12-11", Period(date(2027, 12, 11), P.DAY)),
        ("11/12/2027", Period(date(2027, 12, 11), P.DAY)),
        ("1st March, 2026", Period(date(2026, 3, 1), P.DAY)),
        ("Q4 2027", Period(date(2027, 12, 31), P.QUARTER)),
        ("april - june 2026", Period(date(2026, 6, 30), P.QUARTER)),
        ("Jul to Sep 2026", Period(date(2026, 9, 30), P.QUARTER)),
        ("  by   2030 ", Period(date(2030, 12, 31), P.YEAR)),
    ],
)
def test_dates_are_read_as_plans_write_them(written, expected):
    assert period_parse(written) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("soon", "“soon” is not a date: write it as 11 December 2027, December 2027,"),
        ("Febuary 2027", "“Febuary 2027” is not a date"),
        ("31 February 2027", "February 2027 has no day 31."),
        ("2027-13", "“2027-13” has no month 13."),
        ("November–January 2027", "is not a quarter: quarters run January–March"),
        ("1850", "Give a year between 2000 and 2099."),
        ("", "“” is not a date"),
    ],
)
def test_what_is_not_a_date_is_refused_saying_why(written, message):
    with pytest.raises(ValueError) as refused:
        period_parse(written)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("precision", "parts", "message"),
    [
        (P.DAY, {"year": 2027, "month": 12}, "Give the day, or choose a month"),
        (P.MONTH, {"year": 2027}, "Choose the month."),
        (P.QUARTER, {"year": 2027, "month": 12}, "Choose the quarter."),
        (P.YEAR, {"year": None}, "Give the year."),
    ],
)
def test_a_form_s_parts_must_give_what_the_precision_needs(precision, parts, message):
    with pytest.raises(ValueError, match=message):
        period_from_parts(precision, **parts)


def test_parts_the_precision_does_not_use_are_not_read():
    assert period_from_parts(P.YEAR, year=2027, month=2, day=31) == Period(
        date(2027, 12, 31), P.YEAR
    )


def test_the_machine_readable_form_follows_the_precision():
    assert [period(date(2027, 12, 11), p).machine for p in P.values] == [
        "2027-12-11",
        "2027-12",
        "",
        "2027",
    ]
