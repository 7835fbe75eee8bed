"""The GOV.UK date input: its messages say exactly what is wrong, and the error summary links
to the box to correct."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from beststart.core import clock
from beststart.core.forms import DateField, GovukFormMixin

TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


class BirthForm(GovukFormMixin, forms.Form):
    name = forms.CharField(error_messages={"required": "Enter the name"})
    date_of_birth = DateField(label_for_errors="Date of birth", must_be_past=True)


class VisitForm(GovukFormMixin, forms.Form):
    visit_on = DateField(label_for_errors="Visit date", must_be_future=True, required=False)


def _date(day: str = "", month: str = "", year: str = "", name: str = "date_of_birth") -> dict:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def _errors(form: forms.Form, field: str = "date_of_birth") -> list[str]:
    assert not form.is_valid()
    return form.errors[field]


def test_a_complete_real_date_is_a_date() -> None:
    form = BirthForm({"name": "x", **_date(" 7", "03 ", "2024")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(2024, 3, 7)


def test_nothing_typed_in_a_required_date() -> None:
    assert _errors(BirthForm({"name": "x", **_date()})) == ["Enter the date of birth"]


def test_nothing_typed_in_an_optional_date_is_none() -> None:
    form = VisitForm(_date(name="visit_on"))
    assert form.is_valid()
    assert form.cleaned_data["visit_on"] is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "3", "2024"), "Date of birth must include a day"),
        (("7", "", "2024"), "Date of birth must include a month"),
        (("7", "3", ""), "Date of birth must include a year"),
        (("7", "", ""), "Date of birth must include a month and year"),
        (("", "", "2024"), "Date of birth must include a day and month"),
        (("", "3", ""), "Date of birth must include a day and year"),
    ],
)
def test_a_missing_part_is_named(typed: tuple[str, str, str], message: str) -> None:
    assert _errors(BirthForm({"name": "x", **_date(*typed)})) == [message]


@pytest.mark.parametrize(
    "typed",
    [
        ("31", "2", "2024"),  # no 31 February
        ("29", "2", "2023"),  # not a leap year
        ("1", "13", "2024"),
        ("0", "1", "2024"),
        ("1", "1", "24"),  # two-digit year
        ("1", "1", "20245"),
        ("first", "1", "2024"),
        ("1", "March", "2024"),
        ("-1", "1", "2024"),
        ("1.5", "1", "2024"),
    ],
)
def test_not_a_real_date(typed: tuple[str, str, str]) -> None:
    assert _errors(BirthForm({"name": "x", **_date(*typed)})) == [
        "Date of birth must be a real date"
    ]


def test_a_future_date_of_birth_is_refused_and_today_is_not() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    assert _errors(
        BirthForm({"name": "x", **_date(str(tomorrow.day), str(tomorrow.month), "2026")})
    ) == ["Date of birth must be today or in the past"]
    form = BirthForm({"name": "x", **_date("15", "3", "2026")})
    assert form.is_valid()


def test_a_past_date_is_refused_where_it_must_be_in_the_future() -> None:
    form = VisitForm(_date("14", "3", "2026", name="visit_on"))
    assert _errors(form, "visit_on") == ["Visit date must be today or in the future"]
    assert VisitForm(_date("15", "3", "2026", name="visit_on")).is_valid()


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_real_date_round_trips_and_only_the_past_is_accepted(day: dt.date) -> None:
    form = BirthForm({"name": "x", **_date(str(day.day), str(day.month), f"{day.year:04d}")})
    if day <= TODAY:
        assert form.is_valid()
        assert form.cleaned_data["date_of_birth"] == day
    else:
        assert form.errors["date_of_birth"] == ["Date of birth must be today or in the past"]


def test_the_error_summary_lists_errors_in_form_order_and_links_to_the_first_date_box() -> None:
    form = BirthForm({"name": "", **_date("7", "", "2024")})
    assert not form.is_valid()
    assert form.error_summary() == [
        ("id_name", "Enter the name"),
        ("id_date_of_birth_0", "Date of birth must include a month"),
    ]
    # The anchor is the id of the day box the widget actually renders.
    assert 'id="id_date_of_birth_0"' in str(form["date_of_birth"])


def test_the_error_summary_links_to_the_first_radio_or_checkbox_of_a_group() -> None:
    class Form(GovukFormMixin, forms.Form):
        colour = forms.ChoiceField(
            choices=[("red", "Red"), ("blue", "Blue")],
            widget=forms.RadioSelect,
            error_messages={"required": "Select a colour"},
        )
        days = forms.MultipleChoiceField(
            choices=[("mon", "Monday"), ("tue", "Tuesday")],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select the days"},
        )

    form = Form({})
    assert not form.is_valid()
    assert form.error_summary() == [
        ("id_colour_0", "Select a colour"),
        ("id_days_0", "Select the days"),
    ]
    assert 'id="id_colour_0"' in str(form["colour"])
    assert 'id="id_days_0"' in str(form["days"])


def test_form_wide_errors_come_first_without_a_link() -> None:
    class Form(GovukFormMixin, forms.Form):
        name = forms.CharField(required=False)

        def clean(self) -> dict:
            raise forms.ValidationError("Something is wrong with the whole form")

    form = Form({"name": "x"})
    assert not form.is_valid()
    assert form.error_summary() == [("", "Something is wrong with the whole form")]


def test_what_was_typed_is_shown_again_after_an_error() -> None:
    form = BirthForm({"name": "x", **_date("31", "2", "2024")})
    assert not form.is_valid()
    html = str(form["date_of_birth"])
    assert 'value="31"' in html
    assert 'value="2"' in html
    assert 'value="2024"' in html


def test_a_checkbox_group_is_rendered_as_checkboxes_and_a_radio_group_as_radios() -> None:
    from django.template import Context, Template

    class Form(GovukFormMixin, forms.Form):
        colour = forms.ChoiceField(choices=[("red", "Red")], widget=forms.RadioSelect)
        days = forms.MultipleChoiceField(
            choices=[("mon", "Monday")], widget=forms.CheckboxSelectMultiple
        )

    html = Template("{% govuk_field form.colour %}{% govuk_field form.days %}").render(
        Context({"form": Form()})
    )
    assert 'name="colour" type="radio"' in html
    assert 'name="days" type="checkbox"' in html
    assert "govuk-checkboxes__input" in html
