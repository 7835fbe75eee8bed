"""Opening a record: ask the policy, audit the answer, and refuse with a 404 that looks the
same as a record that does not exist."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import transaction

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership
from beststart.audit.actions import Access, record_access, record_accesses
from beststart.core.categories import AccessAction
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family
from beststart.sharing.policy import (
    Decision,
    EntryT,
    FamilyFacts,
    Subject,
    decide,
    evaluate,
    may_use_records,
)


class SharingGate:
    """Decisions about one family for one actor: the facts loaded once, and every decision,
    allowed or refused, written to the audit once."""

    def __init__(self, actor: Actor, family: Family) -> None:
        self.actor = actor
        self.family = family
        self.facts = FamilyFacts.load(actor, family.pk)
        self._audited: set[tuple[int | None, str, str, bool, str]] = set()

    @classmethod
    def open(
        cls,
        actor: Actor,
        family_id: int,
        *,
        category: str,
        action: str,
        person_id: int | None = None,
    ) -> SharingGate:
        """The gate to a family, if the policy allows `action` on its `category` data
        (audited either way); otherwise the 404 of a record that does not exist."""
        family = Family.objects.filter(pk=family_id).first()
        if family is None:
            raise NotFoundOrNotAllowed
        gate = cls(actor, family)
        if not gate.decide(Subject(family.pk, person_id), category, action):
            raise NotFoundOrNotAllowed
        return gate

    def decide(self, subject: Subject, category: str, action: str) -> Decision:
        decision = evaluate(self.facts, subject, category, action)
        record_accesses(
            actor=self.actor, accesses=self._unaudited(subject, category, action, decision)
        )
        return decision

    def entries(self, entries: Iterable[EntryT], action: str) -> list[EntryT]:
        """The entries the actor may see; each distinct decision, either way, audited in one
        write."""
        shown, accesses = [], []
        for entry in entries:
            subject = Subject.of_entry(entry)
            decision = evaluate(self.facts, subject, entry.category, action)
            accesses += self._unaudited(subject, entry.category, action, decision)
            if decision:
                shown.append(entry)
        record_accesses(actor=self.actor, accesses=accesses)
        return shown

    def _unaudited(
        self, subject: Subject, category: str, action: str, decision: Decision
    ) -> list[Access]:
        """The audit row of a decision this gate has not yet recorded, if any."""
        key = (subject.person_id, category, action, decision.allowed, decision.basis)
        if key in self._audited:
            return []
        self._audited.add(key)
        return [
            Access(
                family_id=self.family.pk,
                person_id=subject.person_id,
                category=category,
                action=action,
                allowed=decision.allowed,
                basis=decision.basis,
            )
        ]


def open_family(
    actor: Actor, family_id: int, *, category: str, action: str, person_id: int | None = None
) -> Family:
    """The family, if the policy allows `action` on its `category` data; audited either way."""
    return SharingGate.open(
        actor, family_id, category=category, action=action, person_id=person_id
    ).family


class Refused(NotFoundOrNotAllowed):
    """A write the policy refused, carrying what the audit must record once the write's
    transaction has been rolled back."""

    def __init__(self, actor: Actor, decision: Decision, access: Access) -> None:
        super().__init__()
        self.actor, self.decision, self.access = actor, decision, access


def require(
    actor: Actor,
    family: Family | None,
    *,
    category: str,
    action: str,
    person_id: int | None = None,
    audit_allowed: bool = True,
) -> Decision:
    """Ask the policy before a write. Allowed: the audit row is written with the change
    (unless the caller records it itself, for a record that does not exist yet).
    Refused: `Refused` is raised, and `audited_write` records it after the rollback."""
    return enforce(
        actor,
        decide(actor, family, category, action),
        family=family,
        category=category,
        action=action,
        person_id=person_id,
        audit_allowed=audit_allowed,
    )


def enforce(
    actor: Actor,
    decision: Decision,
    *,
    family: Family | None,
    category: str,
    action: str,
    person_id: int | None = None,
    audit_allowed: bool = True,
) -> Decision:
    """Act on a decision the policy has made: audit it if allowed, or raise `Refused`."""
    access = Access(
        family_id=family.pk if family else None,
        person_id=person_id,
        category=category,
        action=action,
        allowed=decision.allowed,
        basis=decision.basis,
    )
    if not decision:
        raise Refused(actor, decision, access)
    if audit_allowed:
        record_access(actor=actor, access=access)
    return decision


Params = ParamSpec("Params")
Result = TypeVar("Result")


def audited_write(write: Callable[Params, Result]) -> Callable[Params, Result]:
    """Run an action in one transaction; if the policy refused it, record the refusal in the
    audit after the rollback, so that refused writes leave their trace too."""

    @functools.wraps(write)
    def wrapper(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            with transaction.atomic():
                return write(*args, **kwargs)
        except Refused as refusal:
            record_access(actor=refusal.actor, access=refusal.access)
            raise

    return wrapper


def would_see(member: Membership, subject: Subject, category: str) -> Decision:
    """What the policy would let `member` see: a question about someone else (the owner of an
    action, a partner agency), not an access by anyone, so it writes no audit row."""
    return decide(Actor(user=member.user, membership=member), subject, category, AccessAction.VIEW)


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
