"""Writing the audit. Called inside the transaction of the read or write it records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from beststart.accounts.actors import Actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.requests import current_request_id


@dataclass(frozen=True)
class Access:
    """One access to record: whose record, which category, what was done, and the decision."""

    family_id: int | None
    person_id: int | None
    category: str
    action: str
    allowed: bool
    basis: str


def _event(actor: Actor, access: Access) -> AuditEvent:
    return AuditEvent(
        occurred_at=clock.now(),
        user_id=actor.user.pk,
        username=actor.user.username,
        role=actor.role,
        team_id=actor.team.pk,
        organisation_id=actor.team.organisation_id,
        family_id=access.family_id,
        person_id=access.person_id,
        category=access.category,
        action=access.action,
        outcome=Outcome.ALLOWED if access.allowed else Outcome.DENIED,
        basis=access.basis,
        request_id=current_request_id(),
    )


def record_access(*, actor: Actor, access: Access) -> AuditEvent:
    event = _event(actor, access)
    event.save()
    return event


def record_accesses(*, actor: Actor, accesses: Iterable[Access]) -> int:
    events = [_event(actor, access) for access in accesses]
    AuditEvent.objects.bulk_create(events)
    return len(events)
