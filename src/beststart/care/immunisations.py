"""The UK routine childhood immunisation schedule, as data, and where a child stands with it.

Which vaccines a child is offered depends on their date of birth: the schedule changed on
1 July 2025 (MenB moved to 12 weeks and the pneumococcal dose to 16 weeks; Hib/MenC at one
year stopped for children born from 1 July 2024, who have a new 18-month appointment instead)
and on 1 January 2026 (MMRV, with chickenpox, replaced MMR). ADR 0010 gives the sources and
the choices. Pure rules, no database, like `schedule.py`.

A dose is due from its due age, overdue once it is more than `OVERDUE_AFTER` (four weeks)
past it, and, for rotavirus only, no longer given after its upper age limit.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum

from beststart.care.schedule import add_months

OVERDUE_AFTER = dt.timedelta(weeks=4)

# Cohort boundaries, by date of birth.
INFANT_CHANGE = dt.date(2025, 4, 8)  # their 12-week appointment fell on or after 1 July 2025
NO_HIB_MENC = dt.date(2024, 7, 1)  # one-year Hib/MenC stopped; 18-month appointment instead
MMRV_FROM_ONE_YEAR = dt.date(2025, 1, 1)  # two MMRV doses, at 12 and 18 months
MMRV_PRE_SCHOOL = dt.date(2022, 9, 1)  # one MMRV dose at 3 years 4 months, after MMR at 1


@dataclass(frozen=True)
class Dose:
    """One dose of the schedule: `code` is stable (stored in Immunisation.vaccine, counted by
    the outcomes framework), `label` is what practitioners call it."""

    code: str
    label: str
    appointment: str  # "8 weeks", "1 year": when it is given
    weeks: int = 0
    months: int = 0
    born_from: dt.date | None = None
    born_before: dt.date | None = None
    given_before_weeks: int | None = None  # the upper age limit, if the vaccine has one

    def applies_to(self, born: dt.date) -> bool:
        return (self.born_from is None or born >= self.born_from) and (
            self.born_before is None or born < self.born_before
        )

    def due_on(self, born: dt.date) -> dt.date:
        return add_months(born, self.months) + dt.timedelta(weeks=self.weeks)

    def last_day(self, born: dt.date) -> dt.date | None:
        if self.given_before_weeks is None:
            return None
        return born + dt.timedelta(weeks=self.given_before_weeks, days=-1)


SCHEDULE: tuple[Dose, ...] = (
    # 8 weeks
    Dose("6in1_1", "6-in-1 (1st dose)", "8 weeks", weeks=8),
    Dose("menb_1", "MenB (1st dose)", "8 weeks", weeks=8),
    Dose("rota_1", "Rotavirus (1st dose)", "8 weeks", weeks=8, given_before_weeks=15),
    # 12 weeks
    Dose("6in1_2", "6-in-1 (2nd dose)", "12 weeks", weeks=12),
    Dose("pcv_1", "Pneumococcal (PCV, 1st dose)", "12 weeks", weeks=12, born_before=INFANT_CHANGE),
    Dose("menb_2", "MenB (2nd dose)", "12 weeks", weeks=12, born_from=INFANT_CHANGE),
    Dose("rota_2", "Rotavirus (2nd dose)", "12 weeks", weeks=12, given_before_weeks=24),
    # 16 weeks
    Dose("6in1_3", "6-in-1 (3rd dose)", "16 weeks", weeks=16),
    Dose("menb_2", "MenB (2nd dose)", "16 weeks", weeks=16, born_before=INFANT_CHANGE),
    Dose("pcv_1", "Pneumococcal (PCV, 1st dose)", "16 weeks", weeks=16, born_from=INFANT_CHANGE),
    # 1 year
    Dose("hibmenc", "Hib/MenC", "1 year", months=12, born_before=NO_HIB_MENC),
    Dose("pcv_2", "Pneumococcal (PCV) booster", "1 year", months=12),
    Dose("menb_3", "MenB booster", "1 year", months=12),
    Dose("mmr_1", "MMR (1st dose)", "1 year", months=12, born_before=MMRV_FROM_ONE_YEAR),
    Dose("mmrv_1", "MMRV (1st dose)", "1 year", months=12, born_from=MMRV_FROM_ONE_YEAR),
    # 18 months, for children born from 1 July 2024
    Dose("6in1_4", "6-in-1 booster", "18 months", months=18, born_from=NO_HIB_MENC),
    Dose(
        "mmrv_1",
        "MMRV (1st dose)",
        "18 months",
        months=18,
        born_from=NO_HIB_MENC,
        born_before=MMRV_FROM_ONE_YEAR,
    ),
    Dose("mmrv_2", "MMRV (2nd dose)", "18 months", months=18, born_from=MMRV_FROM_ONE_YEAR),
    # 3 years 4 months
    Dose("4in1", "4-in-1 pre-school booster", "3 years 4 months", months=40),
    Dose("mmr_2", "MMR (2nd dose)", "3 years 4 months", months=40, born_before=MMRV_PRE_SCHOOL),
    Dose(
        "mmrv_1",
        "MMRV",
        "3 years 4 months",
        months=40,
        born_from=MMRV_PRE_SCHOOL,
        born_before=NO_HIB_MENC,
    ),
    Dose(
        "mmrv_2",
        "MMRV (2nd dose)",
        "3 years 4 months",
        months=40,
        born_from=NO_HIB_MENC,
        born_before=MMRV_FROM_ONE_YEAR,
    ),
)

LABELS = {dose.code: dose.label for dose in SCHEDULE}


def doses_for(born: dt.date) -> list[Dose]:
    """The doses a child born on `born` is offered, in the order they fall due."""
    return [dose for dose, _ in plan(born)]


@functools.lru_cache(maxsize=4096)
def plan(born: dt.date) -> tuple[tuple[Dose, dt.date], ...]:
    """The doses a child born on `born` is offered with the day each is due, in that order:
    the same for every child born that day, so worked out once (a worklist asks for
    hundreds of children born on a few hundred days)."""
    doses = [(dose, dose.due_on(born)) for dose in SCHEDULE if dose.applies_to(born)]
    return tuple(sorted(doses, key=lambda each: each[1]))


def label(code: str) -> str:
    return LABELS.get(code, code)


class DoseStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    TOO_LATE = "too_late"  # past the vaccine's upper age limit (rotavirus)
    GIVEN = "given"
    DECLINED = "declined"
    NO_LONGER_DUE = "no_longer_due"


@dataclass(frozen=True)
class Recorded:
    """What was recorded about a dose: given or declined, and when."""

    status: str  # ImmunisationStatus value
    on_date: dt.date


def dose_status(
    dose: Dose,
    *,
    born: dt.date,
    today: dt.date,
    recorded: Recorded | None = None,
    left_on: dt.date | None = None,
    due_on: dt.date | None = None,
) -> DoseStatus:
    """Where a child stands with one dose. `left_on`: the day the child died or left the
    team's care, after which nothing more is due. `due_on`, if the caller has worked it out."""
    if recorded is not None:
        return DoseStatus.GIVEN if recorded.status == "given" else DoseStatus.DECLINED
    if left_on is not None and left_on <= today:
        return DoseStatus.NO_LONGER_DUE
    due = due_on or dose.due_on(born)
    last_day = dose.last_day(born)
    if today < due:
        return DoseStatus.UPCOMING
    if last_day is not None and today > last_day:
        return DoseStatus.TOO_LATE
    return DoseStatus.DUE if today <= due + OVERDUE_AFTER else DoseStatus.OVERDUE
