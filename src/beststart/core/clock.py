"""The one place the system asks the time, so tests and the demo can fix it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def localdate(moment: dt.datetime) -> dt.date:
    """The local calendar day of a moment (a referral made at 23:30 UTC in summer is made
    the next day here)."""
    return timezone.localdate(moment)
