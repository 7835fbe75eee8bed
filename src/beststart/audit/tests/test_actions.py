"""Writing the audit: who, in which role and team, whose record, what, the outcome and why."""

from __future__ import annotations

import pytest
from django.db import transaction

from beststart.accounts.actors import Actor
from beststart.audit.actions import Access, record_access, record_accesses
from beststart.audit.models import AuditEvent, Outcome
from beststart.core.categories import AccessAction, DataCategory

pytestmark = pytest.mark.django_db


def test_record_access_writes_who_whose_what_and_the_outcome(actor: Actor) -> None:
    event = record_access(
        actor=actor,
        access=Access(
            family_id=12,
            person_id=34,
            category=DataCategory.HEALTH,
            action=AccessAction.VIEW,
            allowed=False,
            basis="no active involvement of the actor's team",
        ),
    )
    saved = AuditEvent.objects.get(pk=event.pk)
    assert saved.user_id == actor.user.pk
    assert saved.username == actor.user.username
    assert saved.role == actor.role
    assert saved.team_id == actor.team.pk
    assert saved.organisation_id == actor.organisation.pk
    assert (saved.family_id, saved.person_id) == (12, 34)
    assert (saved.category, saved.action) == (DataCategory.HEALTH, AccessAction.VIEW)
    assert saved.outcome == Outcome.DENIED
    assert saved.basis == "no active involvement of the actor's team"
    assert saved.occurred_at is not None


def test_record_accesses_writes_one_row_each(actor: Actor) -> None:
    accesses = [
        Access(i, i + 100, DataCategory.IDENTITY, AccessAction.SEARCH, True, "shown")
        for i in range(1, 6)
    ]
    assert record_accesses(actor=actor, accesses=iter(accesses)) == 5
    rows = AuditEvent.objects.filter(action=AccessAction.SEARCH)
    assert sorted(rows.values_list("family_id", "person_id")) == [(i, i + 100) for i in range(1, 6)]
    assert set(rows.values_list("outcome", flat=True)) == {Outcome.ALLOWED}
    assert record_accesses(actor=actor, accesses=iter([])) == 0


def test_the_audit_row_is_part_of_the_callers_transaction(actor: Actor) -> None:
    with transaction.atomic():
        record_access(
            actor=actor,
            access=Access(1, None, DataCategory.IDENTITY, AccessAction.VIEW, True, "test"),
        )
        assert AuditEvent.objects.count() == 1
        transaction.set_rollback(True)  # the read or write it records is abandoned
    assert AuditEvent.objects.count() == 0
