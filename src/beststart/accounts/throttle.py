"""Slowing down password guessing: a username is locked for a while after repeated failures.

Counts live in Django's cache (per process with the default local-memory cache; point the
cache at a shared store when running several processes)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"sign-in-failures:{digest}"


def is_locked(username: str) -> bool:
    return int(cache.get(_key(username), 0)) >= MAX_FAILURES


def record_failure(username: str) -> None:
    key = _key(username)
    cache.add(key, 0, LOCK_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOCK_SECONDS)


def clear(username: str) -> None:
    cache.delete(_key(username))
