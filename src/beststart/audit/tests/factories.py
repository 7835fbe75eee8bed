"""Factories for audit rows."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.models import Role
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory


class AuditEventFactory(DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    occurred_at = factory.LazyFunction(clock.now)
    user_id = factory.Sequence(lambda n: 10_000 + n)
    username = factory.Sequence(lambda n: f"audited.user.{n}")
    role = Role.HEALTH_VISITOR
    team_id = None
    organisation_id = None
    family_id = None
    person_id = None
    category = DataCategory.IDENTITY
    action = AccessAction.VIEW
    outcome = Outcome.ALLOWED
    basis = "active involvement of the actor's team"
