"""Planned dates as published plans give them: a day, a month, a quarter or a year.

"End of Jan 2028", "Proposal by end of Jan 2021; delivery by end of Dec 2022", "2027": a
plan's targets are rarely a single day. A ``Period`` keeps the precision the lead gave and
stands for the last day of that period, so targets of any precision sort and compare
together, and one that is "by December 2027" is not overdue until 31 December 2027.

Pure functions over dates; the words are fixed English (UK), whatever the language setting.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .enums import DatePrecision

P = DatePrecision

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Each quarter by the months it spans: October–December is the fourth. Written out, not
# "Q4", because a UK reader may count quarters from April (the financial year).
QUARTERS = ((1, 3), (4, 6), (7, 9), (10, 12))
FIRST_YEAR, LAST_YEAR = 2000, 2099

EXAMPLES = "11 December 2027, December 2027, October–December 2027 or 2027"


@dataclass(frozen=True)
class Period:
    """A planned date: the last day of the period (``on``) and how precise it is."""

    on: date
    precision: str = P.DAY

    def __post_init__(self) -> None:
        if self.precision not in P.values:
            raise ValueError(f"Unknown precision {self.precision!r}.")

    @property
    def start(self) -> date:
        """The first day of the period."""
        if self.precision == P.DAY:
            return self.on
        if self.precision == P.MONTH:
            return self.on.replace(day=1)
        if self.precision == P.QUARTER:
            return date(self.on.year, quarter_of(self.on.month)[0], 1)
        return date(self.on.year, 1, 1)

    @property
    def text(self) -> str:
        """As the lead gave it: "11 December 2027", "December 2027",
        "October–December 2027", "2027"."""
        on = self.on
        if self.precision == P.DAY:
            return f"{on.day} {MONTHS[on.month - 1]} {on.year}"
        if self.precision == P.MONTH:
            return f"{MONTHS[on.month - 1]} {on.year}"
        if self.precision == P.QUARTER:
            first, last = quarter_of(on.month)
            return f"{MONTHS[first - 1]}–{MONTHS[last - 1]} {on.year}"
        return str(on.year)

    @property
    def machine(self) -> str:
        """The HTML ``<time datetime>`` value, or "" for a quarter (HTML has no form for
        one): "2027-12-11", "2027-12", "2027"."""
        if self.precision == P.DAY:
            return self.on.isoformat()
        if self.precision == P.MONTH:
            return f"{self.on:%Y-%m}"
        if self.precision == P.YEAR:
            return f"{self.on:%Y}"
        return ""

    def __str__(self) -> str:
        return self.text


def quarter_of(month: int) -> tuple[int, int]:
    """The first and last month of the quarter ``month`` falls in."""
    return QUARTERS[(month - 1) // 3]


def period_end(on: date, precision: str) -> date:
    """The last day of the period of ``precision`` that ``on`` falls in."""
    if precision == P.DAY:
        return on
    if precision == P.MONTH:
        last_month = on.month
    elif precision == P.QUARTER:
        last_month = quarter_of(on.month)[1]
    elif precision == P.YEAR:
        last_month = 12
    else:
        raise ValueError(f"Unknown precision {precision!r}.")
    return date(on.year, last_month, calendar.monthrange(on.year, last_month)[1])


def period(on: date | None, precision: str) -> Period | None:
    """The period of ``precision`` that ``on`` falls in (None for no date)."""
    return None if on is None else Period(period_end(on, precision), precision)


def period_from_parts(
    precision: str,
    *,
    year: int | None,
    month: int | None = None,
    quarter: int | None = None,
    day: int | None = None,
) -> Period:
    """The period a form's parts describe; ValueError saying what is missing or wrong.
    Parts the precision does not use are not read."""
    if year is None:
        raise ValueError("Give the year.")
    _check_year(year)
    if precision == P.YEAR:
        return Period(date(year, 12, 31), P.YEAR)
    if precision == P.QUARTER:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("Choose the quarter.")
        return period(date(year, QUARTERS[quarter - 1][1], 1), P.QUARTER)
    if month is None or not 1 <= month <= 12:
        raise ValueError("Choose the month.")
    if precision == P.MONTH:
        return period(date(year, month, 1), P.MONTH)
    if precision != P.DAY:
        raise ValueError("Choose how precise the date is.")
    if day is None:
        raise ValueError("Give the day, or choose a month if the date is only a month.")
    try:
        return Period(date(year, month, day), P.DAY)
    except ValueError:
        raise ValueError(f"{MONTHS[month - 1]} {year} has no day {day}.") from None


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Give a year between {FIRST_YEAR} and {LAST_YEAR}.")


_MONTH_NAMES = {name.lower(): n for n, name in enumerate(MONTHS, start=1)}
_MONTH_NAMES.update({name[:3].lower(): n for n, name in enumerate(MONTHS, start=1)})
_MONTH_NAMES["sept"] = 9
_MONTH = "(" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_FORMS = (
    (P.DAY, re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")),
    (P.DAY, re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")),
    (P.DAY, re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH},? (\d{{4}})")),
    (P.MONTH, re.compile(r"(\d{4})-(\d{1,2})")),
    (P.MONTH, re.compile(rf"{_MONTH},? (\d{{4}})")),
    (P.QUARTER, re.compile(r"q([1-4]) (\d{4})")),
    (P.QUARTER, re.compile(rf"{_MONTH} ?(?:–|—|-|to) ?{_MONTH},? (\d{{4}})")),
    (P.YEAR, re.compile(r"(\d{4})")),
)


def period_parse(text: str) -> Period:
    """Read a planned date as people write them; ValueError (a message for the person)
    when it is not one. A leading "by" or "end of" is allowed."""
    cleaned = " ".join(text.replace(",", ", ").split()).lower()
    cleaned = re.sub(r"^(by )?(the )?(end of )?", "", cleaned).strip()
    for precision, form in _FORMS:
        match = form.fullmatch(cleaned)
        if match:
            return _from_match(precision, form, match.groups(), text)
    raise ValueError(f"“{text.strip()}” is not a date: write it as {EXAMPLES}.")


def _from_match(precision: str, form: re.Pattern, groups: tuple[str, ...], text: str) -> Period:
    def month(value: str) -> int:
        return int(value) if value.isdigit() else _MONTH_NAMES[value]

    if precision == P.DAY:
        if form.pattern.startswith(r"(\d{4})"):
            year, month_number, day = int(groups[0]), int(groups[1]), int(groups[2])
        elif "/" in form.pattern:
            day, month_number, year = int(groups[0]), int(groups[1]), int(groups[2])
        else:
            day, month_number, year = int(groups[0]), month(groups[1]), int(groups[2])
        if not 1 <= month_number <= 12:
            raise ValueError(f"“{text.strip()}” has no month {month_number}.")
        return period_from_parts(P.DAY, year=year, month=month_number, day=day)
    if precision == P.MONTH:
        if groups[0].isdigit() and len(groups[0]) == 4:
            year, month_number = int(groups[0]), int(groups[1])
        else:
            month_number, year = month(groups[0]), int(groups[1])
        if not 1 <= month_number <= 12:
            raise ValueError(f"“{text.strip()}” has no month {month_number}.")
        return period_from_parts(P.MONTH, year=year, month=month_number)
    if precision == P.QUARTER:
        if len(groups) == 2:
            return period_from_parts(P.QUARTER, year=int(groups[1]), quarter=int(groups[0]))
        span = (month(groups[0]), month(groups[1]))
        if span not in QUARTERS:
            raise ValueError(
                f"“{text.strip()}” is not a quarter: quarters run January–March, April–June, "
                "July–September and October–December."
            )
        return period_from_parts(P.QUARTER, year=int(groups[2]), quarter=QUARTERS.index(span) + 1)
    return period_from_parts(P.YEAR, year=int(groups[0]))
