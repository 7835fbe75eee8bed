"""When the Healthy Child Programme's mandated reviews fall due, and where a child stands.

Pure date rules, no database: the worklists and the outcomes framework ask the same questions.
Reviews run from the actual date of birth (a premature baby's too); the antenatal contact from
28 weeks of pregnancy, that is 12 weeks before the expected delivery date.

| review | opens | due by | overdue until (then missed) |
| --- | --- | --- | --- |
| antenatal contact | 28 weeks of pregnancy | the birth | the birth (unborn: due date + 14 days) |
| new birth visit | the birth | 14 days | 6 weeks |
| 6 to 8 week review | 6 weeks | 8 weeks | 12 weeks |
| 12-month review | 9 months | 12 months | 15 months |
| 2 to 2½ year review | 24 months | 30 months | 36 months |

A missed review is still worth offering until the next review's window opens (the 2 to 2½
year review, until the fifth birthday); after that the next review takes its place.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from beststart.care.models import ReviewKind

ANTENATAL_BEFORE_DUE = dt.timedelta(weeks=12)  # 28 weeks of a 40-week pregnancy
LATE_BIRTH = dt.timedelta(days=14)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 January + 1 = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    kind: ReviewKind
    opens: dt.date
    due_by: dt.date
    closes: dt.date


def review_windows(*, born: dt.date | None, expected: dt.date | None) -> list[Window]:
    """A child's mandated reviews: for an unborn child the antenatal contact, for a child the
    postnatal reviews, and the antenatal contact too if the pregnancy reached 28 weeks."""
    windows = []
    if expected is not None:
        opens = expected - ANTENATAL_BEFORE_DUE
        if born is None:
            windows.append(Window(ReviewKind.ANTENATAL, opens, expected, expected + LATE_BIRTH))
        elif opens < born:
            windows.append(Window(ReviewKind.ANTENATAL, opens, born, born))
    if born is not None:
        days = dt.timedelta
        windows += [
            Window(ReviewKind.NEW_BIRTH, born, born + days(14), born + days(42)),
            Window(
                ReviewKind.SIX_TO_EIGHT_WEEKS, born + days(42), born + days(56), born + days(84)
            ),
            Window(
                ReviewKind.ONE_YEAR, add_months(born, 9), add_months(born, 12), add_months(born, 15)
            ),
            Window(
                ReviewKind.TWO_YEARS,
                add_months(born, 24),
                add_months(born, 30),
                add_months(born, 36),
            ),
        ]
    return windows


class Status(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"
    DONE = "done"
    NOT_DUE_HERE = "not_due_here"
    NO_LONGER_DUE = "no_longer_due"


class Timing(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class ReviewStatus:
    window: Window
    status: Status
    done_on: dt.date | None = None
    timing: Timing | None = None
    reason: str = ""

    @property
    def needs_doing(self) -> bool:
        """On a worklist: due now, overdue, or missed and still worth offering."""
        return self.status in {Status.DUE, Status.OVERDUE, Status.MISSED}


@dataclass(frozen=True)
class Circumstances:
    """What else decides a review's status: when the child came to this team, and when and
    why they left it (died, moved out)."""

    arrived_on: dt.date | None = None
    left_on: dt.date | None = None
    left_because: str = ""


def review_status(
    window: Window,
    *,
    today: dt.date,
    done_on: dt.date | None = None,
    circumstances: Circumstances = Circumstances(),
) -> ReviewStatus:
    if done_on is not None:
        return ReviewStatus(window, Status.DONE, done_on, _timing(window, done_on))
    left_on = circumstances.left_on
    if left_on is not None and left_on <= today and left_on <= window.closes:
        return ReviewStatus(window, Status.NO_LONGER_DUE, reason=circumstances.left_because)
    arrived_on = circumstances.arrived_on
    if arrived_on is not None and window.closes < arrived_on:
        return ReviewStatus(
            window, Status.NOT_DUE_HERE, reason="its window closed before the child came"
        )
    if today < window.opens:
        return ReviewStatus(window, Status.UPCOMING)
    if today <= window.due_by:
        return ReviewStatus(window, Status.DUE)
    if today <= window.closes:
        return ReviewStatus(window, Status.OVERDUE)
    return ReviewStatus(window, Status.MISSED)


def still_offered(statuses: list[ReviewStatus], *, today: dt.date) -> list[ReviewStatus]:
    """The reviews of one child that belong on a worklist: due, overdue, or missed while no
    later review's window has opened (the last one, until the fifth birthday)."""
    offered = []
    for index, each in enumerate(statuses):
        if not each.needs_doing:
            continue
        if each.status == Status.MISSED:
            later = [other.window.opens for other in statuses[index + 1 :]]
            if later:
                if today >= min(later):
                    continue
            elif each.window.kind == ReviewKind.ANTENATAL or today >= _fifth_birthday(each):
                continue
        offered.append(each)
    return offered


def _fifth_birthday(status: ReviewStatus) -> dt.date:
    """From the 2 to 2½ year review's window, which opens on the second birthday."""
    return add_months(status.window.opens, 36)


def _timing(window: Window, done_on: dt.date) -> Timing:
    if done_on < window.opens:
        return Timing.EARLY
    return Timing.LATE if done_on > window.due_by else Timing.ON_TIME
