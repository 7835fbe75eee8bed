"""The vocabulary every part labels personal data with, and the things an actor can do to it.

The sharing policy decides by these; the audit records them."""

from __future__ import annotations

from django.db import models


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity and contact"
    HEALTH = "health", "Health"
    DEVELOPMENT = "development", "Development and learning"
    FAMILY_SUPPORT = "family_support", "Family support"
    SAFEGUARDING = "safeguarding", "Safeguarding"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed on a caseload"
    SEARCH = "search", "Found in a search"
    IDENTITY_CHECK = "identity_check", "Checked identity before creating a record"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    EXPORT = "export", "Exported"
    AUDIT_QUERY = "audit_query", "Queried the audit about"
