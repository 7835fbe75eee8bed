"""Referrals: the services that take them, the rules that route them to a team's queue, each
referral's lifecycle from submitted to an outcome, and the e-mails that tell both ends.

A referral is personal data in its own right: who is referred, why, and with whose consent.
It may be made before the person is matched to the register ("held as a new person pending
checks"), so it keeps the details it was sent with, and links to a family once matched."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.models import AppendOnlyModel, TimeStampedModel
from beststart.sharing.models import ConsentMethod


class Need(models.TextChoices):
    """What the family needs help with, in the words of the local offer."""

    INFANT_FEEDING = "infant_feeding", "Feeding a baby, including breastfeeding"
    PARENTING = "parenting", "Parenting, routines, sleep or behaviour"
    SPEECH_AND_LANGUAGE = "speech_language", "Speech, language and communication"
    DEVELOPMENT = "development", "A concern about the child's development"
    PERINATAL_MENTAL_HEALTH = "mental_health", "A parent's emotional wellbeing or mental health"
    ISOLATION = "isolation", "Feeling isolated, needing company and a local network"
    MONEY_AND_HOUSING = "money_housing", "Money, debt, benefits or housing"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    HEALTHY_LIFESTYLE = "healthy_lifestyle", "Healthy eating, activity or stopping smoking"
    EARLY_EDUCATION = "early_education", "Childcare and early education"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent: first contact within 1 working day"


URGENT_FIRST_CONTACT_DAYS = 1


class Source(models.TextChoices):
    PRACTITIONER = "practitioner", "A practitioner, online"
    SELF = "self", "The family (self-referral)"
    API = "api", "A partner system, through the API"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CONTACTED = "contacted", "Family contacted"
    SUPPORT_STARTED = "support_started", "Support started"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MERGED = "merged", "Merged into another referral"


# Waiting for the first contact with the family: the waiting-time target counts these.
AWAITING_CONTACT = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.ACCEPTED})
OPEN = AWAITING_CONTACT | {Status.CONTACTED, Status.SUPPORT_STARTED}
CLOSED = frozenset({Status.DECLINED, Status.COMPLETED, Status.WITHDRAWN, Status.MERGED})


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "The family is not eligible for this service"
    WRONG_SERVICE = "wrong_service", "Another service would meet the need better"
    ALREADY_SUPPORTED = "already_supported", "The family already has this support"
    NO_CONSENT = "no_consent", "The family did not agree when contacted"
    OUT_OF_AREA = "out_of_area", "The family lives outside the area"


class Outcome(models.TextChoices):
    NEED_MET = "need_met", "Need met"
    PARTLY_MET = "partly_met", "Need partly met"
    STEPPED_UP = "stepped_up", "Stepped up to a specialist or statutory service"
    DISENGAGED = "disengaged", "The family stopped taking part"
    MOVED_AWAY = "moved_away", "The family moved away"


class ReferralService(TimeStampedModel):
    """A service that takes referrals, the team that provides it, and its waiting-time
    target. The Open Referral UK directory describes services to the public; this is the
    intake side of those that take referrals."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="referral_services"
    )
    needs = models.JSONField(default=list, help_text="Need values the service meets")
    category = models.CharField(
        max_length=16,
        choices=DataCategory.choices,
        default=DataCategory.FAMILY_SUPPORT,
        help_text="What kind of information a referral to it is",
    )
    first_contact_days = models.PositiveSmallIntegerField(
        default=5, help_text="Target: working days from submission to first contact"
    )
    accepts_self_referrals = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_contact_days__gte=1), name="referral_target_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(TimeStampedModel):
    """Sends referrals that match to a team's queue. Empty conditions match anything; the
    lowest `priority` wins, and among equals the most specific rule."""

    service = models.ForeignKey(
        ReferralService, null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    need = models.CharField(max_length=20, choices=Need.choices, blank=True)
    reach_area = models.ForeignKey(
        "places.ReachArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    postcode_prefix = models.CharField(
        max_length=8, blank=True, help_text="The start of a postcode, for example XW1 or XW12 3"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"Routing rule {self.pk}"


class Referral(TimeStampedModel):
    service = models.ForeignKey(ReferralService, on_delete=models.PROTECT, related_name="+")
    need = models.CharField(max_length=20, choices=Need.choices)
    reason = models.TextField(help_text="What is happening and what the family would like")
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE)
    category = models.CharField(max_length=16, choices=DataCategory.choices)
    source = models.CharField(max_length=12, choices=Source.choices)

    # The person referred, as the referrer gave them, until matched to the register.
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=8)
    reach_area = models.ForeignKey(
        "places.ReachArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(max_length=200, help_text="Who to contact in the family")
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    family = models.ForeignKey(
        "families.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Consent to the referral, and to sharing what with the service.
    consent_given_by = models.CharField(max_length=200)
    consent_method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    consent_given_on = models.DateField()
    consent_categories = models.JSONField(
        default=list, help_text="DataCategory values the family agreed to share with the service"
    )
    consent = models.ForeignKey(
        "sharing.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Who referred.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_reference = models.CharField(
        max_length=64, blank=True, help_text="The referring system's own reference (API)"
    )
    payload_digest = models.CharField(max_length=64, blank=True)
    status_token = models.CharField(
        max_length=43, null=True, blank=True, unique=True, help_text="A self-referrer's link"
    )

    # Where it is.
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField()
    first_contact_due = models.DateField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    information_requested = models.BooleanField(default=False)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"], name="referral_queue"),
            models.Index(fields=["referrer_team", "status"], name="referral_sent"),
            models.Index(fields=["status", "first_contact_due"], name="referral_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referrer_team", "sender_reference"],
                condition=~models.Q(sender_reference=""),
                name="referral_sender_reference_once",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=False)
                | models.Q(expected_delivery_date__isnull=False),
                name="referral_person_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return reference_of(self.pk)

    @property
    def person_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def is_breached(self, today: dt.date) -> bool:
        """First contact later than the target, or not yet made and already late."""
        if self.contacted_at is not None:
            return clock.localdate(self.contacted_at) > self.first_contact_due
        return self.status in AWAITING_CONTACT and today > self.first_contact_due


REFERENCE_PREFIX = "REF-"


def reference_of(referral_id: int) -> str:
    return f"{REFERENCE_PREFIX}{referral_id:06d}"


def id_of(reference: str) -> int | None:
    """The referral id in a reference as people type it ("ref-000042", "42"), or None."""
    digits = reference.strip().upper().removeprefix(REFERENCE_PREFIX)
    return int(digits) if digits.isdigit() else None


class StepKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ROUTED = "routed", "Sent to a team's queue"
    RECEIVED = "received", "Received"
    INFORMATION_REQUESTED = "info_requested", "More information asked for"
    INFORMATION_GIVEN = "info_given", "More information given"
    MATCHED = "matched", "Matched to the family record"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CONTACTED = "contacted", "Family contacted"
    SUPPORT_STARTED = "support_started", "Support started"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MERGED = "merged", "Merged as a duplicate"


# The lifecycle: the states each step may be taken from. Actions refuse a step from any other
# state; pages offer a step only from these (`selectors.next_steps`).
STEP_FROM: dict[str, frozenset[str]] = {
    StepKind.RECEIVED: frozenset({Status.SUBMITTED}),
    StepKind.ROUTED: frozenset({Status.SUBMITTED, Status.RECEIVED}),
    StepKind.INFORMATION_REQUESTED: AWAITING_CONTACT,
    StepKind.INFORMATION_GIVEN: OPEN,
    StepKind.MATCHED: frozenset({Status.SUBMITTED, Status.RECEIVED}),
    StepKind.ACCEPTED: frozenset({Status.SUBMITTED, Status.RECEIVED}),
    StepKind.DECLINED: AWAITING_CONTACT | {Status.CONTACTED},
    StepKind.CONTACTED: frozenset({Status.ACCEPTED}),
    StepKind.SUPPORT_STARTED: frozenset({Status.CONTACTED}),
    StepKind.COMPLETED: frozenset({Status.CONTACTED, Status.SUPPORT_STARTED}),
    StepKind.WITHDRAWN: OPEN,
    StepKind.MERGED: OPEN,
}


class ReferralStep(AppendOnlyModel):
    """One step of a referral's history, with when and who: what the referrer sees."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    occurred_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["referral", "occurred_at"], name="referral_step_time")]


class Delivery(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    HELD = "held", "Held in the outbox (no e-mail service set up)"
    FAILED = "failed", "Failed"


class Notification(TimeStampedModel):
    """An e-mail about a referral. Written in the transaction of the change it announces
    (the outbox), then delivered once that commits, so a rolled-back change sends nothing and
    a delivery that fails can be tried again. It carries the reference and a link, never the
    family's details."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.QUEUED)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["delivery"], name="notification_delivery")]
