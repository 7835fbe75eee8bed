"""The review schedule against cases worked out by hand: a premature birth, a transfer in at 7
months, twins, a death, a review done early, one done after its window closed, and the
boundaries the OHID indicators count at."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from beststart.care.models import ReviewKind
from beststart.care.schedule import (
    Circumstances,
    Status,
    Timing,
    Window,
    add_months,
    review_status,
    review_windows,
    still_offered,
)

BORN = dt.date(2026, 1, 31)
K = ReviewKind


def window(kind: ReviewKind, born: dt.date = BORN, expected: dt.date | None = None) -> Window:
    return next(w for w in review_windows(born=born, expected=expected) if w.kind == kind)


def status(kind: ReviewKind, today: dt.date, **kwargs: object) -> Status:
    return review_status(window(kind), today=today, **kwargs).status  # type: ignore[arg-type]


def test_the_windows_of_a_baby_born_on_31_january() -> None:
    assert [
        (w.kind, w.opens, w.due_by, w.closes) for w in review_windows(born=BORN, expected=None)
    ] == [
        (K.NEW_BIRTH, dt.date(2026, 1, 31), dt.date(2026, 2, 14), dt.date(2026, 3, 14)),
        (K.SIX_TO_EIGHT_WEEKS, dt.date(2026, 3, 14), dt.date(2026, 3, 28), dt.date(2026, 4, 25)),
        # Months from the 31st end on the month's last day.
        (K.ONE_YEAR, dt.date(2026, 10, 31), dt.date(2027, 1, 31), dt.date(2027, 4, 30)),
        (K.TWO_YEARS, dt.date(2028, 1, 31), dt.date(2028, 7, 31), dt.date(2029, 1, 31)),
    ]


def test_the_new_birth_visit_is_due_by_day_14_and_overdue_from_day_15() -> None:
    assert status(K.NEW_BIRTH, BORN) == Status.DUE
    assert status(K.NEW_BIRTH, BORN + dt.timedelta(days=14)) == Status.DUE
    assert status(K.NEW_BIRTH, BORN + dt.timedelta(days=15)) == Status.OVERDUE
    assert status(K.NEW_BIRTH, BORN + dt.timedelta(days=43)) == Status.MISSED


def test_the_12_month_review_is_overdue_after_12_months_and_missed_after_15() -> None:
    assert status(K.ONE_YEAR, dt.date(2026, 10, 30)) == Status.UPCOMING
    assert status(K.ONE_YEAR, dt.date(2026, 10, 31)) == Status.DUE
    assert status(K.ONE_YEAR, dt.date(2027, 1, 31)) == Status.DUE
    assert status(K.ONE_YEAR, dt.date(2027, 2, 1)) == Status.OVERDUE
    assert status(K.ONE_YEAR, dt.date(2027, 4, 30)) == Status.OVERDUE
    assert status(K.ONE_YEAR, dt.date(2027, 5, 1)) == Status.MISSED


def test_the_2_year_review_window_is_24_to_30_months() -> None:
    assert status(K.TWO_YEARS, dt.date(2028, 1, 30)) == Status.UPCOMING
    assert status(K.TWO_YEARS, dt.date(2028, 7, 31)) == Status.DUE
    assert status(K.TWO_YEARS, dt.date(2028, 8, 1)) == Status.OVERDUE


def test_a_premature_baby_runs_from_the_birth_and_had_an_antenatal_window() -> None:
    # Due 1 May, born 13 March at 33 weeks: the antenatal contact opened at 28 weeks (6 Feb)
    # and closed at the birth; the new birth visit is due 14 days after the birth, not the due date.
    expected, born = dt.date(2026, 5, 1), dt.date(2026, 3, 13)
    windows = {w.kind: w for w in review_windows(born=born, expected=expected)}
    assert (windows[K.ANTENATAL].opens, windows[K.ANTENATAL].closes) == (
        dt.date(2026, 2, 6),
        born,
    )
    assert windows[K.NEW_BIRTH].due_by == dt.date(2026, 3, 27)
    # Born at 26 weeks, before the antenatal window opened: no antenatal contact was due.
    very_early = review_windows(born=dt.date(2026, 1, 30), expected=expected)
    assert K.ANTENATAL not in {w.kind for w in very_early}


def test_an_unborn_child_has_only_the_antenatal_contact_from_28_weeks() -> None:
    (antenatal,) = review_windows(born=None, expected=dt.date(2026, 9, 1))
    assert (antenatal.kind, antenatal.opens, antenatal.due_by) == (
        K.ANTENATAL,
        dt.date(2026, 6, 9),
        dt.date(2026, 9, 1),
    )
    assert review_status(antenatal, today=dt.date(2026, 6, 8)).status == Status.UPCOMING
    assert review_status(antenatal, today=dt.date(2026, 6, 9)).status == Status.DUE


def test_a_transfer_in_at_7_months_owes_only_the_reviews_still_open() -> None:
    arrived = Circumstances(arrived_on=dt.date(2026, 8, 31))  # 7 months old
    today = dt.date(2026, 9, 15)
    assert status(K.NEW_BIRTH, today, circumstances=arrived) == Status.NOT_DUE_HERE
    assert status(K.SIX_TO_EIGHT_WEEKS, today, circumstances=arrived) == Status.NOT_DUE_HERE
    assert status(K.ONE_YEAR, today, circumstances=arrived) == Status.UPCOMING
    assert status(K.ONE_YEAR, dt.date(2027, 2, 2), circumstances=arrived) == Status.OVERDUE


def test_twins_have_the_same_windows_and_each_their_own_status() -> None:
    first, second = window(K.NEW_BIRTH), window(K.NEW_BIRTH)
    today = BORN + dt.timedelta(days=20)
    assert first == second
    assert review_status(first, today=today, done_on=BORN + dt.timedelta(days=10)).status == (
        Status.DONE
    )
    assert review_status(second, today=today).status == Status.OVERDUE


def test_a_child_who_died_drops_off_with_the_reason_kept() -> None:
    died = Circumstances(left_on=dt.date(2026, 3, 1), left_because="died on 1 March 2026")
    today = dt.date(2026, 3, 20)
    six_weeks = review_status(window(K.SIX_TO_EIGHT_WEEKS), today=today, circumstances=died)
    assert (six_weeks.status, six_weeks.reason) == (Status.NO_LONGER_DUE, "died on 1 March 2026")
    assert not six_weeks.needs_doing
    # What was done before stays done.
    visit = review_status(
        window(K.NEW_BIRTH), today=today, done_on=dt.date(2026, 2, 9), circumstances=died
    )
    assert visit.status == Status.DONE


def test_a_review_done_early_is_recorded_as_early() -> None:
    early = review_status(
        window(K.ONE_YEAR), today=dt.date(2026, 11, 1), done_on=dt.date(2026, 10, 20)
    )
    assert (early.status, early.timing) == (Status.DONE, Timing.EARLY)


def test_a_review_done_after_its_window_closed_is_done_late() -> None:
    late = review_status(
        window(K.SIX_TO_EIGHT_WEEKS), today=dt.date(2026, 6, 1), done_on=dt.date(2026, 5, 20)
    )
    assert (late.status, late.timing) == (Status.DONE, Timing.LATE)
    on_time = review_status(
        window(K.SIX_TO_EIGHT_WEEKS), today=dt.date(2026, 6, 1), done_on=dt.date(2026, 3, 28)
    )
    assert on_time.timing == Timing.ON_TIME


@given(
    born=st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
    months=st.integers(0, 60),
)
def test_add_months_stays_in_the_target_month_and_never_goes_back(
    born: dt.date, months: int
) -> None:
    later = add_months(born, months)
    assert (later.year - born.year) * 12 + later.month - born.month == months
    assert later.day <= born.day
    assert later >= born


@given(
    born=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    age=st.integers(0, 2000),
)
def test_every_window_opens_before_it_is_due_and_closes_after(born: dt.date, age: int) -> None:
    today = born + dt.timedelta(days=age)
    for each in review_windows(born=born, expected=born + dt.timedelta(days=7)):
        assert each.opens <= each.due_by <= each.closes
        result = review_status(each, today=today)
        assert (result.status == Status.UPCOMING) is (today < each.opens)


def test_a_missed_review_stays_on_offer_until_the_next_one_opens() -> None:
    def offered(today: dt.date) -> list[ReviewKind]:
        statuses = [review_status(w, today=today) for w in review_windows(born=BORN, expected=None)]
        return [each.window.kind for each in still_offered(statuses, today=today)]

    # 6 to 8 weeks missed from 26 April; the 12-month review opens on 31 October.
    assert offered(dt.date(2026, 5, 1)) == [K.SIX_TO_EIGHT_WEEKS]
    assert offered(dt.date(2026, 10, 31)) == [K.ONE_YEAR]
    # The 2 to 2½ year review, missed from 31 January 2029, is offered until the fifth birthday.
    assert offered(dt.date(2030, 1, 30)) == [K.TWO_YEARS]
    assert offered(dt.date(2031, 1, 31)) == []
