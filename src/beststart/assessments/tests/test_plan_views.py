"""The plan pages, driven as a practitioner would: agreeing a plan from an Early Help
Assessment's needs, the plan page, adding an action, marking one done and reviewing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from beststart.accounts.actors import Actor
from beststart.assessments import actions
from beststart.assessments.actions import ActionDetails
from beststart.assessments.models import Assessment, AssessmentStatus, Plan, PlanAction
from beststart.assessments.tests.conftest import TODAY, TwoAgencies
from beststart.assessments.tests.factories import AssessmentFactory, ContributionFactory
from beststart.core.categories import DataCategory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Actor], Client]
HOUSING = "Family and environment: Housing — Significant needs"
INCOME = "Family and environment: Income — Some needs"
DATE_PARTS = ("day", "month", "year")


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def _completed_eha(world: TwoAgencies) -> Assessment:
    """An Early Help Assessment of the child, completed by the health visitor: two needs."""
    hv = world.health_visitor
    assessment = actions.start_assessment(
        actor=hv,
        family=world.family,
        person=world.child,
        instrument_code="early-help-assessment",
        assessed_on=TODAY,
    )
    actions.save_answers(
        actor=hv,
        assessment=assessment,
        answers={
            "child": {"health": "no_concern", "found": "Thriving"},
            "parenting": {"warmth": "strength", "found": "Warm and attentive"},
            "family": {"housing": "significant_need", "income": "some_need", "found": "Damp"},
            "views": {"parent": "We need a dry home"},
            "summary": {"strengths": "Close family", "needs": "Housing, money"},
        },
        complete=True,
    )
    assessment.refresh_from_db()
    return assessment


def _plan_post(world: TwoAgencies, assessment: Assessment | None, **rows: Any) -> dict[str, Any]:
    """The "Agree a plan" form as posted: every row blank unless given in `rows`."""
    data: dict[str, Any] = {
        "person": str(world.child.pk),
        "lead_practitioner": str(world.health_visitor.user.pk),
        **_date("agreed_on", TODAY),
        "review_every_weeks": "6",
    }
    if assessment is not None:
        data["assessment"] = str(assessment.pk)
    for index in range(5):
        data.update(
            {
                f"action-{index}-need": "",
                f"action-{index}-action": "",
                f"action-{index}-owner": "",
                **{f"action-{index}-due_on_{part}": "" for part in DATE_PARTS},
                **{f"action-{index}-review_on_{part}": "" for part in DATE_PARTS},
            }
        )
    data.update(rows)
    return data


def _full_row(index: int, owner: Actor, need: str = HOUSING) -> dict[str, str]:
    return {
        f"action-{index}-need": need,
        f"action-{index}-action": "Ask the housing officer to visit",
        f"action-{index}-owner": str(owner.user.pk),
        **_date(f"action-{index}-due_on", TODAY + dt.timedelta(days=14)),
        **_date(f"action-{index}-review_on", TODAY + dt.timedelta(days=28)),
    }


def _new_plan_url(world: TwoAgencies, assessment: Assessment | None = None) -> str:
    url = reverse("assessments:new-plan", kwargs={"family_id": world.family.pk})
    return f"{url}?assessment={assessment.pk}" if assessment else url


def _agreed_plan(world: TwoAgencies) -> tuple[Plan, PlanAction]:
    hv = world.health_visitor
    plan = actions.create_plan(
        actor=hv,
        family=world.family,
        person=world.child,
        assessment=_completed_eha(world),
        lead_practitioner=hv.user,
        agreed_on=TODAY,
        review_every_weeks=6,
        actions=[
            ActionDetails(
                need=HOUSING,
                action="Ask the housing officer to visit",
                owner=hv.user,
                due_on=TODAY + dt.timedelta(days=14),
                review_on=TODAY + dt.timedelta(days=28),
            )
        ],
    )
    return plan, plan.actions.get()


# ---------------------------------------------------------------------------------------------
# Agreeing a plan


def test_new_plan_starts_from_the_assessments_needs(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    assessment = _completed_eha(two_agencies)
    response = client_for(two_agencies.health_visitor).get(_new_plan_url(two_agencies, assessment))
    assert response.status_code == 200
    form = response.context["form"]
    assert [form[f"action-{i}-need"].value() for i in range(3)] == [HOUSING, INCOME, None]
    assert "person" not in form.fields  # about whom the assessment was: it cannot widen
    assert form["lead_practitioner"].value() == str(two_agencies.health_visitor.user.pk)
    assert form["review_every_weeks"].value() == 6
    content = response.content.decode()
    assert f'name="assessment" value="{assessment.pk}"' in content
    assert "Hana Visitor — Health Visiting North" in content
    assert "Little Acorns Nursery" in content  # the nursery works with the family too


def test_more_than_five_needs_fill_five_rows_and_list_the_rest(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    needs = [
        {"section_code": "family", "section": "Family", "item": f"Need {n}", "answer": "Some needs"}
        for n in range(7)
    ]
    assessment = AssessmentFactory(
        family=two_agencies.family,
        person=two_agencies.child,
        team=hv.team,
        practitioner=hv.user,
        status=AssessmentStatus.COMPLETED,
        results={"needs": needs},
    )
    ContributionFactory(assessment=assessment, section="family", answers={"housing": "some_need"})
    response = client_for(hv).get(_new_plan_url(two_agencies, assessment))
    form = response.context["form"]
    assert form["action-4-need"].value() == "Family: Need 4 — Some needs"
    assert response.context["more_needs"] == [
        "Family: Need 5 — Some needs",
        "Family: Need 6 — Some needs",
    ]
    assert "The assessment found 7 needs" in response.content.decode()


def test_one_full_row_and_the_rest_blank_agrees_a_plan_with_one_action(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    assessment = _completed_eha(two_agencies)
    hv = two_agencies.health_visitor
    response = client_for(hv).post(
        _new_plan_url(two_agencies),
        _plan_post(two_agencies, assessment, **_full_row(0, hv)),
        follow=True,
    )
    plan = Plan.objects.get()
    assert response.redirect_chain == [(reverse("assessments:plan", args=[plan.pk]), 302)]
    assert "Plan agreed" in response.content.decode()
    assert plan.assessment == assessment
    assert plan.person == two_agencies.child
    assert plan.next_review_on == TODAY + dt.timedelta(weeks=6)
    assert [(a.need, a.owner) for a in plan.actions.all()] == [(HOUSING, hv.user)]


def test_rows_between_blank_ones_are_kept_in_order(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    rows = {**_full_row(1, hv), **_full_row(3, hv, need="Money is tight")}
    response = client_for(hv).post(
        _new_plan_url(two_agencies), _plan_post(two_agencies, None, person="", **rows)
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.person is None
    assert plan.category == DataCategory.FAMILY_SUPPORT
    assert list(plan.actions.order_by("id").values_list("need", flat=True)) == [
        HOUSING,
        "Money is tight",
    ]


def test_a_partly_filled_row_shows_its_errors_and_keeps_what_was_typed(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    partial = {"action-1-need": "Money is tight", "action-1-action": "Benefits check"}
    response = client_for(hv).post(
        _new_plan_url(two_agencies), _plan_post(two_agencies, None, **_full_row(0, hv), **partial)
    )
    assert response.status_code == 200
    assert not Plan.objects.exists()
    form = response.context["form"]
    assert form.errors == {
        "action-1-owner": ["Action 2: Select who will do it"],
        "action-1-due_on": ["Action 2: Enter the due date"],
        "action-1-review_on": ["Action 2: Enter the review date"],
    }
    content = response.content.decode()
    assert "<title>Error: Agree a plan" in content
    assert 'href="#id_action-1-due_on_0"' in content
    assert "Benefits check</textarea>" in content
    assert 'value="Money is tight"' in content
    assert "Ask the housing officer to visit</textarea>" in content


def test_no_action_at_all_is_refused(two_agencies: TwoAgencies, client_for: ClientFor) -> None:
    response = client_for(two_agencies.health_visitor).post(
        _new_plan_url(two_agencies), _plan_post(two_agencies, None)
    )
    assert response.context["form"].errors == {
        "action-0-need": ["Agree at least one action: fill in Action 1"]
    }


def test_an_owner_the_family_has_not_agreed_to_share_with_gets_the_policys_message(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    """The family agreed to share development information with the nursery, not family
    support: the nursery's practitioner could not see the plan, so cannot own its action.
    The error is on the row it was typed in, though the blank row before it is not sent."""
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    rows = {**_full_row(0, hv), **_full_row(2, setting, need="Speech")}
    response = client_for(hv).post(
        _new_plan_url(two_agencies), _plan_post(two_agencies, None, **rows)
    )
    assert response.status_code == 200
    assert not Plan.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["action-2-owner"]
    assert errors["action-2-owner"][0].startswith("Action 3: ")
    assert "would not be able to see this plan" in errors["action-2-owner"][0]
    assert "Little Acorns Nursery" in errors["action-2-owner"][0]
    assert response.context["form"]["action-2-need"].value() == "Speech"


def test_the_actions_own_errors_show_beside_the_plans_fields(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    hv = two_agencies.health_visitor
    data = _plan_post(
        two_agencies,
        None,
        review_every_weeks="40",
        **_full_row(0, hv),
        **_date("agreed_on", TODAY + dt.timedelta(days=1)),
    )
    response = client_for(hv).post(_new_plan_url(two_agencies), data)
    errors = response.context["form"].errors
    assert errors["review_every_weeks"] == ["Review the plan every 1 to 26 weeks"]
    assert errors["agreed_on"] == ["The date the plan was agreed must be today or in the past"]


# ---------------------------------------------------------------------------------------------
# The plan page


def test_the_plan_page_shows_the_plan_its_actions_and_reviews(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    plan, action = _agreed_plan(two_agencies)
    hv = two_agencies.health_visitor
    actions.review_plan(
        actor=hv,
        plan=plan,
        reviewed_on=TODAY,
        progress="The housing officer is booked",
        next_review_on=TODAY + dt.timedelta(weeks=4),
    )
    response = client_for(hv).get(reverse("assessments:plan", args=[plan.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Plan for {two_agencies.child.full_name}" in content
    assert HOUSING in content
    assert "Ask the housing officer to visit" in content
    assert "29 September 2026" in content  # due
    assert "The housing officer is booked" in content
    assert "13 October 2026" in content  # the next review
    assert reverse("assessments:action-done", args=[plan.pk, action.pk]) in content
    assert reverse("assessments:add-action", args=[plan.pk]) in content
    assert reverse("assessments:review-plan", args=[plan.pk]) in content
    assert reverse("assessments:detail", args=[plan.assessment_id]) in content
    assert "Overdue" not in content


def test_overdue_reviews_and_actions_are_tagged(
    two_agencies: TwoAgencies, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, _ = _agreed_plan(two_agencies)
    later = TODAY + dt.timedelta(weeks=7)
    monkeypatch.setattr("beststart.core.clock.today", lambda: later)
    content = (
        client_for(two_agencies.health_visitor)
        .get(reverse("assessments:plan", args=[plan.pk]))
        .content.decode()
    )
    assert "Review overdue" in content
    assert 'govuk-tag--red">Overdue' in content


def test_the_nursery_sees_neither_the_plan_nor_its_actions(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    """It works with the family, but the family support plan is not shared with it."""
    plan, _ = _agreed_plan(two_agencies)
    response = client_for(two_agencies.setting).get(reverse("assessments:plan", args=[plan.pk]))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Adding an action, marking one done, reviewing


def test_adding_an_action(two_agencies: TwoAgencies, client_for: ClientFor) -> None:
    plan, _ = _agreed_plan(two_agencies)
    hv = two_agencies.health_visitor
    client = client_for(hv)
    url = reverse("assessments:add-action", args=[plan.pk])
    assert client.get(url).status_code == 200
    row = {key.removeprefix("action-0-"): value for key, value in _full_row(0, hv).items()}
    response = client.post(url, {**row, "need": "Money is tight"})
    assert response.status_code == 302
    assert plan.actions.count() == 2
    response = client.post(url, {**row, "owner": str(two_agencies.setting.user.pk)})
    assert "would not be able to see this plan" in response.context["form"].errors["owner"][0]


def test_marking_an_action_done(two_agencies: TwoAgencies, client_for: ClientFor) -> None:
    plan, action = _agreed_plan(two_agencies)
    client = client_for(two_agencies.health_visitor)
    url = reverse("assessments:action-done", args=[plan.pk, action.pk])
    response = client.get(url)
    assert response.context["form"]["done_on"].value() == TODAY
    response = client.post(url, _date("done_on", TODAY), follow=True)
    assert "Action marked as done" in response.content.decode()
    action.refresh_from_db()
    assert action.done_on == TODAY
    again = client.post(url, _date("done_on", TODAY))
    assert "This action was marked done on 15 September 2026" in again.content.decode()


def test_an_action_of_another_plan_is_not_found(
    two_agencies: TwoAgencies, client_for: ClientFor
) -> None:
    plan, _ = _agreed_plan(two_agencies)
    _, other = _agreed_plan(two_agencies)
    url = reverse("assessments:action-done", args=[plan.pk, other.pk])
    assert client_for(two_agencies.health_visitor).get(url).status_code == 404


def test_reviewing_and_closing_a_plan(two_agencies: TwoAgencies, client_for: ClientFor) -> None:
    plan, _ = _agreed_plan(two_agencies)
    client = client_for(two_agencies.health_visitor)
    url = reverse("assessments:review-plan", args=[plan.pk])
    form = client.get(url).context["form"]
    assert form["next_review_on"].value() == TODAY + dt.timedelta(weeks=6)
    review = {**_date("reviewed_on", TODAY), "progress": "Going well"}
    response = client.post(
        url, {**review, **_date("next_review_on", TODAY + dt.timedelta(weeks=3))}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY + dt.timedelta(weeks=3)
    no_reason = client.post(url, {**review, "close": "on"})
    assert no_reason.context["form"].errors == {"closed_reason": ["Enter why the plan is closing"]}
    assert 'name="close" type="checkbox" value="on" checked' in no_reason.content.decode()
    closed = client.post(url, {**review, "close": "on", "closed_reason": "Moved"}, follow=True)
    assert "Plan closed" in closed.content.decode()
    plan.refresh_from_db()
    assert (plan.closed_on, plan.closed_reason, plan.reviews.count()) == (TODAY, "Moved", 2)
    content = closed.content.decode()
    assert "Record a review" not in content
    assert "Add an action" not in content


# ---------------------------------------------------------------------------------------------
# A team not working with the family


def test_a_team_not_working_with_the_family_gets_404_everywhere(
    two_agencies: TwoAgencies, other_actor: Actor, client_for: ClientFor
) -> None:
    assessment = _completed_eha(two_agencies)
    plan, action = _agreed_plan(two_agencies)
    client = client_for(other_actor)
    assert client.get(reverse("assessments:plan", args=[plan.pk])).status_code == 404
    forms = [
        _new_plan_url(two_agencies),
        _new_plan_url(two_agencies, assessment),
        reverse("assessments:add-action", args=[plan.pk]),
        reverse("assessments:action-done", args=[plan.pk, action.pk]),
        reverse("assessments:review-plan", args=[plan.pk]),
    ]
    for url in forms:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert Plan.objects.count() == 1
