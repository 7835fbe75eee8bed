"""The actor: who is acting, in which role, for which team. Every selector and action takes one."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from beststart.accounts.models import Membership, Organisation, Role, Team, User


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def role_label(self) -> str:
        return Role(self.membership.role).label

    @property
    def team(self) -> Team:
        return self.membership.team

    @property
    def organisation(self) -> Organisation:
        return self.membership.team.organisation


def actor_for(user: User) -> Actor | None:
    """The actor a signed-in user acts as, or None if they hold no active role."""
    membership = (
        Membership.objects.select_related("team__organisation")
        .filter(user=user, is_active=True)
        .order_by("id")
        .first()
    )
    return Actor(user=user, membership=membership) if membership else None


def actor_of(request: HttpRequest) -> Actor:
    """The actor ActorMiddleware put on a request to a view that needs one."""
    return request.actor  # type: ignore[attr-defined]
