"""The Healthy Child Programme: the mandated reviews and other contacts, and immunisations.

What is recorded here is what the official indicators count (OHID's health visiting
metrics, breastfeeding at 6 to 8 weeks, smoking at delivery, immunisation coverage), so each
fact is a field of its own rather than free text. All of it is health data, recorded by a team."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beststart.core.categories import DataCategory
from beststart.core.models import TimeStampedModel


class ReviewKind(models.TextChoices):
    ANTENATAL = "antenatal", "Antenatal contact"
    NEW_BIRTH = "new_birth", "New birth visit"
    SIX_TO_EIGHT_WEEKS = "six_to_eight_weeks", "6 to 8 week review"
    ONE_YEAR = "one_year", "12-month review"
    TWO_YEARS = "two_years", "2 to 2½ year review"
    OTHER = "other", "Other contact"


MANDATED_REVIEWS = [kind for kind in ReviewKind if kind != ReviewKind.OTHER]


class ContactMode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    VIRTUAL = "virtual", "Video call"
    PHONE = "phone", "Phone"


class Breastfeeding(models.TextChoices):
    TOTALLY = "totally", "Totally breastfed"
    PARTIALLY = "partially", "Partially breastfed"
    NOT = "not", "Not breastfed"


class Smoking(models.TextChoices):
    SMOKER = "smoker", "Smoker"
    NON_SMOKER = "non_smoker", "Non-smoker"
    NOT_KNOWN = "not_known", "Not known"


class Present(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father or partner"
    CARER = "carer", "Other carer"
    CHILD = "child", "The child"
    INTERPRETER = "interpreter", "Interpreter"


class HealthEntry(TimeStampedModel):
    """Fields every Healthy Child Programme record shares: whose, by whom, when. Health data,
    never sealed, so the sharing policy decides it like any entry on the record."""

    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")

    category: str = DataCategory.HEALTH
    is_sealed = False

    class Meta:
        abstract = True


class Contact(HealthEntry):
    """A mandated review or another contact, as it happened: early or late is recorded as is."""

    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    contact_date = models.DateField()
    mode = models.CharField(max_length=16, choices=ContactMode.choices)
    present = models.JSONField(default=list, blank=True, help_text="Present values")
    breastfeeding = models.CharField(
        max_length=12,
        choices=Breastfeeding.choices,
        blank=True,
        help_text="At the new birth visit and the 6 to 8 week review",
    )
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    smoking_at_booking = models.CharField(max_length=12, choices=Smoking.choices, blank=True)
    smoking_at_delivery = models.CharField(max_length=12, choices=Smoking.choices, blank=True)
    asq3_used = models.BooleanField("ASQ-3 used", default=False)
    concerns = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)

    class Meta:
        ordering = ["-contact_date", "-id"]
        indexes = [
            models.Index(fields=["person", "kind"], name="contact_person_kind"),
            models.Index(fields=["team", "contact_date"], name="contact_team_date"),
        ]
        constraints = [
            # A child has one of each mandated review: a second new birth visit is an error.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=~models.Q(kind="other"),
                name="one_mandated_review_each",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class ImmunisationStatus(models.TextChoices):
    GIVEN = "given", "Given"
    DECLINED = "declined", "Declined"


class Immunisation(HealthEntry):
    """One vaccine of the routine childhood schedule, given or declined (with the reason)."""

    vaccine = models.CharField(max_length=32, help_text="A vaccine code of the schedule")
    status = models.CharField(max_length=8, choices=ImmunisationStatus.choices)
    on_date = models.DateField()
    place = models.CharField(max_length=200, blank=True, help_text="Where it was given")
    declined_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["on_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "vaccine"], name="one_record_per_vaccine")
        ]

    def __str__(self) -> str:
        return f"{self.vaccine} {self.pk}"
