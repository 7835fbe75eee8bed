"""The county's children's centres: a year of every kind of programme, reach through
registration, bookings with waiting lists, registers with walk-ins, all on the chronology, and
what the demo's family hub sign-in needs to show the register and the waiting list."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from beststart.accounts.models import User
from beststart.activities.models import (
    Attendance,
    Booking,
    BookingStatus,
    CentreRegistration,
    Programme,
    ProgrammeKind,
    Session,
)
from beststart.demo.activities import TODAYS_FAMILIES
from beststart.demo.county import build_county
from beststart.families.models import ChronologyEvent, EventKind, Involvement, PersonKind
from beststart.sharing.policy import active_involvements

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 3)  # a Wednesday: the demo hub's Stay and Play is on Mondays


def _describe() -> list[Any]:
    return list(
        Booking.objects.order_by("id").values_list(
            "session__programme__name", "session__starts_at", "family__name", "status"
        )
    ) + list(
        Attendance.objects.order_by("id").values_list(
            "session__starts_at", "family__name", "walk_in"
        )
    )


def test_the_same_seed_builds_the_same_centres() -> None:
    """First in the module: before the module's county is built."""
    built = []
    for _ in range(2):
        with transaction.atomic():
            build_county(families=30, seed=11, today=TODAY)
            built.append(_describe())
            transaction.set_rollback(True)
    assert built[0] == built[1]
    assert built[0]


@pytest.fixture(scope="module")
def county(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        build_county(families=400, seed=5, today=TODAY)
        yield
        transaction.set_rollback(True)


def on(session: Session) -> dt.date:
    return timezone.localdate(session.starts_at)


@pytest.mark.usefixtures("county")
def test_every_hub_runs_every_kind_of_programme_for_a_year() -> None:
    teams = Programme.objects.values("team").annotate(kinds=Count("kind", distinct=True))
    assert len(teams) == 9
    assert all(team["kinds"] == len(ProgrammeKind) for team in teams)
    days = [on(session) for session in Session.objects.all()]
    assert min(days) >= TODAY - dt.timedelta(weeks=52)
    assert min(days) < TODAY - dt.timedelta(weeks=50)
    assert TODAY + dt.timedelta(weeks=3) < max(days) <= TODAY + dt.timedelta(weeks=4)


@pytest.mark.usefixtures("county")
def test_about_sixty_percent_of_families_with_under_fives_register() -> None:
    under_five = TODAY - dt.timedelta(days=5 * 365)
    families = set(
        Involvement.objects.filter(
            family__members__kind=PersonKind.CHILD,
            family__members__date_of_birth__gt=under_five,
        ).values_list("family_id", flat=True)
    )
    registered = set(CentreRegistration.objects.values_list("family_id", flat=True))
    assert registered <= families
    assert 0.5 < len(registered) / len(families) < 0.8
    # The centre works with every family it registered, so it can see them.
    for registration in CentreRegistration.objects.all():
        assert Involvement.objects.filter(
            active_involvements(TODAY), family=registration.family_id, team=registration.team_id
        ).exists()


@pytest.mark.usefixtures("county")
def test_bookings_fill_places_first_and_popular_sessions_have_waiting_lists() -> None:
    sessions = Session.objects.annotate(
        booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
        waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
    )
    assert all(session.booked <= session.capacity for session in sessions)
    assert all(not session.waiting or session.booked == session.capacity for session in sessions)
    for session in [session for session in sessions if session.waiting][:50]:
        asked = {
            status: [booking.updated_at for booking in session.bookings.filter(status=status)]
            for status in (BookingStatus.BOOKED, BookingStatus.WAITING)
        }
        assert max(asked[BookingStatus.BOOKED]) <= min(asked[BookingStatus.WAITING])
    waiting = Counter(session.programme.kind for session in sessions if session.waiting)
    assert waiting[ProgrammeKind.SPEECH_AND_LANGUAGE] > 0
    drop_in = Booking.objects.filter(session__programme__kind=ProgrammeKind.BREASTFEEDING_SUPPORT)
    assert not drop_in.exists(), "a drop-in takes no bookings"


@pytest.mark.usefixtures("county")
def test_registers_are_taken_for_past_sessions_with_some_walk_ins() -> None:
    attendances = Attendance.objects.select_related("session")
    assert attendances.filter(walk_in=True).exists()
    assert attendances.filter(walk_in=False).exists()
    assert all(on(attendance.session) < TODAY for attendance in attendances)
    booked_pairs = set(
        Booking.objects.filter(status=BookingStatus.BOOKED).values_list("session", "family")
    )
    for attendance in attendances.filter(walk_in=False)[:200]:
        assert (attendance.session_id, attendance.family_id) in booked_pairs
    assert Attendance.people.through.objects.exists()


@pytest.mark.usefixtures("county")
def test_everything_is_on_the_chronology_and_nothing_in_the_future() -> None:
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    lines = ChronologyEvent.objects.filter(
        kind__in=[EventKind.SESSION_BOOKED, EventKind.ATTENDED, EventKind.CENTRE_REGISTERED]
    )
    kinds = Counter(lines.values_list("kind", flat=True))
    assert kinds[EventKind.SESSION_BOOKED] == Booking.objects.count()
    assert kinds[EventKind.ATTENDED] == Attendance.objects.count()
    assert kinds[EventKind.CENTRE_REGISTERED] == CentreRegistration.objects.count()
    assert not lines.filter(occurred_at__gt=now).exists()
    assert set(lines.values_list("category", flat=True)) == {"family_support"}


@pytest.mark.usefixtures("county")
def test_the_demo_hub_has_a_register_to_take_today_and_a_waiting_list() -> None:
    team = User.objects.get(username="family.hub").memberships.get().team
    registered = CentreRegistration.objects.filter(team=team).count()
    sessions = Session.objects.filter(programme__team=team)
    today = [session for session in sessions if on(session) == TODAY]
    stay_and_play = next(s for s in today if s.programme.kind == ProgrammeKind.STAY_AND_PLAY)
    booked = stay_and_play.bookings.filter(status=BookingStatus.BOOKED).count()
    assert booked == min(TODAYS_FAMILIES, registered)
    assert not stay_and_play.attendances.exists(), "the register is the demo's to take"
    full = [
        session
        for session in sessions.filter(starts_at__date__gt=TODAY)
        if session.bookings.filter(status=BookingStatus.WAITING).exists()
    ]
    assert full
    assert full[0].bookings.filter(status=BookingStatus.BOOKED).count() == full[0].capacity
