"""Working days in England, counted by hand from the calendar and the bank holidays that
GOV.UK publishes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.referrals.working_days import (
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 12, 3), True),  # Thursday
        (D(2026, 12, 5), False),  # Saturday
        (D(2026, 12, 6), False),  # Sunday
        (D(2026, 12, 25), False),  # Christmas Day, a Friday
        (D(2026, 12, 26), False),  # Boxing Day, a Saturday
        (D(2026, 12, 28), False),  # ... so Monday is its substitute
        (D(2026, 12, 29), True),
        (D(2027, 1, 1), False),  # New Year's Day, a Friday
        (D(2027, 3, 26), False),  # Good Friday 2027
        (D(2027, 3, 29), False),  # Easter Monday 2027
        (D(2027, 3, 30), True),
        (D(2027, 5, 3), False),  # early May bank holiday 2027
        (D(2026, 5, 4), False),  # early May bank holiday 2026
        (D(2026, 5, 5), True),
        (D(2027, 12, 27), False),  # Christmas 2027 is a Saturday: substitute Monday
        (D(2027, 12, 28), False),  # and Boxing Day's, Tuesday
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 12, 3), 1, D(2026, 12, 4)),  # Thursday -> Friday
        (D(2026, 12, 4), 1, D(2026, 12, 7)),  # Friday -> Monday
        (D(2026, 12, 5), 1, D(2026, 12, 7)),  # made on a Saturday, due Monday
        (D(2026, 12, 3), 5, D(2026, 12, 10)),
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # over Christmas and the substitute day
        (D(2026, 12, 21), 5, D(2026, 12, 30)),  # 22, 23, 24, 29, 30
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # over New Year's Day and a weekend
        (D(2027, 3, 25), 1, D(2027, 3, 30)),  # over Easter
        (D(2027, 4, 30), 1, D(2027, 5, 4)),  # over the early May bank holiday
        (D(2026, 12, 3), 0, D(2026, 12, 3)),
    ],
)
def test_add_working_days(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days) == due
    assert working_days_between(start, due) == days


def test_working_days_between_counts_after_the_start() -> None:
    assert working_days_between(D(2026, 12, 3), D(2026, 12, 3)) == 0
    assert working_days_between(D(2026, 12, 10), D(2026, 12, 3)) == 0  # earlier: none
    assert working_days_between(D(2026, 12, 4), D(2026, 12, 7)) == 1  # Friday to Monday
    assert working_days_between(D(2026, 12, 5), D(2026, 12, 6)) == 0  # within a weekend
    assert working_days_between(D(2026, 12, 24), D(2027, 1, 4)) == 4  # 29, 30, 31, 4


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))


@given(start=dates, days=st.integers(min_value=0, max_value=60))
def test_adding_and_counting_agree(start: dt.date, days: int) -> None:
    due = add_working_days(start, days)
    assert working_days_between(start, due) == days
    if days:
        assert is_working_day(due)
        # The due day is the first day that many working days on: one day earlier is short.
        assert working_days_between(start, due - dt.timedelta(days=1)) == days - 1
        assert add_working_days(start, days - 1) < due


@given(a=dates, b=dates, c=dates)
def test_counting_adds_up(a: dt.date, b: dt.date, c: dt.date) -> None:
    first, middle, last = sorted((a, b, c))
    assert working_days_between(first, last) == working_days_between(
        first, middle
    ) + working_days_between(middle, last)
    # Five weekdays in each whole week, less at most ten bank holidays a year.
    weeks = (last - first).days // 7
    years = last.year - first.year + 1
    assert 5 * weeks - 10 * years <= working_days_between(first, last) <= 5 * (weeks + 1)
