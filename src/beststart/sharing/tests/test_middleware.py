"""Fail closed: a personal-data view that answers without asking the policy answers 404."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import make_actor
from beststart.sharing.tests.urls_unguarded import LEAKED

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_unguarded_urls"),
]


@pytest.fixture
def _unguarded_urls() -> object:
    with override_settings(ROOT_URLCONF="beststart.sharing.tests.urls_unguarded"):
        yield


@pytest.fixture
def client(signed_in: Client) -> Client:
    return signed_in


@pytest.mark.parametrize("path", ["/forgets/", "/unclassified/", "/redirects/"])
def test_a_view_that_does_not_ask_the_policy_is_turned_into_a_404(
    client: Client, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="beststart.sharing.middleware"):
        response = client.get(path)
    assert response.status_code == 404
    assert LEAKED not in response.content.decode()
    assert "Page not found" in response.content.decode()
    assert "Location" not in response
    # The log names the view, never the data.
    assert any("without a policy decision" in record.getMessage() for record in caplog.records)
    assert not any("Penhaligon" in record.getMessage() for record in caplog.records)


def test_an_error_answer_needs_no_decision(client: Client) -> None:
    assert client.get("/refuses/").status_code == 400


def test_a_view_declared_without_personal_data_answers(client: Client) -> None:
    response = client.get("/declared/")
    assert response.status_code == 200
    assert response.content == b"About this service"


def test_a_view_that_asks_the_policy_answers_as_the_policy_says(
    client: Client, client_for: Callable[[Actor], Client], team: Team
) -> None:
    assert client.get("/asks/").status_code == 200
    commissioner = client_for(make_actor(Role.COMMISSIONER, team))
    assert commissioner.get("/asks/").status_code == 404


def test_public_pages_need_neither_sign_in_nor_a_decision() -> None:
    assert Client().get("/public/").status_code == 200
    anonymous = Client().get("/forgets/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/sign-in/")


def test_a_signed_in_user_with_no_active_role_gets_404_from_personal_data_views(
    actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    actor.membership.is_active = False
    actor.membership.save()
    response = client_for(actor).get("/asks/")
    assert response.status_code == 404
