"""The health check and the error pages."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_json_saying_the_database_answers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": True}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_degraded_when_the_database_does_not_answer() -> None:
    with mock.patch("beststart.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": False}


@pytest.mark.django_db
def test_healthz_only_answers_get() -> None:
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in_user", [False, True])
def test_an_unknown_address_gets_the_404_page(signed_in_user: bool, signed_in: Client) -> None:
    client = signed_in if signed_in_user else Client()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
