"""The authorization matrix: every role, data category, consent state, relationship,
originating organisation, agreement state and action, decided by the real policy on real
database state and held against the expectations of `expected_access`, which are written
from the rules in words, apart from the policy's code.

11 roles x 5 categories x 5 consent states x 3 relationships x 2 origins x 2 agreement
states x 5 actions = 16,500 cases, in 60 worlds (one per consent state, relationship, origin
and agreement state), each built in a savepoint and rolled back.

In each world, one actor per role works in an organisation of its own, of the type that role
works in. The entry decided in each category is about a member of the family of its own,
recorded either by the actor's own team or by "Elsewhere Health Visiting", a health visiting
service none of the actors works in (so that for a health visitor or team manager, too, it is
another organisation). The member's consent names every actor's organisation type, for every
category; out of scope, one consent in force names the actors' types for every category but
this one, and another names only a different organisation for this one. The agreement is
between the actor's organisation and Elsewhere, for every category; not in force, one has
ended and another has not started yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.models import Family, Person
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    FamilyFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
)
from beststart.sharing import policy
from beststart.sharing.policy import Decision, FamilyFacts, Subject
from beststart.sharing.tests.expected_access import (
    ACTIONS,
    WORKS_IN,
    Agreement,
    Case,
    ConsentState,
    Origin,
    Relationship,
    Rule,
    expected,
)
from beststart.sharing.tests.factories import (
    ConsentFactory,
    SharingAgreementFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

ROLES = list(Role)
CATEGORIES = list(DataCategory)


@dataclass(frozen=True)
class World:
    consent: ConsentState
    relationship: Relationship
    origin: Origin
    agreement: Agreement


WORLDS = [
    World(*dimensions)
    for dimensions in itertools.product(ConsentState, Relationship, Origin, Agreement)
]
CASES_PER_WORLD = len(ROLES) * len(CATEGORIES) * len(ACTIONS)
SAMPLE_EVERY = 23  # prime, and prime to the 25 category and action pairs of an actor


@dataclass
class Cast:
    actors: list[Actor]  # one per role, in the order of ROLES
    elsewhere: Team  # the other organisation's team
    stranger: Organisation  # named by a consent out of scope


@pytest.fixture
def cast(db: None) -> Cast:
    actors = []
    for role in ROLES:
        label = Role(role).label
        organisation = OrganisationFactory(name=f"Matrix {label}", type=WORKS_IN[role])
        actors.append(make_actor(role, TeamFactory(organisation=organisation, name=label)))
    elsewhere = OrganisationFactory(
        name="Elsewhere Health Visiting", type=OrganisationType.HEALTH_VISITING_SERVICE
    )
    return Cast(
        actors=actors,
        elsewhere=TeamFactory(organisation=elsewhere, name="Elsewhere North"),
        stranger=OrganisationFactory(name="Somewhere Else Entirely"),
    )


# ---------------------------------------------------------------------------------------------
# Building a world


def _involve(family: Family, team: Team, relationship: Relationship) -> None:
    if relationship is Relationship.ACTIVE:
        InvolvementFactory(family=family, team=team, started_on=days_from_today(-100))
    elif relationship is Relationship.ENDED:
        InvolvementFactory(
            family=family,
            team=team,
            started_on=days_from_today(-200),
            ended_on=days_from_today(-10),
        )


def _consent(person: Person, category: str, state: ConsentState, cast: Cast) -> None:
    """The consent of the member whom the `category` entry is about."""
    actor_types = sorted({WORKS_IN[role] for role in ROLES})
    every_category = {"categories": list(DataCategory), "recipient_types": actor_types}
    consents: list[dict[str, object]] = {
        ConsentState.NONE: [],
        ConsentState.GIVEN: [every_category],
        ConsentState.EXPIRED: [
            every_category
            | {"starts_on": days_from_today(-400), "expires_on": days_from_today(-35)}
        ],
        ConsentState.WITHDRAWN: [
            every_category | {"withdrawn_at": clock.now() - dt.timedelta(days=1)}
        ],
        ConsentState.OUT_OF_SCOPE: [
            {  # the actors' organisation types, for every other category
                "categories": [other for other in CATEGORIES if other != category],
                "recipient_types": actor_types,
            },
            {  # this category, for another organisation only
                "categories": [category],
                "recipient_types": [],
                "recipient_organisations": [cast.stranger],
            },
        ],
    }[state]
    for fields in consents:
        ConsentFactory(person=person, **fields)


def _agreements(state: Agreement, cast: Cast) -> None:
    dates: list[dict[str, object]]
    if state is Agreement.IN_FORCE:
        dates = [{}]
    else:
        dates = [
            {"starts_on": days_from_today(-400), "ends_on": days_from_today(-1)},
            {"starts_on": days_from_today(1), "review_on": days_from_today(365)},
        ]
    for actor, fields in itertools.product(cast.actors, dates):
        SharingAgreementFactory(
            party_types=[],
            party_organisations=[actor.organisation, cast.elsewhere.organisation],
            categories=list(DataCategory),
            **fields,
        )


def _subjects(
    family: Family, about: dict[str, Person], teams: list[Team]
) -> dict[tuple[int, str], Subject]:
    """An entry in every category, about its member, recorded by each of `teams`."""
    return {
        (team.pk, category): Subject.of_entry(
            ChronologyEventFactory(
                family=family, person=about[category], team=team, category=category
            )
        )
        for team in teams
        for category in CATEGORIES
    }


@dataclass
class Built:
    family: Family
    subjects: dict[tuple[int, str], Subject]  # (recording team, category) -> entry

    def subject(self, recorded_by: Team, category: str) -> Subject:
        return self.subjects[(recorded_by.pk, category)]


def build(world: World, cast: Cast) -> Built:
    family = FamilyFactory()
    about = {category: PersonFactory(parent=True) for category in CATEGORIES}
    for category, person in about.items():
        FamilyMemberFactory(family=family, person=person)
        _consent(person, category, world.consent, cast)
    InvolvementFactory(family=family, team=cast.elsewhere)
    for actor in cast.actors:
        _involve(family, actor.team, world.relationship)
    _agreements(world.agreement, cast)
    own = world.origin is Origin.OWN
    recorders = [actor.team for actor in cast.actors] if own else [cast.elsewhere]
    return Built(family, _subjects(family, about, recorders))


# ---------------------------------------------------------------------------------------------
# Deciding every case of a world


@dataclass(frozen=True)
class Decided:
    case: Case
    decision: Decision
    rule: Rule  # the expected rule

    @property
    def unexpected(self) -> bool:
        return self.decision.allowed is not self.rule.allows

    def __str__(self) -> str:
        surprise = "allow" if self.decision.allowed else "deny"
        return (
            f"unexpected {surprise}: {self.case}; the policy said {self.decision.rule} "
            f"({self.decision.basis}), expected: {self.rule.says}"
        )


def decide_world(world: World, cast: Cast, numbers: Iterator[int]) -> Iterator[Decided]:
    """Every case of the world, facts loaded once per actor; every SAMPLE_EVERY-th case (counted
    across worlds, so the sample walks through every role, category and action) is decided
    afresh by `decide` too, which must answer the same."""
    built = build(world, cast)
    for actor in cast.actors:
        facts = FamilyFacts.load(actor, built.family.pk)
        recorder = actor.team if world.origin is Origin.OWN else cast.elsewhere
        for category, action in itertools.product(CATEGORIES, ACTIONS):
            subject = built.subject(recorder, category)
            decision = policy.evaluate(facts, subject, category, action)
            case = Case(actor.role, category, *_dimensions(world), action=action)
            if next(numbers) % SAMPLE_EVERY == 0:
                assert policy.decide(actor, subject, category, action) == decision, case
            yield Decided(case, decision, expected(case))


def _dimensions(world: World) -> tuple[ConsentState, Relationship, Origin, Agreement]:
    return world.consent, world.relationship, world.origin, world.agreement


def test_the_matrix_has_every_combination_once() -> None:
    assert len(WORLDS) == 60
    assert len(set(WORLDS)) == 60
    assert len(WORLDS) * CASES_PER_WORLD == 16_500


def test_every_case_is_decided_as_the_rules_say(
    cast: Cast, terminal_summary: Callable[[str], None]
) -> None:
    outcomes: list[Decided] = []
    numbers = itertools.count()
    for world in WORLDS:
        with transaction.atomic():
            outcomes += decide_world(world, cast, numbers)
            transaction.set_rollback(True)
    allowed = sum(outcome.decision.allowed for outcome in outcomes)
    surprises = [outcome for outcome in outcomes if outcome.unexpected]
    unexpected_allows = sum(outcome.decision.allowed for outcome in surprises)
    terminal_summary(
        f"authorization matrix: {len(outcomes)} cases, {allowed} allowed, "
        f"{len(outcomes) - allowed} denied, {unexpected_allows} unexpected allows, "
        f"{len(surprises) - unexpected_allows} unexpected denies"
    )
    assert len(outcomes) == 16_500
    assert not surprises, "\n".join(str(outcome) for outcome in surprises)
