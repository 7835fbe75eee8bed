"""The assessment forms: starting one offers the family's people by name and age and the
instruments of the actor's role; the answers form asks the questions of the sections the
actor's team writes, each as its response type asks, with the answers saved so far."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from django import forms

from beststart.assessments import actions, instruments, selectors
from beststart.assessments.forms import AnswersForm, StartForm, answer_field, score_hint
from beststart.assessments.tests.conftest import TODAY, TwoAgencies, start_review
from beststart.families.tests.test_views import date_parts

pytestmark = pytest.mark.django_db


def test_the_start_form_names_people_with_their_age_and_marks_licensed_instruments(
    two_agencies: TwoAgencies,
) -> None:
    starting = selectors.for_starting(two_agencies.health_visitor, two_agencies.family.pk)

    form = StartForm(starting=starting, person_id=str(two_agencies.child.pk))

    people = [str(label) for _, label in cast(forms.ChoiceField, form.fields["person"]).choices]
    assert f"{two_agencies.child.full_name}, 2 years" in people
    offered = dict(cast(forms.ChoiceField, form.fields["instrument"]).choices)
    assert offered["asq-3"] == "ASQ-3 results (results only)"
    assert offered["integrated-two-year-review"] == "Integrated review at two"
    assert "eyfs-progress-check" not in offered, "a setting's check, not a health visitor's"
    assert form.initial == {"assessed_on": TODAY, "person": two_agencies.child.pk}
    hints = dict((choice.data["value"], hint) for choice, hint in form.instrument_options())
    assert hints["asq-3"] == instruments.get("asq-3").summary
    assert "For the integrated review at two only" in form.fields["partner_team"].help_text


def test_the_start_form_asks_for_no_partner_when_no_other_agency_works_with_the_family(
    two_agencies: TwoAgencies,
) -> None:
    starting = selectors.for_starting(two_agencies.health_visitor, two_agencies.family.pk)
    starting.partner_teams = []

    form = StartForm(starting=starting, person_id="nobody")

    assert "partner_team" not in form.fields
    assert "person" not in form.initial


def test_the_start_form_gives_the_instrument_chosen(two_agencies: TwoAgencies) -> None:
    starting = selectors.for_starting(two_agencies.health_visitor, two_agencies.family.pk)
    data = {
        "person": str(two_agencies.parent.pk),
        "instrument": "family-outcomes-scale",
        **date_parts("assessed_on", TODAY),
    }

    form = StartForm(data, starting=starting)

    assert form.is_valid(), form.errors
    assert form.chosen() == instruments.get("family-outcomes-scale")
    assert form.cleaned_data["partner_team"] is None


def test_each_response_type_has_its_own_field() -> None:
    star = instruments.get("family-outcomes-scale")
    review = instruments.get("integrated-two-year-review")

    score = answer_field(star.sections[0].items[0])
    choice = answer_field(review.sections[0].items[1])
    text = answer_field(instruments.get("early-help-assessment").sections[3].items[1])

    assert score.widget.attrs["inputmode"] == "decimal"
    assert score.help_text == "From 1 to 10 in steps of 1"
    assert isinstance(choice.widget, forms.RadioSelect)
    assert [value for value, _ in cast(forms.ChoiceField, choice).choices] == [
        "no_concern",
        "concern",
    ]
    assert isinstance(text.widget, forms.Textarea)
    assert text.label == "What the child says or shows us (optional)"
    assert not any(field.required for field in (score, choice, text)), "a draft keeps anything"


def test_a_score_hint_without_steps_says_the_range_and_the_items_own_hint() -> None:
    item = instruments.Item(
        code="total",
        title="Total",
        type="score",
        minimum=Decimal(0),
        maximum=Decimal(60),
        hint="From the form",
    )
    assert score_hint(item) == "From 0 to 60. From the form"


def test_the_answers_form_asks_only_what_the_team_writes_with_what_it_wrote(
    two_agencies: TwoAgencies,
) -> None:
    hv, setting = two_agencies.health_visitor, two_agencies.setting
    review = start_review(two_agencies)
    actions.save_answers(
        actor=hv,
        assessment=review,
        answers={"health": {"findings": "Growing well"}},
        complete=False,
    )

    form = AnswersForm(view=selectors.assessment_for_editing(setting, review.pk))

    assert "health-findings" not in form.fields
    assert {"setting-communication", "shared-summary", "parents-views"} <= set(form.fields)
    parts = {part.view.section.code: part for part in form.parts()}
    assert parts["health"].fields == []
    assert parts["health"].view.contribution is not None
    assert [each.item.code for each in parts["setting"].fields] == [
        "communication",
        "personal",
        "physical",
        "findings",
    ]

    own = AnswersForm(view=selectors.assessment_for_editing(hv, review.pk))
    assert own.initial["health-findings"] == "Growing well"
    assert "setting-communication" not in own.fields


def test_the_answers_go_back_by_section_and_item(two_agencies: TwoAgencies) -> None:
    hv = two_agencies.health_visitor
    star = actions.start_assessment(
        actor=hv,
        family=two_agencies.family,
        person=two_agencies.parent,
        instrument_code="family-outcomes-scale",
        assessed_on=TODAY,
    )
    form = AnswersForm(
        {"areas-physical_health": " 7 ", "areas-wellbeing": "4"},
        view=selectors.assessment_for_editing(hv, star.pk),
    )

    assert form.is_valid(), form.errors
    answers = form.answers()["areas"]
    assert answers["physical_health"] == "7"
    assert answers["wellbeing"] == "4"
    assert answers["safety"] == ""
