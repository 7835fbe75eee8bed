"""A fixed day for the Healthy Child Programme's tests, and households built as the cases say:
children born on given days, and the team's involvement from a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from beststart.accounts.actors import Actor
from beststart.core import clock
from beststart.families.models import Family, Person
from beststart.families.tests.factories import (
    AddressFactory,
    FamilyFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
)

TODAY = dt.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Every care test runs on 15 September 2026 (a Tuesday), so its cases can be worked out
    by hand."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime.combine(TODAY, dt.time(11, 0), tzinfo=dt.UTC)
    )
    return TODAY


Household = Callable[..., tuple[Family, list[Person]]]


@pytest.fixture
def household(actor: Actor) -> Household:
    """household(born=[date, ...], due=None, since=None, practitioner=actor.user, team=...):
    a mother and her children, and the team's involvement since `since` (default: a year
    before the oldest child, so nothing is "not due here")."""

    def make(
        *,
        born: list[dt.date] = (),  # type: ignore[assignment]
        due: dt.date | None = None,
        since: dt.date | None = None,
        actor_: Actor = actor,
        named: bool = True,
        surname: str = "Quenby",
    ) -> tuple[Family, list[Person]]:
        family = FamilyFactory(name=f"{surname} family")
        FamilyMemberFactory(family=family, person=PersonFactory(parent=True, family_name=surname))
        children = []
        for day in born:
            child = PersonFactory(family_name=surname, date_of_birth=day)
            FamilyMemberFactory(family=family, person=child)
            children.append(child)
        if due is not None:
            unborn = PersonFactory(unborn=True, family_name=surname, expected_delivery_date=due)
            FamilyMemberFactory(family=family, person=unborn)
            children.append(unborn)
        AddressFactory(family=family, recorded_by_team=actor_.team)
        earliest = min([*born, TODAY - dt.timedelta(days=200)])
        InvolvementFactory(
            family=family,
            team=actor_.team,
            practitioner=actor_.user if named else None,
            is_lead=True,
            started_on=since or earliest - dt.timedelta(days=365),
        )
        return family, children

    return make
