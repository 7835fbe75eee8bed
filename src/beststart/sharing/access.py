"""Opening a record: ask the policy, audit the answer, and refuse with a 404 that looks the
same as a record that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from beststart.accounts.actors import Actor
from beststart.audit.actions import Access, record_access, record_accesses
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family
from beststart.sharing.policy import Decision, decide, may_use_records


def open_family(
    actor: Actor, family_id: int, *, category: str, action: str, person_id: int | None = None
) -> Family:
    """The family, if the policy allows `action` on its `category` data; audited either way."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    decision = decide(actor, family, category, action)
    audit_decision(
        actor, decision, family_id=family.pk, person_id=person_id, category=category, action=action
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return family


def require_record_access(actor: Actor) -> None:
    """Pages that only practitioners use (search, create) answer 404 to every other role."""
    if not may_use_records(actor):
        raise NotFoundOrNotAllowed


def audit_decision(
    actor: Actor,
    decision: Decision,
    *,
    family_id: int | None,
    person_id: int | None,
    category: str,
    action: str,
) -> None:
    record_access(
        actor=actor,
        access=Access(
            family_id=family_id,
            person_id=person_id,
            category=category,
            action=action,
            allowed=decision.allowed,
            basis=decision.basis,
        ),
    )


def audit_shown(
    actor: Actor,
    shown: Iterable[tuple[int, int | None]],
    *,
    category: str,
    action: str,
    basis: str,
) -> None:
    """Record that (family id, person id) pairs were shown to the actor in a list or search."""
    record_accesses(
        actor=actor,
        accesses=(
            Access(
                family_id=family_id,
                person_id=person_id,
                category=category,
                action=action,
                allowed=True,
                basis=basis,
            )
            for family_id, person_id in shown
        ),
    )
