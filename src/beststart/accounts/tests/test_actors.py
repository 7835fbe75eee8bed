"""The actor: the user, acting in their first active role in a team."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from beststart.accounts.actors import actor_for
from beststart.accounts.middleware import ActorMiddleware
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_acts_in_their_first_active_membership() -> None:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.MIDWIFE, is_active=False)
    first = MembershipFactory(user=user, role=Role.HEALTH_VISITOR)
    MembershipFactory(user=user, role=Role.TEAM_MANAGER)
    actor = actor_for(user)
    assert actor is not None
    assert actor.membership == first
    assert (actor.role, actor.role_label) == (Role.HEALTH_VISITOR, "Health visitor")
    assert actor.team == first.team
    assert actor.organisation == first.team.organisation


def test_a_user_with_no_active_role_is_no_actor() -> None:
    user = UserFactory()
    assert actor_for(user) is None
    MembershipFactory(user=user, is_active=False, team=TeamFactory())
    assert actor_for(user) is None


def test_the_middleware_attaches_the_actor_or_none() -> None:
    seen = {}

    def view(request: object) -> object:
        seen["actor"] = request.actor  # type: ignore[attr-defined]
        return object()

    middleware = ActorMiddleware(view)  # type: ignore[arg-type]
    membership = MembershipFactory()
    request = RequestFactory().get("/")
    request.user = membership.user
    middleware(request)
    assert seen["actor"].membership == membership

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    middleware(request)
    assert seen["actor"] is None
