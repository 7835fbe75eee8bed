"""The append-only record of every read and write of personal data.

It holds identifiers, never names or other personal details, so the audit itself is safe to
query and keep. Database triggers refuse UPDATE and DELETE (see migrations)."""

from __future__ import annotations

from django.db import models

from beststart.core.categories import AccessAction, DataCategory
from beststart.core.models import AppendOnlyModel


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"


class AuditEvent(AppendOnlyModel):
    occurred_at = models.DateTimeField(db_index=True)
    # Who: kept as plain identifiers so that the audit outlives any change to accounts.
    user_id = models.BigIntegerField(db_index=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=32)
    team_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    # Whose record.
    family_id = models.BigIntegerField(null=True, db_index=True)
    person_id = models.BigIntegerField(null=True, db_index=True)
    # What and why.
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    basis = models.CharField(
        max_length=200, help_text="The rule of the sharing policy that decided"
    )
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user_id", "occurred_at"], name="audit_user_time")]
