"""What allows information to flow between agencies: consents, information-sharing agreements,
safeguarding shares made without consent, and break-glass access in an emergency.

None of these rows is ever deleted: a consent is withdrawn, an agreement ends, a break-glass
access expires and is reviewed, and the history stays."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from beststart.accounts.models import Organisation, OrganisationType, Role
from beststart.core.categories import DataCategory
from beststart.core.models import TimeStampedModel


def _in_force_on(starts_on: dt.date, ends_on: dt.date | None, day: dt.date) -> bool:
    return starts_on <= day and (ends_on is None or ends_on >= day)


class Recipients(models.Model):
    """Who information may flow to: organisation types, named organisations, or both."""

    recipient_types = models.JSONField(
        default=list, blank=True, help_text="OrganisationType values"
    )

    class Meta:
        abstract = True

    def names_organisation(self, organisation: Organisation) -> bool:
        """Whether `organisation` is among the recipients. Named organisations must have been
        prefetched or are looked up once."""
        if organisation.type in self.recipient_types:
            return True
        named: models.Manager[Organisation] = self.recipient_organisations  # type: ignore[attr-defined]
        return any(each.pk == organisation.pk for each in named.all())

    def recipient_labels(self) -> list[str]:
        labels = [OrganisationType(kind).label for kind in self.recipient_types]
        named: models.Manager[Organisation] = self.recipient_organisations  # type: ignore[attr-defined]
        return labels + [organisation.name for organisation in named.all()]


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written, signed form"
    RED_BOOK = "red_book", "Parent-held child health record (Red Book)"
    ONLINE = "online", "Online, by the parent"


class SharingPurpose(models.TextChoices):
    COORDINATED_SUPPORT = (
        "coordinated_support",
        "Joined-up support from the services working with the family",
    )
    HEALTHY_CHILD_PROGRAMME = "healthy_child_programme", "Healthy Child Programme"
    EARLY_HELP = "early_help", "Early help and family support"
    EARLY_EDUCATION = "early_education", "Early education and childcare"
    REFERRAL = "referral", "A referral to another service"


class Consent(Recipients, TimeStampedModel):
    """A person's consent (or a parent's on a child's behalf) to share some categories of
    their information with some recipients, for a purpose, for a time."""

    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="consents")
    given_by = models.ForeignKey(
        "families.Person",
        on_delete=models.PROTECT,
        related_name="consents_given",
        help_text="The person themself, or an adult with parental responsibility for a child",
    )
    categories = models.JSONField(default=list, help_text="DataCategory values; never safeguarding")
    recipient_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="consents_naming"
    )
    purpose = models.CharField(max_length=32, choices=SharingPurpose.choices)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    evidence = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the evidence is: the form's reference, the Red Book page",
    )
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["person", "withdrawn_at"], name="consent_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("starts_on")),
                name="consent_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    def state_on(self, day: dt.date) -> ConsentState:
        if self.withdrawn_at is not None:
            return ConsentState.WITHDRAWN
        if day < self.starts_on:
            return ConsentState.NOT_STARTED
        if self.expires_on is not None and day > self.expires_on:
            return ConsentState.EXPIRED
        return ConsentState.IN_FORCE

    def covers(self, category: str, organisation: Organisation) -> bool:
        return category in self.categories and self.names_organisation(organisation)

    def category_labels(self) -> list[str]:
        return [DataCategory(category).label for category in self.categories]


class ConsentState(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    NOT_STARTED = "not_started", "Not started yet"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = (
        "public_task",
        "Public task (UK GDPR 6(1)(e)), with health or social care (9(2)(h))",
    )
    CONSENT = "consent", "Consent (UK GDPR 6(1)(a) and 9(2)(a))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR 6(1)(d) and 9(2)(c))"


class SharingAgreement(TimeStampedModel):
    """An information-sharing agreement: the parties, the categories that may flow between
    them, why, on what legal basis, and from when to when."""

    reference = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    party_types = models.JSONField(default=list, blank=True, help_text="OrganisationType values")
    party_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="sharing_agreements"
    )
    categories = models.JSONField(default=list, help_text="DataCategory values")
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    starts_on = models.DateField()
    review_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_in_force(self, day: dt.date) -> bool:
        return _in_force_on(self.starts_on, self.ends_on, day)

    def includes(self, organisation_id: int, organisation_type: str) -> bool:
        return organisation_type in self.party_types or any(
            party.pk == organisation_id for party in self.party_organisations.all()
        )

    def party_labels(self) -> list[str]:
        labels = [OrganisationType(kind).label for kind in self.party_types]
        return labels + [organisation.name for organisation in self.party_organisations.all()]

    def category_labels(self) -> list[str]:
        return [DataCategory(category).label for category in self.categories]


class SafeguardingShare(Recipients, TimeStampedModel):
    """Information shared without consent to protect a child, with its justification and the
    safeguarding lead who approved it. It opens the named categories to the recipients."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="safeguarding_shares"
    )
    person = models.ForeignKey(
        "families.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="safeguarding_shares",
        help_text="Empty: the whole family",
    )
    categories = models.JSONField(default=list, help_text="DataCategory values")
    recipient_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="safeguarding_shares_naming"
    )
    justification = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"Safeguarding share {self.pk}"

    def is_in_force(self, day: dt.date) -> bool:
        return _in_force_on(self.starts_on, self.ends_on, day)


class BreakGlassReason(models.TextChoices):
    RISK_OF_HARM = "risk_of_harm", "A child or adult is at risk of serious harm"
    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency"
    CHILD_MISSING = "child_missing", "A child is missing or cannot be found"
    TEAM_UNREACHABLE = "team_unreachable", "Urgent, and the family's usual team cannot be reached"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified"


class BreakGlassAccess(TimeStampedModel):
    """Emergency access to a family's record by someone with no relationship: a coded reason
    and an account of it, for a limited time, reviewed afterwards by a privacy officer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(
        max_length=32, choices=Role.choices, help_text="The role the user acted in"
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    account = models.TextField(help_text="What happened, and why the record was needed now")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "break-glass accesses"
        indexes = [
            models.Index(fields=["user", "family", "expires_at"], name="break_glass_open"),
            models.Index(fields=["review_outcome"], name="break_glass_review"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The only thing an alert carries: no names, no family."""
        return f"BG-{self.pk:06d}"

    def is_open_at(self, moment: dt.datetime) -> bool:
        return self.started_at <= moment < self.expires_at

    @property
    def is_reviewed(self) -> bool:
        return bool(self.review_outcome)
