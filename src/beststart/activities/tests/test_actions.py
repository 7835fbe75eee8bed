"""Writes of children's centre activity: each asks the policy, and writes the change, its
audit row and its chronology event together, or nothing at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import UserFactory, make_actor
from beststart.activities import actions
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.activities.tests.conftest import Partnership
from beststart.activities.tests.factories import MeetingActionFactory
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import ChronologyEvent, EventKind
from beststart.families.tests.factories import InvolvementFactory
from beststart.sharing.access import Refused

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
