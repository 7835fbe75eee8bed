"""The routine schedule by date of birth, against UKHSA's published tables (ADR 0010), and
where a child stands with each dose."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from beststart.care.immunisations import (
    OVERDUE_AFTER,
    SCHEDULE,
    DoseStatus,
    Recorded,
    dose_status,
    doses_for,
    label,
)


def plan(born: dt.date) -> list[tuple[str, str]]:
    return [(dose.appointment, dose.code) for dose in doses_for(born)]


def test_a_child_born_in_march_2022_has_the_schedule_before_the_changes() -> None:
    assert plan(dt.date(2022, 3, 1)) == [
        ("8 weeks", "6in1_1"),
        ("8 weeks", "menb_1"),
        ("8 weeks", "rota_1"),
        ("12 weeks", "6in1_2"),
        ("12 weeks", "pcv_1"),
        ("12 weeks", "rota_2"),
        ("16 weeks", "6in1_3"),
        ("16 weeks", "menb_2"),
        ("1 year", "hibmenc"),
        ("1 year", "pcv_2"),
        ("1 year", "menb_3"),
        ("1 year", "mmr_1"),
        ("3 years 4 months", "4in1"),
        ("3 years 4 months", "mmr_2"),
    ]


def test_born_from_september_2022_the_pre_school_dose_is_mmrv() -> None:
    codes = dict((code, appointment) for appointment, code in plan(dt.date(2023, 5, 1)))
    assert codes["mmrv_1"] == "3 years 4 months"
    assert "mmr_2" not in codes
    assert "hibmenc" in codes


def test_born_in_the_second_half_of_2024_hib_menc_gives_way_to_an_18_month_appointment() -> None:
    later = [entry for entry in plan(dt.date(2024, 9, 1)) if entry[0] not in ("8 weeks",)]
    assert later == [
        ("12 weeks", "6in1_2"),
        ("12 weeks", "pcv_1"),
        ("12 weeks", "rota_2"),
        ("16 weeks", "6in1_3"),
        ("16 weeks", "menb_2"),
        ("1 year", "pcv_2"),
        ("1 year", "menb_3"),
        ("1 year", "mmr_1"),
        ("18 months", "6in1_4"),
        ("18 months", "mmrv_1"),
        ("3 years 4 months", "4in1"),
        ("3 years 4 months", "mmrv_2"),
    ]


def test_born_in_june_2025_menb_moves_to_12_weeks_and_mmrv_is_given_at_12_and_18_months() -> None:
    assert plan(dt.date(2025, 6, 1)) == [
        ("8 weeks", "6in1_1"),
        ("8 weeks", "menb_1"),
        ("8 weeks", "rota_1"),
        ("12 weeks", "6in1_2"),
        ("12 weeks", "menb_2"),
        ("12 weeks", "rota_2"),
        ("16 weeks", "6in1_3"),
        ("16 weeks", "pcv_1"),
        ("1 year", "pcv_2"),
        ("1 year", "menb_3"),
        ("1 year", "mmrv_1"),
        ("18 months", "6in1_4"),
        ("18 months", "mmrv_2"),
        ("3 years 4 months", "4in1"),
    ]


def test_the_infant_change_follows_the_12_week_appointment() -> None:
    # 12 weeks after 7 April 2025 is 30 June: the old order; after 8 April, 1 July: the new.
    assert ("12 weeks", "pcv_1") in plan(dt.date(2025, 4, 7))
    assert ("12 weeks", "menb_2") in plan(dt.date(2025, 4, 8))


@given(st.dates(dt.date(2020, 1, 1), dt.date(2031, 12, 31)))
def test_every_child_has_each_dose_once_and_two_or_three_measles_doses(born: dt.date) -> None:
    codes = [dose.code for dose in doses_for(born)]
    assert len(codes) == len(set(codes))
    measles = [code for code in codes if code.startswith("mmr")]
    third_dose_cohort = dt.date(2024, 7, 1) <= born < dt.date(2025, 1, 1)
    assert len(measles) == (3 if third_dose_cohort else 2)
    assert {"6in1_1", "6in1_2", "6in1_3", "pcv_1", "pcv_2", "menb_1", "menb_2"} <= set(codes)
    dues = [dose.due_on(born) for dose in doses_for(born)]
    assert dues == sorted(dues)


def test_every_dose_has_a_label() -> None:
    assert all(label(dose.code) for dose in SCHEDULE)
    assert label("6in1_1") == "6-in-1 (1st dose)"


BORN = dt.date(2026, 1, 5)
FIRST = next(dose for dose in doses_for(BORN) if dose.code == "6in1_1")
ROTAVIRUS = next(dose for dose in doses_for(BORN) if dose.code == "rota_1")


def status(dose: object, today: dt.date, **kwargs: object) -> DoseStatus:
    return dose_status(dose, born=BORN, today=today, **kwargs)  # type: ignore[arg-type]


def test_a_dose_is_due_at_its_age_and_overdue_four_weeks_later() -> None:
    due = FIRST.due_on(BORN)
    assert due == dt.date(2026, 3, 2)
    assert status(FIRST, due - dt.timedelta(days=1)) == DoseStatus.UPCOMING
    assert status(FIRST, due) == DoseStatus.DUE
    assert status(FIRST, due + OVERDUE_AFTER) == DoseStatus.DUE
    assert status(FIRST, due + OVERDUE_AFTER + dt.timedelta(days=1)) == DoseStatus.OVERDUE


def test_rotavirus_is_not_given_from_15_weeks() -> None:
    assert status(ROTAVIRUS, BORN + dt.timedelta(weeks=15, days=-1)) == DoseStatus.OVERDUE
    assert status(ROTAVIRUS, BORN + dt.timedelta(weeks=15)) == DoseStatus.TOO_LATE


def test_recorded_doses_and_a_child_who_left() -> None:
    today = dt.date(2026, 6, 1)
    given_ = Recorded("given", dt.date(2026, 3, 2))
    assert status(FIRST, today, recorded=given_) == DoseStatus.GIVEN
    assert status(FIRST, today, recorded=Recorded("declined", today)) == DoseStatus.DECLINED
    assert status(FIRST, today, left_on=dt.date(2026, 5, 1)) == DoseStatus.NO_LONGER_DUE
    assert status(FIRST, today, left_on=dt.date(2026, 7, 1)) == DoseStatus.OVERDUE
