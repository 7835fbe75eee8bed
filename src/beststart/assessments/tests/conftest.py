"""Two agencies around one two-year-old, as the integrated review needs them: a health
visiting team (the `actor`'s) and a nursery, both working with the family, with the parent's
consent to share development information between them and an agreement in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.assessments import actions, instruments
from beststart.assessments.instruments import Answers
from beststart.assessments.models import Assessment
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


def start_review(agencies: TwoAgencies, *, by: Actor | None = None) -> Assessment:
    """An integrated review at two of the child, started today by the health visitor (or
    `by` the nursery), with the other agency as partner."""
    starter = by or agencies.health_visitor
    partner = agencies.setting if starter == agencies.health_visitor else agencies.health_visitor
    return actions.start_assessment(
        actor=starter,
        family=agencies.family,
        person=agencies.child,
        instrument_code="integrated-two-year-review",
        assessed_on=TODAY,
        partner_team=partner.team,
    )


STAR_AREAS = (
    "physical_health",
    "wellbeing",
    "safety",
    "routines",
    "boundaries",
    "support",
    "home_money",
    "learning_work",
)


def star_answers(*scores: int | None) -> Answers:
    """Answers to the Star-style scale, area by area in order; None leaves an area out."""
    return {
        "areas": {
            area: str(score)
            for area, score in zip(STAR_AREAS, scores, strict=True)
            if score is not None
        }
    }


@pytest.fixture
def instruments_dir(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """An area's own instruments directory, empty to begin with; the registry is read again
    after the test, once the setting is back as it was."""
    settings.INSTRUMENTS_DIR = str(tmp_path)
    instruments.reload()
    yield tmp_path
    instruments.reload()
