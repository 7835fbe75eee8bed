"""A children's centre for the tests: the family hub team and worker of the shared `world`
(`other_team`, `other_actor`), its programme, and today's session with two places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.activities.models import Meeting, Programme, Session
from beststart.activities.tests.factories import MeetingFactory, ProgrammeFactory, SessionFactory
from beststart.core import clock
from beststart.families.models import Family, PersonKind
from beststart.families.tests.factories import InvolvementFactory, family_with_people
from beststart.sharing.models import Consent
from beststart.sharing.tests.factories import ConsentFactory, SharingAgreementFactory

# Programmes, sessions, bookings and registers


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


# Family Matters meetings


@dataclass
class Partnership:
    """A children's centre team and a health visiting team that meet, and their families."""

    hub: Actor  # a family hub worker in the centre's team
    health_visitor: Actor  # in the health visiting team
    centre_team: Team
    health_team: Team
    meeting: Meeting  # today
    shared: Family  # both teams work with it
    hub_only: Family
    health_only: Family

    def consent_for(self, kind: str, family: Family | None = None) -> Consent:
        """The mother's consent to share her family support information with an
        organisation of `kind` (say, the health visitors)."""
        mother = (family or self.shared).members.get(kind=PersonKind.PARENT)
        return ConsentFactory(
            person=mother,
            categories=["family_support"],
            recipient_types=[kind],
            recorded_by=self.health_visitor.user,
            recorded_by_team=self.health_team,
        )

    def meet(self, days: int) -> Meeting:
        """Another meeting of the same two teams, `days` from today."""
        return MeetingFactory(
            centre_team=self.centre_team,
            health_team=self.health_team,
            held_on=clock.today() + dt.timedelta(days=days),
            created_by=self.hub.user,
        )


@pytest.fixture
def partnership(actor: Actor, other_actor: Actor) -> Partnership:
    """`actor` (a health visitor) and `other_actor` (a family hub worker), whose teams
    meet today, under an information-sharing agreement between every kind of organisation."""
    SharingAgreementFactory()
    health_team, centre_team = actor.team, other_actor.team
    shared = family_with_people(team=health_team, practitioner=actor.user, surname="Bramblewick")
    InvolvementFactory(family=shared, team=centre_team, practitioner=other_actor.user)
    return Partnership(
        hub=other_actor,
        health_visitor=actor,
        centre_team=centre_team,
        health_team=health_team,
        meeting=MeetingFactory(
            centre_team=centre_team,
            health_team=health_team,
            held_on=clock.today(),
            created_by=other_actor.user,
        ),
        shared=shared,
        hub_only=family_with_people(team=centre_team, surname="Hubworthy"),
        health_only=family_with_people(team=health_team, surname="Visitorby"),
    )


@pytest.fixture
def another_health_team() -> Team:
    return TeamFactory(
        name="Health Visiting South",
        organisation=OrganisationFactory(type=OrganisationType.HEALTH_VISITING_SERVICE),
    )


@pytest.fixture
def stranger(another_health_team: Team) -> Actor:
    """A health visitor in a team that is not at the meeting."""
    return make_actor(Role.HEALTH_VISITOR, another_health_team)
