"""Keys: a partner's system calls with its own key, or gets a 401 that says why. Only the
key's hash is stored; a revoked key stops working at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.api.auth import revoke_client
from beststart.api.models import ApiClient
from beststart.api.tests.conftest import Api, Partner, partner_in

pytestmark = pytest.mark.django_db

CHALLENGE = 'Bearer realm="Best Start API"'


def test_a_valid_key_works_and_its_use_is_noted(api: Api, partner: Partner) -> None:
    assert partner.client.last_used_at is None
    response = api.get("/referral-services")
    assert response.status_code == 200
    partner.client.refresh_from_db()
    assert partner.client.last_used_at is not None


def test_no_key_is_a_401_with_a_bearer_challenge(api: Api) -> None:
    response = api.get("/referral-services", key=None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert "Authorization: Bearer" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "Bearer two words", "bs_abc"],
)
def test_a_malformed_header_is_a_401(api: Api, header: str) -> None:
    response = api.get("/referral-services", key=None, headers={"Authorization": header})
    assert response.status_code == 401
    assert 'error="invalid_request"' in response["WWW-Authenticate"]
    assert response.json()["errors"] == [
        {"field": None, "message": "The Authorization header must be 'Bearer ' followed by the key"}
    ]


def test_an_unknown_key_is_a_401(api: Api, partner: Partner) -> None:
    # The same first 8 characters, so it finds the client and fails on the hash.
    almost = partner.key[:-1] + ("A" if partner.key[-1] != "A" else "B")
    for key in (almost, "bs_" + "x" * 43, "not-a-key-at-all"):
        response = api.get("/referral-services", key=key)
        assert response.status_code == 401, key
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
        assert response.json()["errors"][0]["message"] == "This API key is not recognised"
    partner.client.refresh_from_db()
    assert partner.client.last_used_at is None


def test_a_revoked_key_is_a_401_at_once(api: Api, partner: Partner, payload: dict) -> None:
    assert api.get("/referral-services").status_code == 200
    revoke_client(name=partner.client.name)
    for response in (api.get("/referral-services"), api.post("/referrals", payload)):
        assert response.status_code == 401
        assert "revoked" in response.json()["errors"][0]["message"]
        assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_key_whose_account_is_disabled_is_refused(api: Api, partner: Partner) -> None:
    partner.actor.user.is_active = False
    partner.actor.user.save()
    assert api.get("/referral-services").status_code == 401


def test_a_key_whose_account_lost_its_role_is_forbidden(api: Api, partner: Partner) -> None:
    partner.actor.membership.is_active = False
    partner.actor.membership.save()
    response = api.get("/referral-services")
    assert response.status_code == 403
    assert "no active role" in response.json()["errors"][0]["message"]


def test_a_signed_in_session_is_not_a_key(
    actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    """The API takes keys only: a browser's session (and its cookie) opens nothing."""
    api = Api(key=None, client=client_for(actor))
    assert api.get("/referral-services").status_code == 401


def test_only_the_hash_of_the_key_is_stored(partner: Partner) -> None:
    stored = ApiClient.objects.filter(pk=partner.client.pk).values().get()
    assert partner.key.startswith("bs_")
    assert len(partner.key) == 46
    assert stored["key_hash"] == hashlib.sha256(partner.key.encode()).hexdigest()
    assert stored["key_prefix"] == partner.key[:8]
    assert not any(partner.key in str(value) for value in stored.values())


def test_keys_are_never_the_same(api: Api, partner: Partner) -> None:
    other = partner_in(partner.team, "Second system")
    assert other.key != partner.key
    assert api.get("/referral-services", key=other.key).status_code == 200
