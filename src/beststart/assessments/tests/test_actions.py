"""Starting, answering, completing and discarding assessments: the rules of each, the
integrated review written by two agencies, the chronology, and versions of an instrument."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.assessments import actions, instruments, selectors
from beststart.assessments.instruments import Answers
from beststart.assessments.models import Assessment, AssessmentStatus, Contribution
from beststart.assessments.tests.conftest import TODAY, TwoAgencies, start_review
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import ChronologyEvent, EventKind, Family, Person
from beststart.families.tests.factories import InvolvementFactory
from beststart.sharing.models import Consent

pytestmark = pytest.mark.django_db

REVIEW = "integrated-two-year-review"
HEALTH = {
    "asq3_used": "yes",
    "growth": "no_concern",
    "hearing_vision": "no_concern",
    "immunisations": "up_to_date",
    "findings": "Growing well",
}
PARENTS = {"took_part": "in_person", "views": "Chatty and happy"}
SETTING = {
    "communication": "less_than_expected",
    "personal": "on_track",
    "physical": "on_track",
    "findings": "Few words yet",
}
SHARED = {"summary": "Well, but talking late", "next_steps": "Speech group", "parents_agree": "yes"}
EHA_COMPLETE: Answers = {
    "child": {"health": "strength", "learning": "some_need", "found": "Loves the park"},
    "parenting": {"warmth": "strength", "found": "Warm and attentive"},
    "family": {"housing": "significant_need", "found": "Damp flat, one bedroom"},
    "views": {"parent": "We need somewhere drier"},
    "summary": {"strengths": "A close family", "needs": "Housing"},
}


def person(family: Family, kind: str) -> Person:
    return family.members.get(kind=kind)


def start(
    actor: Actor,
    family: Family,
    who: Person,
    code: str = "early-help-assessment",
    *,
    on: dt.date = TODAY,
    partner: Team | None = None,
) -> Assessment:
    return actions.start_assessment(
        actor=actor,
        family=family,
        person=who,
        instrument_code=code,
        assessed_on=on,
        partner_team=partner,
    )


def errors_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {key: " ".join(messages) for key, messages in error.value.message_dict.items()}


def contributions(assessment: Assessment) -> dict[str, tuple[dict[str, str], int]]:
    return {
        each.section: (each.answers, each.team_id)
        for each in Contribution.objects.filter(assessment=assessment)
    }


# ---------------------------------------------------------------------------------------------
# Starting


def test_an_assessment_starts_as_a_draft_on_the_latest_version(world: World) -> None:
    child = person(world.family, "child")
    assessment = start(world.actor, world.family, child)
    assert assessment.is_draft
    assert (assessment.instrument, assessment.version) == ("early-help-assessment", 1)
    assert assessment.title == "Early Help Assessment"
    assert assessment.category == DataCategory.FAMILY_SUPPORT
    assert (assessment.team, assessment.practitioner) == (world.actor.team, world.actor.user)
    assert assessment.partner_team is None
    assert assessment.assessed_on == TODAY
    # Starting is an update of the family's data in the instrument's category, audited.
    audit = AuditEvent.objects.get(user_id=world.actor.user.pk)
    assert (audit.family_id, audit.person_id) == (world.family.pk, child.pk)
    assert (audit.category, audit.action, audit.outcome) == (
        DataCategory.FAMILY_SUPPORT,
        AccessAction.UPDATE,
        Outcome.ALLOWED,
    )
    # Only an integrated record says it started on the chronology; the others say it done.
    assert not ChronologyEvent.objects.filter(kind=EventKind.ASSESSMENT).exists()


def test_an_instrument_the_role_does_not_record_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        start(world.actor, world.family, person(world.family, "child"), "eyfs-progress-check")
    errors = errors_of(error)
    assert errors["instrument"] == "Your role does not record the EYFS progress check at two"
    assert set(errors) == {"instrument", "person"}  # every rule is checked at once (age)
    assert not Assessment.objects.exists()


def test_an_instrument_about_someone_else_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        start(world.actor, world.family, person(world.family, "child"), "family-outcomes-scale")
    assert errors_of(error) == {
        "person": "The Family outcomes scale (Star-style) is about a parent or carer: choose "
        "someone else, or another one"
    }


def test_an_instrument_for_another_age_gives_the_age_in_months(world: World) -> None:
    child = person(world.family, "child")
    child.date_of_birth = dt.date(2024, 6, 10)
    child.save()
    with pytest.raises(ValidationError) as error:
        start(world.actor, world.family, child, "asq-3", on=dt.date(2024, 6, 30))
    assert errors_of(error) == {
        "person": "The ASQ-3 results is for children aged 1 to 66 months: "
        f"{child.full_name} is 0 months old"
    }
    # The age is the one on the day of the assessment, not today's (27 months).
    assert start(world.actor, world.family, child, "asq-3", on=dt.date(2024, 8, 10)).pk


def test_an_assessment_cannot_be_dated_in_the_future(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        start(
            world.actor,
            world.family,
            person(world.family, "child"),
            on=TODAY + dt.timedelta(days=1),
        )
    assert errors_of(error) == {
        "assessed_on": "The date of the assessment must be today or in the past"
    }


def test_an_unknown_instrument_is_an_error_on_the_instrument(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        start(world.actor, world.family, person(world.family, "child"), "asq-4")
    assert errors_of(error) == {"instrument": "There is no instrument 'asq-4'"}


def test_someone_outside_the_family_cannot_be_assessed_with_it(world: World) -> None:
    stranger = person(world.other_family, "child")
    with pytest.raises(NotFoundOrNotAllowed):
        start(world.actor, world.family, stranger)
    assert not Assessment.objects.exists()


def test_a_team_not_working_with_the_family_is_refused_and_the_refusal_audited(
    world: World,
) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        start(world.other_actor, world.family, person(world.family, "child"))
    assert not Assessment.objects.exists()
    refusal = AuditEvent.objects.get(user_id=world.other_actor.user.pk)
    assert (refusal.family_id, refusal.action, refusal.outcome) == (
        world.family.pk,
        AccessAction.UPDATE,
        Outcome.DENIED,
    )


# ---------------------------------------------------------------------------------------------
# Starting an integrated review


def test_an_integrated_review_is_started_with_the_partner_and_says_so(
    two_agencies: TwoAgencies,
) -> None:
    review = start_review(two_agencies)
    assert review.partner_team == two_agencies.setting.team
    assert review.category == DataCategory.DEVELOPMENT
    event = ChronologyEvent.objects.get(kind=EventKind.ASSESSMENT)
    assert event.summary == "Integrated review at two started with Little Acorns Nursery"
    assert (event.category, event.person, event.team) == (
        DataCategory.DEVELOPMENT,
        two_agencies.child,
        two_agencies.health_visitor.team,
    )


def test_either_agency_may_start_the_review(two_agencies: TwoAgencies) -> None:
    review = start(
        two_agencies.setting,
        two_agencies.family,
        two_agencies.child,
        REVIEW,
        partner=two_agencies.health_visitor.team,
    )
    assert (review.team, review.partner_team) == (
        two_agencies.setting.team,
        two_agencies.health_visitor.team,
    )


def review_error(two: TwoAgencies, partner: Team | None) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        start(two.health_visitor, two.family, two.child, REVIEW, partner=partner)
    assert not Assessment.objects.exists()
    return errors_of(error)


def test_the_review_needs_a_partner(two_agencies: TwoAgencies) -> None:
    assert review_error(two_agencies, None) == {
        "partner_team": "Choose the early years setting completing the review with you"
    }


def test_the_partner_must_be_the_other_agency(two_agencies: TwoAgencies) -> None:
    hub = TeamFactory.create(
        organisation=OrganisationFactory(type=OrganisationType.FAMILY_HUB), name="Hub"
    )
    make_actor(Role.FAMILY_HUB_WORKER, hub)
    InvolvementFactory(family=two_agencies.family, team=hub)
    assert review_error(two_agencies, hub) == {
        "partner_team": "Choose the early years setting completing the review with you"
    }


def test_the_partner_must_work_with_the_family(two_agencies: TwoAgencies) -> None:
    elsewhere = TeamFactory.create(
        organisation=OrganisationFactory(type=OrganisationType.EARLY_YEARS_SETTING),
        name="Oak Tree Preschool",
    )
    make_actor(Role.EARLY_YEARS_PRACTITIONER, elsewhere)
    assert review_error(two_agencies, elsewhere) == {
        "partner_team": "Oak Tree Preschool does not work with this family: they need to be "
        "involved first"
    }


def test_the_review_needs_the_familys_consent_to_share(two_agencies: TwoAgencies) -> None:
    Consent.objects.all().delete()
    message = review_error(two_agencies, two_agencies.setting.team)["partner_team"]
    assert "consent" in message
    assert message == (
        "The family has not agreed to share development and learning information between "
        "Testshire Health Visiting and Little Acorns Nursery. Record their consent first, then "
        "start the review"
    )


def test_the_review_is_started_by_one_of_its_agencies(two_agencies: TwoAgencies) -> None:
    hub = TeamFactory.create(organisation=OrganisationFactory(type=OrganisationType.FAMILY_HUB))
    manager = make_actor(Role.TEAM_MANAGER, hub)
    InvolvementFactory(family=two_agencies.family, team=hub)
    with pytest.raises(ValidationError) as error:
        start(manager, two_agencies.family, two_agencies.child, REVIEW, partner=hub)
    assert errors_of(error) == {
        "instrument": "The Integrated review at two is started by one of its agencies"
    }


# ---------------------------------------------------------------------------------------------
# Drafts


def test_a_draft_keeps_partial_answers_and_resumes_with_them(world: World) -> None:
    child = person(world.family, "child")
    draft = start(world.actor, world.family, child)
    actions.save_answers(
        actor=world.actor,
        assessment=draft,
        answers={
            "child": {"health": "strength", "learning": "", "found": "  Loves the park  "},
            "views": {"parent": "Tired"},
            "summary": {"strengths": "", "needs": ""},
        },
        complete=False,
    )
    draft.refresh_from_db()
    assert draft.is_draft
    assert contributions(draft) == {
        "child": ({"health": "strength", "found": "Loves the park"}, world.actor.team.pk),
        "views": ({"parent": "Tired"}, world.actor.team.pk),
    }
    view = selectors.assessment_for_editing(world.actor, draft.pk)
    shown = {
        section.section.code: {item.code: words for item, words in section.answers if words}
        for section in view.sections
    }
    assert shown["child"] == {"health": "A strength", "found": "Loves the park"}
    assert shown["views"] == {"parent": "Tired"}
    assert shown["summary"] == {}
    assert view.may_edit
    assert all(section.writable for section in view.sections)


def test_a_draft_refuses_impossible_values_and_writes_nothing(world: World) -> None:
    parent = person(world.family, "parent")
    draft = start(world.actor, world.family, parent, "family-outcomes-scale")
    actions.save_answers(
        actor=world.actor, assessment=draft, answers={"areas": {"safety": "5"}}, complete=False
    )
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=world.actor,
            assessment=draft,
            answers={
                "areas": {"safety": "6", "wellbeing": "11", "routines": "often", "support": "4.5"}
            },
            complete=False,
        )
    assert errors_of(error) == {
        "areas-wellbeing": "Emotional well-being must be between 1 and 10",
        "areas-routines": "Family routines must be a number, like 1",
        "areas-support": "Support from family and friends must be in steps of 1 (from 1 to 10)",
    }
    assert contributions(draft) == {"areas": ({"safety": "5"}, world.actor.team.pk)}


def test_a_choice_not_in_the_options_is_refused(world: World) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=world.actor,
            assessment=draft,
            answers={"family": {"housing": "awful"}},
            complete=False,
        )
    assert errors_of(error) == {"family-housing": "Select one of the options for Housing"}
    assert not Contribution.objects.exists()


def test_a_section_emptied_again_is_removed(world: World) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    for parent_says in ("Tired", ""):
        actions.save_answers(
            actor=world.actor,
            assessment=draft,
            answers={"views": {"parent": parent_says}},
            complete=False,
        )
    assert contributions(draft) == {}


def test_completing_needs_every_required_answer_and_saves_nothing_until_then(
    world: World,
) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    answers = {**EHA_COMPLETE, "summary": {"strengths": "A close family"}}
    with pytest.raises(ValidationError) as error:
        actions.save_answers(actor=world.actor, assessment=draft, answers=answers, complete=True)
    assert errors_of(error) == {"summary-needs": "Enter the needs to work on"}
    draft.refresh_from_db()
    assert draft.is_draft
    assert contributions(draft) == {}  # one transaction: the refused completion left nothing


def test_a_completed_assessment_stores_its_results(world: World) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    done = actions.save_answers(
        actor=world.actor, assessment=draft, answers=EHA_COMPLETE, complete=True
    )
    done.refresh_from_db()
    assert done.status == AssessmentStatus.COMPLETED
    assert (done.completed_at, done.completed_by) == (
        dt.datetime.combine(TODAY, dt.time(11, 0), tzinfo=dt.UTC),
        world.actor.user,
    )
    bands = {code: score["band"] for code, score in done.results["sections"].items()}
    assert bands == {"child": "some_need", "parenting": "strength", "family": "significant_need"}
    assert [need["item"] for need in done.results["needs"]] == [
        "Learning and development",
        "Housing",
    ]
    assert done.results["total"] is None


def test_a_completed_assessment_cannot_be_changed(world: World) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    actions.save_answers(actor=world.actor, assessment=draft, answers=EHA_COMPLETE, complete=True)
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=world.actor,
            assessment=draft,
            answers={"views": {"parent": "Changed my mind"}},
            complete=False,
        )
    assert error.value.messages == [
        "This Early Help Assessment was completed: it cannot be changed"
    ]
    assert contributions(draft)["views"][0] == {"parent": "We need somewhere drier"}
    # To a team that is not one of its own, it is as if it did not exist.
    InvolvementFactory(family=world.family, team=world.other_actor.team)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.save_answers(actor=world.other_actor, assessment=draft, answers={}, complete=False)


def test_only_its_teams_write_to_an_assessment(two_agencies: TwoAgencies) -> None:
    hub = TeamFactory.create(organisation=OrganisationFactory(type=OrganisationType.FAMILY_HUB))
    hub_worker = make_actor(Role.FAMILY_HUB_WORKER, hub)
    InvolvementFactory(family=two_agencies.family, team=hub)
    eha = start(two_agencies.health_visitor, two_agencies.family, two_agencies.child)
    for outsider in (hub_worker, two_agencies.setting):
        with pytest.raises(NotFoundOrNotAllowed):
            actions.save_answers(
                actor=outsider,
                assessment=eha,
                answers={"views": {"parent": "Fine"}},
                complete=False,
            )
    assert contributions(eha) == {}


def test_the_draft_is_discarded_by_the_team_that_started_it_only(
    two_agencies: TwoAgencies,
) -> None:
    review = start_review(two_agencies)
    actions.save_answers(
        actor=two_agencies.setting,
        assessment=review,
        answers={"setting": SETTING},
        complete=False,
    )
    with pytest.raises(NotFoundOrNotAllowed):
        actions.discard_draft(actor=two_agencies.setting, assessment=review)
    assert Assessment.objects.filter(pk=review.pk).exists()
    colleague = make_actor(Role.HEALTH_VISITOR, two_agencies.health_visitor.team)
    actions.discard_draft(actor=colleague, assessment=review)
    assert not Assessment.objects.exists()
    assert not Contribution.objects.exists()


def test_a_completed_assessment_is_not_discarded(world: World) -> None:
    draft = start(world.actor, world.family, person(world.family, "child"))
    actions.save_answers(actor=world.actor, assessment=draft, answers=EHA_COMPLETE, complete=True)
    with pytest.raises(ValidationError, match="A completed assessment is kept"):
        actions.discard_draft(actor=world.actor, assessment=draft)
    assert Assessment.objects.filter(pk=draft.pk).exists()


# ---------------------------------------------------------------------------------------------
# The integrated review, written by two agencies


def test_integrated_review_by_two_agencies(two_agencies: TwoAgencies) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = start_review(two_agencies)
    actions.save_answers(
        actor=hv,
        assessment=review,
        answers={"health": HEALTH, "parents": PARENTS, "setting": {"findings": "Not ours"}},
        complete=False,
    )
    assert set(contributions(review)) == {"health", "parents"}  # not the setting's section
    assert [each.pk for each in selectors.team_work(setting).awaiting] == [review.pk]
    view = selectors.assessment_for_editing(setting, review.pk)
    assert {s.section.code for s in view.sections if s.writable} == {"setting", "shared"}
    health = next(s for s in view.sections if s.section.code == "health")
    assert health.contribution is not None  # shared with the setting: consent and agreement
    actions.save_answers(
        actor=setting,
        assessment=review,
        answers={"setting": SETTING, "shared": SHARED},
        complete=True,
    )
    review.refresh_from_db()
    assert review.status == AssessmentStatus.COMPLETED
    assert review.completed_by == setting.user
    assert review.results["sections"]["setting"]["band"] == "less_than_expected"
    assert review.results["sections"]["health"]["band"] == "no_concern"
    assert [n["item"] for n in review.results["needs"]] == ["Communication and language"]
    teams = {section: team for section, (_, team) in contributions(review).items()}
    assert teams == {
        "health": hv.team.pk,
        "parents": hv.team.pk,
        "setting": setting.team.pk,
        "shared": setting.team.pk,
    }
    assert all(each.category == DataCategory.DEVELOPMENT for each in Contribution.objects.all())


def test_the_shared_sections_belong_to_whichever_agency_writes_them_first(
    two_agencies: TwoAgencies,
) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = start_review(two_agencies)
    assert [s.code for s in selectors.writable_sections(hv, review)] == [
        "health",
        "parents",
        "shared",
    ]
    actions.save_answers(
        actor=setting, assessment=review, answers={"shared": SHARED}, complete=False
    )
    assert [s.code for s in selectors.writable_sections(hv, review)] == ["health", "parents"]
    assert [s.code for s in selectors.writable_sections(setting, review)] == [
        "setting",
        "parents",
        "shared",
    ]
    actions.save_answers(
        actor=hv,
        assessment=review,
        answers={"health": HEALTH, "shared": {**SHARED, "summary": "The health visitor's"}},
        complete=False,
    )
    assert contributions(review)["shared"] == (SHARED, setting.team.pk)
    assert contributions(review)["health"] == (HEALTH, hv.team.pk)


def test_a_team_not_in_the_review_writes_no_section(two_agencies: TwoAgencies) -> None:
    review = start_review(two_agencies)
    other = make_actor(Role.HEALTH_VISITOR)
    assert selectors.writable_sections(other, review) == []


def test_completion_waits_for_the_other_agencys_sections(two_agencies: TwoAgencies) -> None:
    hv = two_agencies.health_visitor
    review = start_review(two_agencies)
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=hv,
            assessment=review,
            answers={"health": HEALTH, "parents": PARENTS, "shared": SHARED},
            complete=True,
        )
    assert error.value.messages == [
        "It cannot be completed yet: the setting's progress check still to be written"
    ]
    review.refresh_from_db()
    assert review.is_draft
    assert not ChronologyEvent.objects.filter(summary__contains="completed").exists()


def test_completion_names_the_own_sections_still_missing_by_field(
    two_agencies: TwoAgencies,
) -> None:
    review = start_review(two_agencies)
    actions.save_answers(
        actor=two_agencies.health_visitor,
        assessment=review,
        answers={"health": HEALTH, "parents": PARENTS},
        complete=False,
    )
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=two_agencies.setting,
            assessment=review,
            answers={"setting": {**SETTING, "physical": ""}, "shared": SHARED},
            complete=True,
        )
    assert errors_of(error) == {"setting-physical": "Select an answer for Physical development"}


# ---------------------------------------------------------------------------------------------
# The chronology


def test_completion_writes_an_assessment_line_at_the_assessment_date(world: World) -> None:
    child = person(world.family, "child")
    three_days_ago = TODAY - dt.timedelta(days=3)
    draft = start(world.actor, world.family, child, "graded-care-profile-2", on=three_days_ago)
    actions.save_answers(
        actor=world.actor,
        assessment=draft,
        answers={
            "grades": {"physical_care": "3", "safety": "2", "love_and_care": "1", "esteem": "4"}
        },
        complete=True,
    )
    event = ChronologyEvent.objects.get(kind=EventKind.ASSESSMENT)
    assert event.summary == "Graded Care Profile 2 grades completed: 2 needs identified"
    assert event.category == DataCategory.SAFEGUARDING
    assert (event.family, event.person, event.team, event.recorded_by) == (
        world.family,
        child,
        world.actor.team,
        world.actor.user,
    )
    assert timezone.localtime(event.occurred_at).date() == three_days_ago


def test_an_assessment_with_no_needs_says_so(world: World) -> None:
    parent = person(world.family, "parent")
    draft = start(world.actor, world.family, parent, "family-outcomes-scale")
    actions.save_answers(
        actor=world.actor,
        assessment=draft,
        answers={
            "areas": {
                "physical_health": "7",
                "wellbeing": "8",
                "safety": "9",
                "routines": "6",
                "boundaries": "5",
                "support": "7",
            }
        },
        complete=True,
    )
    draft.refresh_from_db()
    areas = draft.results["sections"]["areas"]
    assert (areas["score"], areas["band"], areas["missing"]) == ("7", "managing", 2)
    event = ChronologyEvent.objects.get(kind=EventKind.ASSESSMENT)
    assert event.summary == "Family outcomes scale (Star-style) completed: no needs"
    assert event.category == DataCategory.FAMILY_SUPPORT
    assert event.occurred_at == dt.datetime.combine(TODAY, dt.time(11, 0), tzinfo=dt.UTC)


def test_a_star_style_scale_with_three_areas_left_out_is_kept_but_not_scored(
    world: World,
) -> None:
    parent = person(world.family, "parent")
    draft = start(world.actor, world.family, parent, "family-outcomes-scale")
    answers = {"physical_health": "2", "wellbeing": "5", "safety": "6", "routines": "7"}
    actions.save_answers(
        actor=world.actor,
        assessment=draft,
        answers={"areas": {**answers, "boundaries": "5"}},
        complete=True,
    )
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETED
    areas = draft.results["sections"]["areas"]
    assert (areas["score"], areas["band"]) == (None, "")
    assert areas["note"] == "Not scored: 3 not answered, and at most 2 may be missing"
    assert [need["item"] for need in draft.results["needs"]] == ["Physical health"]
    event = ChronologyEvent.objects.get(kind=EventKind.ASSESSMENT)
    assert event.summary == "Family outcomes scale (Star-style) completed: 1 need identified"


# ---------------------------------------------------------------------------------------------
# Versions of an instrument


def add_eha_version_2(directory: Path) -> None:
    """Version 2 of the Early Help Assessment: housing is now "Home and housing"."""
    text = (instruments.SHIPPED / "early-help-assessment@1.yaml").read_text(encoding="utf-8")
    changed = text.replace("version: 1", "version: 2").replace(
        "title: Housing,", "title: Home and housing,"
    )
    assert changed.count("Home and housing") == 1
    (directory / "early-help-assessment@2.yaml").write_text(changed, encoding="utf-8")
    instruments.reload()


def housing_title(view: selectors.AssessmentView) -> str:
    family = next(s for s in view.sections if s.section.code == "family")
    return next(item.title for item, _ in family.answers if item.code == "housing")


def test_a_new_version_never_changes_a_recorded_assessment(
    world: World, instruments_dir: Path
) -> None:
    child = person(world.family, "child")
    first = start(world.actor, world.family, child)
    actions.save_answers(actor=world.actor, assessment=first, answers=EHA_COMPLETE, complete=True)
    first.refresh_from_db()
    recorded = first.results
    draft_on_1 = start(world.actor, world.family, child)

    add_eha_version_2(instruments_dir)

    first.refresh_from_db()
    assert first.results == recorded
    view = selectors.assessment_detail(world.actor, first.pk)
    assert (view.instrument.version, view.results) == (1, recorded)
    assert housing_title(view) == "Housing"
    family = next(s for s in view.sections if s.section.code == "family")
    assert ("Housing", "Significant needs") in [(i.title, w) for i, w in family.answers]
    # A draft started on version 1 goes on with it; a new assessment starts on version 2.
    assert housing_title(selectors.assessment_for_editing(world.actor, draft_on_1.pk)) == (
        "Housing"
    )
    second = start(world.actor, world.family, child)
    assert second.version == 2
    assert housing_title(selectors.assessment_for_editing(world.actor, second.pk)) == (
        "Home and housing"
    )
