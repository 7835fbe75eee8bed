"""Reads for children's centre activity: only a family hub's own team, only families it may
see, every family shown audited."""

from __future__ import annotations

import datetime as dt

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.activities import selectors
from beststart.activities.models import BookingStatus, Programme, Session
from beststart.activities.tests.conftest import at
from beststart.activities.tests.factories import (
    AttendanceFactory,
    BookingFactory,
    CentreRegistrationFactory,
    ProgrammeFactory,
    SessionFactory,
)
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Involvement
from beststart.families.tests.factories import family_with_people

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
