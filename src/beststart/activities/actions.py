"""Writes of children's centre activity. Each takes the actor, asks the policy, and writes the
change, its audit row and its chronology event in one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, OrganisationType, Team, User
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.activities.selectors import PARTNER_TYPE, attends, may_hold_meetings, may_mark_done
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.actions import record_event
from beststart.families.models import EventKind, Family
from beststart.sharing.access import audited_write, enforce, require
from beststart.sharing.policy import Subject, decide, families_both_teams_work_with

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
    about what the owner could see, not an access by anyone, so it writes no audit row."""
    teams = (meeting.centre_team, meeting.health_team)
    membership = (
        Membership.objects.filter(user=owner, team__in=teams, is_active=True)
        .select_related("team__organisation")
        .first()
    )
    if membership is None:
        return f"Choose someone in {teams[0].name} or {teams[1].name}"
    subject = Subject(family.pk, recorded_by=actor.organisation)
    if not decide(
        Actor(user=owner, membership=membership),
        subject,
        DataCategory.FAMILY_SUPPORT,
        AccessAction.VIEW,
    ):
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
