"""Transport and browser protections every page carries: CSRF on every POST, HttpOnly
session cookies, no caching of pages, and a strict content security policy."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.tests.factories import PASSWORD
from beststart.families.models import Family, Person
from beststart.places.tests.factories import PostcodeFactory

BESTSTART = Path(sys.executable).parent / "beststart"


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


@pytest.mark.django_db
def test_signing_in_without_the_csrf_token_is_refused(actor: Actor) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": actor.user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signing_in_with_the_token_from_the_form_works_and_the_cookie_is_http_only(
    actor: Actor,
) -> None:
    client = Client(enforce_csrf_checks=True)
    token = _csrf_token(client.get("/sign-in/").content.decode())
    response = client.post(
        "/sign-in/",
        {"username": actor.user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert client.session["_auth_user_id"] == str(actor.user.pk)


@pytest.mark.django_db
def test_a_signed_in_post_without_the_token_changes_nothing(
    actor: Actor, client_for: Callable[..., Client]
) -> None:
    postcode = PostcodeFactory()
    client = client_for(actor, enforce_csrf_checks=True)
    data = {
        "step": "create",
        "kind": "parent",
        "given_name": "Ada",
        "family_name": "Quillby",
        "sex": "female",
        "date_of_birth_day": "1",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1990",
        "line_1": "1 Test Street",
        "town": "Testbury",
        "postcode": postcode.postcode,
        "moved_in_day": "1",
        "moved_in_month": "1",
        "moved_in_year": "2020",
    }
    response = client.post("/families/new/", data)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert Family.objects.count() == 0
    assert Person.objects.count() == 0

    token = _csrf_token(client.get("/families/new/").content.decode())
    response = client.post("/families/new/", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Family.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/healthz", "/caseload/", "/no-such-page/"])
def test_pages_are_never_cached_and_carry_a_strict_content_security_policy(
    path: str, signed_in: Client
) -> None:
    client = signed_in if path != "/sign-in/" else Client()
    response = client.get(path)
    assert response["Cache-Control"] == "no-store"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{16}", response["X-Request-Id"])


def test_session_and_csrf_cookies_are_http_only() -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True


def _run_beststart(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("BESTSTART_")
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(BESTSTART), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks_with_no_warnings() -> None:
    result = _run_beststart(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        BESTSTART_ENV="production",
        BESTSTART_SECRET_KEY=secrets.token_urlsafe(50),
        BESTSTART_ALLOWED_HOSTS="beststart.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _run_beststart(
        "check", BESTSTART_ENV="production", BESTSTART_ALLOWED_HOSTS="beststart.example.org"
    )
    assert result.returncode != 0
    assert "Set BESTSTART_SECRET_KEY in production" in result.stderr
