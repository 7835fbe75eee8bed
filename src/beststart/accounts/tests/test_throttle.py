from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from beststart.accounts import throttle
from beststart.accounts.models import User


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def practitioner(db: None) -> User:
    user = User(username="throttle.test")
    user.set_password("a-long-synthetic-password")
    user.save()
    return user


def _sign_in(client: Client, password: str) -> str:
    response = client.post("/sign-in/", {"username": "throttle.test", "password": password})
    return response.content.decode() if response.status_code == 200 else "signed in"


def test_repeated_failures_lock_the_username_even_for_the_right_password(
    practitioner: User,
) -> None:
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        assert "Enter a correct username and password" in _sign_in(client, "wrong-password")

    page = _sign_in(client, "a-long-synthetic-password")

    assert "too many attempts" in page
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_earlier_failures(practitioner: User) -> None:
    client = Client()
    for _ in range(throttle.MAX_FAILURES - 1):
        _sign_in(client, "wrong-password")
    assert _sign_in(client, "a-long-synthetic-password") == "signed in"
    client.logout()

    for _ in range(throttle.MAX_FAILURES - 1):
        _sign_in(client, "wrong-password")
    assert _sign_in(client, "a-long-synthetic-password") == "signed in"


def test_the_cache_key_holds_no_username() -> None:
    assert "throttle" not in throttle._key("throttle.test")
