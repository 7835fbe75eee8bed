"""API keys: issuing and revoking them, and finding the client a request's bearer key belongs
to. A key is `bs_` and 43 random URL-safe characters (256 bits); only its first 8 characters
(to find it by) and its SHA-256 are stored, so a copy of the database opens nothing. A plain
hash is enough for a random key of that length: there is nothing to guess."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from beststart.accounts.actors import Actor, actor_for
from beststart.accounts.models import Membership, Role, Team, User
from beststart.api.models import ApiClient
from beststart.core import clock
from beststart.sharing.policy import PRACTITIONER_ROLES

KEY_PREFIX = "bs_"
PREFIX_LENGTH = 8
REALM = "Best Start API"
# A key that acts as the single point of contact would read every referral in the area.
ROLES_NOT_FOR_KEYS = frozenset({Role.TRIAGE_OFFICER})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ClientError(Exception):
    """A client that cannot be created or revoked, with what to do instead."""


@dataclass(frozen=True)
class Issued:
    client: ApiClient
    key: str  # shown once, never stored


def _check_role(user: User) -> Membership:
    actor = actor_for(user)
    if actor is None:
        raise ClientError(
            f"{user.username} holds no active role: give the account a membership in the "
            "partner's team first (or use --team and --role to create it)"
        )
    if actor.role not in PRACTITIONER_ROLES:
        raise ClientError(
            f"{user.username} is a {actor.role_label.lower()}, who cannot make referrals: "
            "a key's account needs a practitioner's role"
        )
    if actor.role in ROLES_NOT_FOR_KEYS:
        raise ClientError(
            f"{user.username} is the single point of contact, who sees every referral: a "
            "partner system's key must act for one team only"
        )
    return actor.membership


@transaction.atomic
def create_client(
    *, name: str, username: str, team: Team | None = None, role: str = "", email: str = ""
) -> Issued:
    """A key for a partner system, acting as `username`. With a team and a role, the system
    account is created (with no password, so nobody signs in as it) if it does not exist;
    its e-mail, a monitored inbox at the partner, is told of each change to its referrals."""
    if not name.strip():
        raise ClientError("Give the client a name, such as the partner system and its owner")
    if ApiClient.objects.filter(name=name.strip()).exists():
        raise ClientError(f"There is already a client called {name.strip()!r}")
    user = User.objects.filter(username=username).first()
    if user is None:
        if team is None or not role:
            raise ClientError(
                f"There is no user {username!r}: create the system account, or give --team "
                "and --role to create it"
            )
        user = User(username=username, first_name=name.strip()[:150], email=email)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, team=team, role=role)
    _check_role(user)
    key = new_key()
    client = ApiClient.objects.create(
        name=name.strip(), user=user, key_prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)
    )
    return Issued(client=client, key=key)


def revoke_client(*, name: str) -> ApiClient:
    client = ApiClient.objects.filter(name=name).first()
    if client is None:
        raise ClientError(f"There is no client called {name!r}")
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        client.save(update_fields=["revoked_at"])
    return client


# ---------------------------------------------------------------------------------------------
# Authenticating a request


@dataclass(frozen=True)
class Unauthorised:
    """Why a request's key was not accepted, and the WWW-Authenticate error code (RFC 6750)."""

    message: str
    error: str = ""

    @property
    def challenge(self) -> str:
        challenge = f'Bearer realm="{REALM}"'
        if self.error:
            challenge += f', error="{self.error}", error_description="{self.message}"'
        return challenge


NO_KEY = Unauthorised(
    "This endpoint needs an API key: send the header 'Authorization: Bearer <key>'"
)
MALFORMED = Unauthorised(
    "The Authorization header must be 'Bearer ' followed by the key", "invalid_request"
)
UNKNOWN_KEY = Unauthorised("This API key is not recognised", "invalid_token")
REVOKED_KEY = Unauthorised(
    "This API key has been revoked: ask the Best Start administrators for a new one",
    "invalid_token",
)


@dataclass(frozen=True)
class Authenticated:
    client: ApiClient
    actor: Actor | None  # None: the account holds no active role any more


def bearer_key(request: HttpRequest) -> str | Unauthorised:
    header = request.headers.get("Authorization", "")
    if not header.strip():
        return NO_KEY
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or " " in key:
        return MALFORMED
    return key


def authenticate(request: HttpRequest) -> Authenticated | Unauthorised:
    """The client whose key the request carries, noting when it was used; or why not."""
    key = bearer_key(request)
    if isinstance(key, Unauthorised):
        return key
    digest = hash_key(key)
    found = None
    for candidate in ApiClient.objects.filter(key_prefix=key[:PREFIX_LENGTH]).select_related(
        "user"
    ):
        if hmac.compare_digest(candidate.key_hash, digest):
            found = candidate
    if found is None:
        return UNKNOWN_KEY
    if found.is_revoked or not found.user.is_active:
        return REVOKED_KEY
    found.last_used_at = clock.now()
    ApiClient.objects.filter(pk=found.pk).update(last_used_at=found.last_used_at)
    return Authenticated(client=found, actor=actor_for(found.user))
