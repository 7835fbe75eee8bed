"""The service navigation shows what the actor's role is for."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import make_actor
from beststart.navigation import REVIEW_ROLES
from beststart.sharing.policy import PRACTITIONER_ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_navigation_by_role(role: str, team: Team, client_for: Callable[[Actor], Client]) -> None:
    client = client_for(make_actor(role, team))
    response = client.get("/", follow=True)
    items = [item["text"] for item in response.context["navigation"]]
    if role in PRACTITIONER_ROLES:
        assert items[:3] == ["My caseload", "Search", "New family"]  # then each part's own
        assert response.context["navigation"][0]["active"]
    elif role == Role.COMMISSIONER:  # aggregate figures only
        assert items == ["Referral dashboard"]
    elif role == Role.PRIVACY_OFFICER:
        assert items == ["Audit", "Break-glass reviews", "Sharing agreements", "Subject access"]
        assert "Query the audit" in response.content.decode()
    else:
        assert items == []
        assert "aggregate figures only" in response.content.decode()


def test_no_navigation_when_signed_out() -> None:
    response = Client().get("/sign-in/")
    assert response.context["navigation"] == []
    assert "Sign out" not in response.content.decode()


# Family Matters


@pytest.mark.parametrize("role", list(Role))
def test_family_matters_for_health_visitors_centre_workers_and_managers(
    role: str, team: Team, other_team: Team, client_for: Callable[[Actor], Client]
) -> None:
    for in_team in (team, other_team):  # a health visiting team, a family hub's
        client = client_for(make_actor(role, in_team))
        items = [item["text"] for item in client.get("/", follow=True).context["navigation"]]
        holds_meetings = role in {Role.HEALTH_VISITOR, Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER}
        assert ("Family Matters" in items) == holds_meetings


# Care


@pytest.mark.parametrize("role", list(Role))
def test_reviews_due_for_health_visitors_midwives_and_managers(
    role: str, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(make_actor(role, team)).get("/", follow=True)
    items = [item["text"] for item in response.context["navigation"]]
    assert ("Reviews due" in items) == (role in REVIEW_ROLES)
    assert {Role.HEALTH_VISITOR, Role.MIDWIFE, Role.TEAM_MANAGER} == REVIEW_ROLES
