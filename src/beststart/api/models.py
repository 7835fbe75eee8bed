"""The keys partner systems call the API with.

A key belongs to a partner organisation's system and acts as a system account: a user whose
active membership gives the team, role and organisation, so the sharing policy decides for it
and the audit records it like anyone else (ADR 0013). Only a hash of the key is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiClient(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="The partner system, for example 'Riverside GP (EMIS)'",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_clients",
        help_text="The system account the key acts as",
    )
    key_prefix = models.CharField(
        max_length=8, db_index=True, help_text="The key's first 8 characters, to find it by"
    )
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole key, in hex")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
