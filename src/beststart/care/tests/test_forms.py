"""The care forms on their own: a weight typed in kilograms is stored in grams exactly, and
the worklist's filters fall back to everything on anything unexpected."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.care import selectors
from beststart.care.forms import ContactForm, WorklistFilterForm
from beststart.care.tests.conftest import Household

pytestmark = pytest.mark.django_db


def weight_form(actor: Actor, household: Household, typed: str) -> ContactForm:
    family, (baby,) = household(born=[dt.date(2026, 9, 1)])
    target = selectors.child_for_recording(actor, family.pk, baby.pk)
    form = ContactForm({"weight": typed}, target=target, user=actor.user)
    form.is_valid()
    return form


@given(grams=st.integers(1, 99_999))
def test_a_weight_in_kilograms_is_stored_in_grams_exactly(
    actor: Actor, household: Household, grams: int
) -> None:
    typed = f"{grams / 1000:.3f}".rstrip("0").rstrip(".")
    form = weight_form(actor, household, f" {typed} kg ")
    assert "weight" not in form.errors
    assert form.cleaned_data["weight"] == grams


@pytest.mark.parametrize("typed", ["3.4567", "7lb", "3,45", "-3", "123", "3.", "."])
def test_anything_else_is_asked_again_in_kilograms(
    actor: Actor, household: Household, typed: str
) -> None:
    form = weight_form(actor, household, typed)
    assert form.errors["weight"] == [
        "Enter the weight in kilograms, like 3.45, with up to 3 decimal places"
    ]


def test_a_link_for_a_review_preselects_it_and_a_nonsense_one_falls_back(
    actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 1)])
    target = selectors.child_for_recording(actor, family.pk, baby.pk)
    asked = ContactForm(target=target, user=actor.user, kind="one_year")
    assert asked["kind"].value() == "one_year"
    fallback = ContactForm(target=target, user=actor.user, kind="nonsense")
    assert fallback["kind"].value() == "new_birth"  # the one due now


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, (False, "")),
        ({"scope": "mine"}, (True, "")),
        ({"scope": "team", "kind": "two_years"}, (False, "two_years")),
        ({"scope": "everyone", "kind": "two_years"}, (False, "")),
        ({"kind": "immunisations"}, (False, "immunisations")),
    ],
)
def test_worklist_filters(query: dict[str, str], expected: tuple[bool, str]) -> None:
    assert WorklistFilterForm(query).choices() == expected
