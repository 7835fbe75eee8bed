"""Plans: agreeing one (who may lead it and own its actions, its dates), adding actions,
marking them done, reviewing and closing it, each with its chronology line and audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, User
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.assessments import actions
from beststart.assessments.actions import ActionDetails
from beststart.assessments.models import Assessment, Plan, PlanAction, PlanReview
from beststart.assessments.tests.conftest import TODAY
from beststart.assessments.tests.factories import AssessmentFactory
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import ChronologyEvent, EventKind, Family, Person
from beststart.families.tests.factories import InvolvementFactory
from beststart.sharing.tests.factories import ConsentFactory, SharingAgreementFactory

pytestmark = pytest.mark.django_db

AGREED = TODAY - dt.timedelta(days=14)  # 1 September 2026


@dataclass
class Around:
    """The team around the world's family: the health visitor who leads, a colleague in her
    team, and a family hub worker and her colleague, whose team also works with the family
    (with the family's consent to share family support information once `share()` is
    called)."""

    lead: Actor
    colleague: Actor
    hub: Actor
    hub_colleague: Actor
    family: Family
    child: Person
    parent: Person

    def share(self) -> None:
        ConsentFactory(person=self.parent, categories=[DataCategory.FAMILY_SUPPORT.value])
        SharingAgreementFactory()


@pytest.fixture
def around(world: World) -> Around:
    InvolvementFactory(family=world.family, team=world.other_actor.team)
    return Around(
        lead=world.actor,
        colleague=make_actor(Role.HEALTH_VISITOR, world.actor.team, first_name="Cole"),
        hub=world.other_actor,
        hub_colleague=make_actor(Role.FAMILY_HUB_WORKER, world.other_actor.team),
        family=world.family,
        child=world.family.members.get(kind="child"),
        parent=world.family.members.get(kind="parent"),
    )


def details(
    owner: User,
    *,
    due_on: dt.date = TODAY + dt.timedelta(days=14),
    review_on: dt.date = TODAY + dt.timedelta(days=28),
    need: str = "The flat is damp",
    action: str = "Ask the housing officer to visit",
) -> ActionDetails:
    return ActionDetails(need=need, action=action, owner=owner, due_on=due_on, review_on=review_on)


def create(
    a: Around,
    *owners: User,
    actor: Actor | None = None,
    lead: User | None = None,
    agreed_on: dt.date = AGREED,
    weeks: int = 6,
    person: Person | None = None,
    assessment: Assessment | None = None,
    action_details: list[ActionDetails] | None = None,
) -> Plan:
    return actions.create_plan(
        actor=actor or a.lead,
        family=a.family,
        person=person,
        assessment=assessment,
        lead_practitioner=lead or a.lead.user,
        agreed_on=agreed_on,
        review_every_weeks=weeks,
        actions=action_details
        if action_details is not None
        else [details(owner, due_on=agreed_on, review_on=agreed_on) for owner in owners],
    )


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {key: " ".join(messages) for key, messages in error.value.message_dict.items()}


def plan_errors(a: Around, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        create(a, **kwargs)
    assert not Plan.objects.exists()
    assert not PlanAction.objects.exists()
    return errors_of(error)


def plan_events() -> list[str]:
    return list(
        ChronologyEvent.objects.filter(kind=EventKind.PLAN)
        .order_by("id")
        .values_list("summary", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Agreeing a plan


def test_a_plan_is_agreed_with_its_actions_and_first_review(around: Around) -> None:
    plan = create(around, around.lead.user, around.colleague.user, person=around.child)
    assert (plan.team, plan.practitioner, plan.lead_practitioner) == (
        around.lead.team,
        around.lead.user,
        around.lead.user,
    )
    assert plan.category == DataCategory.FAMILY_SUPPORT
    assert plan.person == around.child
    assert (plan.agreed_on, plan.review_every_weeks) == (AGREED, 6)
    assert plan.next_review_on == dt.date(2026, 10, 13)
    assert plan.is_open
    owned = [(each.owner, each.owner_team, each.team) for each in plan.actions.order_by("id")]
    assert owned == [
        (around.lead.user, around.lead.team, around.lead.team),
        (around.colleague.user, around.lead.team, around.lead.team),
    ]
    event = ChronologyEvent.objects.get(kind=EventKind.PLAN)
    assert event.summary == (
        "Plan agreed: 2 actions, lead practitioner Hana Visitor, first review by 13 October 2026"
    )
    assert (event.category, event.person, event.team) == (
        DataCategory.FAMILY_SUPPORT,
        around.child,
        around.lead.team,
    )
    assert timezone.localtime(event.occurred_at).date() == AGREED
    audit = AuditEvent.objects.get(user_id=around.lead.user.pk)
    assert (audit.family_id, audit.category, audit.action, audit.outcome) == (
        around.family.pk,
        DataCategory.FAMILY_SUPPORT,
        AccessAction.UPDATE,
        Outcome.ALLOWED,
    )


def test_a_plan_after_an_assessment_takes_its_category(around: Around) -> None:
    assessment = AssessmentFactory(
        family=around.family,
        person=around.child,
        instrument="graded-care-profile-2",
        title="Graded Care Profile 2 grades",
        category=DataCategory.SAFEGUARDING,
        team=around.lead.team,
        practitioner=around.lead.user,
        status="completed",
    )
    plan = create(around, around.colleague.user, assessment=assessment, person=around.child)
    assert plan.assessment == assessment
    assert plan.category == DataCategory.SAFEGUARDING
    assert plan.actions.get().category == DataCategory.SAFEGUARDING
    assert ChronologyEvent.objects.get(kind=EventKind.PLAN).category == DataCategory.SAFEGUARDING


def test_a_plan_cannot_follow_a_draft_or_another_familys_assessment(
    around: Around, world: World
) -> None:
    draft = AssessmentFactory(family=around.family, person=around.child, team=around.lead.team)
    elsewhere = AssessmentFactory(
        family=world.other_family,
        person=world.other_family.members.get(kind="child"),
        team=around.lead.team,
        status="completed",
    )
    for assessment in (draft, elsewhere):
        with pytest.raises(NotFoundOrNotAllowed):
            create(around, around.lead.user, assessment=assessment)
    assert not Plan.objects.exists()


def test_a_plan_is_about_someone_in_the_family(around: Around, world: World) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        create(around, around.lead.user, person=world.other_family.members.get(kind="child"))
    assert not Plan.objects.exists()


def test_a_team_not_working_with_the_family_cannot_agree_a_plan(world: World) -> None:
    stranger = make_actor(Role.FAMILY_HUB_WORKER)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.create_plan(
            actor=stranger,
            family=world.family,
            person=None,
            assessment=None,
            lead_practitioner=stranger.user,
            agreed_on=TODAY,
            review_every_weeks=6,
            actions=[details(stranger.user)],
        )
    refusal = AuditEvent.objects.get(user_id=stranger.user.pk)
    assert (refusal.family_id, refusal.outcome) == (world.family.pk, Outcome.DENIED)


def test_the_lead_must_be_in_a_team_working_with_the_family(around: Around) -> None:
    outsider = make_actor(Role.HEALTH_VISITOR, first_name="Olu", last_name="Outside")
    assert plan_errors(around, lead=outsider.user, action_details=[details(around.lead.user)]) == {
        "lead_practitioner": "Choose someone in a team working with the family, not Olu Outside"
    }


def test_an_owner_who_could_not_see_the_plan_is_refused_with_the_reason(around: Around) -> None:
    hub_user = around.hub.user
    errors = plan_errors(around, action_details=[details(hub_user)])
    assert errors == {
        "action-0-owner": f"{hub_user.get_full_name()} would not be able to see this plan: the "
        "family has not agreed to share family support information with Testshire Family Hubs"
    }
    around.share()
    plan = create(around, action_details=[details(hub_user)])
    assert plan.actions.get().owner_team == around.hub.team


def test_a_lead_who_could_not_see_the_plan_is_refused_too(around: Around) -> None:
    errors = plan_errors(around, lead=around.hub.user, action_details=[details(around.lead.user)])
    assert "would not be able to see this plan" in errors["lead_practitioner"]


def test_action_dates_are_on_or_after_the_plan_was_agreed(around: Around) -> None:
    early = AGREED - dt.timedelta(days=1)
    errors = plan_errors(
        around,
        action_details=[
            details(around.lead.user),
            details(around.colleague.user, due_on=early, review_on=early),
        ],
    )
    assert errors == {
        "action-1-due_on": "The due date must be on or after 1 September 2026",
        "action-1-review_on": "The review date must be on or after 1 September 2026",
    }
    assert create(around, around.lead.user).actions.get().due_on == AGREED  # the same day


def test_an_action_says_the_need_and_what_will_be_done(around: Around) -> None:
    errors = plan_errors(around, action_details=[details(around.lead.user, need=" ", action="")])
    assert errors == {
        "action-0-need": "Enter the need this action meets",
        "action-0-action": "Enter what will be done",
    }


@pytest.mark.parametrize("weeks", [0, 27, -1])
def test_the_review_interval_is_one_to_twenty_six_weeks(around: Around, weeks: int) -> None:
    assert plan_errors(around, weeks=weeks, action_details=[details(around.lead.user)]) == {
        "review_every_weeks": "Review the plan every 1 to 26 weeks"
    }


@pytest.mark.parametrize("weeks", [1, 26])
def test_the_review_interval_limits_are_allowed(around: Around, weeks: int) -> None:
    plan = create(around, around.lead.user, weeks=weeks)
    assert plan.next_review_on == AGREED + dt.timedelta(weeks=weeks)


def test_a_plan_needs_an_action(around: Around) -> None:
    assert plan_errors(around, action_details=[]) == {"actions": "Agree at least one action"}


def test_a_plan_cannot_be_agreed_in_the_future(around: Around) -> None:
    errors = plan_errors(
        around, agreed_on=TODAY + dt.timedelta(days=1), action_details=[details(around.lead.user)]
    )
    assert errors == {"agreed_on": "The date the plan was agreed must be today or in the past"}


# ---------------------------------------------------------------------------------------------
# Adding an action


def test_the_lead_team_adds_an_action(around: Around) -> None:
    plan = create(around, around.lead.user)
    added = actions.add_plan_action(
        actor=around.colleague,
        plan=plan,
        details=details(around.colleague.user, due_on=TODAY + dt.timedelta(days=7)),
    )
    assert (added.plan, added.owner, added.owner_team, added.team) == (
        plan,
        around.colleague.user,
        around.lead.team,
        around.lead.team,
    )
    assert plan_events()[-1] == "Plan action added for Cole " + (
        f"{around.colleague.user.last_name}, due 22 September 2026"
    )


def test_only_the_lead_team_adds_actions(around: Around) -> None:
    around.share()
    plan = create(around, action_details=[details(around.hub.user)])
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_plan_action(actor=around.hub, plan=plan, details=details(around.hub.user))
    assert plan.actions.count() == 1


def test_an_added_action_is_due_from_today(around: Around) -> None:
    plan = create(around, around.lead.user)
    with pytest.raises(ValidationError) as error:
        actions.add_plan_action(
            actor=around.lead,
            plan=plan,
            details=details(around.lead.user, due_on=TODAY - dt.timedelta(days=1)),
        )
    assert errors_of(error) == {"due_on": "The due date must be on or after 15 September 2026"}


def test_an_owner_added_later_must_be_able_to_see_the_plan(around: Around) -> None:
    plan = create(around, around.lead.user)
    with pytest.raises(ValidationError) as error:
        actions.add_plan_action(actor=around.lead, plan=plan, details=details(around.hub.user))
    assert "would not be able to see this plan" in errors_of(error)["owner"]


# ---------------------------------------------------------------------------------------------
# Marking an action done


@pytest.fixture
def shared_plan(around: Around) -> Plan:
    """A plan with one action for the hub worker, the family having agreed to share."""
    around.share()
    return create(around, action_details=[details(around.hub.user)])


@pytest.mark.parametrize("who", ["hub", "hub_colleague", "lead", "colleague"])
def test_the_owner_their_team_or_the_plan_team_marks_an_action_done(
    around: Around, shared_plan: Plan, who: str
) -> None:
    action = shared_plan.actions.get()
    done = actions.mark_action_done(
        actor=getattr(around, who), action=action, done_on=TODAY - dt.timedelta(days=2)
    )
    assert done.done_on == dt.date(2026, 9, 13)
    event = ChronologyEvent.objects.filter(kind=EventKind.PLAN).latest("id")
    assert event.summary == "Plan action done: Ask the housing officer to visit"
    assert event.team == getattr(around, who).team
    assert timezone.localtime(event.occurred_at).date() == dt.date(2026, 9, 13)


def test_anyone_else_cannot_mark_an_action_done(around: Around, shared_plan: Plan) -> None:
    voluntary = TeamFactory.create(
        organisation=OrganisationFactory(type=OrganisationType.VOLUNTARY_ORGANISATION)
    )
    InvolvementFactory(family=around.family, team=voluntary)
    volunteer = make_actor(Role.VOLUNTARY_SECTOR_WORKER, voluntary)
    action = shared_plan.actions.get()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.mark_action_done(actor=volunteer, action=action, done_on=TODAY)
    action.refresh_from_db()
    assert action.done_on is None


def test_an_action_is_marked_done_once(around: Around, shared_plan: Plan) -> None:
    action = shared_plan.actions.get()
    actions.mark_action_done(actor=around.hub, action=action, done_on=TODAY)
    with pytest.raises(ValidationError) as error:
        actions.mark_action_done(actor=around.lead, action=action, done_on=TODAY)
    assert error.value.messages == ["This action was marked done on 15 September 2026"]
    assert plan_events().count("Plan action done: Ask the housing officer to visit") == 1


@pytest.mark.parametrize("done_on", [AGREED - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)])
def test_done_is_between_the_plan_and_today(
    around: Around, shared_plan: Plan, done_on: dt.date
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.mark_action_done(
            actor=around.hub, action=shared_plan.actions.get(), done_on=done_on
        )
    assert errors_of(error) == {"done_on": "The date must be between 1 September 2026 and today"}


def test_an_action_of_a_closed_plan_is_not_marked_done(around: Around, shared_plan: Plan) -> None:
    actions.review_plan(
        actor=around.lead,
        plan=shared_plan,
        reviewed_on=TODAY,
        progress="The family moved away",
        next_review_on=None,
        close=True,
        closed_reason="Moved out of the area",
    )
    with pytest.raises(ValidationError, match="This plan is closed"):
        actions.mark_action_done(actor=around.hub, action=shared_plan.actions.get(), done_on=TODAY)


# ---------------------------------------------------------------------------------------------
# Reviewing and closing


def review(
    actor: Actor,
    plan: Plan,
    *,
    reviewed_on: dt.date = TODAY,
    progress: str = "Housing officer visited",
    next_review_on: dt.date | None = TODAY + dt.timedelta(weeks=4),
    close: bool = False,
    closed_reason: str = "",
) -> PlanReview:
    return actions.review_plan(
        actor=actor,
        plan=plan,
        reviewed_on=reviewed_on,
        progress=progress,
        next_review_on=next_review_on,
        close=close,
        closed_reason=closed_reason,
    )


def review_errors(actor: Actor, plan: Plan, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        review(actor, plan, **kwargs)
    assert not PlanReview.objects.exists()
    return errors_of(error)


def test_a_review_sets_the_next_one(around: Around) -> None:
    plan = create(around, around.lead.user)
    done = review(around.colleague, plan)
    assert (done.reviewed_on, done.next_review_on, done.progress) == (
        TODAY,
        dt.date(2026, 10, 13),
        "Housing officer visited",
    )
    assert (done.team, done.practitioner) == (around.lead.team, around.colleague.user)
    plan.refresh_from_db()
    assert plan.next_review_on == dt.date(2026, 10, 13)
    assert plan.is_open
    assert plan_events()[-1] == "Plan reviewed: next review by 13 October 2026"


@pytest.mark.parametrize(
    ("next_review_on", "message"),
    [
        (None, "Enter the date of the next review"),
        (TODAY, "The next review must be after this one"),
        (TODAY - dt.timedelta(days=1), "The next review must be after this one"),
    ],
)
def test_the_next_review_is_after_this_one(
    around: Around, next_review_on: dt.date | None, message: str
) -> None:
    plan = create(around, around.lead.user)
    assert review_errors(around.lead, plan, next_review_on=next_review_on) == {
        "next_review_on": message
    }


def test_a_review_says_how_it_is_going_on_a_day_since_the_plan(around: Around) -> None:
    plan = create(around, around.lead.user)
    errors = review_errors(
        around.lead, plan, progress="  ", reviewed_on=AGREED - dt.timedelta(days=1)
    )
    assert errors == {
        "progress": "Enter how the plan is going",
        "reviewed_on": "The date must be between 1 September 2026 and today",
    }


def test_the_lead_team_closes_the_plan_with_a_reason(around: Around) -> None:
    plan = create(around, around.lead.user)
    assert review_errors(around.lead, plan, close=True, next_review_on=None) == {
        "closed_reason": "Enter why the plan is closing"
    }
    closing = review(
        around.colleague,
        plan,
        reviewed_on=TODAY - dt.timedelta(days=1),
        next_review_on=None,
        close=True,
        closed_reason="  The family moved to a dry flat  ",
    )
    assert closing.next_review_on is None
    plan.refresh_from_db()
    assert (plan.closed_on, plan.closed_reason) == (
        TODAY - dt.timedelta(days=1),
        "The family moved to a dry flat",
    )
    assert not plan.is_open
    assert plan_events()[-1] == "Plan reviewed and closed: The family moved to a dry flat"
    with pytest.raises(ValidationError, match="This plan is closed"):
        review(around.lead, plan)
    with pytest.raises(ValidationError, match="This plan is closed"):
        actions.add_plan_action(actor=around.lead, plan=plan, details=details(around.lead.user))


def test_an_owner_team_reviews_but_does_not_close(around: Around, shared_plan: Plan) -> None:
    assert review_errors(
        around.hub, shared_plan, close=True, next_review_on=None, closed_reason="Done"
    ) == {"close": "Only Health Visiting North, who lead the plan, can close it"}
    assert review(around.hub_colleague, shared_plan).team == around.hub.team
    shared_plan.refresh_from_db()
    assert shared_plan.is_open


def test_a_team_with_no_action_in_the_plan_does_not_review_it(around: Around) -> None:
    plan = create(around, around.lead.user)
    with pytest.raises(NotFoundOrNotAllowed):
        review(around.hub, plan)
    assert not PlanReview.objects.exists()


# ---------------------------------------------------------------------------------------------
# Found in review: the plan's person in the owner check, refusals audited, review dates


def test_an_owner_must_be_able_to_see_the_plans_person_not_only_another_members(
    around: Around,
) -> None:
    """The parent's consent does not open the child's plan: the owner check asks about the
    person the plan is about, as the plan page will."""
    around.share()  # the parent's consent, about the parent's own data
    errors = plan_errors(around, person=around.child, action_details=[details(around.hub.user)])
    assert "would not be able to see this plan" in errors["action-0-owner"]
    assert create(around, around.hub.user, person=around.parent).actions.get().owner_team == (
        around.hub.team
    )


def test_a_refused_review_by_a_team_not_on_the_plan_is_audited(
    around: Around, world: World
) -> None:
    plan = create(around, around.lead.user)
    third = make_actor(Role.FAMILY_HUB_WORKER, TeamFactory(), first_name="Thea")
    InvolvementFactory(family=around.family, team=third.team)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.review_plan(
            actor=third, plan=plan, reviewed_on=TODAY, progress="Going well", next_review_on=None
        )
    refused = AuditEvent.objects.filter(user_id=third.user.pk, outcome=Outcome.DENIED)
    assert [event.basis for event in refused] == [
        "only the plan's lead team and the teams owning its actions"
    ]
    assert not PlanReview.objects.filter(plan=plan).exists()


def test_a_review_is_never_dated_before_the_last_one(around: Around) -> None:
    plan = create(around, around.lead.user)
    actions.review_plan(
        actor=around.lead,
        plan=plan,
        reviewed_on=TODAY,
        progress="Housing officer visited",
        next_review_on=TODAY + dt.timedelta(weeks=6),
    )
    with pytest.raises(ValidationError) as error:
        actions.review_plan(
            actor=around.lead,
            plan=plan,
            reviewed_on=TODAY - dt.timedelta(days=3),
            progress="An older note",
            next_review_on=TODAY + dt.timedelta(days=1),
        )
    assert errors_of(error) == {
        "reviewed_on": "The date must be between 15 September 2026 and today"
    }
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY + dt.timedelta(weeks=6)
