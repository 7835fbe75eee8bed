"""Writes for children's centre activity: bookings and the waiting list, the register, walk-ins
and registration, each refused to anyone but the centre's own team, audited, and written on the
family's chronology as family support."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import UserFactory, make_actor
from beststart.activities import actions
from beststart.activities.actions import SessionDetails
from beststart.activities.models import (
    Attendance,
    Booking,
    BookingStatus,
    CentreRegistration,
    Meeting,
    MeetingAction,
    MeetingNote,
    Programme,
    Session,
)
from beststart.activities.tests.conftest import Partnership, at
from beststart.activities.tests.factories import (
    BookingFactory,
    CentreRegistrationFactory,
    MeetingActionFactory,
    ProgrammeFactory,
    SessionFactory,
)
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import ChronologyEvent, EventKind, Family, Involvement, PersonKind
from beststart.families.tests.factories import InvolvementFactory, family_with_people
from beststart.sharing.access import Refused

# Programmes, sessions, bookings and registers


pytestmark = pytest.mark.django_db


def lines(family: Family, kind: str) -> list[str]:
    return list(
        ChronologyEvent.objects.filter(family=family, kind=kind)
        .order_by("id")
        .values_list("summary", flat=True)
    )


def statuses(session: Session) -> dict[int, str]:
    return dict(Booking.objects.filter(session=session).values_list("family_id", "status"))


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


def test_a_programme_is_created_for_the_actors_team(centre_worker: Actor) -> None:
    programme = actions.create_programme(
        actor=centre_worker, name=" Tiny Talkers ", kind="speech_and_language"
    )
    assert (programme.team, programme.name) == (centre_worker.team, "Tiny Talkers")
    with pytest.raises(ValidationError) as refused:
        actions.create_programme(actor=centre_worker, name="tiny talkers", kind="stay_and_play")
    assert refused.value.message_dict["name"] == [
        "Your team already runs a programme called tiny talkers"
    ]


def _details(programme: Programme, **changes: object) -> SessionDetails:
    day = clock.today() + dt.timedelta(days=3)
    values: dict[str, object] = {
        "programme": programme,
        "starts_at": at(day, 10),
        "ends_at": at(day, 12),
        "venue": "Main hall",
        "capacity": 20,
        **changes,
    }
    return SessionDetails(**values)  # type: ignore[arg-type]


def test_a_session_with_its_staff(centre_worker: Actor, programme: Programme) -> None:
    colleague = make_actor(Role.FAMILY_HUB_WORKER, centre_worker.team)
    session = actions.add_session(
        actor=centre_worker,
        details=_details(programme, staff=[centre_worker.user, colleague.user]),
    )
    assert set(session.staff.all()) == {centre_worker.user, colleague.user}
    assert session.capacity == 20


def test_a_session_in_the_past_is_allowed_so_its_register_can_be_taken(
    centre_worker: Actor, programme: Programme
) -> None:
    day = clock.today() - dt.timedelta(days=10)
    session = actions.add_session(
        actor=centre_worker,
        details=_details(programme, starts_at=at(day, 10), ends_at=at(day, 11)),
    )
    assert session.starts_at < clock.now()


def test_session_errors_are_given_by_field(
    centre_worker: Actor, programme: Programme, actor: Actor
) -> None:
    day = clock.today()
    with pytest.raises(ValidationError) as refused:
        actions.add_session(
            actor=centre_worker,
            details=_details(
                programme,
                starts_at=at(day, 11),
                ends_at=at(day, 10),
                capacity=0,
                staff=[actor.user],  # a health visitor: not in the centre's team
            ),
        )
    assert refused.value.message_dict == {
        "ends": ["The end time must be after the start time"],
        "capacity": ["The session must take at least 1 family"],
        "staff": ["Choose staff who work in your team"],
    }
    assert not Session.objects.exists()


def test_another_teams_programme_is_not_found(centre_worker: Actor) -> None:
    elsewhere = ProgrammeFactory()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_session(actor=centre_worker, details=_details(elsewhere))


# ---------------------------------------------------------------------------------------------
# Bookings and the waiting list


def test_booking_fills_the_places_then_the_waiting_list(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    bookings = [
        actions.book(actor=centre_worker, session=session, family=family) for family in families
    ]
    assert [booking.status for booking in bookings] == ["booked", "booked", "waiting", "waiting"]
    assert lines(families[0], EventKind.SESSION_BOOKED) == [
        f"Booked on {actions.describe(session)}"
    ]
    assert lines(families[2], EventKind.SESSION_BOOKED) == [
        f"On the waiting list for {actions.describe(session)}"
    ]
    event = ChronologyEvent.objects.filter(kind=EventKind.SESSION_BOOKED).first()
    assert event is not None
    assert (event.category, event.team) == (DataCategory.FAMILY_SUPPORT, centre_worker.team)
    updates = AuditEvent.objects.filter(
        action=AccessAction.UPDATE, category=DataCategory.FAMILY_SUPPORT, outcome=Outcome.ALLOWED
    )
    assert set(updates.values_list("family_id", flat=True)) == {family.pk for family in families}


def test_a_family_cannot_be_booked_twice(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    family = families[0]
    actions.book(actor=centre_worker, session=session, family=family)
    with pytest.raises(ValidationError) as refused:
        actions.book(actor=centre_worker, session=session, family=family)
    assert refused.value.message_dict["family"] == [
        f"The {family.name} already has a place on this session"
    ]
    assert Booking.objects.count() == 1
    assert len(lines(family, EventKind.SESSION_BOOKED)) == 1


def test_cancelling_a_place_offers_it_to_the_first_on_the_waiting_list(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    first, _second, third, fourth = (
        actions.book(actor=centre_worker, session=session, family=family) for family in families
    )
    cancelled = actions.cancel_booking(actor=centre_worker, booking=first)
    assert cancelled.promoted == third
    assert statuses(session) == {
        families[0].pk: "cancelled",
        families[1].pk: "booked",
        families[2].pk: "booked",
        families[3].pk: "waiting",
    }
    assert lines(families[2], EventKind.SESSION_BOOKED)[-1] == (
        f"Offered a place from the waiting list: {actions.describe(session)}"
    )
    # Taking someone off the waiting list frees no place.
    assert actions.cancel_booking(actor=centre_worker, booking=fourth).promoted is None


def test_booking_again_after_cancelling_joins_the_back_of_the_queue(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    bookings = [
        actions.book(actor=centre_worker, session=session, family=family) for family in families
    ]
    actions.cancel_booking(actor=centre_worker, booking=bookings[3])  # leaves the waiting list
    again = actions.book(actor=centre_worker, session=session, family=families[3])
    assert again.pk == bookings[3].pk
    assert again.status == BookingStatus.WAITING
    actions.cancel_booking(actor=centre_worker, booking=bookings[0])
    assert statuses(session)[families[2].pk] == "booked"  # still before the returning family
    assert statuses(session)[families[3].pk] == "waiting"


def test_the_place_skips_a_waiting_family_the_team_no_longer_works_with(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    bookings = [
        actions.book(actor=centre_worker, session=session, family=family) for family in families
    ]
    Involvement.objects.filter(family=families[2]).update(
        started_on=clock.today() - dt.timedelta(days=60),
        ended_on=clock.today() - dt.timedelta(days=1),
    )
    cancelled = actions.cancel_booking(actor=centre_worker, booking=bookings[0])
    assert cancelled.promoted == bookings[3]


def test_a_past_session_takes_no_bookings(
    centre_worker: Actor, programme: Programme, families: list[Family]
) -> None:
    yesterday = clock.today() - dt.timedelta(days=1)
    past = SessionFactory(
        programme=programme, starts_at=at(yesterday, 10), ends_at=at(yesterday, 11)
    )
    with pytest.raises(ValidationError, match="already taken place"):
        actions.book(actor=centre_worker, session=past, family=families[0])


@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["book", "cancel"]), st.integers(min_value=0, max_value=4)),
        max_size=14,
    )
)
def test_the_waiting_list_is_first_come_first_served_whatever_happens(
    centre_worker: Actor, programme: Programme, steps: list[tuple[str, int]]
) -> None:
    """Whatever the order of bookings and cancellations: never more booked than places, no one
    waiting while a place is free, and the places go in the order families asked for them."""
    session = SessionFactory(programme=programme, capacity=2)
    families = [family_with_people(team=centre_worker.team) for _ in range(5)]
    queue: list[int] = []  # who asked, in order, and is still asking
    for step, index in steps:
        family = families[index]
        live = Booking.objects.filter(session=session, family=family).exclude(
            status=BookingStatus.CANCELLED
        )
        if step == "book":
            if live.exists():
                with pytest.raises(ValidationError):
                    actions.book(actor=centre_worker, session=session, family=family)
            else:
                actions.book(actor=centre_worker, session=session, family=family)
                queue.append(family.pk)
        elif live.exists():
            booking = live.select_related("session__programme", "family").get()
            actions.cancel_booking(actor=centre_worker, booking=booking)
            queue.remove(family.pk)
        now = statuses(session)
        booked = [pk for pk in queue if now[pk] == BookingStatus.BOOKED]
        waiting = [pk for pk in queue if now[pk] == BookingStatus.WAITING]
        assert len(booked) <= session.capacity
        assert not waiting or len(booked) == session.capacity
        assert len(booked) + len(waiting) == len(queue)
        # Everyone waiting asked after everyone booked, apart from families booked before a
        # place came free, who keep theirs: waiting is always the tail of the queue.
        assert queue[len(queue) - len(waiting) :] == waiting


# ---------------------------------------------------------------------------------------------
# The register


def _book_all(actor: Actor, session: Session, families: list[Family]) -> None:
    for family in families:
        BookingFactory(session=session, family=family, booked_by=actor.user)


def test_saving_a_register_twice_makes_no_duplicates(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    _book_all(centre_worker, session, families[:2])
    child = families[0].members.get(kind=PersonKind.CHILD)
    shown = {family.pk for family in families[:2]}
    ticks = {families[0].pk: {child.pk}, families[1].pk: set()}
    first = actions.save_register(actor=centre_worker, session=session, shown=shown, attended=ticks)
    second = actions.save_register(
        actor=centre_worker, session=session, shown=shown, attended=ticks
    )
    assert (first.added, first.attended) == (2, 2)
    assert (second.added, second.removed, second.attended) == (0, 0, 2)
    assert Attendance.objects.filter(session=session).count() == 2
    attendance = Attendance.objects.get(session=session, family=families[0])
    assert list(attendance.people.all()) == [child]
    assert not attendance.walk_in
    assert lines(families[0], EventKind.ATTENDED) == [f"Attended: {actions.describe(session)}"]
    event = ChronologyEvent.objects.get(family=families[0], kind=EventKind.ATTENDED)
    assert event.occurred_at == session.starts_at
    assert event.category == DataCategory.FAMILY_SUPPORT


def test_unticking_removes_the_attendance_and_says_so_on_the_chronology(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    _book_all(centre_worker, session, families[:2])
    shown = {family.pk for family in families[:2]}
    everyone = {pk: set[int]() for pk in shown}
    actions.save_register(actor=centre_worker, session=session, shown=shown, attended=everyone)
    saved = actions.save_register(
        actor=centre_worker, session=session, shown=shown, attended={families[1].pk: set()}
    )
    assert (saved.removed, saved.attended) == (1, 1)
    actions.save_register(actor=centre_worker, session=session, shown=shown, attended=everyone)
    described = actions.describe(session)
    assert lines(families[0], EventKind.ATTENDED) == [
        f"Attended: {described}",
        f"Register corrected, did not attend: {described}",
        f"Attended: {described}",
    ]
    assert lines(families[1], EventKind.ATTENDED) == [f"Attended: {described}"]


def test_unticking_leaves_families_the_page_did_not_show(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    """Two practitioners at the door: a family added by one after the other opened the
    register stays when the other saves."""
    _book_all(centre_worker, session, families[:2])
    actions.save_register(
        actor=centre_worker,
        session=session,
        shown={families[1].pk},
        attended={families[1].pk: set()},
    )
    actions.save_register(actor=centre_worker, session=session, shown={families[0].pk}, attended={})
    assert Attendance.objects.filter(session=session, family=families[1]).exists()


def test_a_register_over_capacity_is_saved_with_a_warning(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    _book_all(centre_worker, session, families[:2])
    actions.add_walk_in(actor=centre_worker, session=session, family=families[2], in_person=False)
    shown = {family.pk for family in families[:3]}
    saved = actions.save_register(
        actor=centre_worker, session=session, shown=shown, attended={pk: set() for pk in shown}
    )
    assert saved.over_capacity
    assert (saved.attended, saved.capacity) == (3, 2)


def test_a_register_takes_only_families_on_it_and_their_own_children(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    _book_all(centre_worker, session, families[:1])
    with pytest.raises(NotFoundOrNotAllowed):
        actions.save_register(
            actor=centre_worker,
            session=session,
            shown={families[3].pk},
            attended={families[3].pk: set()},
        )
    someone_elses = families[1].members.get(kind=PersonKind.CHILD)
    with pytest.raises(ValidationError, match="Choose children of the family"):
        actions.save_register(
            actor=centre_worker,
            session=session,
            shown={families[0].pk},
            attended={families[0].pk: {someone_elses.pk}},
        )
    assert not Attendance.objects.exists()


def test_the_register_opens_on_the_day(
    centre_worker: Actor, programme: Programme, families: list[Family]
) -> None:
    tomorrow = clock.today() + dt.timedelta(days=1)
    later = SessionFactory(programme=programme, starts_at=at(tomorrow, 9), ends_at=at(tomorrow, 10))
    _book_all(centre_worker, later, families[:1])
    with pytest.raises(ValidationError, match="opens on the day"):
        actions.save_register(
            actor=centre_worker,
            session=later,
            shown={families[0].pk},
            attended={families[0].pk: set()},
        )


# ---------------------------------------------------------------------------------------------
# Walk-ins


def test_a_walk_in_the_centre_knows_is_added_and_registered(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    family = families[0]
    added = actions.add_walk_in(
        actor=centre_worker, session=session, family=family, in_person=False
    )
    assert added.attendance.walk_in
    assert (added.newly_involved, added.newly_registered) == (False, True)
    assert CentreRegistration.objects.get(family=family).team == centre_worker.team
    assert lines(family, EventKind.CENTRE_REGISTERED) == [
        f"Registered with {session.programme.team}"
    ]
    assert lines(family, EventKind.ATTENDED) == [f"Attended: {actions.describe(session)}"]
    again = actions.add_walk_in(
        actor=centre_worker, session=session, family=family, in_person=False
    )
    assert again.attendance == added.attendance
    assert not again.newly_registered
    assert len(lines(family, EventKind.ATTENDED)) == 1


def test_a_booked_family_added_at_the_door_is_not_a_walk_in(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    _book_all(centre_worker, session, families[:1])
    added = actions.add_walk_in(
        actor=centre_worker, session=session, family=families[0], in_person=False
    )
    assert not added.attendance.walk_in


def test_a_walk_in_new_to_the_centre_registers_in_person(
    centre_worker: Actor, session: Session, world: object, team: Team
) -> None:
    family = family_with_people(team=team)  # only the health visitors know them
    with pytest.raises(ValidationError) as refused:
        actions.add_walk_in(actor=centre_worker, session=session, family=family, in_person=False)
    assert "in_person" in refused.value.message_dict
    assert not Involvement.objects.filter(family=family, team=centre_worker.team).exists()

    added = actions.add_walk_in(actor=centre_worker, session=session, family=family, in_person=True)
    assert added.newly_involved
    assert added.newly_registered
    assert added.attendance.walk_in
    involvement = Involvement.objects.get(family=family, team=centre_worker.team)
    assert involvement.is_active_on(clock.today())
    assert AuditEvent.objects.filter(
        family_id=family.pk,
        basis="family registered in person at a children's centre",
        outcome=Outcome.ALLOWED,
    ).exists()


def test_only_a_centre_registers_a_walk_in(
    actor: Actor, session: Session, centre: Team, team: Team
) -> None:
    """A health visitor cannot use the walk-in path to reach a family."""
    family = family_with_people(team=centre)
    with pytest.raises(Refused):
        actions.add_walk_in(actor=actor, session=session, family=family, in_person=True)
    assert not Attendance.objects.exists()
    assert not Involvement.objects.filter(family=family, team=team).exists()
    assert AuditEvent.objects.filter(user_id=actor.user.pk, outcome=Outcome.DENIED).exists()


# ---------------------------------------------------------------------------------------------
# Registration with a centre


def test_one_open_registration_per_centre(centre_worker: Actor, families: list[Family]) -> None:
    family = families[0]
    registered_on = clock.today() - dt.timedelta(days=40)
    registration = actions.register_family(
        actor=centre_worker, family=family, registered_on=registered_on
    )
    with pytest.raises(ValidationError) as refused:
        actions.register_family(actor=centre_worker, family=family, registered_on=clock.today())
    assert refused.value.message_dict["registered_on"] == [
        f"The {family.name} is already registered with {centre_worker.team.name}, since "
        f"{registered_on.day} {registered_on:%B %Y}"
    ]
    event = ChronologyEvent.objects.get(family=family, kind=EventKind.CENTRE_REGISTERED)
    assert event.occurred_at.date() == registered_on
    assert event.category == DataCategory.FAMILY_SUPPORT

    with pytest.raises(ValidationError, match="on or after the date the family registered"):
        actions.end_registration(
            actor=centre_worker,
            registration=registration,
            ended_on=registered_on - dt.timedelta(days=1),
        )
    actions.end_registration(actor=centre_worker, registration=registration, ended_on=clock.today())
    again = actions.register_family(actor=centre_worker, family=family, registered_on=clock.today())
    assert again.pk != registration.pk
    assert lines(family, EventKind.CENTRE_REGISTERED)[1] == (
        f"Registration with {centre_worker.team.name} ended"
    )


def test_a_registration_cannot_start_in_the_future(
    centre_worker: Actor, families: list[Family]
) -> None:
    with pytest.raises(ValidationError, match="today or in the past"):
        actions.register_family(
            actor=centre_worker,
            family=families[0],
            registered_on=clock.today() + dt.timedelta(days=1),
        )


def test_another_centres_registration_cannot_be_ended(
    centre_worker: Actor, families: list[Family]
) -> None:
    elsewhere = CentreRegistrationFactory(family=families[0])
    with pytest.raises(NotFoundOrNotAllowed):
        actions.end_registration(
            actor=centre_worker, registration=elsewhere, ended_on=clock.today()
        )


@pytest.mark.parametrize("role", [Role.HEALTH_VISITOR, Role.GP_PRACTICE_STAFF, Role.MIDWIFE])
def test_health_staff_cannot_manage_sessions(
    role: str, session: Session, families: list[Family], centre: Team
) -> None:
    """Even in the centre's own team (and so working with its families), only family hub
    workers and their managers run sessions; everyone else is refused, and it is audited."""
    outsider = make_actor(role, centre)
    for write in (
        lambda: actions.book(actor=outsider, session=session, family=families[0]),
        lambda: actions.register_family(
            actor=outsider, family=families[0], registered_on=clock.today()
        ),
        lambda: actions.create_programme(actor=outsider, name="Anything", kind="stay_and_play"),
    ):
        with pytest.raises(Refused):
            write()
    assert not Booking.objects.exists()
    assert not CentreRegistration.objects.exists()
    assert AuditEvent.objects.filter(user_id=outsider.user.pk, outcome=Outcome.DENIED).count() == 3


pytestmark = pytest.mark.django_db

# Family Matters meetings


def days(count: int) -> dt.date:
    return clock.today() + dt.timedelta(days=count)


def written() -> tuple[int, int, int]:
    return (
        MeetingNote.objects.count(),
        MeetingAction.objects.count(),
        ChronologyEvent.objects.count(),
    )


def test_a_note_is_family_support_on_the_chronology_at_the_meetings_date(
    partnership: Partnership,
) -> None:
    earlier = partnership.meet(-3)
    note = actions.add_meeting_note(
        actor=partnership.hub,
        meeting=earlier,
        family=partnership.shared,
        text="  Dad has started at the parenting course  ",
    )
    assert (note.text, note.team, note.written_by) == (
        "Dad has started at the parenting course",
        partnership.centre_team,
        partnership.hub.user,
    )
    event = partnership.shared.chronology.get(kind=EventKind.DISCUSSED)
    assert event.summary == "Discussed at Family Matters: Dad has started at the parenting course"
    assert (event.category, event.team, event.is_sealed) == (
        DataCategory.FAMILY_SUPPORT,
        partnership.centre_team,
        False,
    )
    assert timezone.localtime(event.occurred_at).date() == earlier.held_on
    assert AuditEvent.objects.filter(
        user_id=partnership.hub.user.pk,
        family_id=partnership.shared.pk,
        category=DataCategory.FAMILY_SUPPORT,
        action=AccessAction.UPDATE,
        outcome=Outcome.ALLOWED,
    ).exists()


def test_a_note_written_before_the_meeting_is_not_dated_in_the_future(
    partnership: Partnership,
) -> None:
    upcoming = partnership.meet(7)
    before = clock.now()
    actions.add_meeting_note(
        actor=partnership.health_visitor,
        meeting=upcoming,
        family=partnership.shared,
        text="To discuss: missed the 12-month review",
    )
    event = partnership.shared.chronology.get(kind=EventKind.DISCUSSED)
    assert before <= event.occurred_at <= clock.now()


def test_a_note_needs_its_text(partnership: Partnership) -> None:
    before = written()
    with pytest.raises(ValidationError) as error:
        actions.add_meeting_note(
            actor=partnership.hub, meeting=partnership.meeting, family=partnership.shared, text=" "
        )
    assert error.value.message_dict == {"text": ["Enter what was discussed"]}
    assert written() == before


def test_a_note_about_a_family_not_on_the_agenda_is_refused_and_nothing_is_written(
    partnership: Partnership,
) -> None:
    """The health visitors work with the family, the centre does not."""
    before = written()
    with pytest.raises(ValidationError) as error:
        actions.add_meeting_note(
            actor=partnership.health_visitor,
            meeting=partnership.meeting,
            family=partnership.health_only,
            text="Should the centre offer a place at stay and play?",
        )
    assert list(error.value.message_dict) == ["family"]
    assert "on this meeting's agenda" in error.value.message_dict["family"][0]
    assert written() == before


def test_a_note_about_a_family_the_actors_team_does_not_work_with_is_refused_and_audited(
    partnership: Partnership,
) -> None:
    before = written()
    with pytest.raises(Refused):
        actions.add_meeting_note(
            actor=partnership.health_visitor,
            meeting=partnership.meeting,
            family=partnership.hub_only,
            text="Anything to share?",
        )
    assert written() == before
    assert AuditEvent.objects.filter(
        user_id=partnership.health_visitor.user.pk,
        family_id=partnership.hub_only.pk,
        action=AccessAction.UPDATE,
        outcome=Outcome.DENIED,
    ).exists()


def test_only_the_two_teams_write_to_a_meeting(partnership: Partnership, stranger: Actor) -> None:
    InvolvementFactory(family=partnership.shared, team=stranger.team)  # works with them too
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_meeting_note(
            actor=stranger, meeting=partnership.meeting, family=partnership.shared, text="Hello"
        )
    school = make_actor(Role.SCHOOL_STAFF, partnership.centre_team)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_meeting_note(
            actor=school, meeting=partnership.meeting, family=partnership.shared, text="Hello"
        )
    assert not MeetingNote.objects.exists()


def _add_action(partnership: Partnership, actor: Actor, **overrides: object) -> MeetingAction:
    values: dict[str, object] = {
        "actor": actor,
        "meeting": partnership.meeting,
        "family": partnership.shared,
        "description": "Invite to the speech and language group",
        "owner": actor.user,
        "due_on": days(14),
    }
    values.update(overrides)
    return actions.add_meeting_action(**values)  # type: ignore[arg-type]


def test_an_action_with_an_owner_in_either_team_and_a_due_date(partnership: Partnership) -> None:
    action = _add_action(partnership, partnership.health_visitor)
    assert (action.team, action.owner, action.due_on, action.done_on) == (
        partnership.health_team,
        partnership.health_visitor.user,
        days(14),
        None,
    )
    event = partnership.shared.chronology.get(kind=EventKind.MEETING_ACTION)
    owner = partnership.health_visitor.user.get_full_name()
    assert event.summary == (
        f"Family Matters action for {owner}, due {days(14).day} {days(14):%B %Y}: "
        "Invite to the speech and language group"
    )
    assert event.category == DataCategory.FAMILY_SUPPORT
    # The centre's worker owns one recorded by the health visitors: the centre may see the
    # health visitors' family support data once the family has agreed.
    partnership.consent_for(OrganisationType.FAMILY_HUB)
    assert _add_action(partnership, partnership.health_visitor, owner=partnership.hub.user)


def test_an_owner_outside_both_teams_is_refused(partnership: Partnership, stranger: Actor) -> None:
    for outsider in (stranger.user, UserFactory()):
        with pytest.raises(ValidationError) as error:
            _add_action(partnership, partnership.hub, owner=outsider)
        assert error.value.message_dict == {
            "owner": ["Choose someone in Riverside Family Hub or Health Visiting North"]
        }
    assert not MeetingAction.objects.exists()


def test_an_owner_who_could_not_see_the_action_is_refused(partnership: Partnership) -> None:
    """The centre records it for a health visitor, but the family has not agreed to share
    family support information with the health visitors."""
    with pytest.raises(ValidationError) as error:
        _add_action(partnership, partnership.hub, owner=partnership.health_visitor.user)
    assert "would not be able to see this action" in error.value.message_dict["owner"][0]
    partnership.consent_for(OrganisationType.HEALTH_VISITING_SERVICE)
    assert _add_action(partnership, partnership.hub, owner=partnership.health_visitor.user)


@given(offset=st.integers(min_value=-400, max_value=400))
def test_the_due_date_is_on_or_after_the_meeting(partnership: Partnership, offset: int) -> None:
    with transaction.atomic():
        due_on = partnership.meeting.held_on + dt.timedelta(days=offset)
        if offset < 0:
            with pytest.raises(ValidationError) as error:
                _add_action(partnership, partnership.hub, due_on=due_on)
            assert list(error.value.message_dict) == ["due_on"]
        else:
            assert _add_action(partnership, partnership.hub, due_on=due_on).due_on == due_on
        transaction.set_rollback(True)


def test_every_problem_with_an_action_is_reported_at_once(partnership: Partnership) -> None:
    with pytest.raises(ValidationError) as error:
        _add_action(
            partnership, partnership.hub, description="  ", owner=UserFactory(), due_on=days(-1)
        )
    assert set(error.value.message_dict) == {"description", "owner", "due_on"}


def test_an_action_for_a_family_not_on_the_agenda_is_refused(partnership: Partnership) -> None:
    with pytest.raises(ValidationError) as error:
        _add_action(partnership, partnership.health_visitor, family=partnership.health_only)
    assert list(error.value.message_dict) == ["family"]


def _centre_action_for_the_health_visitor(partnership: Partnership) -> MeetingAction:
    partnership.consent_for(OrganisationType.HEALTH_VISITING_SERVICE)
    return MeetingActionFactory(
        meeting=partnership.meet(-28),
        family=partnership.shared,
        team=partnership.centre_team,
        owner=partnership.health_visitor.user,
        due_on=days(-14),
    )


def test_the_owner_marks_an_action_done(partnership: Partnership) -> None:
    action = _centre_action_for_the_health_visitor(partnership)
    done = actions.mark_action_done(
        actor=partnership.health_visitor, action=action, done_on=days(-2)
    )
    assert done.done_on == days(-2)
    event = partnership.shared.chronology.get(kind=EventKind.MEETING_ACTION)
    assert event.summary == f"Family Matters action done: {action.description}"
    assert event.team == partnership.health_team  # who marked it
    assert timezone.localtime(event.occurred_at).date() == days(-2)


def test_someone_in_the_recording_team_marks_an_action_done(partnership: Partnership) -> None:
    action = _centre_action_for_the_health_visitor(partnership)
    colleague = make_actor(Role.FAMILY_HUB_WORKER, partnership.centre_team)
    assert actions.mark_action_done(actor=colleague, action=action, done_on=days(0)).done_on


def test_anyone_else_may_not_mark_an_action_done(partnership: Partnership) -> None:
    action = _centre_action_for_the_health_visitor(partnership)
    other = make_actor(Role.HEALTH_VISITOR, partnership.health_team)
    with pytest.raises(Refused):
        actions.mark_action_done(actor=other, action=action, done_on=days(0))
    action.refresh_from_db()
    assert action.done_on is None
    assert AuditEvent.objects.filter(
        user_id=other.user.pk, outcome=Outcome.DENIED, action=AccessAction.UPDATE
    ).exists()


@pytest.mark.parametrize(
    ("done", "field", "message"),
    [
        (-29, "done_on", "The date done must be on or after the meeting that agreed the action"),
        (1, "done_on", "The date done must be today or in the past"),
    ],
)
def test_the_date_done_is_between_the_meeting_and_today(
    partnership: Partnership, done: int, field: str, message: str
) -> None:
    action = _centre_action_for_the_health_visitor(partnership)
    with pytest.raises(ValidationError) as error:
        actions.mark_action_done(
            actor=partnership.health_visitor, action=action, done_on=days(done)
        )
    assert error.value.message_dict[field][0].startswith(message)


def test_an_action_is_marked_done_once(partnership: Partnership) -> None:
    action = _centre_action_for_the_health_visitor(partnership)
    actions.mark_action_done(actor=partnership.health_visitor, action=action, done_on=days(-1))
    with pytest.raises(ValidationError) as error:
        actions.mark_action_done(actor=partnership.health_visitor, action=action, done_on=days(0))
    assert error.value.messages == [
        f"This action was already marked done on {days(-1).day} {days(-1):%B %Y}"
    ]


def test_a_centre_plans_a_meeting_with_a_health_visiting_team(partnership: Partnership) -> None:
    meeting = actions.plan_meeting(
        actor=partnership.hub, partner=partnership.health_team, held_on=days(30)
    )
    assert (meeting.centre_team, meeting.health_team, meeting.created_by) == (
        partnership.centre_team,
        partnership.health_team,
        partnership.hub.user,
    )
    meeting = actions.plan_meeting(
        actor=partnership.health_visitor, partner=partnership.centre_team, held_on=days(58)
    )
    assert (meeting.centre_team, meeting.health_team) == (
        partnership.centre_team,
        partnership.health_team,
    )


def test_a_meeting_is_with_a_team_of_the_other_kind(
    partnership: Partnership, stranger: Actor
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.plan_meeting(
            actor=partnership.health_visitor, partner=stranger.team, held_on=days(30)
        )
    assert error.value.message_dict == {
        "partner": ["Choose a team from a children's centre or family hub"]
    }


def test_two_teams_meet_once_a_day_and_within_the_year(partnership: Partnership) -> None:
    with pytest.raises(ValidationError) as error:
        actions.plan_meeting(
            actor=partnership.hub, partner=partnership.health_team, held_on=clock.today()
        )
    assert error.value.message_dict["held_on"][0].startswith(
        "Riverside Family Hub and Health Visiting North already have a meeting on"
    )
    with pytest.raises(ValidationError) as error:
        actions.plan_meeting(
            actor=partnership.hub, partner=partnership.health_team, held_on=days(400)
        )
    assert error.value.message_dict == {
        "held_on": ["The meeting date must be within the next year"]
    }
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("role", [Role.GP_PRACTICE_STAFF, Role.SCHOOL_STAFF, Role.MIDWIFE])
def test_other_roles_do_not_plan_meetings(partnership: Partnership, role: str) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        actions.plan_meeting(
            actor=make_actor(role, partnership.health_team),
            partner=partnership.centre_team,
            held_on=days(30),
        )
