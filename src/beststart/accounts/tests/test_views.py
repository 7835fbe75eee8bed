"""Signing in and out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post("/sign-in/", {"username": username, "password": password, **extra})


def test_signing_in_goes_to_the_page_asked_for(actor: Actor) -> None:
    client = Client()
    asked = client.get("/caseload/")
    assert asked.status_code == 302
    assert asked["Location"] == "/sign-in/?next=/caseload/"
    response = sign_in(client, actor.user.username, next="/caseload/")
    assert response.status_code == 302
    assert response["Location"] == "/caseload/"
    assert client.get("/caseload/").status_code == 200


def test_signing_in_never_redirects_off_the_site(actor: Actor) -> None:
    response = sign_in(Client(), actor.user.username, next="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("username", "password", "message", "field"),
    [
        ("", PASSWORD, "Enter your username", "id_username"),
        ("{user}", "", "Enter your password", "id_password"),
        (
            "{user}",
            "wrong-password",
            "Enter a correct username and password. Both are case-sensitive.",
            "",
        ),
    ],
)
def test_sign_in_errors(
    actor: Actor, username: str, password: str, message: str, field: str
) -> None:
    client = Client()
    username = username.format(user=actor.user.username)
    response = sign_in(client, username, password)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    if field:
        assert f'href="#{field}"' in page
    assert "_auth_user_id" not in client.session
    assert "wrong-password" not in page  # a password is never shown again


def test_a_switched_off_account_cannot_sign_in(actor: Actor) -> None:
    actor.user.is_active = False
    actor.user.save()
    client = Client()
    response = sign_in(client, actor.user.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signing_out_takes_a_post_and_ends_the_session(
    actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(actor)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert "_auth_user_id" not in client.session
    assert client.get("/caseload/").status_code == 302


def test_the_banner_says_who_is_signed_in_and_in_which_role(
    signed_in: Client, actor: Actor
) -> None:
    page = signed_in.get("/caseload/").content.decode()
    assert f"Signed in as Hana Visitor, Health visitor, {actor.team.name}" in page
