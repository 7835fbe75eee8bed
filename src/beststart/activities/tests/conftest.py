# Programmes, sessions, bookings and registers
"""A children's centre for the tests: the family hub team and worker of the shared `world`
(`other_team`, `other_actor`), its programme, and today's session with two places."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Team
from beststart.activities.models import Programme, Session
from beststart.activities.tests.factories import ProgrammeFactory, SessionFactory
from beststart.core import clock
from beststart.families.models import Family
from beststart.families.tests.factories import family_with_people


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def centre(other_team: Team) -> Team:
    """Riverside Family Hub, of Testshire Family Hubs."""
    return other_team


@pytest.fixture
def centre_worker(other_actor: Actor) -> Actor:
    """A family hub worker at the centre."""
    return other_actor


@pytest.fixture
def programme(centre: Team) -> Programme:
    return ProgrammeFactory(team=centre, name="Stay and Play at Riverside")


@pytest.fixture
def session(programme: Programme) -> Session:
    """Today, 10:00 to 11:30, two places."""
    today = clock.today()
    return SessionFactory(
        programme=programme, starts_at=at(today, 10), ends_at=at(today, 11, 30), capacity=2
    )


@pytest.fixture
def families(centre: Team) -> list[Family]:
    """Four families the centre works with."""
    return [family_with_people(team=centre) for _ in range(4)]
