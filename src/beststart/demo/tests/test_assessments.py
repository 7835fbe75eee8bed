"""The demo county's assessments and plans: invented cut-offs that say so, a completed
assessment of every instrument by the roles that record it, Star-style scores repeated with
progress, plans that went as plans go, and something for each demo sign-in on "Assessments
and plans"; the same for the same seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from beststart.accounts.actors import Actor, actor_for
from beststart.accounts.models import Membership, OrganisationType, Role, User
from beststart.assessments import actions, instruments, selectors
from beststart.assessments.instruments import age_in_months
from beststart.assessments.models import (
    Assessment,
    AssessmentStatus,
    Contribution,
    CutoffSet,
    Plan,
    PlanAction,
    PlanReview,
)
from beststart.audit.models import AuditEvent
from beststart.core import clock
from beststart.demo import assessments as demo
from beststart.demo.assessments import REVIEW_AT_TWO, STAR, integrated_review_family
from beststart.demo.county import build_county
from beststart.families.models import ChronologyEvent, EventKind, FamilyMember
from beststart.sharing.access import would_see
from beststart.sharing.policy import Subject

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 3)  # a Wednesday
INVENTED = "Invented demo cut-offs — not the publisher's; for the synthetic county only"
# Who records each instrument in the demo: the role and the kind of organisation.
RECORDED_BY = {
    "asq-3": (Role.HEALTH_VISITOR, OrganisationType.HEALTH_VISITING_SERVICE),
    "asq-se-2": (Role.HEALTH_VISITOR, OrganisationType.HEALTH_VISITING_SERVICE),
    "graded-care-profile-2": (Role.HEALTH_VISITOR, OrganisationType.HEALTH_VISITING_SERVICE),
    "integrated-two-year-review": (Role.HEALTH_VISITOR, OrganisationType.HEALTH_VISITING_SERVICE),
    "eyfs-progress-check": (Role.EARLY_YEARS_PRACTITIONER, OrganisationType.EARLY_YEARS_SETTING),
    "early-help-assessment": (Role.FAMILY_HUB_WORKER, OrganisationType.FAMILY_HUB),
    "family-outcomes-scale": (Role.FAMILY_HUB_WORKER, OrganisationType.FAMILY_HUB),
}


def described() -> dict[str, list[tuple[Any, ...]]]:
    """The assessments and plans as people would describe them: no database ids."""
    return {
        "assessments": list(
            Assessment.objects.order_by("id").values_list(
                "person__given_name",
                "person__family_name",
                "instrument",
                "status",
                "assessed_on",
                "completed_at",
                "practitioner__first_name",  # not the username: it carries a team id,
                "practitioner__last_name",  # which PostgreSQL does not reuse after a rollback
                "team__name",
                "partner_team__name",
            )
        ),
        "answers": list(
            Contribution.objects.order_by("id").values_list("section", "answers", "team__name")
        ),
        "plans": list(
            Plan.objects.order_by("id").values_list(
                "family__name", "agreed_on", "next_review_on", "closed_on", "team__name"
            )
        ),
        "actions": list(
            PlanAction.objects.order_by("id").values_list(
                "action", "owner__first_name", "owner__last_name", "due_on", "done_on"
            )
        ),
        "reviews": list(PlanReview.objects.order_by("id").values_list("reviewed_on", "progress")),
    }


def test_the_same_seed_builds_the_same_assessments_and_plans() -> None:
    runs = []
    for seed in (4, 4, 5):
        with transaction.atomic():
            build_county(families=150, seed=seed, today=TODAY)
            runs.append(described())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0]["assessments"]
    assert runs[0]["plans"]
    assert runs[0]["assessments"] != runs[2]["assessments"]


@pytest.fixture(scope="module")
def county(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        build_county(families=400, seed=2, today=TODAY)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def on_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(
        clock, "now", lambda: dt.datetime.combine(TODAY, dt.time(11), tzinfo=dt.UTC)
    )


def actor(username: str) -> Actor:
    found = actor_for(User.objects.get(username=username))
    assert found is not None
    return found


@pytest.mark.usefixtures("county")
def test_invented_cutoffs_are_loaded_for_every_interval_and_say_so() -> None:
    for code in ("asq-3", "asq-se-2"):
        instrument = instruments.get(code)
        loaded = CutoffSet.objects.filter(instrument=code).first()
        assert loaded is not None
        assert loaded.name == INVENTED
        assert loaded.source == "Made up for the Best Start demo"
        assert instrument.zones is not None
        interval = next(
            item for _, item in instrument.items if item.code == instrument.zones.interval_item
        )
        assert set(loaded.intervals) == {option.value for option in interval.options}
        keys = {item.zone_key for _, item in instrument.items if item.zone_key}
        for thresholds in loaded.intervals.values():
            assert set(thresholds) == keys
            for values in thresholds.values():
                assert Decimal(values["cutoff"]) % 5 == Decimal(values["monitoring"]) % 5 == 0
    asq = Assessment.objects.filter(instrument="asq-3", status=AssessmentStatus.COMPLETED)
    assert asq.exists()
    for assessment in asq:
        assert assessment.results["cutoffs"] == INVENTED
        assert len(assessment.results["zones"]) == 5


@pytest.mark.usefixtures("county")
def test_every_instrument_is_completed_by_the_roles_that_record_it() -> None:
    completed = Assessment.objects.filter(status=AssessmentStatus.COMPLETED).select_related(
        "team__organisation", "person"
    )
    shipped = {instrument.code for instrument in instruments.latest()}
    assert {assessment.instrument for assessment in completed} == shipped
    assert set(RECORDED_BY) == shipped
    for assessment in completed:
        role, kind = RECORDED_BY[assessment.instrument]
        assert Membership.objects.filter(
            user=assessment.practitioner_id, team=assessment.team_id, role=role
        ).exists()
        assert assessment.team.organisation.type == kind
        assert TODAY - dt.timedelta(days=366) <= assessment.assessed_on <= TODAY
        assert assessment.results
    events = ChronologyEvent.objects.filter(
        kind=EventKind.ASSESSMENT, summary__contains="completed"
    )
    assert events.count() == completed.count()
    assert AuditEvent.objects.filter(category="development", action="update").exists()


@pytest.mark.usefixtures("county")
def test_children_are_the_right_age_for_their_instrument() -> None:
    for assessment in Assessment.objects.select_related("person"):
        instrument = instruments.get(assessment.instrument, assessment.version)
        born = assessment.person.date_of_birth
        if instrument.age_months is None or born is None:
            continue
        months = age_in_months(born, assessment.assessed_on)
        low, high = instrument.age_months
        assert low <= months <= high
        if assessment.instrument in ("eyfs-progress-check", REVIEW_AT_TWO):
            assert 24 <= months <= 36
        if assessment.instrument in ("asq-3", "asq-se-2") and not assessment.is_draft:
            interval = int(assessment.contributions.get().answers["interval"])
            assert interval <= months


@pytest.mark.usefixtures("county", "on_the_day")
def test_star_scores_are_repeated_and_mostly_improve() -> None:
    """Distance travelled, as the practitioner who scored them sees it."""
    improved = stalled = 0
    stars = Assessment.objects.filter(instrument=STAR, status=AssessmentStatus.COMPLETED)
    seen: set[int] = set()
    for assessment in stars.order_by("id"):
        if assessment.person_id in seen:
            continue
        seen.add(assessment.person_id)
        membership = Membership.objects.get(
            user=assessment.practitioner_id, team=assessment.team_id
        )
        practitioner = Actor(user=membership.user, membership=membership)
        history = selectors.history(practitioner, assessment.family_id, assessment.person_id)
        (series,) = [each for each in history.series if each.instrument.code == STAR]
        assert 2 <= len(series.rows) <= 4
        if sum(series.change().values()) > 0:
            improved += 1
        else:
            stalled += 1
    assert improved >= 2
    assert improved > stalled


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_health_visitor_has_an_asq_saved_for_later_a_review_waiting_and_a_plan() -> None:
    work = selectors.team_work(actor("health.visitor"))
    early_years = actor("early.years").team
    drafts = {draft.instrument for draft in work.drafts}
    assert {"asq-3", REVIEW_AT_TWO} <= drafts
    assert any(draft.partner_team_id == early_years.pk for draft in work.drafts)
    assert work.plans_to_review
    assert Assessment.objects.filter(
        instrument="asq-3", team=actor("health.visitor").team, status=AssessmentStatus.COMPLETED
    ).exists()


@pytest.mark.usefixtures("county", "on_the_day")
def test_early_years_has_an_integrated_review_waiting_for_its_sections() -> None:
    early_years = actor("early.years")
    awaiting = selectors.team_work(early_years).awaiting
    assert awaiting
    review = awaiting[0]
    written = set(review.contributions.values_list("section", flat=True))
    assert {"health", "parents"} <= written
    assert "setting" not in written
    mine = {section.code for section in selectors.writable_sections(early_years, review)}
    assert mine == {"setting", "shared"}


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_family_hub_has_star_progress_and_plan_actions_it_owns() -> None:
    hub = actor("family.hub")
    work = selectors.team_work(hub)
    owned = [action for action in work.actions if action.owner_id == hub.user.pk]
    assert owned
    assert any(action.plan.assessment.instrument == "early-help-assessment" for action in owned)
    assert any(draft.instrument == "early-help-assessment" for draft in work.drafts)
    theirs = Assessment.objects.filter(instrument=STAR, practitioner=hub.user)
    assert theirs.values("person").distinct().count() >= 2
    assert theirs.count() >= 6


@pytest.mark.usefixtures("county")
def test_plans_have_owners_who_may_see_them_actions_done_reviews_and_some_closed() -> None:
    plans = Plan.objects.all()
    assert plans.count() >= 5
    assert PlanAction.objects.filter(done_on__isnull=False).exists()
    assert PlanAction.objects.filter(done_on__isnull=True).exists()
    assert PlanReview.objects.exists()
    assert plans.filter(closed_on__isnull=False).exists()
    assert plans.filter(closed_on__isnull=True, next_review_on__lt=TODAY).exists()  # overdue
    for plan in plans.select_related("team__organisation", "assessment"):
        assert plan.assessment is not None
        assert not plan.assessment.is_draft
        actions_ = list(plan.actions.all())
        assert 1 <= len(actions_) <= 5
        subject = Subject(plan.family_id, recorded_by=plan.team.organisation)
        for action in actions_:
            assert plan.agreed_on <= action.due_on
            if action.done_on:
                assert plan.agreed_on <= action.done_on < TODAY
            owner = Membership.objects.get(user=action.owner_id, team=action.owner_team_id)
            with demo.on_the_day(plan.agreed_on):
                assert would_see(owner, subject, plan.category)
    kinds = set(
        PlanAction.objects.values_list("owner_team__organisation__type", flat=True).distinct()
    )
    assert len(kinds) >= 2  # the teams around the family, not only the plan's own


@pytest.mark.usefixtures("county", "on_the_day")
def test_health_visitor_can_start_an_integrated_review_with_early_years() -> None:
    family = integrated_review_family()
    health_visitor, early_years = actor("health.visitor"), actor("early.years")
    child = next(
        member.person
        for member in FamilyMember.objects.filter(family=family).select_related("person")
        if member.person.kind == "child"
        and member.person.date_of_birth
        and 24 <= age_in_months(member.person.date_of_birth, TODAY) <= 36
        and not Assessment.objects.filter(person=member.person, instrument=REVIEW_AT_TWO).exists()
    )
    review = actions.start_assessment(
        actor=health_visitor,
        family=family,
        person=child,
        instrument_code=REVIEW_AT_TWO,
        assessed_on=TODAY,
        partner_team=early_years.team,
    )
    assert review.is_draft
    assert review.partner_team_id == early_years.team.pk
