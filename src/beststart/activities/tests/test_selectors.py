"""Reads for children's centre activity: only a family hub's own team, only families it may
see, every family shown audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.activities import selectors
from beststart.activities.models import BookingStatus, Programme, Session
from beststart.activities.tests.conftest import Partnership, at
from beststart.activities.tests.factories import (
    AttendanceFactory,
    BookingFactory,
    CentreRegistrationFactory,
    MeetingActionFactory,
    MeetingFactory,
    MeetingNoteFactory,
    ProgrammeFactory,
    SessionFactory,
)
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Involvement
from beststart.families.tests.factories import family_with_people

# Programmes, sessions, bookings and registers


pytestmark = pytest.mark.django_db


def listed_families(actor: Actor) -> set[int]:
    return set(
        AuditEvent.objects.filter(
            user_id=actor.user.pk,
            action=AccessAction.LIST,
            category=DataCategory.FAMILY_SUPPORT,
            outcome=Outcome.ALLOWED,
        ).values_list("family_id", flat=True)
    )


@pytest.mark.parametrize("organisation_type", list(OrganisationType))
@pytest.mark.parametrize("role", list(Role))
def test_who_runs_sessions(role: str, organisation_type: str) -> None:
    team = TeamFactory(organisation=OrganisationFactory(type=organisation_type))
    actor = make_actor(role, team)
    expected = organisation_type == OrganisationType.FAMILY_HUB and role in {
        Role.FAMILY_HUB_WORKER,
        Role.TEAM_MANAGER,
    }
    assert bool(selectors.may_run_sessions(actor)) is expected
    assert selectors.works_in_a_centre(actor) is expected


def test_the_week_counts_places_waiting_and_attendance(
    centre_worker: Actor, session: Session, programme: Programme, families: list[Family]
) -> None:
    BookingFactory(session=session, family=families[0])
    BookingFactory(session=session, family=families[1], status=BookingStatus.WAITING)
    BookingFactory(session=session, family=families[2], status=BookingStatus.CANCELLED)
    AttendanceFactory(session=session, family=families[0])
    next_month = clock.today() + dt.timedelta(weeks=3)
    far = clock.today() + dt.timedelta(weeks=9)
    coming = SessionFactory(
        programme=programme, starts_at=at(next_month, 9), ends_at=at(next_month, 10)
    )
    SessionFactory(programme=programme, starts_at=at(far, 9), ends_at=at(far, 10))
    SessionFactory()  # another team's
    week = selectors.session_week(centre_worker)
    assert week.is_current
    assert [(s.pk, s.booked, s.waiting, s.attended) for s in week.sessions] == [  # type: ignore[attr-defined]
        (session.pk, 1, 1, 1)
    ]
    assert [s.pk for s in week.upcoming] == [coming.pk]
    # In time order, whatever order the programmes' sessions were added in.
    earlier = SessionFactory(
        programme=ProgrammeFactory(team=centre_worker.team),
        starts_at=at(next_month - dt.timedelta(days=1), 18),
        ends_at=at(next_month - dt.timedelta(days=1), 19),
    )
    upcoming = selectors.session_week(centre_worker).upcoming
    assert [s.pk for s in upcoming] == [earlier.pk, coming.pk]
    assert week.programmes == [programme]
    assert not listed_families(centre_worker), "counts only: no family is named"


def test_a_session_lists_only_families_the_team_still_works_with(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    for family in families[:3]:
        BookingFactory(session=session, family=family)
    BookingFactory(session=session, family=families[3], status=BookingStatus.WAITING)
    Involvement.objects.filter(family=families[2]).update(
        started_on=clock.today() - dt.timedelta(days=90),
        ended_on=clock.today() - dt.timedelta(days=1),
    )
    detail = selectors.session_detail(centre_worker, session.pk)
    assert [line.family for line in detail.booked] == families[:2]
    assert [line.family for line in detail.waiting] == [families[3]]
    assert detail.not_shown == 1
    assert detail.is_full  # three booked, of two places: counted, though one is not named
    assert listed_families(centre_worker) == {families[0].pk, families[1].pk, families[3].pk}


def test_the_register_lists_booked_families_and_walk_ins_by_name(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    BookingFactory(session=session, family=families[1])
    BookingFactory(session=session, family=families[2], status=BookingStatus.WAITING)
    AttendanceFactory(session=session, family=families[0], walk_in=True)
    register = selectors.register(centre_worker, session.pk)
    assert [line.family for line in register.lines] == sorted(
        [families[0], families[1]], key=lambda family: family.name
    )
    walk_in = next(line for line in register.lines if line.family == families[0])
    assert walk_in.walk_in
    assert walk_in.attended
    assert not walk_in.booked
    assert register.attended == 1
    assert register.is_open
    assert not register.over_capacity


def test_another_teams_session_is_not_found(centre_worker: Actor) -> None:
    hubs = OrganisationFactory(type=OrganisationType.FAMILY_HUB)
    elsewhere = SessionFactory(programme__team=TeamFactory(organisation=hubs))
    for read in (selectors.session_for, selectors.session_detail, selectors.register):
        with pytest.raises(NotFoundOrNotAllowed):
            read(centre_worker, elsewhere.pk)


def test_a_refusal_about_a_family_is_audited_with_the_family(
    actor: Actor, families: list[Family]
) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.family_for_booking(actor, families[0].pk)
    assert AuditEvent.objects.filter(
        user_id=actor.user.pk, family_id=families[0].pk, outcome=Outcome.DENIED
    ).exists()


def test_a_walk_in_is_a_family_the_team_knows_or_one_the_check_found(
    centre_worker: Actor, team: Team, families: list[Family]
) -> None:
    known = families[0]
    unknown = family_with_people(team=team)
    assert selectors.walk_in_family(centre_worker, known.pk, found=()) == known
    assert selectors.walk_in_family(centre_worker, unknown.pk, found=[unknown.pk]) == unknown
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.walk_in_family(centre_worker, unknown.pk, found=[known.pk])
    denied = AuditEvent.objects.filter(family_id=unknown.pk, outcome=Outcome.DENIED).get()
    assert denied.basis == "not found by the identity check for this walk-in"


def test_walk_in_matches_look_across_the_register_and_show_the_minimum(
    centre_worker: Actor, session: Session, team: Team
) -> None:
    family = family_with_people(team=team, surname="Quenby")
    child = family.members.get(kind="child")
    matches = selectors.walk_in_matches(
        centre_worker,
        session,
        given_name=child.given_name,
        family_name="Quenby",
        date_of_birth=child.date_of_birth,
    )
    assert [(match.family_id, match.visible_to_actor) for match in matches] == [(family.pk, False)]
    assert AuditEvent.objects.filter(
        family_id=family.pk, action=AccessAction.IDENTITY_CHECK, outcome=Outcome.ALLOWED
    ).exists()


def test_registered_families_and_counts_by_month(
    centre_worker: Actor, centre: Team, families: list[Family]
) -> None:
    today = clock.today()
    this_month = today.replace(day=1)
    CentreRegistrationFactory(family=families[0], team=centre, registered_on=this_month)
    CentreRegistrationFactory(family=families[1], team=centre, registered_on=today)
    ended = CentreRegistrationFactory(
        family=families[2], team=centre, registered_on=this_month - dt.timedelta(days=1)
    )
    ended.ended_on = today
    ended.save()
    CentreRegistrationFactory(family=families[3])  # another centre's
    registered = selectors.registered_families(centre_worker)
    assert [entry.family for entry in registered.page.object_list] == [families[1], families[0]]
    assert registered.open_registrations == 2
    assert len(registered.by_month) == selectors.MONTHS_COUNTED
    assert registered.by_month[-1] == (this_month, 2)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    assert registered.by_month[-2] == (last_month, 1)
    assert listed_families(centre_worker) == {families[0].pk, families[1].pk}


pytestmark = pytest.mark.django_db

# Family Matters meetings


def days(count: int) -> dt.date:
    return clock.today() + dt.timedelta(days=count)


def listed(agenda: selectors.Agenda) -> set[str]:
    return {item.family.name for item in [*agenda.to_discuss, *agenda.others]}


def test_the_agenda_lists_only_the_families_both_teams_work_with(
    partnership: Partnership,
) -> None:
    for actor in (partnership.health_visitor, partnership.hub):
        agenda = selectors.agenda(actor, partnership.meeting.pk)
        assert listed(agenda) == {"Bramblewick family"}
        assert agenda.to_discuss == []  # nothing carried over or recorded yet


def test_each_family_listed_is_audited_and_no_other(partnership: Partnership) -> None:
    actor = partnership.health_visitor
    selectors.agenda(actor, partnership.meeting.pk)
    rows = AuditEvent.objects.filter(user_id=actor.user.pk, action=AccessAction.LIST)
    assert list(rows.values_list("family_id", "category", "outcome")) == [
        (partnership.shared.pk, DataCategory.IDENTITY, Outcome.ALLOWED)
    ]


def test_a_family_one_team_stops_working_with_leaves_the_agenda(
    partnership: Partnership,
) -> None:
    partnership.shared.involvements.filter(team=partnership.centre_team).update(ended_on=days(-1))
    agenda = selectors.agenda(partnership.health_visitor, partnership.meeting.pk)
    assert listed(agenda) == set()


def test_the_other_teams_notes_are_shown_only_as_far_as_consent_allows(
    partnership: Partnership,
) -> None:
    hub_note = MeetingNoteFactory(
        meeting=partnership.meeting,
        family=partnership.shared,
        team=partnership.centre_team,
        written_by=partnership.hub.user,
        text="Mum finding it hard to get out; invited to stay and play",
    )
    health_visitor = partnership.health_visitor

    def notes_seen() -> list[str]:
        agenda = selectors.agenda(health_visitor, partnership.meeting.pk)
        return [note.text for item in agenda.to_discuss for note in item.notes]

    # Without consent the health visitors do not see the centre's family support notes:
    # the family stays on the agenda, the note does not show, and the refusal is audited.
    assert notes_seen() == []
    assert listed(selectors.agenda(health_visitor, partnership.meeting.pk)) == {
        "Bramblewick family"
    }
    assert AuditEvent.objects.filter(
        user_id=health_visitor.user.pk,
        family_id=partnership.shared.pk,
        category=DataCategory.FAMILY_SUPPORT,
        outcome=Outcome.DENIED,
    ).exists()

    consent = partnership.consent_for(OrganisationType.HEALTH_VISITING_SERVICE)
    assert notes_seen() == [hub_note.text]

    consent.withdrawn_at = clock.now()
    consent.save()
    assert notes_seen() == []
    # The centre still sees what it recorded.
    hub_agenda = selectors.agenda(partnership.hub, partnership.meeting.pk)
    assert [note.text for item in hub_agenda.to_discuss for note in item.notes] == [hub_note.text]


def test_an_open_action_carries_over_and_a_done_one_does_not(partnership: Partnership) -> None:
    first = partnership.meet(-56)
    second = partnership.meet(-28)
    common = {
        "meeting": first,
        "family": partnership.shared,
        "team": partnership.health_team,
        "owner": partnership.health_visitor.user,
    }
    MeetingActionFactory(**common, description="Refer to speech and language", due_on=days(-42))
    MeetingActionFactory(**common, description="Book the 1-year review", done_on=days(-40))
    MeetingActionFactory(**common, description="Visit at home", due_on=days(-30), done_on=days(-20))
    MeetingActionFactory(  # another pair of teams' meeting carries nothing over here
        meeting=MeetingFactory(health_team=partnership.health_team, held_on=days(-56)),
        family=partnership.shared,
        team=partnership.health_team,
    )

    def carried(meeting_id: int) -> list[tuple[str, dt.date | None, bool]]:
        agenda = selectors.agenda(partnership.health_visitor, meeting_id)
        return [
            (view.action.description, view.carried_from, view.overdue)
            for item in agenda.to_discuss
            for view in item.carried_over
        ]

    assert carried(second.pk) == [
        ("Refer to speech and language", first.held_on, True),
        ("Visit at home", first.held_on, False),  # open at the time; done since
    ]
    assert carried(partnership.meeting.pk) == [("Refer to speech and language", days(-56), True)]
    assert carried(first.pk) == []  # nothing is carried back to an earlier meeting
    agenda = selectors.agenda(partnership.health_visitor, first.pk)
    agreed = [view.action.description for item in agenda.to_discuss for view in item.actions]
    assert agreed == ["Refer to speech and language", "Visit at home", "Book the 1-year review"]


@given(
    gaps=st.lists(st.integers(min_value=1, max_value=60), min_size=2, max_size=6),
    agreed_at=st.integers(min_value=0, max_value=5),
    done_after=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
)
def test_an_action_is_carried_over_to_every_later_meeting_until_it_is_done(
    partnership: Partnership, gaps: list[int], agreed_at: int, done_after: int | None
) -> None:
    """Whatever the meetings' dates and whenever the action is done, it is on the agenda of
    exactly the later meetings held on or before the day it was done (all of them if it is
    still open), and of no earlier one."""
    with transaction.atomic():  # each example leaves the database as it found it
        start = -sum(gaps) - 1
        dates = [days(start + sum(gaps[:index])) for index in range(len(gaps) + 1)]
        meetings = [partnership.meet(0) for _ in dates]
        for meeting, day in zip(meetings, dates, strict=True):
            meeting.held_on = day
            meeting.save()
        agreed_at = min(agreed_at, len(meetings) - 1)
        done_on = (
            None
            if done_after is None
            else min(dates[agreed_at] + dt.timedelta(done_after), days(0))
        )
        action = MeetingActionFactory(
            meeting=meetings[agreed_at],
            family=partnership.shared,
            team=partnership.health_team,
            owner=partnership.health_visitor.user,
            done_on=done_on,
        )
        shown_at = [
            index
            for index, meeting in enumerate(meetings)
            if any(
                view.action.pk == action.pk
                for item in selectors.agenda(partnership.health_visitor, meeting.pk).to_discuss
                for view in item.carried_over
            )
        ]
        expected = [
            index
            for index in range(agreed_at + 1, len(meetings))
            if done_on is None or dates[index] <= done_on
        ]
        assert shown_at == expected
        transaction.set_rollback(True)


def test_the_meetings_of_the_actors_team_upcoming_first_then_the_latest(
    partnership: Partnership, stranger: Actor
) -> None:
    earliest = partnership.meet(-56)
    past = partnership.meet(-28)
    MeetingActionFactory(meeting=past, family=partnership.shared, team=partnership.centre_team)
    MeetingActionFactory(
        meeting=past, family=partnership.shared, team=partnership.centre_team, done_on=days(-1)
    )
    later = partnership.meet(28)
    with_another_team = MeetingFactory(
        health_team=stranger.team, centre_team=partnership.centre_team, held_on=days(7)
    )

    health_visitors = selectors.meetings(partnership.health_visitor)
    assert [row.meeting for row in health_visitors.upcoming] == [partnership.meeting, later]
    assert [(row.meeting, row.open_actions) for row in health_visitors.past] == [
        (past, 1),
        (earliest, 0),
    ]
    assert health_visitors.past[0].partner == partnership.centre_team
    centre = selectors.meetings(partnership.hub)
    assert [(row.meeting, row.partner) for row in centre.upcoming] == [
        (partnership.meeting, partnership.health_team),
        (with_another_team, stranger.team),
        (later, partnership.health_team),
    ]
    assert [row.meeting for row in selectors.meetings(stranger).upcoming] == [with_another_team]


@pytest.mark.parametrize(
    "role",
    [Role.GP_PRACTICE_STAFF, Role.SCHOOL_STAFF, Role.MIDWIFE, Role.COMMISSIONER],
)
def test_only_health_visitors_centre_workers_and_managers_hold_meetings(
    partnership: Partnership, role: str
) -> None:
    """Even as a member of the health visiting team, another role may not open a meeting."""
    member = make_actor(role, partnership.health_team)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.agenda(member, partnership.meeting.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.meetings(member)


def test_a_manager_of_either_team_opens_the_meeting(partnership: Partnership) -> None:
    manager = make_actor(Role.TEAM_MANAGER, partnership.health_team)
    assert listed(selectors.agenda(manager, partnership.meeting.pk)) == {"Bramblewick family"}


def test_a_team_not_at_the_meeting_gets_not_found(
    partnership: Partnership, stranger: Actor
) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.agenda(stranger, partnership.meeting.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.agenda(partnership.health_visitor, partnership.meeting.pk + 1000)


def test_the_owner_or_the_recording_team_marks_an_action_done(partnership: Partnership) -> None:
    partnership.consent_for(OrganisationType.HEALTH_VISITING_SERVICE)
    action = MeetingActionFactory(
        meeting=partnership.meeting,
        family=partnership.shared,
        team=partnership.centre_team,
        owner=partnership.health_visitor.user,
    )
    colleague = make_actor(Role.FAMILY_HUB_WORKER, partnership.centre_team)
    other_health_visitor = make_actor(Role.HEALTH_VISITOR, partnership.health_team)

    assert selectors.may_mark_done(partnership.health_visitor, action).rule == "action_owner"
    assert selectors.may_mark_done(colleague, action).rule == "action_team"
    assert not selectors.may_mark_done(other_health_visitor, action)

    meeting, view = selectors.action_for_update(
        partnership.health_visitor, partnership.meeting.pk, action.pk
    )
    assert (meeting, view.action) == (partnership.meeting, action)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.action_for_update(other_health_visitor, partnership.meeting.pk, action.pk)
    assert AuditEvent.objects.filter(
        user_id=other_health_visitor.user.pk,
        family_id=partnership.shared.pk,
        action=AccessAction.UPDATE,
        outcome=Outcome.DENIED,
        basis=selectors.DENY_ACTION_NOT_OWNER.basis,
    ).exists()


def test_an_action_the_actor_may_not_see_cannot_be_opened(partnership: Partnership) -> None:
    """The centre's action, owned by a colleague, without the family's consent to share
    family support information with the health visitors."""
    action = MeetingActionFactory(
        meeting=partnership.meeting, family=partnership.shared, team=partnership.centre_team
    )
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.action_for_update(partnership.health_visitor, partnership.meeting.pk, action.pk)


def test_an_action_is_reached_only_through_its_meeting_or_a_later_one(
    partnership: Partnership,
) -> None:
    earlier = partnership.meet(-28)
    action = MeetingActionFactory(
        meeting=partnership.meeting,
        family=partnership.shared,
        team=partnership.health_team,
        owner=partnership.health_visitor.user,
    )
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.action_for_update(partnership.health_visitor, earlier.pk, action.pk)
    later = partnership.meet(28)
    _, view = selectors.action_for_update(partnership.health_visitor, later.pk, action.pk)
    assert view.carried_from == partnership.meeting.held_on
