"""Writes for children's centre activity. Each takes the actor, asks the policy, and writes
the change, its audit row and its chronology line in one transaction. Bookings and attendance
are family support information, recorded by the centre's team; so are Family Matters notes
and actions, recorded by the writer's team.

Two sections: programmes, sessions, bookings and registers; then Family Matters meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, OrganisationType, Team, User
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
from beststart.activities.selectors import (
    FAMILY_SUPPORT,
    PARTNER_TYPE,
    attends,
    may_hold_meetings,
    may_mark_done,
    may_run_sessions,
    team_staff,
)
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.actions import record_event
from beststart.families.models import (
    ChronologyEvent,
    EventKind,
    Family,
    Involvement,
    Person,
    PersonKind,
)
from beststart.sharing.access import audited_write, enforce, require, would_see
from beststart.sharing.policy import (
    Subject,
    active_involvements,
    families_both_teams_work_with,
    may_register_in_person,
    visible_families,
)

# Programmes, sessions, bookings and registers


MAX_CAPACITY = 200


def _require_centre(actor: Actor) -> None:
    """The centre rule, before any family is touched; a refusal is audited by audited_write."""
    enforce(
        actor,
        may_run_sessions(actor),
        family=None,
        category=FAMILY_SUPPORT,
        action=AccessAction.UPDATE,
        audit_allowed=False,  # no one's data yet: each family written to is audited itself
    )


def _require_family(actor: Actor, family: Family) -> None:
    require(actor, family, category=FAMILY_SUPPORT, action=AccessAction.UPDATE)


def _own_session(actor: Actor, session: Session) -> None:
    if session.programme.team_id != actor.team.pk:
        raise NotFoundOrNotAllowed


def describe(session: Session) -> str:
    """A session as the chronology names it: "Stay and Play, Tuesday 3 March 2026, 10:00"."""
    starts = timezone.localtime(session.starts_at)
    return f"{session.programme.name}, {starts:%A} {starts.day} {starts:%B %Y, %H:%M}"


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


@audited_write
def create_programme(*, actor: Actor, name: str, kind: str, description: str = "") -> Programme:
    _require_centre(actor)
    name = name.strip()
    if Programme.objects.filter(team=actor.team, name__iexact=name).exists():
        raise ValidationError({"name": f"Your team already runs a programme called {name}"})
    programme = Programme(team=actor.team, name=name, kind=kind, description=description.strip())
    programme.full_clean()
    programme.save()
    return programme


@dataclass(frozen=True)
class SessionDetails:
    programme: Programme
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    capacity: int
    staff: Collection[User] = ()


@audited_write
def add_session(*, actor: Actor, details: SessionDetails) -> Session:
    """A session of one of the team's programmes. A date in the past is allowed: centres
    write up a session after the fact."""
    _require_centre(actor)
    if details.programme.team_id != actor.team.pk:
        raise NotFoundOrNotAllowed
    errors: dict[str, str] = {}
    if details.ends_at <= details.starts_at:
        errors["ends"] = "The end time must be after the start time"
    if details.capacity < 1:
        errors["capacity"] = "The session must take at least 1 family"
    elif details.capacity > MAX_CAPACITY:
        errors["capacity"] = f"The session can take at most {MAX_CAPACITY} families"
    members = set(team_staff(actor).values_list("pk", flat=True))
    if any(user.pk not in members for user in details.staff):
        errors["staff"] = "Choose staff who work in your team"
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(
        programme=details.programme,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        venue=details.venue.strip(),
        capacity=details.capacity,
    )
    session.staff.set(details.staff)
    return session


# ---------------------------------------------------------------------------------------------
# Bookings and the waiting list


@audited_write
def book(*, actor: Actor, session: Session, family: Family) -> Booking:
    """A place on the session, or, when it is full, a place on its waiting list (first come,
    first served). A family has one booking per session."""
    _require_centre(actor)
    _own_session(actor, session)
    _require_family(actor, family)
    session = Session.objects.select_for_update().select_related("programme").get(pk=session.pk)
    if session.starts_at < _start_of_today():
        raise ValidationError({"family": "This session has already taken place"})
    existing = Booking.objects.filter(session=session, family=family).first()
    if existing is not None and existing.status != BookingStatus.CANCELLED:
        where = (
            "has a place on"
            if existing.status == BookingStatus.BOOKED
            else "is on the waiting list for"
        )
        raise ValidationError({"family": f"The {family.name} already {where} this session"})
    booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count()
    status = BookingStatus.BOOKED if booked < session.capacity else BookingStatus.WAITING
    if existing is None:
        booking = Booking.objects.create(
            session=session, family=family, status=status, booked_by=actor.user
        )
    else:  # booked again after cancelling: the same row, at the back of any queue
        booking = existing
        booking.status, booking.booked_by = status, actor.user
        booking.save(update_fields=["status", "booked_by", "updated_at"])
    summary = (
        f"Booked on {describe(session)}"
        if status == BookingStatus.BOOKED
        else f"On the waiting list for {describe(session)}"
    )
    record_event(actor, family, EventKind.SESSION_BOOKED, summary, category=FAMILY_SUPPORT)
    return booking


@dataclass(frozen=True)
class Cancelled:
    booking: Booking
    promoted: Booking | None  # the first on the waiting list, offered the place


@audited_write
def cancel_booking(*, actor: Actor, booking: Booking) -> Cancelled:
    """Cancel a place or a place on the waiting list. A cancelled place goes to the first on
    the waiting list whom the team still works with."""
    _require_centre(actor)
    _own_session(actor, booking.session)
    _require_family(actor, booking.family)
    if booking.session.starts_at < _start_of_today():
        raise ValidationError("This session has already taken place")
    had_place = booking.status == BookingStatus.BOOKED
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    record_event(
        actor,
        booking.family,
        EventKind.SESSION_BOOKED,
        f"Booking cancelled: {describe(booking.session)}",
        category=FAMILY_SUPPORT,
    )
    promoted = _promote(actor, booking.session) if had_place else None
    return Cancelled(booking, promoted)


def _promote(actor: Actor, session: Session) -> Booking | None:
    booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count()
    if booked >= session.capacity:
        return None
    first = (
        Booking.objects.filter(
            session=session,
            status=BookingStatus.WAITING,
            family__in=visible_families(actor),
        )
        .select_related("family")
        .order_by("updated_at", "id")
        .first()
    )
    if first is None:
        return None
    _require_family(actor, first.family)
    first.status = BookingStatus.BOOKED
    first.save(update_fields=["status", "updated_at"])
    record_event(
        actor,
        first.family,
        EventKind.SESSION_BOOKED,
        f"Offered a place from the waiting list: {describe(session)}",
        category=FAMILY_SUPPORT,
    )
    return first


def _start_of_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(clock.today(), dt.time()))


# ---------------------------------------------------------------------------------------------
# The register


ATTENDED = "Attended"
CORRECTED = "Register corrected, did not attend"


@dataclass(frozen=True)
class RegisterSaved:
    added: int
    removed: int
    attended: int
    capacity: int

    @property
    def over_capacity(self) -> bool:
        return self.attended > self.capacity


@audited_write
def save_register(
    *,
    actor: Actor,
    session: Session,
    shown: Collection[int],
    attended: Mapping[int, Collection[int]],
) -> RegisterSaved:
    """Save a session's register in one go. `shown` are the families the page listed,
    `attended` the ticked ones with the children ticked under each. Saving the same register
    twice changes nothing: one attendance per family and session, updated in place; unticking
    removes an attendance of a family the page showed, and nothing else. Attendance beyond
    the session's capacity is saved: the page warns."""
    _require_centre(actor)
    _own_session(actor, session)
    if timezone.localdate(session.starts_at) > clock.today():
        raise ValidationError("The register opens on the day of the session")
    allowed = _on_register(session)
    if not set(attended) <= set(shown) or not set(shown) <= allowed:
        raise NotFoundOrNotAllowed
    existing = {
        attendance.family_id: attendance
        for attendance in Attendance.objects.filter(session=session, family__in=shown)
    }
    families = {family.pk: family for family in Family.objects.filter(pk__in=shown)}
    added = removed = 0
    for family_id in sorted(shown):
        family = families[family_id]
        attendance = existing.get(family_id)
        if family_id in attended:
            _require_family(actor, family)
            children = _children(family, attended[family_id])
            if attendance is None:
                attendance = Attendance.objects.create(
                    session=session, family=family, recorded_by=actor.user, team=actor.team
                )
                added += 1
                _attendance_line(actor, session, family, attended=True)
            attendance.people.set(children)
        elif attendance is not None:
            _require_family(actor, family)
            attendance.people.clear()
            attendance.delete()
            removed += 1
            _attendance_line(actor, session, family, attended=False)
    return RegisterSaved(
        added=added,
        removed=removed,
        attended=Attendance.objects.filter(session=session).count(),
        capacity=session.capacity,
    )


def _on_register(session: Session) -> set[int]:
    """The families a register may list: those booked, and those already recorded as there."""
    booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
    return set(booked.values_list("family_id", flat=True)) | set(
        Attendance.objects.filter(session=session).values_list("family_id", flat=True)
    )


def _children(family: Family, person_ids: Collection[int]) -> list[Person]:
    children = list(
        Person.objects.filter(pk__in=person_ids, memberships__family=family, kind=PersonKind.CHILD)
    )
    if len(children) != len(set(person_ids)):
        raise ValidationError("Choose children of the family")
    return children


def _attendance_line(actor: Actor, session: Session, family: Family, *, attended: bool) -> None:
    """One "Attended" line per family and session, dated when the session started; an
    attendance removed by correcting the register is written up as such, and ticking the
    family again writes "Attended" again, so the chronology always ends in the truth."""
    latest = (
        ChronologyEvent.objects.filter(
            family=family,
            kind=EventKind.ATTENDED,
            team=actor.team,
            occurred_at=session.starts_at,
            summary__endswith=describe(session),
        )
        .order_by("-id")
        .values_list("summary", flat=True)
        .first()
    )
    says_attended = latest is not None and latest.startswith(ATTENDED)
    if attended == says_attended:
        return
    record_event(
        actor,
        family,
        EventKind.ATTENDED,
        f"{ATTENDED if attended else CORRECTED}: {describe(session)}",
        category=FAMILY_SUPPORT,
        occurred_at=session.starts_at,
    )


# ---------------------------------------------------------------------------------------------
# Walk-ins


@dataclass(frozen=True)
class WalkIn:
    attendance: Attendance
    newly_involved: bool
    newly_registered: bool


@audited_write
def add_walk_in(*, actor: Actor, session: Session, family: Family, in_person: bool) -> WalkIn:
    """A family who came to the session without a booking: on the register as a walk-in,
    and registered with the centre if they are not already. A family the centre does not yet
    work with registers in person, which starts the centre's involvement; the practitioner
    confirms they are there (their identity checked by search-before-create)."""
    _require_centre(actor)
    _own_session(actor, session)
    if timezone.localdate(session.starts_at) > clock.today():
        raise ValidationError("The register opens on the day of the session")
    involved = Involvement.objects.filter(
        active_involvements(), family=family, team=actor.team
    ).exists()
    if not involved:
        enforce(
            actor,
            may_register_in_person(actor),
            family=family,
            category=DataCategory.IDENTITY,
            action=AccessAction.UPDATE,
        )
        if not in_person:
            raise ValidationError(
                {"in_person": "Confirm the family is here and wants to register with the centre"}
            )
        Involvement.objects.create(
            family=family,
            team=actor.team,
            practitioner=actor.user,
            started_on=clock.today(),
            reason="Registered in person at the children's centre",
        )
        record_event(
            actor,
            family,
            EventKind.INVOLVEMENT_STARTED,
            f"{actor.team.name} started working with the family (registered in person)",
        )
    _require_family(actor, family)
    registered = _register(actor, family, clock.today(), if_needed=True)
    attendance, created = Attendance.objects.get_or_create(
        session=session,
        family=family,
        defaults={
            "walk_in": not Booking.objects.filter(
                session=session, family=family, status=BookingStatus.BOOKED
            ).exists(),
            "recorded_by": actor.user,
            "team": actor.team,
        },
    )
    if created:
        _attendance_line(actor, session, family, attended=True)
    return WalkIn(attendance, newly_involved=not involved, newly_registered=registered is not None)


# ---------------------------------------------------------------------------------------------
# Registration with a centre


@audited_write
def register_family(*, actor: Actor, family: Family, registered_on: dt.date) -> CentreRegistration:
    """Register a family with the actor's centre: who the centre reaches. One open
    registration per family and centre."""
    _require_centre(actor)
    _require_family(actor, family)
    registration = _register(actor, family, registered_on, if_needed=False)
    assert registration is not None
    return registration


def _register(
    actor: Actor, family: Family, registered_on: dt.date, *, if_needed: bool
) -> CentreRegistration | None:
    current = CentreRegistration.objects.filter(family=family, team=actor.team, ended_on=None)
    existing = current.first()
    if existing is not None:
        if if_needed:
            return None
        raise ValidationError(
            {
                "registered_on": f"The {family.name} is already registered with "
                f"{actor.team.name}, since {existing.registered_on.day} "
                f"{existing.registered_on:%B %Y}"
            }
        )
    if registered_on > clock.today():
        raise ValidationError(
            {"registered_on": "The date of registration must be today or in the past"}
        )
    registration = CentreRegistration.objects.create(
        family=family, team=actor.team, registered_on=registered_on, registered_by=actor.user
    )
    record_event(
        actor,
        family,
        EventKind.CENTRE_REGISTERED,
        f"Registered with {actor.team.name}",
        category=FAMILY_SUPPORT,
        occurred_at=timezone.make_aware(dt.datetime.combine(registered_on, dt.time(9)))
        if registered_on != clock.today()
        else None,
    )
    return registration


@audited_write
def end_registration(
    *, actor: Actor, registration: CentreRegistration, ended_on: dt.date
) -> CentreRegistration:
    _require_centre(actor)
    if registration.team_id != actor.team.pk or registration.ended_on is not None:
        raise NotFoundOrNotAllowed
    _require_family(actor, registration.family)
    if ended_on < registration.registered_on:
        raise ValidationError(
            {"ended_on": "The end date must be on or after the date the family registered"}
        )
    if ended_on > clock.today():
        raise ValidationError({"ended_on": "The end date must be today or in the past"})
    registration.ended_on = ended_on
    registration.save(update_fields=["ended_on", "updated_at"])
    record_event(
        actor,
        registration.family,
        EventKind.CENTRE_REGISTERED,
        f"Registration with {actor.team.name} ended",
        category=FAMILY_SUPPORT,
    )
    return registration


# Family Matters meetings

# Where a meeting's lines sit on its day in the chronology.
MEETING_TIME = dt.time(10, 0)
# How far ahead a meeting may be planned.
PLANNING_HORIZON = dt.timedelta(days=366)
SUMMARY_LENGTH = 500  # ChronologyEvent.summary


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def on_the_day(day: dt.date) -> dt.datetime:
    """Where a meeting's line sits on the chronology: its day, mid-morning."""
    return timezone.make_aware(dt.datetime.combine(day, MEETING_TIME))


def _at(day: dt.date) -> dt.datetime:
    """When a meeting's line happened: on its day, or now for one not yet held (a note
    written to prepare it), so that the chronology never runs ahead of today."""
    return min(on_the_day(day), clock.now())


def _line(prefix: str, text: str) -> str:
    line = f"{prefix}{text}"
    return (
        line
        if len(line) <= SUMMARY_LENGTH
        else line[: SUMMARY_LENGTH - 1] + "\N{HORIZONTAL ELLIPSIS}"
    )


def note_summary(text: str) -> str:
    """The chronology line of a note (the demo writes the same)."""
    return _line("Discussed at Family Matters: ", text)


def action_summary(owner: User, due_on: dt.date, description: str) -> str:
    return _line(
        f"Family Matters action for {owner.get_full_name()}, due {_long_date(due_on)}: ",
        description,
    )


def done_summary(description: str) -> str:
    return _line("Family Matters action done: ", description)


def _require_attendee(actor: Actor, meeting: Meeting) -> None:
    if not (may_hold_meetings(actor) and attends(actor, meeting)):
        raise NotFoundOrNotAllowed


def _require_on_agenda(meeting: Meeting, family: Family) -> None:
    both = families_both_teams_work_with(meeting.centre_team, meeting.health_team)
    if not both.filter(pk=family.pk).exists():
        raise ValidationError(
            {
                "family": "Choose a family on this meeting's agenda: both teams must be "
                "working with the family"
            }
        )


@transaction.atomic
def plan_meeting(*, actor: Actor, partner: Team, held_on: dt.date) -> Meeting:
    """A meeting between the actor's team and a team of the other kind. Dates and teams
    only: nobody's personal data, so nothing to audit."""
    if not may_hold_meetings(actor):
        raise NotFoundOrNotAllowed
    kind = PARTNER_TYPE[actor.organisation.type]
    if partner.organisation.type != kind:
        raise ValidationError(
            {"partner": f"Choose a team from a {OrganisationType(kind).label.lower()}"}
        )
    if held_on > clock.today() + PLANNING_HORIZON:
        raise ValidationError({"held_on": "The meeting date must be within the next year"})
    if actor.organisation.type == OrganisationType.FAMILY_HUB:
        centre, health = actor.team, partner
    else:
        centre, health = partner, actor.team
    if Meeting.objects.filter(centre_team=centre, health_team=health, held_on=held_on).exists():
        raise ValidationError(
            {
                "held_on": f"{centre.name} and {health.name} already have a meeting on "
                f"{_long_date(held_on)}"
            }
        )
    return Meeting.objects.create(
        centre_team=centre, health_team=health, held_on=held_on, created_by=actor.user
    )


@audited_write
def add_meeting_note(*, actor: Actor, meeting: Meeting, family: Family, text: str) -> MeetingNote:
    """What the meeting said about a family: family support data, recorded by the actor's
    team, on the family's chronology at the meeting's date."""
    _require_attendee(actor, meeting)
    require(actor, family, category=DataCategory.FAMILY_SUPPORT, action=AccessAction.UPDATE)
    _require_on_agenda(meeting, family)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter what was discussed"})
    note = MeetingNote.objects.create(
        meeting=meeting, family=family, text=text, written_by=actor.user, team=actor.team
    )
    record_event(
        actor,
        family,
        EventKind.DISCUSSED,
        note_summary(text),
        category=DataCategory.FAMILY_SUPPORT,
        occurred_at=_at(meeting.held_on),
    )
    return note


def _owner_errors(actor: Actor, meeting: Meeting, family: Family, owner: User) -> str | None:
    """Why `owner` cannot own an action about `family`, if they cannot: someone outside
    both teams, or someone the policy would not show the action to (another organisation
    the family has not agreed to share family support information with). The decision is
    about what the owner could see, so it writes no audit row."""
    teams = (meeting.centre_team, meeting.health_team)
    membership = (
        Membership.objects.filter(user=owner, team__in=teams, is_active=True)
        .select_related("team__organisation")
        .first()
    )
    if membership is None:
        return f"Choose someone in {teams[0].name} or {teams[1].name}"
    subject = Subject(family.pk, recorded_by=actor.organisation)
    if not would_see(membership, subject, DataCategory.FAMILY_SUPPORT):
        return (
            f"{owner.get_full_name()} would not be able to see this action: the family has "
            f"not agreed to share family support information with "
            f"{membership.team.organisation.name}. Choose someone in your team, or ask "
            f"{membership.team.name} to record the action"
        )
    return None


@audited_write
def add_meeting_action(
    *,
    actor: Actor,
    meeting: Meeting,
    family: Family,
    description: str,
    owner: User,
    due_on: dt.date,
) -> MeetingAction:
    """Something agreed for a family, with an owner in either team and a due date no
    earlier than the meeting. Open, it carries over to the next meeting of the two teams."""
    _require_attendee(actor, meeting)
    require(actor, family, category=DataCategory.FAMILY_SUPPORT, action=AccessAction.UPDATE)
    _require_on_agenda(meeting, family)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what is to be done"
    owner_error = _owner_errors(actor, meeting, family, owner)
    if owner_error:
        errors["owner"] = owner_error
    if due_on < meeting.held_on:
        errors["due_on"] = (
            f"The due date must be on or after the day of the meeting, "
            f"{_long_date(meeting.held_on)}"
        )
    if errors:
        raise ValidationError(errors)
    action = MeetingAction.objects.create(
        meeting=meeting,
        family=family,
        description=description,
        owner=owner,
        due_on=due_on,
        team=actor.team,
    )
    record_event(
        actor,
        family,
        EventKind.MEETING_ACTION,
        action_summary(owner, due_on, description),
        category=DataCategory.FAMILY_SUPPORT,
        occurred_at=_at(meeting.held_on),
    )
    return action


@audited_write
def mark_action_done(*, actor: Actor, action: MeetingAction, done_on: dt.date) -> MeetingAction:
    """The owner, or someone in the team that recorded the action, marks it done: it stops
    carrying over, and the chronology says who did it and when."""
    require(actor, action.family, category=DataCategory.FAMILY_SUPPORT, action=AccessAction.UPDATE)
    enforce(
        actor,
        may_mark_done(actor, action),
        family=action.family,
        category=DataCategory.FAMILY_SUPPORT,
        action=AccessAction.UPDATE,
        audit_allowed=False,  # the update above is already recorded
    )
    current = MeetingAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if current.done_on is not None:
        raise ValidationError(
            f"This action was already marked done on {_long_date(current.done_on)}"
        )
    if done_on < current.meeting.held_on:
        raise ValidationError(
            {
                "done_on": "The date done must be on or after the meeting that agreed the "
                f"action, {_long_date(current.meeting.held_on)}"
            }
        )
    if done_on > clock.today():
        raise ValidationError({"done_on": "The date done must be today or in the past"})
    current.done_on = done_on
    current.save(update_fields=["done_on", "updated_at"])
    record_event(
        actor,
        action.family,
        EventKind.MEETING_ACTION,
        done_summary(current.description),
        category=DataCategory.FAMILY_SUPPORT,
        occurred_at=_at(done_on),
    )
    return current
