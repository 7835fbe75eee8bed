"""Reading assessments and plans: who may see what (the policy, drafts for their teams only),
recent assessments, the team's work, history and progress, a plan's page; every entry shown
audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.assessments import actions, selectors
from beststart.assessments.instruments import Answers
from beststart.assessments.models import Assessment, Plan, PlanAction
from beststart.assessments.tests.conftest import TODAY, TwoAgencies, star_answers, start_review
from beststart.assessments.tests.factories import PlanActionFactory, PlanFactory
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Involvement, Person
from beststart.families.tests.factories import InvolvementFactory
from beststart.sharing.models import Consent
from beststart.sharing.tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db

EHA: Answers = {
    "child": {"health": "strength", "found": "Loves the park"},
    "parenting": {"found": "Warm"},
    "family": {"housing": "some_need", "found": "Damp flat"},
    "views": {"parent": "We need somewhere drier"},
    "summary": {"strengths": "Close family", "needs": "Housing"},
}
ASQ3: Answers = {
    "result": {
        "interval": "27",
        "communication": "40",
        "gross_motor": "50",
        "fine_motor": "45",
        "problem_solving": "50",
        "personal_social": "55",
    }
}


def completed(
    actor: Actor,
    family: Family,
    who: Person,
    code: str,
    answers: Answers,
    on: dt.date = TODAY,
) -> Assessment:
    assessment = actions.start_assessment(
        actor=actor, family=family, person=who, instrument_code=code, assessed_on=on
    )
    actions.save_answers(actor=actor, assessment=assessment, answers=answers, complete=True)
    assessment.refresh_from_db()
    return assessment


def draft(actor: Actor, family: Family, who: Person, code: str) -> Assessment:
    return actions.start_assessment(
        actor=actor, family=family, person=who, instrument_code=code, assessed_on=TODAY
    )


def audited(actor: Actor, action: str, outcome: str = Outcome.ALLOWED) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(user_id=actor.user.pk, action=action, outcome=outcome).order_by(
            "id"
        )
    )


def involved_team(family: Family, kind: str, role: str) -> Actor:
    team = TeamFactory.create(organisation=OrganisationFactory(type=kind))
    InvolvementFactory(family=family, team=team)
    return make_actor(role, team)


# ---------------------------------------------------------------------------------------------
# The policy


def test_a_team_with_no_involvement_sees_nothing_and_is_audited(world: World) -> None:
    child = world.family.members.get(kind="child")
    eha = completed(world.actor, world.family, child, "early-help-assessment", EHA)
    stranger = world.other_actor
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.history(stranger, world.family.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.assessment_detail(stranger, eha.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.recent_assessments(
            stranger, world.family.pk, selectors.instruments_for(world.actor)[0]
        )
    denied = audited(stranger, AccessAction.VIEW, Outcome.DENIED)
    assert [event.family_id for event in denied] == [world.family.pk] * 3
    assert denied[1].category == DataCategory.FAMILY_SUPPORT  # the assessment's own category


def test_an_assessment_that_does_not_exist_looks_like_one_not_allowed(world: World) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.assessment_detail(world.actor, 999_999)


def test_a_draft_is_seen_by_its_teams_only(two_agencies: TwoAgencies) -> None:
    hv, child, family = two_agencies.health_visitor, two_agencies.child, two_agencies.family
    ConsentFactory(
        person=child,
        given_by=two_agencies.parent,
        categories=[DataCategory.DEVELOPMENT.value],
        recipient_types=[OrganisationType.FAMILY_HUB.value],
    )
    hub = involved_team(family, OrganisationType.FAMILY_HUB, Role.FAMILY_HUB_WORKER)
    done = completed(hv, family, child, "asq-3", ASQ3)
    in_progress = draft(hv, family, child, "asq-3")
    review = start_review(two_agencies)
    # The third team sees the completed one (consent and agreement), never a draft.
    assert selectors.assessment_detail(hub, done.pk).assessment == done
    for hidden in (in_progress, review):
        with pytest.raises(NotFoundOrNotAllowed):
            selectors.assessment_detail(hub, hidden.pk)
    history = selectors.history(hub, family.pk)
    assert history.drafts == []
    assert [row.assessment for s in history.series for row in s.rows] == [done]
    # The partner in the integrated review sees it; the starting team sees both drafts.
    assert selectors.assessment_detail(two_agencies.setting, review.pk).assessment == review
    assert {each.pk for each in selectors.history(hv, family.pk).drafts} == {
        in_progress.pk,
        review.pk,
    }


def test_another_agencys_section_is_withheld_when_it_is_not_shared(
    two_agencies: TwoAgencies,
) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = start_review(two_agencies, by=setting)
    actions.save_answers(
        actor=hv,
        assessment=review,
        answers={"health": {"growth": "concern", "findings": "Small for age"}},
        complete=False,
    )
    actions.save_answers(
        actor=setting,
        assessment=review,
        answers={"setting": {"findings": "Few words"}},
        complete=False,
    )
    shared = {s.section.code: s for s in selectors.assessment_detail(setting, review.pk).sections}
    assert shared["health"].contribution is not None
    assert not shared["health"].withheld
    Consent.objects.all().delete()
    withheld = {s.section.code: s for s in selectors.assessment_detail(setting, review.pk).sections}
    assert withheld["health"].contribution is None
    assert withheld["health"].withheld
    assert [words for _, words in withheld["health"].answers] == ["", "", "", "", ""]
    assert withheld["setting"].contribution is not None
    assert not withheld["parents"].withheld  # not written yet
    denied = audited(setting, AccessAction.VIEW, Outcome.DENIED)
    assert [(e.category, e.family_id) for e in denied] == [
        (DataCategory.DEVELOPMENT, two_agencies.family.pk)
    ]


def test_results_and_needs_from_a_withheld_section_are_withheld_with_it(
    two_agencies: TwoAgencies,
) -> None:
    """The results are stored on the starting team's row, but a result or a need drawn from
    the other agency's section shows only as far as that section does."""
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = start_review(two_agencies)
    health = {"asq3_used": "yes", "growth": "concern", "hearing_vision": "no_concern"}
    health |= {"immunisations": "up_to_date", "findings": "Well"}
    actions.save_answers(actor=hv, assessment=review, answers={"health": health}, complete=False)
    setting_part = {"communication": "less_than_expected", "personal": "on_track"}
    setting_part |= {"physical": "on_track", "findings": "Few words"}
    shared = {"summary": "Talking late", "next_steps": "Speech group", "parents_agree": "yes"}
    parents = {"took_part": "in_person", "views": "Chatty at home"}
    actions.save_answers(
        actor=setting,
        assessment=review,
        answers={"setting": setting_part, "shared": shared, "parents": parents},
        complete=True,
    )
    before = selectors.assessment_detail(setting, review.pk)
    assert [s.code for s, _ in before.section_results()] == ["health", "setting"]
    assert [need["item"] for need in before.needs] == ["Growth", "Communication and language"]

    Consent.objects.all().delete()  # the nursery has no statutory duty: consent was its basis
    after = selectors.assessment_detail(setting, review.pk)
    assert [s.code for s, _ in after.section_results()] == ["setting"]
    assert [need["item"] for need in after.needs] == ["Communication and language"]
    (series,) = selectors.history(setting, two_agencies.family.pk).series
    assert "section-health" not in series.rows[0].values
    assert series.rows[0].values["section-setting"] == "Progress less than expected"


# ---------------------------------------------------------------------------------------------
# Recent assessments with the same instrument


def test_recent_assessments_are_those_the_actor_may_see_in_the_instruments_window(
    two_agencies: TwoAgencies,
) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    family, child = two_agencies.family, two_agencies.child
    eha = selectors.instruments_for(hv)
    instrument = next(each for each in eha if each.code == "early-help-assessment")
    assert instrument.recent_days == 180
    within = completed(
        setting, family, child, "early-help-assessment", EHA, TODAY - dt.timedelta(days=180)
    )
    completed(setting, family, child, "early-help-assessment", EHA, TODAY - dt.timedelta(days=181))
    by_hv = completed(hv, family, child, "early-help-assessment", EHA)
    setting_draft = draft(setting, family, child, "early-help-assessment")
    # The setting: its own, within 180 days, and its draft; not the health visitor's family
    # support assessment, which the family has not agreed to share with it.
    assert {a.pk for a in selectors.recent_assessments(setting, family.pk, instrument)} == {
        within.pk,
        setting_draft.pk,
    }
    denied = audited(setting, AccessAction.VIEW, Outcome.DENIED)
    assert [(e.category, e.person_id) for e in denied] == [(DataCategory.FAMILY_SUPPORT, child.pk)]
    shown = {(e.category, e.person_id) for e in audited(setting, AccessAction.VIEW)}
    assert (DataCategory.FAMILY_SUPPORT, child.pk) in shown  # what was listed, audited
    # The health visitor: her own; the setting's only with consent, and never its draft.
    assert [a.pk for a in selectors.recent_assessments(hv, family.pk, instrument)] == [by_hv.pk]
    ConsentFactory(
        person=child,
        given_by=two_agencies.parent,
        categories=[DataCategory.FAMILY_SUPPORT.value],
        recipient_types=[OrganisationType.HEALTH_VISITING_SERVICE.value],
    )
    assert {a.pk for a in selectors.recent_assessments(hv, family.pk, instrument)} == {
        by_hv.pk,
        within.pk,
    }


# ---------------------------------------------------------------------------------------------
# The team's work


def test_team_work_lists_drafts_reviews_awaiting_plans_to_review_and_open_actions(
    two_agencies: TwoAgencies,
) -> None:
    hv, setting, family = two_agencies.health_visitor, two_agencies.setting, two_agencies.family
    child = two_agencies.child
    mine = draft(hv, family, child, "asq-3")
    completed(hv, family, child, "asq-3", ASQ3)  # completed: not work in progress
    awaiting = start_review(two_agencies, by=setting)
    plan = {"family": family, "team": hv.team, "practitioner": hv.user}
    overdue = PlanFactory(**plan, next_review_on=TODAY - dt.timedelta(days=3))
    due = PlanFactory(**plan, next_review_on=TODAY + dt.timedelta(days=14))
    PlanFactory(**plan, next_review_on=TODAY + dt.timedelta(days=15))  # not yet
    PlanFactory(**plan, next_review_on=TODAY, closed_on=TODAY)  # closed
    PlanFactory(  # another team's
        family=family, team=setting.team, practitioner=setting.user, next_review_on=TODAY
    )
    later = PlanFactory(**plan, next_review_on=TODAY + dt.timedelta(days=40))
    first = PlanActionFactory(plan=later, owner=hv.user, due_on=TODAY + dt.timedelta(days=2))
    second = PlanActionFactory(plan=later, owner=hv.user, due_on=TODAY - dt.timedelta(days=5))
    PlanActionFactory(plan=later, owner=hv.user, done_on=TODAY)  # done
    PlanActionFactory(plan=PlanFactory(**plan, closed_on=TODAY), owner=hv.user)  # plan closed
    setting_plan = PlanFactory(family=family, team=setting.team, practitioner=setting.user)
    PlanActionFactory(plan=setting_plan, owner=setting.user)  # the setting's to do

    work = selectors.team_work(hv)

    assert work.today == TODAY
    assert [each.pk for each in work.drafts] == [mine.pk]
    assert [each.pk for each in work.awaiting] == [awaiting.pk]
    assert [each.pk for each in work.plans_to_review] == [overdue.pk, due.pk]
    assert [each.pk for each in work.actions] == [second.pk, first.pk]  # by due date
    shown: list[Assessment | Plan | PlanAction] = [
        *work.drafts,
        *work.awaiting,
        *work.plans_to_review,
        *work.actions,
    ]
    listed = audited(hv, AccessAction.LIST)
    for entry in shown:
        assert any(
            (event.family_id, event.person_id, event.category)
            == (entry.family_id, entry.person_id, entry.category)
            for event in listed
        ), entry


def test_team_work_leaves_out_families_the_team_no_longer_works_with(world: World) -> None:
    child = world.family.members.get(kind="child")
    draft(world.actor, world.family, child, "early-help-assessment")
    plan = PlanFactory(
        family=world.family,
        team=world.actor.team,
        practitioner=world.actor.user,
        next_review_on=TODAY,
    )
    PlanActionFactory(plan=plan, owner=world.actor.user)
    assert len(selectors.team_work(world.actor).drafts) == 1
    Involvement.objects.filter(family=world.family).update(ended_on=TODAY - dt.timedelta(days=1))
    work = selectors.team_work(world.actor)
    assert (work.drafts, work.awaiting, work.plans_to_review, work.actions) == ([], [], [], [])


def test_team_work_is_for_practitioners(world: World) -> None:
    commissioner = make_actor(Role.COMMISSIONER)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.team_work(commissioner)


# ---------------------------------------------------------------------------------------------
# History and progress


def test_history_shows_progress_on_repeat_star_scores(world: World) -> None:
    family = world.family
    parent, child = family.members.get(kind="parent"), family.members.get(kind="child")
    scale = "family-outcomes-scale"
    third = completed(world.actor, family, parent, scale, star_answers(6, 7, 8, 6, 5, 7, 6, 5))
    first = completed(
        world.actor,
        family,
        parent,
        scale,
        star_answers(2, 3, 5, 3, 4, 4, 3, 4),
        TODAY - dt.timedelta(60),
    )
    second = completed(
        world.actor,
        family,
        parent,
        scale,
        star_answers(4, 5, 6, None, 4, 5, 4, 4),
        TODAY - dt.timedelta(30),
    )
    eha = completed(world.actor, family, child, "early-help-assessment", EHA)
    in_progress = draft(world.actor, family, parent, scale)

    history = selectors.history(world.actor, family.pk)

    assert history.person is None
    assert [each.pk for each in history.drafts] == [in_progress.pk]
    assert history.may_start
    # One series per person and instrument: the parent (born first), then the child.
    assert [(s.person, s.instrument.code) for s in history.series] == [
        (parent, scale),
        (child, "early-help-assessment"),
    ]
    series = history.series[0]
    assert [row.assessment.pk for row in series.rows] == [first.pk, second.pk, third.pk]
    assert [column.key for column in series.columns] == [
        "areas-physical_health",
        "areas-wellbeing",
        "areas-safety",
        "areas-routines",
        "areas-boundaries",
        "areas-support",
        "areas-home_money",
        "areas-learning_work",
        "section-areas",
    ]
    assert series.columns[0].label == "Physical health"
    assert series.columns[-1].label == "Areas: mean"
    assert {column.maximum for column in series.numeric} == {Decimal(10)}
    assert series.rows[0].values["section-areas"] == "3.5"
    assert series.rows[1].values["areas-routines"] == ""
    assert series.rows[1].values["section-areas"] == "4.57"  # 32 / 7, routines not scored
    assert series.rows[2].values["section-areas"] == "6.25"
    change = series.change()
    assert change["section-areas"] == Decimal("2.75")
    assert change["areas-physical_health"] == Decimal(4)
    assert change["areas-routines"] == Decimal(3)  # first and latest; the middle is missing
    eha_series = history.series[1]
    assert eha_series.rows[0].assessment == eha
    assert eha_series.rows[0].values == {
        "section-child": "A strength",
        "section-parenting": "",
        "section-family": "Some needs",
    }
    assert eha_series.change() == {}  # one assessment: no distance travelled yet


def test_history_of_one_person(world: World) -> None:
    family = world.family
    parent, child = family.members.get(kind="parent"), family.members.get(kind="child")
    completed(world.actor, family, parent, "family-outcomes-scale", star_answers(*[5] * 8))
    completed(world.actor, family, child, "early-help-assessment", EHA)
    mine = PlanFactory(family=family, team=world.actor.team, person=child)
    whole = PlanFactory(family=family, team=world.actor.team, person=None)
    PlanFactory(family=family, team=world.actor.team, person=parent)
    history = selectors.history(world.actor, family.pk, child.pk)
    assert history.person == child
    assert [s.instrument.code for s in history.series] == ["early-help-assessment"]
    assert {plan.pk for plan in history.plans} == {mine.pk, whole.pk}
    assert history.people == [parent, child]
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.history(world.actor, family.pk, world.other_family.members.get(kind="child").pk)


# ---------------------------------------------------------------------------------------------
# Plans


def test_a_plan_page_says_who_may_do_what(two_agencies: TwoAgencies) -> None:
    hv, setting, family = two_agencies.health_visitor, two_agencies.setting, two_agencies.family
    plan = PlanFactory(
        family=family,
        team=hv.team,
        practitioner=hv.user,
        category=DataCategory.DEVELOPMENT,
        next_review_on=TODAY - dt.timedelta(days=1),
    )
    theirs = PlanActionFactory(plan=plan, owner=setting.user, owner_team=setting.team)
    ours = PlanActionFactory(plan=plan, owner=hv.user)
    lead_view = selectors.plan_detail(hv, plan.pk)
    assert (lead_view.may_change, lead_view.may_review, lead_view.review_overdue) == (
        True,
        True,
        True,
    )
    assert lead_view.markable == {theirs.pk, ours.pk}
    setting_view = selectors.plan_detail(setting, plan.pk)
    assert (setting_view.may_change, setting_view.may_review) == (False, True)
    assert setting_view.markable == {theirs.pk}
    assert selectors.may_mark_done(setting, theirs)
    assert not selectors.may_mark_done(setting, ours)
    Plan.objects.filter(pk=plan.pk).update(closed_on=TODAY)
    closed = selectors.plan_detail(hv, plan.pk)
    assert (closed.may_change, closed.may_review, closed.markable) == (False, False, set())
    assert not closed.review_overdue


def test_a_plan_is_not_shown_to_a_team_not_working_with_the_family(world: World) -> None:
    plan = PlanFactory(family=world.family, team=world.actor.team)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.plan_detail(world.other_actor, plan.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.plan_for_update(world.other_actor, plan.pk)
    assert audited(world.other_actor, AccessAction.UPDATE, Outcome.DENIED)


def test_planning_starts_from_the_needs_of_a_completed_assessment(world: World) -> None:
    child = world.family.members.get(kind="child")
    eha = completed(world.actor, world.family, child, "early-help-assessment", EHA)
    planning = selectors.for_planning(world.actor, world.family.pk, eha.pk)
    assert planning.assessment == eha
    assert planning.needs == [
        {
            "section_code": "family",
            "section": "Family and environment",
            "item": "Housing",
            "answer": "Some needs",
        }
    ]
    assert [m.user for m in planning.around] == [world.actor.user]
    in_progress = draft(world.actor, world.family, child, "early-help-assessment")
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.for_planning(world.actor, world.family.pk, in_progress.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.for_planning(world.actor, world.other_family.pk, eha.pk)
    assert selectors.for_planning(world.actor, world.family.pk, None).needs == []


def test_the_team_around_is_the_active_members_of_the_teams_involved(world: World) -> None:
    hub: Team = world.other_actor.team
    InvolvementFactory(family=world.family, team=hub)
    InvolvementFactory(
        family=world.family,
        team=TeamFactory.create(),
        ended_on=TODAY - dt.timedelta(days=1),
        started_on=TODAY - dt.timedelta(days=90),
    )
    gone = make_actor(Role.FAMILY_HUB_WORKER, hub)
    gone.membership.is_active = False
    gone.membership.save()
    around = selectors.team_around(world.family)
    assert {m.user for m in around} == {world.actor.user, world.other_actor.user}


def test_for_starting_offers_the_roles_instruments_and_partner_teams(
    two_agencies: TwoAgencies,
) -> None:
    starting = selectors.for_starting(two_agencies.setting, two_agencies.family.pk)
    assert {each.code for each in starting.instruments} == {
        "early-help-assessment",
        "eyfs-progress-check",
        "integrated-two-year-review",
    }
    assert starting.partner_teams == [two_agencies.health_visitor.team]
    assert set(starting.people) == {two_agencies.parent, two_agencies.child}


def test_a_teams_own_draft_is_shown_only_to_roles_that_see_its_category(world: World) -> None:
    """Being one of an assessment's teams lets it see its own part whatever the family's
    consent, never past what the role may see: a voluntary-sector worker in the health
    visitors' team does not see their ASQ-3 (development data)."""
    child = world.family.members.get(kind="child")
    asq = draft(world.actor, world.family, child, "asq-3")
    volunteer = make_actor(Role.VOLUNTARY_SECTOR_WORKER, world.actor.team)
    assert selectors.history(world.actor, world.family.pk).drafts == [asq]
    assert selectors.history(volunteer, world.family.pk).drafts == []
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.assessment_detail(volunteer, asq.pk)
