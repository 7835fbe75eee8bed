"""The family record: people, families, relationships, addresses, involvements, chronology."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from beststart.core.categories import DataCategory
from beststart.core.identifiers import format_nhs_number
from beststart.core.models import AppendOnlyModel, TimeStampedModel
from beststart.families.names import name_key, normalise_name


class PersonKind(models.TextChoices):
    UNBORN = "unborn", "Unborn child"
    CHILD = "child", "Child"
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class Person(TimeStampedModel):
    kind = models.CharField(max_length=8, choices=PersonKind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_delivery_date = models.DateField(
        null=True, blank=True, help_text="For a pregnancy; kept after the birth"
    )
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=9, choices=Sex.choices, default=Sex.NOT_KNOWN)
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True, unique=True)
    # Search keys, kept in step with the names by save().
    given_name_norm = models.CharField(max_length=100, blank=True, editable=False)
    family_name_norm = models.CharField(max_length=100, editable=False)
    given_name_key = models.CharField(max_length=12, blank=True, editable=False)
    family_name_key = models.CharField(max_length=12, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["family_name_key"], name="person_family_key"),
            models.Index(fields=["given_name_key"], name="person_given_key"),
            models.Index(fields=["family_name_norm"], name="person_family_norm"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="unborn") | models.Q(expected_delivery_date__isnull=False),
                name="unborn_has_due_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="unborn") | models.Q(date_of_birth__isnull=False),
                name="born_has_date_of_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_keys()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def refresh_search_keys(self) -> None:
        self.given_name_norm = normalise_name(self.given_name)
        self.family_name_norm = normalise_name(self.family_name)
        self.given_name_key = name_key(self.given_name)
        self.family_name_key = name_key(self.family_name)

    @property
    def full_name(self) -> str:
        if self.kind == PersonKind.UNBORN and not self.given_name:
            return f"Unborn baby {self.family_name}"
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number) if self.nhs_number else ""

    def age_on(self, day: dt.date) -> str:
        """Age as practitioners say it: weeks under 8 weeks, months under 2 years, then years."""
        if self.date_of_birth is None:
            return ""
        days = (day - self.date_of_birth).days
        if days < 0:
            return ""
        if days < 56:
            return f"{days // 7} weeks"
        months = (day.year - self.date_of_birth.year) * 12 + day.month - self.date_of_birth.month
        if day.day < self.date_of_birth.day:
            months -= 1
        if months < 24:
            return f"{months} months"
        return f"{months // 12} years"


class Family(TimeStampedModel):
    """A household: the people who live together and the address they share."""

    name = models.CharField(
        max_length=200, help_text="How the family is known, for example 'Khan family'"
    )
    members: models.ManyToManyField[Person, FamilyMember] = models.ManyToManyField(
        Person, through="FamilyMember", related_name="families"
    )

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.name


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "person"], name="unique_family_member")
        ]

    def __str__(self) -> str:
        return f"Member {self.person_id} of family {self.family_id}"


class RelationshipType(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    FOSTER_CARER = "foster_carer", "Foster carer"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    OTHER_CARER = "other_carer", "Other carer"


class Relationship(TimeStampedModel):
    """How an adult is related to a child, and whether they hold parental responsibility."""

    adult = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_as_adult"
    )
    child = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_as_child"
    )
    type = models.CharField(max_length=16, choices=RelationshipType.choices)
    has_parental_responsibility = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adult", "child"], name="unique_relationship"),
            models.CheckConstraint(
                condition=~models.Q(adult=models.F("child")), name="relationship_not_to_self"
            ),
        ]


class Address(TimeStampedModel):
    """Where a family lives, with its history. A withheld address (for a family in a refuge)
    is shown only to the team that recorded it."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("Address line 1", max_length=200)
    line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField(max_length=8)
    lsoa = models.ForeignKey("places.Lsoa", on_delete=models.PROTECT, related_name="addresses")
    moved_in = models.DateField()
    moved_out = models.DateField(null=True, blank=True)
    is_withheld = models.BooleanField(
        "Address withheld",
        default=False,
        help_text="For example a family in a refuge. Only the recording team sees it.",
    )
    recorded_by_team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="recorded_addresses"
    )

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-moved_in", "-id"]
        indexes = [
            models.Index(fields=["postcode"], name="address_postcode"),
            models.Index(fields=["family", "moved_out"], name="address_current"),
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line_1, self.line_2, self.town, self.postcode) if part
        )

    @property
    def is_current(self) -> bool:
        return self.moved_out is None


class InvolvementEnd(models.TextChoices):
    COMPLETED = "completed", "The team's work with the family is complete"
    MOVED_OUT = "moved_out", "The family moved out of the area"
    TRANSFERRED = "transferred", "Transferred to another team"
    DIED = "died", "The child died"


class Involvement(TimeStampedModel):
    """A team (and usually a named practitioner) working with a family, from when to when."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="involvements")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="involvements")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
    )
    is_lead = models.BooleanField("Lead practitioner", default=False)
    reason = models.CharField(max_length=200, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=InvolvementEnd.choices, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["team", "ended_on", "family"], name="involvement_team_active"),
            models.Index(fields=["practitioner", "ended_on"], name="involvement_practitioner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="involvement_ends_after_start",
            )
        ]

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class EventKind(models.TextChoices):
    FAMILY_CREATED = "family_created", "Family record created"
    MEMBER_ADDED = "member_added", "Member added"
    PERSON_UPDATED = "person_updated", "Details updated"
    BIRTH_RECORDED = "birth_recorded", "Birth recorded"
    ADDRESS_CHANGED = "address_changed", "Address changed"
    INVOLVEMENT_STARTED = "involvement_started", "Involvement started"
    INVOLVEMENT_ENDED = "involvement_ended", "Involvement ended"
    NOTE = "note", "Note"
    CONSENT_GIVEN = "consent_given", "Consent recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    SAFEGUARDING_SHARE = "safeguarding_share", "Shared for safeguarding"
    BREAK_GLASS = "break_glass", "Emergency access"
    DEATH_RECORDED = "death_recorded", "Death recorded"
    CONTACT = "contact", "Review or contact"
    IMMUNISATION = "immunisation", "Immunisation"
    CENTRE_REGISTERED = "centre_registered", "Registered with a children's centre"
    SESSION_BOOKED = "session_booked", "Booked a session"
    ATTENDED = "attended", "Attended a session"
    DISCUSSED = "discussed", "Discussed at Family Matters"
    MEETING_ACTION = "meeting_action", "Family Matters action"
    REFERRAL = "referral", "Referral"
    ASSESSMENT = "assessment", "Assessment"
    PLAN = "plan", "Plan"


class ChronologyEvent(AppendOnlyModel):
    """One line of the family's timeline, across agencies. Never changed or removed."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="chronology")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="chronology"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    category = models.CharField(
        max_length=16, choices=DataCategory.choices, default=DataCategory.IDENTITY
    )
    summary = models.CharField(max_length=500)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    is_sealed = models.BooleanField(
        "Private to the recording team",
        default=False,
        help_text="A sealed entry is seen only by the team that recorded it",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["family", "occurred_at"], name="chronology_family_time")]
