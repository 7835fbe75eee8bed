"""Reads for children's centre activity. Each takes the actor: only a family hub's own team
runs its programmes (default deny for every other role and organisation), every family shown
is one the team may see (`visible_families`), and every family shown is audited. A Family
Matters meeting is opened only by members of its two teams; its agenda lists only families
both may see.

Two sections: programmes, sessions, bookings and registers; then Family Matters meetings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team, User
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
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Involvement, Person, PersonKind
from beststart.families.selectors import IdentityMatch, identity_matches
from beststart.sharing.access import SharingGate, audit_decision, audit_shown, open_family
from beststart.sharing.policy import (
    ALLOW_INVOLVEMENT,
    ALLOW_OWN_RECORD,
    DENY_ROLE,
    Decision,
    Subject,
    active_involvements,
    families_both_teams_work_with,
    may_register_in_person,
    may_use_records,
    visible_families,
)

# Programmes, sessions, bookings and registers


# ---------------------------------------------------------------------------------------------
# Who runs a centre's sessions

CENTRE_ROLES = frozenset({Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER})
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT
UPCOMING_WEEKS = 4
REGISTERED_PER_PAGE = 25
MONTHS_COUNTED = 12


def works_in_a_centre(actor: Actor | None) -> bool:
    """For the navigation and the family record's links: no decision is counted, so a page's
    layout never stands in for the page's own policy decision."""
    return (
        actor is not None
        and actor.role in CENTRE_ROLES
        and actor.organisation.type == OrganisationType.FAMILY_HUB
    )


def may_run_sessions(actor: Actor) -> Decision:
    """A family hub worker or team manager of a family hub runs its programmes, sessions,
    registers and registrations: the policy's rule for a children's centre practitioner,
    narrowed to the roles that do this work."""
    decision = may_register_in_person(actor)
    if decision and actor.role not in CENTRE_ROLES:
        return DENY_ROLE.because("only family hub workers and their managers run sessions")
    return decision


def require_centre(actor: Actor, *, family_id: int | None = None) -> None:
    """Pages of a centre's work answer 404 to everyone else; a refusal about a family is
    audited with the family."""
    decision = may_run_sessions(actor)
    if decision:
        return
    if family_id is not None:
        audit_decision(
            actor,
            decision,
            family_id=family_id,
            person_id=None,
            category=FAMILY_SUPPORT,
            action=AccessAction.UPDATE,
        )
    raise NotFoundOrNotAllowed


def _audit_listed(actor: Actor, family_ids: Iterable[int]) -> None:
    """Families shown on a centre's page: the centre's own family support records, of
    families its team works with (`visible_families`)."""
    audit_shown(
        actor,
        ((family_id, None) for family_id in sorted(set(family_ids))),
        category=FAMILY_SUPPORT,
        action=AccessAction.LIST,
        basis=ALLOW_OWN_RECORD.basis,
    )


def _children_prefetch(lookup: str = "members") -> Prefetch[Any]:
    return Prefetch(
        lookup,
        queryset=Person.objects.filter(kind=PersonKind.CHILD).order_by("date_of_birth", "id"),
        to_attr="children",
    )


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


def programmes(actor: Actor) -> QuerySet[Programme]:
    require_centre(actor)
    return Programme.objects.filter(team=actor.team)


def team_staff(actor: Actor) -> QuerySet[User]:
    """Who may be named as a session's staff: the team's active members."""
    return (
        User.objects.filter(memberships__team=actor.team, memberships__is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


def _with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions in time order (an aggregate query ignores the model's ordering), with their
    places booked, waiting list and attendance counted."""
    return (
        sessions.select_related("programme")
        .order_by("starts_at", "id")
        .annotate(
            booked=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.BOOKED), distinct=True
            ),
            waiting=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.WAITING), distinct=True
            ),
            attended=Count("attendances", distinct=True),
        )
    )


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class SessionWeek:
    starts_on: dt.date
    sessions: list[Session]
    upcoming: list[Session]  # the weeks after it, shown for the current week only
    programmes: list[Programme]
    is_current: bool

    @property
    def previous(self) -> dt.date:
        return self.starts_on - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=7)

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=6)


def session_week(actor: Actor, day: dt.date | None = None) -> SessionWeek:
    """The team's sessions in the week of `day` (this week by default), with places booked,
    the waiting list and attendance counted; for this week, the next few weeks too. Counts
    only: no family is named."""
    require_centre(actor)
    current = week_start(clock.today())
    start = week_start(day or clock.today())
    sessions = _with_counts(Session.objects.filter(programme__team=actor.team))
    end = start + dt.timedelta(days=7)
    week = sessions.filter(
        starts_at__gte=_local_midnight(start), starts_at__lt=_local_midnight(end)
    )
    upcoming: list[Session] = []
    if start == current:
        upcoming = list(
            sessions.filter(
                starts_at__gte=_local_midnight(end),
                starts_at__lt=_local_midnight(end + dt.timedelta(weeks=UPCOMING_WEEKS)),
            )
        )
    return SessionWeek(
        starts_on=start,
        sessions=list(week),
        upcoming=upcoming,
        programmes=list(Programme.objects.filter(team=actor.team)),
        is_current=start == current,
    )


def session_for(actor: Actor, session_id: int) -> Session:
    """One of the actor's team's sessions, with its counts; any other answers 404."""
    require_centre(actor)
    session = (
        _with_counts(Session.objects.filter(pk=session_id, programme__team=actor.team))
        .prefetch_related("staff")
        .first()
    )
    if session is None:
        raise NotFoundOrNotAllowed
    return session


@dataclass
class BookingLine:
    booking: Booking
    children: list[Person]

    @property
    def family(self) -> Family:
        return self.booking.family


@dataclass
class SessionDetail:
    session: Session
    booked: list[BookingLine]
    waiting: list[BookingLine]
    not_shown: int  # bookings of families the team no longer works with: counted, not named

    @property
    def places_left(self) -> int:
        return max(0, self.session.capacity - self.session.booked)  # type: ignore[attr-defined]

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def session_detail(actor: Actor, session_id: int) -> SessionDetail:
    session = session_for(actor, session_id)
    bookings = list(
        Booking.objects.filter(
            session=session, status__in=[BookingStatus.BOOKED, BookingStatus.WAITING]
        )
        .order_by("updated_at", "id")
        .select_related("family")
    )
    visible = _visible_ids(actor, {booking.family_id for booking in bookings})
    shown = [booking for booking in bookings if booking.family_id in visible]
    children = _children_of({booking.family_id for booking in shown})
    lines = [BookingLine(booking, children.get(booking.family_id, [])) for booking in shown]
    _audit_listed(actor, visible)
    return SessionDetail(
        session=session,
        booked=[line for line in lines if line.booking.status == BookingStatus.BOOKED],
        waiting=[line for line in lines if line.booking.status == BookingStatus.WAITING],
        not_shown=len(bookings) - len(shown),
    )


def _visible_ids(actor: Actor, family_ids: set[int]) -> set[int]:
    if not family_ids:
        visible_families(actor)  # the decision is still asked, and counted
        return set()
    return set(visible_families(actor).filter(pk__in=family_ids).values_list("pk", flat=True))


def _children_of(family_ids: set[int]) -> dict[int, list[Person]]:
    children: dict[int, list[Person]] = defaultdict(list)
    for family in Family.objects.filter(pk__in=family_ids).prefetch_related(_children_prefetch()):
        children[family.pk] = family.children  # type: ignore[attr-defined]
    return children


# ---------------------------------------------------------------------------------------------
# Booking a family


def family_for_booking(actor: Actor, family_id: int) -> Family:
    """A family the centre works with, to book or register: the centre rule, then the policy's
    update decision on the family's family support record, both audited."""
    require_centre(actor, family_id=family_id)
    return open_family(actor, family_id, category=FAMILY_SUPPORT, action=AccessAction.UPDATE)


@dataclass
class BookableSession:
    session: Session
    status: str  # the family's booking on it: booked, waiting, or "" for none


def bookable_sessions(actor: Actor, family: Family) -> list[BookableSession]:
    """The team's sessions from today for the next few weeks, with the family's booking on
    each, for the "Book a session" page of a family already opened through the policy."""
    today = clock.today()
    sessions = _with_counts(
        Session.objects.filter(
            programme__team=actor.team,
            starts_at__gte=_local_midnight(today),
            starts_at__lt=_local_midnight(today + dt.timedelta(weeks=UPCOMING_WEEKS + 1)),
        )
    )
    statuses = dict(
        Booking.objects.filter(session__in=sessions, family=family)
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("session_id", "status")
    )
    return [BookableSession(session, statuses.get(session.pk, "")) for session in sessions]


def booking_for_update(actor: Actor, session_id: int, booking_id: int) -> Booking:
    """A live booking on one of the team's sessions, of a family the team may update."""
    session = session_for(actor, session_id)
    booking = (
        Booking.objects.filter(pk=booking_id, session=session)
        .exclude(status=BookingStatus.CANCELLED)
        .first()
    )
    if booking is None:
        raise NotFoundOrNotAllowed
    booking.family = open_family(
        actor, booking.family_id, category=FAMILY_SUPPORT, action=AccessAction.UPDATE
    )
    booking.session = session
    return booking


# ---------------------------------------------------------------------------------------------
# The register


@dataclass
class RegisterLine:
    family: Family
    children: list[Person]
    booked: bool
    attendance: Attendance | None
    attended_people: set[int] = field(default_factory=set)

    @property
    def attended(self) -> bool:
        return self.attendance is not None

    @property
    def walk_in(self) -> bool:
        return self.attendance is not None and self.attendance.walk_in


@dataclass
class Register:
    session: Session
    lines: list[RegisterLine]
    attended: int
    not_shown: int

    @property
    def is_open(self) -> bool:
        """A register is taken on the day of the session or afterwards."""
        return timezone.localdate(self.session.starts_at) <= clock.today()

    @property
    def over_capacity(self) -> bool:
        return self.attended > self.session.capacity

    @property
    def family_ids(self) -> set[int]:
        return {line.family.pk for line in self.lines}


def register(actor: Actor, session_id: int) -> Register:
    """The families booked on a session and those recorded as there (walk-ins among them),
    by family name, with their children, and who was ticked."""
    session = session_for(actor, session_id)
    booked = set(
        Booking.objects.filter(session=session, status=BookingStatus.BOOKED).values_list(
            "family_id", flat=True
        )
    )
    attendances = {
        attendance.family_id: attendance
        for attendance in Attendance.objects.filter(session=session).prefetch_related("people")
    }
    everyone = booked | set(attendances)
    visible = _visible_ids(actor, everyone)
    families = Family.objects.filter(pk__in=visible).prefetch_related(_children_prefetch())
    lines = [
        RegisterLine(
            family=family,
            children=family.children,  # type: ignore[attr-defined]
            booked=family.pk in booked,
            attendance=attendances.get(family.pk),
            attended_people=(
                {person.pk for person in attendances[family.pk].people.all()}
                if family.pk in attendances
                else set()
            ),
        )
        for family in families.order_by("name", "pk")
    ]
    _audit_listed(actor, visible)
    return Register(
        session=session,
        lines=lines,
        attended=len(attendances),
        not_shown=len(everyone - visible),
    )


# ---------------------------------------------------------------------------------------------
# Walk-ins: search before create


@dataclass
class WalkInMatch:
    family_id: int
    people: list[IdentityMatch]
    visible_to_actor: bool
    on_register: bool

    @property
    def first(self) -> IdentityMatch:
        return self.people[0]


def walk_in_matches(
    actor: Actor,
    session: Session,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str | None = None,
) -> list[WalkInMatch]:
    """Who on the whole register may be the family at the door: the minimum identity details
    of search-before-create (audited as an identity check), by family."""
    matches = identity_matches(
        actor,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number,
    )
    by_family: dict[int, list[IdentityMatch]] = {}
    for match in matches:
        by_family.setdefault(match.family_id, []).append(match)
    on_register = set(
        Attendance.objects.filter(session=session, family__in=by_family).values_list(
            "family_id", flat=True
        )
    )
    return [
        WalkInMatch(
            family_id=family_id,
            people=people,
            visible_to_actor=people[0].visible_to_actor,
            on_register=family_id in on_register,
        )
        for family_id, people in by_family.items()
    ]


def walk_in_family(actor: Actor, family_id: int, *, found: Iterable[int]) -> Family:
    """The family to add as a walk-in: one the team works with (the update decision), or one
    the identity check has just found, which a children's centre may register in person."""
    require_centre(actor, family_id=family_id)
    gate = SharingGate(actor, _family(family_id))
    if gate.facts.involved:
        if not gate.decide(Subject(family_id), FAMILY_SUPPORT, AccessAction.UPDATE):
            raise NotFoundOrNotAllowed
        return gate.family
    decision = may_register_in_person(actor)
    if family_id not in set(found):
        decision = DENY_ROLE.because("not found by the identity check for this walk-in")
    audit_decision(
        actor,
        decision,
        family_id=family_id,
        person_id=None,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return gate.family


def _family(family_id: int) -> Family:
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    return family


# ---------------------------------------------------------------------------------------------
# Registration with a centre: the basis of reach


@dataclass
class RegisteredFamily:
    registration: CentreRegistration
    children: list[Person]

    @property
    def family(self) -> Family:
        return self.registration.family


@dataclass
class RegisteredFamilies:
    page: Page
    open_registrations: int
    by_month: list[tuple[dt.date, int]]  # registrations in each of the last months, oldest first


def registered_families(actor: Actor, page_number: int | str = 1) -> RegisteredFamilies:
    """The families registered with the actor's centre (open registrations of families the
    team works with), newest first, and how many registered in each recent month."""
    require_centre(actor)
    registrations = (
        CentreRegistration.objects.filter(
            team=actor.team, ended_on=None, family__in=visible_families(actor)
        )
        .select_related("family")
        .prefetch_related(_children_prefetch("family__members"))
        .order_by("-registered_on", "-id")
    )
    page = Paginator(registrations, REGISTERED_PER_PAGE).get_page(page_number)
    entries = [
        RegisteredFamily(registration, registration.family.children)
        for registration in page.object_list
    ]
    page.object_list = entries  # type: ignore[assignment]
    _audit_listed(actor, (entry.family.pk for entry in entries))
    return RegisteredFamilies(
        page=page,
        open_registrations=page.paginator.count,
        by_month=registrations_by_month(actor),
    )


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def registrations_by_month(actor: Actor) -> list[tuple[dt.date, int]]:
    """How many families registered with the team in each of the last MONTHS_COUNTED months,
    this one included: numbers only."""
    today = clock.today()
    first = _month_start(today, MONTHS_COUNTED - 1)
    counted = {
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]): row[
            "count"
        ]
        for row in CentreRegistration.objects.filter(team=actor.team, registered_on__gte=first)
        .annotate(month=TruncMonth("registered_on"))
        .values("month")
        .annotate(count=Count("id"))
    }
    months = [_month_start(today, back) for back in range(MONTHS_COUNTED - 1, -1, -1)]
    return [(month, counted.get(month, 0)) for month in months]


def registration_for_update(
    actor: Actor, family_id: int, registration_id: int
) -> CentreRegistration:
    family = family_for_booking(actor, family_id)
    registration = CentreRegistration.objects.filter(
        pk=registration_id, family=family, team=actor.team, ended_on=None
    ).first()
    if registration is None:
        raise NotFoundOrNotAllowed
    registration.family = family
    return registration


@dataclass
class RegistrationEntry:
    """A registration as an entry the policy decides on, like a chronology line: family
    support information recorded by the centre's team."""

    registration: CentreRegistration
    family_id: int
    team_id: int
    team: Team
    category: str = FAMILY_SUPPORT
    is_sealed: bool = False
    person_id: int | None = None

    @classmethod
    def of(cls, registration: CentreRegistration) -> RegistrationEntry:
        return cls(registration, registration.family_id, registration.team_id, registration.team)


@dataclass
class CentreLine:
    """The family record's "Children's centre" line."""

    registrations: list[CentreRegistration]
    is_centre_worker: bool
    registered_here: CentreRegistration | None


def centre_line(actor: Actor, family: Family) -> CentreLine:
    """Which centres the family is registered with, as far as the policy lets the actor see
    (another organisation's family support data needs consent and an agreement), and whether
    the actor's centre may register or book them: for the record of a family already opened
    through the policy."""
    current = list(
        CentreRegistration.objects.filter(family=family, ended_on=None).select_related(
            "team__organisation"
        )
    )
    registrations: list[CentreRegistration] = []
    if current:
        gate = SharingGate(actor, family)
        shown = gate.entries(map(RegistrationEntry.of, current), AccessAction.VIEW)
        registrations = [entry.registration for entry in shown]
    centre = (
        works_in_a_centre(actor)
        and Involvement.objects.filter(
            active_involvements(), family=family, team=actor.team
        ).exists()
    )
    return CentreLine(
        registrations=registrations,
        is_centre_worker=centre,
        registered_here=next(
            (each for each in registrations if each.team_id == actor.team.pk), None
        ),
    )


def waiting_position(booking: Booking) -> int:
    """Where a booking on the waiting list stands: 1 is next in line."""
    return Booking.objects.filter(
        Q(updated_at__lt=booking.updated_at) | Q(updated_at=booking.updated_at, pk__lte=booking.pk),
        session_id=booking.session_id,
        status=BookingStatus.WAITING,
    ).count()


# Family Matters meetings

# Who holds them: the practitioners of a children's centre (family hub) team and of a health
# visiting team, and their managers. Anyone else, a GP or a school included, gets the 404.
MEETING_ROLES = frozenset({Role.HEALTH_VISITOR, Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER})
# Each meeting is between one team of each kind: the partner of one kind is the other.
PARTNER_TYPE: dict[str, str] = {
    OrganisationType.FAMILY_HUB: OrganisationType.HEALTH_VISITING_SERVICE,
    OrganisationType.HEALTH_VISITING_SERVICE: OrganisationType.FAMILY_HUB,
}

ALLOW_ACTION_OWNER = Decision(True, "action_owner", "the owner of a Family Matters action")
ALLOW_ACTION_TEAM = Decision(
    True, "action_team", "a member of the team that recorded a Family Matters action"
)
DENY_ACTION_NOT_OWNER = Decision(
    False,
    "not_action_owner",
    "only the owner of a Family Matters action or the team that recorded it marks it done",
)


def takes_part_in_meetings(actor: Actor) -> bool:
    """Whether the actor's role and team take part in Family Matters meetings at all (for
    the navigation, which must not count as a page's policy decision)."""
    return actor.role in MEETING_ROLES and actor.organisation.type in PARTNER_TYPE


def may_hold_meetings(actor: Actor) -> bool:
    """The same, for a page: a practitioner role, as the policy decides, of the two kinds."""
    return may_use_records(actor).allowed and takes_part_in_meetings(actor)


def require_meetings(actor: Actor) -> None:
    if not may_hold_meetings(actor):
        raise NotFoundOrNotAllowed


def attends(actor: Actor, meeting: Meeting) -> bool:
    """Only the members of the two teams see a meeting."""
    return actor.team.pk in (meeting.centre_team_id, meeting.health_team_id)


def may_mark_done(actor: Actor, action: MeetingAction) -> Decision:
    """The action's owner, whichever of the two teams they are in, or anyone in the team
    that recorded it (for a colleague who is away). Marking done changes nothing that was
    recorded: the date and who marked it go on the chronology, as the marker's team's line."""
    if action.owner_id == actor.user.pk:
        return ALLOW_ACTION_OWNER
    if action.team_id == actor.team.pk:
        return ALLOW_ACTION_TEAM
    return DENY_ACTION_NOT_OWNER


def partner_teams(actor: Actor) -> QuerySet[Team]:
    """The teams the actor's team may hold meetings with: those of the other kind."""
    kind = PARTNER_TYPE.get(actor.organisation.type)
    return Team.objects.filter(organisation__type=kind).select_related("organisation")


def owners_for(meeting: Meeting) -> QuerySet[User]:
    """Who may own an action: an active member of either team."""
    return (
        User.objects.filter(
            memberships__team__in=(meeting.centre_team_id, meeting.health_team_id),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def partner_of(actor: Actor, meeting: Meeting) -> Team:
    return meeting.health_team if actor.team.pk == meeting.centre_team_id else meeting.centre_team


def carried_over_to(meeting: Meeting) -> QuerySet[MeetingAction]:
    """Actions agreed at earlier meetings of the same two teams that were still open when
    this one met: carried over by the query, never copied."""
    return MeetingAction.objects.filter(
        Q(done_on__isnull=True) | Q(done_on__gte=meeting.held_on),
        meeting__centre_team_id=meeting.centre_team_id,
        meeting__health_team_id=meeting.health_team_id,
        meeting__held_on__lt=meeting.held_on,
    )


@dataclass
class MeetingRow:
    meeting: Meeting
    partner: Team
    open_actions: int


@dataclass
class Meetings:
    upcoming: list[MeetingRow]
    past: list[MeetingRow]


def meetings(actor: Actor) -> Meetings:
    """The actor's team's meetings, the next first, then the past, the latest first. Dates,
    teams and counts: nobody's personal data."""
    require_meetings(actor)
    today = clock.today()
    found = (
        Meeting.objects.filter(Q(centre_team=actor.team) | Q(health_team=actor.team))
        .select_related("centre_team", "health_team")
        .annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)))
        .order_by("-held_on", "-pk")  # a grouped query ignores the model's ordering
    )
    rows = [
        MeetingRow(meeting, partner_of(actor, meeting), meeting.open_actions) for meeting in found
    ]
    upcoming = sorted(
        (row for row in rows if row.meeting.held_on >= today), key=lambda row: row.meeting.held_on
    )
    return Meetings(upcoming=upcoming, past=[row for row in rows if row.meeting.held_on < today])


def meeting_for(actor: Actor, meeting_id: int) -> Meeting:
    """A meeting of the actor's team; any other answers 404, as a missing one does."""
    require_meetings(actor)
    meeting = (
        Meeting.objects.select_related("centre_team", "health_team").filter(pk=meeting_id).first()
    )
    if meeting is None or not attends(actor, meeting):
        raise NotFoundOrNotAllowed
    return meeting


def agenda_families(actor: Actor, meeting: Meeting) -> QuerySet[Family]:
    """The families both teams may see today, as the policy's queries say, and that the
    actor may list: nobody either team could not open."""
    both = families_both_teams_work_with(meeting.centre_team, meeting.health_team)
    return (
        (both & visible_families(actor))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.filter(
                    kind__in=[PersonKind.CHILD, PersonKind.UNBORN]
                ).order_by("date_of_birth", "pk"),
                to_attr="children",
            )
        )
        .order_by("name", "pk")
    )


def audit_listed(actor: Actor, families: list[Family]) -> None:
    audit_shown(
        actor,
        ((family.pk, None) for family in families),
        category=DataCategory.IDENTITY,
        action=AccessAction.LIST,
        basis=ALLOW_INVOLVEMENT.basis,
    )


def listed_agenda(actor: Actor, meeting: Meeting) -> list[Family]:
    """The agenda's families, audited as listed (for the forms that offer them)."""
    families = list(agenda_families(actor, meeting))
    audit_listed(actor, families)
    return families


@dataclass
class ActionView:
    action: MeetingAction
    carried_from: dt.date | None  # the earlier meeting it was agreed at, if carried over
    overdue: bool
    may_mark_done: bool


@dataclass
class AgendaItem:
    family: Family
    carried_over: list[ActionView] = field(default_factory=list)
    notes: list[MeetingNote] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)

    @property
    def has_business(self) -> bool:
        return bool(self.carried_over or self.notes or self.actions)


@dataclass
class Agenda:
    meeting: Meeting
    partner: Team
    is_upcoming: bool
    to_discuss: list[AgendaItem]  # carried-over actions, or notes or actions at this meeting
    others: list[AgendaItem]  # the other families both teams work with


def agenda(actor: Actor, meeting_id: int) -> Agenda:
    """The meeting's page: every family both teams may see (each listed one audited), with
    the open actions carried over, and this meeting's notes and actions, each entry shown as
    far as the policy lets the actor see the other team's family support data (audited)."""
    meeting = meeting_for(actor, meeting_id)
    families = listed_agenda(actor, meeting)
    by_family = {family.pk: AgendaItem(family) for family in families}
    related = ("team__organisation", "owner", "meeting")
    listed = list(by_family)
    carried = carried_over_to(meeting).filter(family__in=listed).select_related(*related)
    agreed = meeting.actions.filter(family__in=listed).select_related(*related)
    notes = meeting.notes.filter(family__in=listed).select_related(
        "team__organisation", "written_by"
    )
    entries: dict[int, list[MeetingNote | MeetingAction]] = {}
    recorded: list[MeetingNote | MeetingAction] = [*carried, *agreed, *notes]
    for entry in recorded:
        entries.setdefault(entry.family_id, []).append(entry)
    today = clock.today()
    for family_id, found in entries.items():
        item = by_family[family_id]
        for entry in SharingGate(actor, item.family).entries(found, AccessAction.VIEW):
            if isinstance(entry, MeetingNote):
                item.notes.append(entry)
                continue
            view = ActionView(
                action=entry,
                carried_from=entry.meeting.held_on if entry.meeting_id != meeting.pk else None,
                overdue=entry.done_on is None and entry.due_on < today,
                may_mark_done=entry.done_on is None and may_mark_done(actor, entry).allowed,
            )
            (item.carried_over if view.carried_from else item.actions).append(view)
    items = list(by_family.values())
    return Agenda(
        meeting=meeting,
        partner=partner_of(actor, meeting),
        is_upcoming=meeting.held_on >= today,
        to_discuss=[item for item in items if item.has_business],
        others=[item for item in items if not item.has_business],
    )


def action_for_update(actor: Actor, meeting_id: int, action_id: int) -> tuple[Meeting, ActionView]:
    """An action of this meeting, or carried over to it, that the actor may see and mark
    done (audited either way); anything else answers 404."""
    meeting = meeting_for(actor, meeting_id)
    action = (
        MeetingAction.objects.filter(
            Q(meeting=meeting) | Q(pk__in=carried_over_to(meeting).values("pk")), pk=action_id
        )
        .select_related("team__organisation", "owner", "meeting", "family")
        .first()
    )
    if action is None:
        raise NotFoundOrNotAllowed
    if not SharingGate(actor, action.family).entries([action], AccessAction.VIEW):
        raise NotFoundOrNotAllowed
    decision = may_mark_done(actor, action)
    audit_decision(
        actor,
        decision,
        family_id=action.family_id,
        person_id=None,
        category=DataCategory.FAMILY_SUPPORT,
        action=AccessAction.UPDATE,
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return meeting, ActionView(
        action=action,
        carried_from=action.meeting.held_on if action.meeting_id != meeting.pk else None,
        overdue=action.done_on is None and action.due_on < clock.today(),
        may_mark_done=action.done_on is None,
    )
