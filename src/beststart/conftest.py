"""Fixtures shared by every part's tests: fast password hashing, actors in teams, a small
world of two teams and their families, and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.families.models import Family, Person
from beststart.families.tests.factories import family_with_people

# Database-backed property tests: no deadline (the first example pays for warm-up), and the
# function-scoped `db` fixture is shared on purpose, each example rolling back its own writes.
settings.register_profile(
    "beststart",
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("beststart")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The sign-in throttle lives in the cache: no test inherits another's failures."""
    cache.clear()


@pytest.fixture
def team(db: None) -> Team:
    organisation = OrganisationFactory(
        name="Testshire Health Visiting", type=OrganisationType.HEALTH_VISITING_SERVICE
    )
    return TeamFactory.create(organisation=organisation, name="Health Visiting North")


@pytest.fixture
def other_team(db: None) -> Team:
    organisation = OrganisationFactory(
        name="Testshire Family Hubs", type=OrganisationType.FAMILY_HUB
    )
    return TeamFactory.create(organisation=organisation, name="Riverside Family Hub")


@pytest.fixture
def actor(team: Team) -> Actor:
    """A health visitor in `team`."""
    return make_actor(Role.HEALTH_VISITOR, team, first_name="Hana", last_name="Visitor")


@pytest.fixture
def other_actor(other_team: Team) -> Actor:
    """A family hub worker in another team, with no involvement in `actor`'s families."""
    return make_actor(Role.FAMILY_HUB_WORKER, other_team)


@dataclass
class World:
    actor: Actor
    other_actor: Actor
    family: Family  # actor's team works with it; actor is the named lead practitioner
    other_family: Family  # only other_actor's team works with it

    def members(self, family: Family) -> list[Person]:
        return list(family.members.order_by("kind", "id"))


@pytest.fixture
def world(actor: Actor, other_actor: Actor) -> World:
    return World(
        actor=actor,
        other_actor=other_actor,
        family=family_with_people(
            team=actor.team, practitioner=actor.user, surname="Okonkwo-Bramley"
        ),
        other_family=family_with_people(
            team=other_actor.team, practitioner=other_actor.user, surname="Penhaligon"
        ),
    )


@pytest.fixture
def client_for(db: None) -> Callable[..., Client]:
    """A test client signed in as the actor's user."""

    def make(actor: Actor, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        client.force_login(actor.user)
        return client

    return make


@pytest.fixture
def signed_in(actor: Actor, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(actor)
