"""Factories for children's centre programmes, sessions, bookings, registers and meetings."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.tests.factories import TeamFactory, UserFactory
from beststart.activities.models import (
    Attendance,
    Booking,
    BookingStatus,
    CentreRegistration,
    Meeting,
    MeetingAction,
    MeetingNote,
    Programme,
    ProgrammeKind,
    Session,
)
from beststart.core import clock
from beststart.families.tests.factories import FamilyFactory


class ProgrammeFactory(DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Stay and Play {n}")
    kind = ProgrammeKind.STAY_AND_PLAY


class SessionFactory(DjangoModelFactory[Session]):
    """Tomorrow morning, ten families."""

    class Meta:
        model = Session

    programme = factory.SubFactory(ProgrammeFactory)
    starts_at = factory.LazyFunction(lambda: clock.now() + dt.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + dt.timedelta(hours=2))
    venue = "The hall"
    capacity = 10


class BookingFactory(DjangoModelFactory[Booking]):
    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    family = factory.SubFactory(FamilyFactory)
    status = BookingStatus.BOOKED
    booked_by = factory.SubFactory(UserFactory)


class AttendanceFactory(DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    family = factory.SubFactory(FamilyFactory)
    recorded_by = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("session.programme.team")


class CentreRegistrationFactory(DjangoModelFactory[CentreRegistration]):
    class Meta:
        model = CentreRegistration

    family = factory.SubFactory(FamilyFactory)
    team = factory.SubFactory(TeamFactory)
    registered_on = factory.LazyFunction(clock.today)
    registered_by = factory.SubFactory(UserFactory)


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    centre_team = factory.SubFactory(TeamFactory)
    health_team = factory.SubFactory(TeamFactory)
    held_on = factory.LazyFunction(clock.today)
    created_by = factory.SubFactory(UserFactory)


class MeetingNoteFactory(DjangoModelFactory[MeetingNote]):
    class Meta:
        model = MeetingNote

    meeting = factory.SubFactory(MeetingFactory)
    family = factory.SubFactory(FamilyFactory)
    text = "Discussed: settling in well at stay and play"
    written_by = factory.SubFactory(UserFactory)
    team = factory.SelfAttribute("meeting.centre_team")


class MeetingActionFactory(DjangoModelFactory[MeetingAction]):
    class Meta:
        model = MeetingAction

    meeting = factory.SubFactory(MeetingFactory)
    family = factory.SubFactory(FamilyFactory)
    description = "Invite to the speech and language group"
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: clock.today() + dt.timedelta(days=14))
    team = factory.SelfAttribute("meeting.centre_team")
