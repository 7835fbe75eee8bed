"""Keeping the public self-referral form for people: a signed time the form was shown, and a
limit on how many requests one client sends in an hour. No third-party service and no
JavaScript (ADR 0012).

The limit counts in Django's cache, per process with the default local-memory cache: point
the cache at a shared store when running several processes. A client is known by a keyed
SHA-256 of its address, never the address itself."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from beststart.core import clock

START_SALT = "beststart.portal.self-referral.started"
FASTEST = dt.timedelta(seconds=3)
SLOWEST = dt.timedelta(hours=2)

MAX_PER_HOUR = 5
WINDOW = dt.timedelta(hours=1)


# ---------------------------------------------------------------------------------------------
# When the form was shown


class StartCheck:
    OK = "ok"
    TOO_FAST = "too_fast"  # sooner than a person could have read and filled it
    EXPIRED = "expired"  # open too long: a copy kept and replayed, or a forgotten tab
    TAMPERED = "tampered"  # missing, or not signed by us


def start_token(at: dt.datetime | None = None) -> str:
    """A signed note of when the form was shown, for its hidden field."""
    moment = at or clock.now()
    return signing.dumps(moment.timestamp(), salt=START_SALT)


def check_start(token: str) -> str:
    try:
        started = float(signing.loads(token, salt=START_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return StartCheck.TAMPERED
    age = clock.now() - dt.datetime.fromtimestamp(started, tz=dt.UTC)
    if age < FASTEST:
        return StartCheck.TOO_FAST
    if age > SLOWEST:
        return StartCheck.EXPIRED
    return StartCheck.OK


# ---------------------------------------------------------------------------------------------
# How many requests a client sends


def client_key(request: HttpRequest) -> str:
    """The cache key for the client that made the request: a keyed hash of its address."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    digest = salted_hmac(
        "beststart.portal.self-referral.client", address, algorithm="sha256"
    ).hexdigest()
    return f"self-referrals:{digest}"


def _recent(key: str, now: dt.datetime) -> list[float]:
    since = (now - WINDOW).timestamp()
    return [sent for sent in cache.get(key, []) if sent > since]


def try_again_at(request: HttpRequest) -> dt.datetime | None:
    """When the client may send again, if it has sent as many as it may this hour; else None."""
    now = clock.now()
    recent = _recent(client_key(request), now)
    if len(recent) < MAX_PER_HOUR:
        return None
    oldest = sorted(recent)[-MAX_PER_HOUR]
    return dt.datetime.fromtimestamp(oldest, tz=dt.UTC) + WINDOW


def record_sent(request: HttpRequest) -> None:
    key, now = client_key(request), clock.now()
    recent = _recent(key, now)
    cache.set(key, [*recent, now.timestamp()], int(WINDOW.total_seconds()))
