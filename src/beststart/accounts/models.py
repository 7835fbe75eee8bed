"""Organisations, their teams, and the practitioners who work in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from beststart.core.models import TimeStampedModel


class OrganisationType(models.TextChoices):
    MATERNITY_SERVICE = "maternity", "Maternity service"
    HEALTH_VISITING_SERVICE = "health_visiting", "Health visiting service"
    GP_PRACTICE = "gp_practice", "GP practice"
    FAMILY_HUB = "family_hub", "Children's centre or family hub"
    EARLY_YEARS_SETTING = "early_years", "Early years setting"
    SCHOOL = "school", "School"
    VOLUNTARY_ORGANISATION = "voluntary", "Voluntary organisation"
    LOCAL_AUTHORITY_TEAM = "local_authority", "Local authority team"


class Role(models.TextChoices):
    MIDWIFE = "midwife", "Midwife"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    GP_PRACTICE_STAFF = "gp_practice_staff", "GP practice staff"
    FAMILY_HUB_WORKER = "family_hub_worker", "Family hub worker"
    EARLY_YEARS_PRACTITIONER = "early_years_practitioner", "Early years practitioner"
    SCHOOL_STAFF = "school_staff", "School staff"
    VOLUNTARY_SECTOR_WORKER = "voluntary_sector_worker", "Voluntary sector worker"
    TRIAGE_OFFICER = "triage_officer", "Single point of contact (triage)"
    TEAM_MANAGER = "team_manager", "Team manager"
    COMMISSIONER = "commissioner", "Commissioner or analyst"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer (Caldicott guardian)"


class Organisation(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=32, choices=OrganisationType.choices)
    ods_code = models.CharField(
        "ODS code", max_length=12, blank=True, help_text="NHS Organisation Data Service code"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    locality = models.ForeignKey(
        "places.Locality", null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Practitioners hold a role in a team through a membership."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(TimeStampedModel):
    """A practitioner's role in a team. The first active one is the role they act in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.team}"
