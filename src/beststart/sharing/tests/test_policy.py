"""The access policy: default deny, an active involvement of the actor's team opens a family's
record, some roles never see records, safeguarding is never opened, and `decide` and
`visible_families` always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Family
from beststart.families.tests.factories import (
    AddressFactory,
    FamilyFactory,
    InvolvementFactory,
)
from beststart.sharing import policy
from beststart.sharing.policy import (
    DENY_NO_RELATIONSHIP,
    DENY_ROLE,
    DENY_ROLE_CATEGORY,
    PRACTITIONER_ROLES,
    SAFEGUARDING_ROLES,
    decide,
    may_query_audit,
    may_see_address,
    may_use_records,
    visible_families,
)

pytestmark = pytest.mark.django_db

NON_PRACTITIONER_ROLES = [role for role in Role if role not in PRACTITIONER_ROLES]
RECORD_CATEGORIES = [
    DataCategory.IDENTITY,
    DataCategory.HEALTH,
    DataCategory.DEVELOPMENT,
    DataCategory.FAMILY_SUPPORT,
]


def days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


def test_the_roles_are_split_into_practitioners_and_the_rest() -> None:
    assert set(NON_PRACTITIONER_ROLES) == {Role.COMMISSIONER, Role.PRIVACY_OFFICER}


def test_default_deny_a_practitioner_with_no_involvement(actor: Actor) -> None:
    family = FamilyFactory()
    for category in DataCategory:
        for action in (AccessAction.VIEW, AccessAction.UPDATE):
            decision = decide(actor, family, category, action)
            assert not decision
            assert decision in (DENY_NO_RELATIONSHIP, DENY_ROLE_CATEGORY)
    assert family not in visible_families(actor)


def test_no_family_means_no_relationship_except_to_create_or_check_identity(
    actor: Actor,
) -> None:
    assert decide(actor, None, DataCategory.IDENTITY, AccessAction.VIEW) == DENY_NO_RELATIONSHIP
    assert decide(actor, None, DataCategory.IDENTITY, AccessAction.UPDATE) == DENY_NO_RELATIONSHIP
    assert decide(actor, None, DataCategory.IDENTITY, AccessAction.CREATE).allowed
    assert decide(actor, None, DataCategory.IDENTITY, AccessAction.IDENTITY_CHECK).allowed


@pytest.mark.parametrize("category", [c for c in DataCategory if c != DataCategory.IDENTITY])
def test_creating_and_checking_identity_open_identity_data_only(
    actor: Actor, category: str
) -> None:
    family = FamilyFactory()
    assert not decide(actor, None, category, AccessAction.CREATE)
    assert not decide(actor, None, category, AccessAction.IDENTITY_CHECK)
    assert not decide(actor, family, category, AccessAction.IDENTITY_CHECK)


@pytest.mark.parametrize("category", RECORD_CATEGORIES)
def test_an_active_involvement_of_the_actors_team_opens_the_record(
    actor: Actor, category: str
) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team, started_on=days(-100))
    for action in (AccessAction.VIEW, AccessAction.UPDATE):
        decision = decide(actor, family, category, action)
        assert decision.allowed
        # The family as a whole: the shared register, or what the actor's organisation recorded.
        expected = "shared_register" if category == DataCategory.IDENTITY else "own_record"
        assert decision.rule == expected
    assert list(visible_families(actor)) == [family]


@pytest.mark.parametrize(
    ("started", "ended", "active"),
    [
        (-100, None, True),
        (0, None, True),  # starts today
        (-100, 0, True),  # ends today: still working with the family today
        (-100, -1, False),  # ended yesterday
        (1, None, False),  # starts tomorrow
        (1, 30, False),  # a planned future involvement
        (-100, -50, False),
    ],
)
def test_only_an_involvement_active_today_counts(
    actor: Actor, started: int, ended: int | None, active: bool
) -> None:
    family = FamilyFactory()
    involvement = InvolvementFactory(
        family=family,
        team=actor.team,
        started_on=days(started),
        ended_on=None if ended is None else days(ended),
    )
    assert involvement.is_active_on(clock.today()) is active
    assert decide(actor, family, DataCategory.IDENTITY, AccessAction.VIEW).allowed is active
    assert (family in visible_families(actor)) is active


def test_another_teams_involvement_opens_nothing_even_in_the_same_organisation(
    actor: Actor,
) -> None:
    colleague_team = TeamFactory(organisation=actor.organisation, name="Health Visiting South")
    family = FamilyFactory()
    InvolvementFactory(family=family, team=colleague_team)
    assert decide(actor, family, DataCategory.IDENTITY, AccessAction.VIEW) == DENY_NO_RELATIONSHIP
    assert not visible_families(actor).exists()


def test_a_named_practitioner_in_another_team_does_not_open_it_for_their_current_team(
    actor: Actor, other_team: Team
) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=other_team, practitioner=actor.user)
    assert not decide(actor, family, DataCategory.IDENTITY, AccessAction.VIEW)


@pytest.mark.parametrize("role", NON_PRACTITIONER_ROLES)
def test_commissioners_and_privacy_officers_never_see_records(role: str, team: Team) -> None:
    someone = make_actor(role, team)
    family = FamilyFactory()
    InvolvementFactory(family=family, team=team, practitioner=someone.user)
    for category in DataCategory:
        for action in AccessAction:
            decision = decide(someone, family, category, action)
            if role == Role.PRIVACY_OFFICER and action == AccessAction.EXPORT:
                assert decision.rule == "subject_access"
            else:
                assert decision == DENY_ROLE
    assert not visible_families(someone).exists()
    assert decide(someone, None, DataCategory.IDENTITY, AccessAction.CREATE) == DENY_ROLE
    assert decide(someone, None, DataCategory.IDENTITY, AccessAction.IDENTITY_CHECK) == DENY_ROLE
    assert not may_use_records(someone)


@pytest.mark.parametrize("role", sorted(PRACTITIONER_ROLES))
def test_safeguarding_is_open_only_to_roles_with_a_safeguarding_function(
    role: str, team: Team
) -> None:
    someone = make_actor(role, team)
    family = FamilyFactory()
    InvolvementFactory(family=family, team=team, practitioner=someone.user, is_lead=True)
    assert decide(someone, family, DataCategory.IDENTITY, AccessAction.VIEW).allowed
    decision = decide(someone, family, DataCategory.SAFEGUARDING, AccessAction.VIEW)
    assert decision.allowed is (role in SAFEGUARDING_ROLES)


def test_a_category_no_rule_knows_is_denied(actor: Actor) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team)
    assert decide(actor, family, "finance", AccessAction.VIEW) == DENY_ROLE_CATEGORY


@pytest.mark.parametrize("action", ["delete", AccessAction.AUDIT_QUERY])
def test_an_involvement_allows_only_the_actions_it_names(actor: Actor, action: str) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team)
    assert decide(actor, family, DataCategory.IDENTITY, AccessAction.VIEW)
    assert not decide(actor, family, DataCategory.IDENTITY, action)


@pytest.mark.parametrize("role", list(Role))
def test_only_practitioners_use_records_and_only_privacy_officers_query_the_audit(
    role: str, team: Team
) -> None:
    someone = make_actor(role, team)
    assert bool(may_use_records(someone)) is (role in PRACTITIONER_ROLES)
    assert bool(may_query_audit(someone)) is (role == Role.PRIVACY_OFFICER)


def test_a_withheld_address_is_seen_only_by_the_team_that_recorded_it(
    actor: Actor, other_actor: Actor
) -> None:
    withheld = AddressFactory(is_withheld=True, recorded_by_team=actor.team)
    ordinary = AddressFactory(is_withheld=False, recorded_by_team=actor.team)
    assert may_see_address(actor, withheld)
    assert not may_see_address(other_actor, withheld)
    assert may_see_address(other_actor, ordinary)
    colleague = make_actor(Role.MIDWIFE, actor.team)
    assert may_see_address(colleague, withheld)


def test_every_decision_is_counted_for_the_enforcement_middleware(actor: Actor) -> None:
    policy.reset_decisions()
    assert policy.decisions_made() == 0
    decide(actor, None, DataCategory.IDENTITY, AccessAction.VIEW)
    visible_families(actor)
    may_use_records(actor)
    may_query_audit(actor)
    assert policy.decisions_made() == 4


# ---------------------------------------------------------------------------------------------
# decide and visible_families agree, for every actor and family of generated worlds


@dataclass(frozen=True)
class InvolvementSpec:
    family: int
    team: int
    started: int
    length: int | None  # None: ongoing


involvement_specs = st.builds(
    InvolvementSpec,
    family=st.integers(0, 3),
    team=st.integers(0, 2),
    started=st.integers(-6, 3),
    length=st.one_of(st.none(), st.integers(0, 6)),
)


@pytest.fixture
def cast(db: None) -> tuple[list[Team], list[Actor]]:
    """Three teams (two in one organisation) and an actor for every role, spread across them."""
    health = OrganisationFactory()
    teams = [
        TeamFactory(organisation=health),
        TeamFactory(organisation=health),
        TeamFactory(organisation=OrganisationFactory()),
    ]
    actors = [make_actor(role, teams[index % 3]) for index, role in enumerate(Role)]
    actors += [make_actor(Role.HEALTH_VISITOR, team) for team in teams]
    return teams, actors


@hypothesis_settings(max_examples=30)
@given(st.lists(involvement_specs, max_size=8))
def test_decide_agrees_with_visible_families_for_every_actor_and_family(
    cast: tuple[list[Team], list[Actor]], specs: list[InvolvementSpec]
) -> None:
    teams, actors = cast
    today = clock.today()
    with transaction.atomic():
        families = [FamilyFactory() for _ in range(4)]
        for spec in specs:
            InvolvementFactory(
                family=families[spec.family],
                team=teams[spec.team],
                started_on=today + dt.timedelta(days=spec.started),
                ended_on=None
                if spec.length is None
                else today + dt.timedelta(days=spec.started + spec.length),
            )
        for actor in actors:
            visible = set(visible_families(actor).values_list("pk", flat=True))
            for index, family in enumerate(families):
                # What the rules say, worked out here without the policy's code.
                expected = actor.role in PRACTITIONER_ROLES and any(
                    spec.family == index
                    and teams[spec.team] == actor.team
                    and spec.started <= 0
                    and (spec.length is None or spec.started + spec.length >= 0)
                    for spec in specs
                )
                assert (family.pk in visible) is expected
                for action in (AccessAction.VIEW, AccessAction.LIST, AccessAction.SEARCH):
                    decision = decide(actor, family, DataCategory.IDENTITY, action)
                    assert decision.allowed is expected
        transaction.set_rollback(True)


def test_visible_families_lists_each_family_once_however_many_involvements(
    actor: Actor,
) -> None:
    family = FamilyFactory()
    InvolvementFactory.create_batch(3, family=family, team=actor.team)
    assert list(visible_families(actor)) == [family]
    assert Family.objects.count() == 1
