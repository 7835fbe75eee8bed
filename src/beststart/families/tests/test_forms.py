"""The family forms' rules, which the pages rely on."""

from __future__ import annotations

import datetime as dt

import pytest

from beststart.core import clock
from beststart.core.tests.factories import next_nhs_number
from beststart.families.forms import (
    EditPersonForm,
    EndInvolvementForm,
    IdentityForm,
    InvolvementForm,
    MemberForm,
    MoveForm,
    NewFamilyForm,
)
from beststart.families.models import Person, PersonKind
from beststart.families.tests.factories import PersonFactory
from beststart.places.tests.factories import PostcodeFactory


def _date(name: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {}
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def person(kind: str, **overrides: object) -> dict[str, str]:
    data: dict[str, object] = {
        "kind": kind,
        "given_name": "Ivy",
        "family_name": "Quillby",
        "sex": "female",
        "date_of_birth": dt.date(2025, 1, 2),
        "expected_delivery_date": None,
        "nhs_number": "",
    } | overrides
    out = {k: str(v) for k, v in data.items() if v is not None and not isinstance(v, dt.date)}
    out |= _date("date_of_birth", data["date_of_birth"])  # type: ignore[arg-type]
    out |= _date("expected_delivery_date", data["expected_delivery_date"])  # type: ignore[arg-type]
    return out


def errors(form: object) -> dict[str, list[str]]:
    assert not form.is_valid()  # type: ignore[attr-defined]
    return dict(form.errors)  # type: ignore[attr-defined]


@pytest.mark.django_db
class TestPersonRules:
    def form(self, data: dict[str, str]) -> MemberForm:
        return MemberForm(data, adults=Person.objects.none())

    def test_a_child_needs_a_date_of_birth_but_not_a_first_name(self) -> None:
        assert self.form(person("child", given_name="")).is_valid()
        assert errors(self.form(person("child", date_of_birth=None))) == {
            "date_of_birth": ["Enter the date of birth"]
        }

    def test_a_parent_needs_a_first_name(self) -> None:
        assert errors(self.form(person("parent", given_name=""))) == {
            "given_name": ["Enter the first name"]
        }

    def test_an_unborn_baby_needs_a_due_date_and_no_date_of_birth(self) -> None:
        due = clock.today() + dt.timedelta(days=90)
        assert self.form(
            person("unborn", given_name="", date_of_birth=None, expected_delivery_date=due)
        ).is_valid()
        assert errors(self.form(person("unborn", date_of_birth=None))) == {
            "expected_delivery_date": ["Enter the expected date of delivery"]
        }
        assert "date_of_birth" in errors(self.form(person("unborn", expected_delivery_date=due)))

    def test_the_nhs_number_is_checked_and_normalised(self) -> None:
        number = next_nhs_number()
        form = self.form(person("child", nhs_number=f" {number[:3]} {number[3:6]} {number[6:]} "))
        assert form.is_valid()
        assert form.person_details().nhs_number == number
        assert "nhs_number" in errors(self.form(person("child", nhs_number="1234567890")))

    def test_a_relationship_needs_both_the_adult_and_the_type(self) -> None:
        mother = PersonFactory(parent=True)
        adults = Person.objects.filter(pk=mother.pk)
        form = MemberForm(person("child", relationship_type="mother"), adults=adults)
        assert errors(form) == {"related_adult": ["Select who they are related to"]}
        form = MemberForm(person("child", related_adult=str(mother.pk)), adults=adults)
        assert errors(form) == {"relationship_type": ["Select how they are related"]}

    def test_only_the_familys_adults_may_be_chosen(self) -> None:
        stranger = PersonFactory(parent=True)
        form = MemberForm(
            person("child", related_adult=str(stranger.pk), relationship_type="father"),
            adults=Person.objects.none(),
        )
        assert "related_adult" in errors(form)


def test_the_identity_check_needs_a_date_of_birth_or_an_nhs_number() -> None:
    form = IdentityForm({"family_name": "Quillby"})
    assert errors(form) == {
        "date_of_birth": [
            "Enter a date of birth or an NHS number, so you can check whether the person is "
            "already known"
        ]
    }
    assert IdentityForm({"family_name": "Quillby", "nhs_number": next_nhs_number()}).is_valid()


@pytest.mark.django_db
def test_the_postcode_is_normalised_and_must_be_known() -> None:
    PostcodeFactory(postcode="XW5 6GH")
    data = {"line_1": "1 Road", "town": "Testbury", **_date("moved_in", dt.date(2025, 1, 1))}
    form = MoveForm({**data, "postcode": " xw56gh"})
    assert form.is_valid(), form.errors
    assert form.address_details().postcode == "XW5 6GH"
    assert "postcode" in errors(MoveForm({**data, "postcode": "XW5 6GJ"}))


@pytest.mark.django_db
def test_the_new_family_form_puts_the_confirmation_last() -> None:
    assert list(NewFamilyForm().fields)[-1] == "confirmed_new"


@pytest.mark.django_db
def test_edit_person_starts_from_the_record_and_cannot_change_who_the_person_is() -> None:
    someone = PersonFactory(kind=PersonKind.PARENT, given_name="Ada", nhs_number="9434765919")
    form = EditPersonForm(person=someone)
    assert form["given_name"].value() == "Ada"
    assert form["nhs_number"].value() == "943 476 5919"
    assert form.fields["kind"].disabled


@pytest.mark.django_db
def test_involvement_and_end_forms_start_from_today() -> None:
    assert InvolvementForm()["started_on"].value() == clock.today()
    assert EndInvolvementForm()["ended_on"].value() == clock.today()
    future = clock.today() + dt.timedelta(days=1)
    assert "ended_on" in errors(EndInvolvementForm(_date("ended_on", future)))
