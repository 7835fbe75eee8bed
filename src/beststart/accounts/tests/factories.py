"""Factories for organisations, teams, users and their roles: synthetic staff only."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.actors import Actor
from beststart.accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    Team,
    User,
)

# Good enough for every factory user; tests sign in with force_login, or with this.
PASSWORD = "a-synthetic-test-password"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    type = OrganisationType.HEALTH_VISITING_SERVICE


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test Team {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user.{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.HEALTH_VISITOR
    is_active = True


def make_actor(role: str = Role.HEALTH_VISITOR, team: Team | None = None, **user: object) -> Actor:
    """A signed-in practitioner (or other role) acting for `team`."""
    membership = MembershipFactory.create(
        role=role,
        team=team if team is not None else TeamFactory.create(),
        user=UserFactory.create(**user),
    )
    return Actor(user=membership.user, membership=membership)
