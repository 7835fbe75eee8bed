"""Assessments made with an instrument, what each agency wrote in them, the cut-offs licensed
instruments' zones are computed from, and the plans that follow.

An assessment names its instrument by code and version; its results are stored when it is
completed and never computed again, so a new version of an instrument, or new cut-offs, never
change what was recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beststart.core.categories import DataCategory
from beststart.core.models import TimeStampedModel


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class CutoffSet(TimeStampedModel):
    """Cut-offs for a licensed instrument's zones, as its licensed user loaded them. The latest
    loaded for an instrument is the one used; an assessment keeps the set it was scored with."""

    instrument = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    intervals = models.JSONField(help_text="interval -> key -> {cutoff, monitoring}")
    loaded_by = models.CharField(max_length=150, help_text="Who loaded them (a user name)")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """One assessment of a person with one version of an instrument, started by a team. An
    integrated record (the two-year review) also names the partner team that completes it."""

    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, help_text="The instrument's title at the time")
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    partner_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    results = models.JSONField(default=dict, blank=True, help_text="Stored when completed")
    cutoffs = models.ForeignKey(
        CutoffSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    is_sealed = False

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["family", "instrument"], name="assessment_family_instrument"),
            models.Index(fields=["team", "status"], name="assessment_team_status"),
            models.Index(fields=["partner_team", "status"], name="assessment_partner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class Contribution(TimeStampedModel):
    """The answers to one section of an assessment, written by one team: in an integrated
    record each agency writes its own sections, and sees the other's as the policy allows."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="contributions"
    )
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=40)
    answers = models.JSONField(default=dict, help_text="item code -> the answer as typed")
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    is_sealed = False

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "section"], name="one_contribution_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} of assessment {self.assessment_id}"


class Plan(TimeStampedModel):
    """What the family and the team around it agreed to do, usually after an assessment: a
    lead practitioner, actions with owners and dates, and reviews at an interval."""

    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_on = models.DateField()
    review_every_weeks = models.PositiveSmallIntegerField(default=6)
    next_review_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=500, blank=True)

    is_sealed = False

    class Meta:
        ordering = ["-agreed_on", "-id"]
        indexes = [models.Index(fields=["team", "next_review_on"], name="plan_team_review")]

    def __str__(self) -> str:
        return f"Plan {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class PlanAction(TimeStampedModel):
    """One agreed action: the need it meets, who owns it, when it is due and reviewed."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    need = models.CharField(max_length=500)
    action = models.CharField(max_length=1000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    review_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+", help_text="Who recorded it"
    )

    is_sealed = False

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_team", "done_on"], name="plan_action_owner_team")]

    def __str__(self) -> str:
        return f"Action {self.pk} of plan {self.plan_id}"


class PlanReview(TimeStampedModel):
    """A review of a plan: how it is going, and when it is next reviewed."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField()
    progress = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    is_sealed = False

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review {self.pk} of plan {self.plan_id}"
