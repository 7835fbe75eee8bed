"""The access policy: the one module that decides whether an actor may touch personal data.

Default deny: access is allowed only by an explicit rule below. Every list, search, export and
count uses `visible_families`, which expresses the same rules as a query, so a user never sees
in a list what they could not open.

Rules in force (the consent issue extends them):
- Only practitioner roles see individual records. Commissioners and analysts see aggregates;
  privacy officers see the audit.
- A practitioner sees a family's record, and may update it, while their team has an active
  involvement with the family.
- A practitioner may create a family, and may check identity before creating one
  (search-before-create shows the minimum needed to confirm who someone is).
- A withheld address is shown only to the team that recorded it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Address, Family, Involvement

PRACTITIONER_ROLES = frozenset(
    {
        Role.MIDWIFE,
        Role.HEALTH_VISITOR,
        Role.GP_PRACTICE_STAFF,
        Role.FAMILY_HUB_WORKER,
        Role.EARLY_YEARS_PRACTITIONER,
        Role.SCHOOL_STAFF,
        Role.VOLUNTARY_SECTOR_WORKER,
        Role.TRIAGE_OFFICER,
        Role.TEAM_MANAGER,
    }
)
AUDIT_ROLES = frozenset({Role.PRIVACY_OFFICER})

# Categories the involvement rule opens in this issue. Safeguarding is never opened by it.
INVOLVEMENT_CATEGORIES = frozenset(
    {
        DataCategory.IDENTITY,
        DataCategory.HEALTH,
        DataCategory.DEVELOPMENT,
        DataCategory.FAMILY_SUPPORT,
    }
)

# What an involvement lets a team do with the family's record.
INVOLVEMENT_ACTIONS = frozenset(
    {AccessAction.VIEW, AccessAction.LIST, AccessAction.SEARCH, AccessAction.UPDATE}
)

_decisions_made: ContextVar[int] = ContextVar("decisions_made", default=0)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: str

    def __bool__(self) -> bool:
        return self.allowed


ALLOW_CREATE = Decision(True, "practitioner may create a family record")
ALLOW_IDENTITY_CHECK = Decision(True, "search-before-create: minimum identity details")
ALLOW_INVOLVEMENT = Decision(True, "active involvement of the actor's team")
ALLOW_PRACTITIONER = Decision(True, "practitioner role")
DENY_ROLE = Decision(False, "role has no access to individual records")
DENY_NO_RELATIONSHIP = Decision(False, "no active involvement of the actor's team")
DENY_CATEGORY = Decision(False, "category not opened by any rule")
DENY_ACTION = Decision(False, "action not allowed by any rule")


def decisions_made() -> int:
    """How many decisions this request has asked for; the enforcement middleware reads it."""
    return _decisions_made.get()


def reset_decisions() -> object:
    return _decisions_made.set(0)


def _count() -> None:
    _decisions_made.set(_decisions_made.get() + 1)


def active_involvements(on: object = None) -> Q:
    day = on or clock.today()
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def has_active_involvement(actor: Actor, family_id: int) -> bool:
    return Involvement.objects.filter(
        active_involvements(), family_id=family_id, team_id=actor.team.pk
    ).exists()


def decide(actor: Actor, subject: Family | None, category: str, action: str) -> Decision:
    """May `actor` do `action` to `category` data about `subject` (a family, or None for a
    record not yet created)?"""
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return DENY_ROLE
    # Creating a record and checking identity before creating one open identity data only.
    if action == AccessAction.CREATE and subject is None and category == DataCategory.IDENTITY:
        return ALLOW_CREATE
    if action == AccessAction.IDENTITY_CHECK:
        return ALLOW_IDENTITY_CHECK if category == DataCategory.IDENTITY else DENY_CATEGORY
    if subject is None:
        return DENY_NO_RELATIONSHIP
    if category not in INVOLVEMENT_CATEGORIES:
        return DENY_CATEGORY
    if action not in INVOLVEMENT_ACTIONS:
        return DENY_ACTION
    if has_active_involvement(actor, subject.pk):
        return ALLOW_INVOLVEMENT
    return DENY_NO_RELATIONSHIP


def visible_families(actor: Actor, category: str = DataCategory.IDENTITY) -> QuerySet[Family]:
    """The families whose `category` data `actor` may see: the same rules as `decide`."""
    _count()
    if actor.role not in PRACTITIONER_ROLES or category not in INVOLVEMENT_CATEGORIES:
        return Family.objects.none()
    involved = Involvement.objects.filter(
        active_involvements(), family_id=OuterRef("pk"), team_id=actor.team.pk
    )
    return Family.objects.filter(Exists(involved))


ALLOW_OWN_INVOLVEMENT = Decision(True, "the actor's own team's involvement")
ALLOW_LEAD_TEAM = Decision(True, "the actor's team holds the family's lead involvement")
DENY_OTHER_TEAMS_INVOLVEMENT = Decision(False, "another team's involvement")


def may_end_involvement(
    actor: Actor, involvement: Involvement, family_involvements: list[Involvement]
) -> Decision:
    """A team ends its own involvement; the team holding the lead may end any, as the lead
    practitioner coordinates who works with the family. `family_involvements` are all of the
    family's involvements, already loaded."""
    _count()
    if involvement.team_id == actor.team.pk:
        return ALLOW_OWN_INVOLVEMENT
    today = clock.today()
    if any(
        other.team_id == actor.team.pk and other.is_lead and other.is_active_on(today)
        for other in family_involvements
    ):
        return ALLOW_LEAD_TEAM
    return DENY_OTHER_TEAMS_INVOLVEMENT


def may_see_address(actor: Actor, address: Address) -> bool:
    """A withheld address is redacted for everyone outside the team that recorded it."""
    return not address.is_withheld or address.recorded_by_team_id == actor.team.pk


ALLOW_AUDIT_QUERY = Decision(True, "privacy officer role")


def may_query_audit(actor: Actor) -> Decision:
    _count()
    return ALLOW_AUDIT_QUERY if actor.role in AUDIT_ROLES else DENY_ROLE


def may_use_records(actor: Actor) -> Decision:
    """Whether the actor's role works with individual records at all."""
    _count()
    if actor.role in PRACTITIONER_ROLES:
        return ALLOW_PRACTITIONER
    return DENY_ROLE
