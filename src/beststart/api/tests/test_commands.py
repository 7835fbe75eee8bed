"""`beststart api_client`: a key is printed once, works, and stops working when revoked; a
key is only ever issued to an account that may refer for one team."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from beststart.accounts.actors import actor_for
from beststart.accounts.models import Role, Team, User
from beststart.accounts.tests.factories import UserFactory, make_actor
from beststart.api.models import ApiClient
from beststart.api.tests.conftest import Api

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("api_client", *args, stdout=out)
    return out.getvalue()


def works(key: str) -> bool:
    return Api(key=key, client=Client()).get("/referral-services").status_code == 200


def test_create_prints_a_working_key_once(team: Team) -> None:
    actor = make_actor(Role.GP_PRACTICE_STAFF, team)
    output = run("create", "--name", "Riverside Surgery", "--username", actor.user.username)
    key = output.strip().splitlines()[-1]
    assert key.startswith("bs_")
    assert "will not be shown again" in output
    assert works(key)
    client = ApiClient.objects.get()
    assert (client.name, client.user) == ("Riverside Surgery", actor.user)
    assert key not in run("list")
    assert "Riverside Surgery" in run("list")


def test_revoke_stops_the_key(team: Team) -> None:
    actor = make_actor(Role.GP_PRACTICE_STAFF, team)
    key = run("create", "--name", "Old system", "--username", actor.user.username).split()[-1]
    assert "Revoked Old system" in run("revoke", "--name", "Old system")
    assert not works(key)
    assert ApiClient.objects.get().revoked_at is not None
    assert "revoked" in run("list")


def test_create_makes_the_system_account_when_asked(team: Team) -> None:
    output = run(
        "create",
        "--name",
        "Little Steps (case system)",
        "--username",
        "system.little-steps",
        "--team",
        str(team.pk),
        "--role",
        Role.VOLUNTARY_SECTOR_WORKER,
        "--email",
        "referrals@little-steps.example.org",
    )
    user = User.objects.get(username="system.little-steps")
    assert user.email == "referrals@little-steps.example.org"
    assert not user.has_usable_password()  # nobody signs in as it
    actor = actor_for(user)
    assert actor is not None
    assert (actor.team, actor.role) == (team, Role.VOLUNTARY_SECTOR_WORKER)
    assert works(output.split()[-1])


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (Role.TRIAGE_OFFICER, "must act for one team only"),
        (Role.COMMISSIONER, "cannot make referrals"),
        (None, "holds no active role"),
    ],
)
def test_a_key_only_for_an_account_that_refers_for_one_team(
    team: Team, role: str | None, message: str
) -> None:
    user = make_actor(role, team).user if role else UserFactory()
    with pytest.raises(CommandError, match=message):
        run("create", "--name", "Partner", "--username", user.username)
    assert not ApiClient.objects.exists()


def test_clear_errors_for_what_does_not_exist(team: Team) -> None:
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run("create", "--name", "Partner", "--username", "nobody")
    with pytest.raises(CommandError, match="There is no team with id 0"):
        run("create", "--name", "P", "--username", "nobody", "--team", "0", "--role", "midwife")
    with pytest.raises(CommandError, match="There is no client called 'Ghost'"):
        run("revoke", "--name", "Ghost")
    actor = make_actor(Role.GP_PRACTICE_STAFF, team)
    run("create", "--name", "Twice", "--username", actor.user.username)
    with pytest.raises(CommandError, match="already a client called 'Twice'"):
        run("create", "--name", "Twice", "--username", actor.user.username)
