"""Children's centre (family hub) activity: programmes and their sessions, bookings and the
waiting list, attendance registers, registration with a centre (the basis of reach), and the
monthly multi-agency "Family Matters" meetings with the health visitors.

Attendance is family support data, recorded by the centre's team."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beststart.core.categories import DataCategory
from beststart.core.models import TimeStampedModel


class ProgrammeKind(models.TextChoices):
    STAY_AND_PLAY = "stay_and_play", "Stay and play"
    BREASTFEEDING_SUPPORT = "breastfeeding_support", "Breastfeeding support"
    HEALTHY_LIFESTYLE = "healthy_lifestyle", "Healthy lifestyle"
    SPEECH_AND_LANGUAGE = "speech_and_language", "Speech and language group"
    MINOR_ILLNESS = "minor_illness", "Minor illness session for parents"
    PARENTING_COURSE = "parenting_course", "Parenting course"


class Programme(TimeStampedModel):
    """What a centre runs, for example "Stay and Play at Ashby Marsh Family Hub"."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=ProgrammeKind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Session(TimeStampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, help_text="Where it happens")
    capacity = models.PositiveSmallIntegerField(help_text="How many families it takes")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"], name="session_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="session_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Booking(TimeStampedModel):
    """A family's place on a session, or on its waiting list (first come, first served)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "family"], name="one_booking_per_family")
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}"


class Attendance(TimeStampedModel):
    """A family at a session, as the register recorded it. Saving a register twice changes
    nothing: one row per family and session."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    people = models.ManyToManyField("families.Person", blank=True, related_name="+")
    walk_in = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")

    category: str = DataCategory.FAMILY_SUPPORT
    is_sealed = False
    person_id: int | None = None  # about the family as a whole

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "family"], name="one_attendance_per_family")
        ]

    def __str__(self) -> str:
        return f"Attendance {self.pk}"


class CentreRegistration(TimeStampedModel):
    """A family registered with a centre: who the centre reaches."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="centre_registrations"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    registered_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "team"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_registration_per_centre",
            )
        ]

    def __str__(self) -> str:
        return f"Registration {self.pk}"


class Meeting(TimeStampedModel):
    """A "Family Matters" meeting between a centre's team and a health visiting team."""

    centre_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    health_team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Family Matters {self.held_on}"


class MeetingNote(TimeStampedModel):
    """What the meeting said about one family. Family support data, recorded by the team of
    whoever wrote it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notes")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")

    category: str = DataCategory.FAMILY_SUPPORT
    is_sealed = False
    person_id: int | None = None  # about the family as a whole

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Meeting note {self.pk}"


class MeetingAction(TimeStampedModel):
    """Something agreed at a meeting, with an owner and a due date; open ones carry over to
    the next meeting of the same two teams."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")

    category: str = DataCategory.FAMILY_SUPPORT
    is_sealed = False
    person_id: int | None = None  # about the family as a whole

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Meeting action {self.pk}"
