"""Two agencies around one two-year-old, as the integrated review needs them: a health
visiting team (the `actor`'s) and a nursery, both working with the family, with the parent's
consent to share development information between them and an agreement in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.models import Family, Person
from beststart.families.tests.factories import (
    FamilyMemberFactory,
    InvolvementFactory,
    family_with_people,
)
from beststart.sharing.tests.factories import ConsentFactory, SharingAgreementFactory

TODAY = dt.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Every assessments test runs on 15 September 2026."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime.combine(TODAY, dt.time(11, 0), tzinfo=dt.UTC)
    )
    return TODAY


@pytest.fixture
def nursery_team(db: None) -> Team:
    organisation = OrganisationFactory(
        name="Little Acorns Nursery", type=OrganisationType.EARLY_YEARS_SETTING
    )
    return TeamFactory.create(organisation=organisation, name="Little Acorns Nursery")


@pytest.fixture
def setting_actor(nursery_team: Team) -> Actor:
    return make_actor(Role.EARLY_YEARS_PRACTITIONER, nursery_team, first_name="Sam")


@dataclass
class TwoAgencies:
    health_visitor: Actor
    setting: Actor
    family: Family
    parent: Person
    child: Person  # 27 months old on TODAY


@pytest.fixture
def two_agencies(actor: Actor, setting_actor: Actor) -> TwoAgencies:
    family = family_with_people(team=actor.team, practitioner=actor.user, surname="Tregarthen")
    parent = family.members.get(kind="parent")
    child = family.members.get(kind="child")
    child.date_of_birth = dt.date(2024, 6, 10)
    child.save()
    InvolvementFactory(
        family=family, team=setting_actor.team, started_on=TODAY - dt.timedelta(days=200)
    )
    ConsentFactory(
        person=child,
        given_by=parent,
        categories=[DataCategory.DEVELOPMENT.value],
        recipient_types=[
            OrganisationType.EARLY_YEARS_SETTING.value,
            OrganisationType.HEALTH_VISITING_SERVICE.value,
        ],
        recorded_by=actor.user,
        recorded_by_team=actor.team,
    )
    SharingAgreementFactory()
    return TwoAgencies(actor, setting_actor, family, parent, child)


def add_child(family: Family, child: Person) -> None:
    FamilyMemberFactory(family=family, person=child)
