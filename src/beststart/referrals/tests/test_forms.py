"""The referral forms on their own: what each asks for, the messages that say what to do, and
that a choice can only be one of those offered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.tests.factories import next_nhs_number
from beststart.families.models import PersonKind
from beststart.families.selectors import IdentityMatch
from beststart.families.tests.factories import family_with_people
from beststart.places.models import ReachArea
from beststart.referrals.actions import NO_CONSENT_MESSAGE
from beststart.referrals.forms import (
    SHAREABLE,
    ChooseMatchForm,
    MergeForm,
    ReferralForm,
    RoutingRuleForm,
)
from beststart.referrals.models import Need, ReferralService, Urgency
from beststart.referrals.selectors import (
    NONE_OF_THESE,
    parse_match,
    receiving_teams,
    services_for_referral,
)
from beststart.referrals.tests.factories import ReferralFactory, ReferralServiceFactory
from beststart.sharing.models import ConsentMethod

pytestmark = pytest.mark.django_db


def date_parts(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def filled(service: ReferralService, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": service.pk,
        "need": Need.PARENTING,
        "urgency": Urgency.ROUTINE,
        "reason": "Would like help with routines.",
        "given_name": "Tamsin",
        "family_name": "Marchbank",
        **date_parts("date_of_birth", clock.today() - dt.timedelta(days=300)),
        "postcode": "xw1 2ab",
        "contact_name": "Ffion Marchbank",
        "contact_phone": "07700 900456",
        "consent_agreed": "yes",
        "consent_given_by": "Ffion Marchbank, mother",
        "consent_method": ConsentMethod.VERBAL,
        **date_parts("consent_given_on", clock.today()),
        "consent_categories": [DataCategory.IDENTITY],
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def form_for(data: dict[str, Any], **kwargs: Any) -> ReferralForm:
    return ReferralForm(data, services=services_for_referral(), **kwargs)


@pytest.fixture
def service() -> ReferralService:
    return ReferralServiceFactory()


def test_a_complete_referral_is_valid_and_its_postcode_tidied(service: ReferralService) -> None:
    form = form_for(filled(service))
    assert form.is_valid(), form.errors
    details = form.details()
    assert details.person.postcode == "XW1 2AB"
    assert details.consent.agreed
    assert details.consent.categories == (DataCategory.IDENTITY,)
    assert details.family is None


def test_a_pregnancy_needs_only_the_due_date(service: ReferralService) -> None:
    data = filled(
        service,
        given_name="",
        date_of_birth_day="",
        date_of_birth_month="",
        date_of_birth_year="",
        **date_parts("expected_delivery_date", clock.today() + dt.timedelta(days=90)),
    )
    form = form_for(data)
    assert form.is_valid(), form.errors
    assert form.details().person.date_of_birth is None


def test_a_person_needs_a_date_of_birth_or_a_due_date(service: ReferralService) -> None:
    form = form_for(
        filled(service, date_of_birth_day="", date_of_birth_month="", date_of_birth_year="")
    )
    assert form.errors["date_of_birth"] == [
        "Enter a date of birth, or the due date for a pregnancy"
    ]


def test_the_family_is_reached_by_phone_or_email(service: ReferralService) -> None:
    assert form_for(filled(service, contact_phone="", contact_email="a@example.org")).is_valid()
    form = form_for(filled(service, contact_phone=""))
    assert form.errors["contact_phone"] == [
        "Enter a phone number or an email address to contact the family"
    ]


def test_no_consent_says_why_beside_the_question(service: ReferralService) -> None:
    form = form_for(
        filled(
            service,
            consent_agreed="no",
            consent_given_by="",
            consent_method="",
            consent_given_on_day="",
            consent_given_on_month="",
            consent_given_on_year="",
        )
    )
    assert form.errors == {"consent_agreed": [NO_CONSENT_MESSAGE]}


def test_agreement_says_who_how_and_when(service: ReferralService) -> None:
    form = form_for(
        filled(
            service,
            consent_given_by=" ",
            consent_method="",
            consent_given_on_day="",
            consent_given_on_month="",
            consent_given_on_year="",
        )
    )
    assert form.errors == {
        "consent_given_by": ["Enter who agreed to the referral"],
        "consent_method": ["Select how they agreed"],
        "consent_given_on": ["Enter the date they agreed"],
    }


def test_safeguarding_information_is_never_offered_for_sharing(service: ReferralService) -> None:
    assert DataCategory.SAFEGUARDING not in dict(SHAREABLE)
    form = form_for(filled(service, consent_categories=[DataCategory.SAFEGUARDING]))
    assert "consent_categories" in form.errors


def test_an_nhs_number_must_be_a_real_one(service: ReferralService) -> None:
    number = next_nhs_number()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert form_for(filled(service, nhs_number=number)).is_valid()
    assert "nhs_number" in form_for(filled(service, nhs_number=wrong)).errors


def test_from_a_family_the_person_is_one_of_its_members(service: ReferralService) -> None:
    team = service.team
    family = family_with_people(team=team)
    other = family_with_people(team=team)
    members = family.members.all()
    child = family.members.get(kind=PersonKind.CHILD)
    stranger = other.members.get(kind=PersonKind.CHILD)
    data = filled(service, person=child.pk, given_name=None, family_name=None)
    form = form_for(data, members=members, postcode="XW1 2AB")
    assert "given_name" not in form.fields
    assert "postcode" not in form.fields
    assert form.is_valid(), form.errors
    details = form.details(family=family)
    assert details.person.given_name == child.given_name
    assert details.person.postcode == "XW1 2AB"
    assert details.matched_person == child
    refused = form_for({**data, "person": stranger.pk}, members=members, postcode="XW1 2AB")
    assert refused.errors["person"] == ["Select who you are referring"]


# ---------------------------------------------------------------------------------------------
# Choosing a match


def a_match(family_id: int, person_id: int) -> IdentityMatch:
    return IdentityMatch(
        person_id=person_id,
        family_id=family_id,
        name="Tamsin Marchbank",
        date_of_birth=dt.date(2025, 3, 1),
        postcode_district="XW1",
        score=100.0,
        visible_to_actor=False,
        teams=["Brookside Family Hub"],
    )


def test_a_match_is_shown_with_only_what_confirms_who_they_are() -> None:
    form = ChooseMatchForm(matches=[a_match(3, 7)])
    label = dict(form.fields["match"].choices)["3:7"]  # type: ignore[attr-defined]
    assert label == (
        "Tamsin Marchbank, born 1 March 2025, lives in XW1, known to Brookside Family Hub"
    )
    assert NONE_OF_THESE in dict(form.fields["match"].choices)  # type: ignore[attr-defined]


@given(st.text(max_size=20))
def test_only_an_offered_match_can_be_chosen(value: str) -> None:
    form = ChooseMatchForm({"match": value}, matches=[a_match(3, 7)], allow_none=False)
    assert form.is_valid() is (value == "3:7")


@given(st.integers(min_value=1), st.integers(min_value=1))
def test_a_match_value_reads_back(family_id: int, person_id: int) -> None:
    assert parse_match(f"{family_id}:{person_id}") == (family_id, person_id)
    assert parse_match(NONE_OF_THESE) is None


def test_a_duplicate_is_chosen_among_those_found() -> None:
    first, other = ReferralFactory(), ReferralFactory()
    form = MergeForm({"into": str(first.pk)}, duplicates=[first])
    assert form.is_valid()
    assert form.cleaned_data["into"] == first
    assert not MergeForm({"into": str(other.pk)}, duplicates=[first]).is_valid()


# ---------------------------------------------------------------------------------------------
# Routing rules


def rule_form(**data: Any) -> RoutingRuleForm:
    return RoutingRuleForm(
        data,
        services=services_for_referral(),
        reach_areas=ReachArea.objects.all(),
        teams=receiving_teams(),
    )


outward = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9][A-Z]{0,2})?", fullmatch=True)


@given(prefix=outward, lower=st.booleans(), spaces=st.sampled_from(["", " ", "  "]))
def test_a_postcode_start_is_accepted_however_it_is_typed(
    prefix: str, lower: bool, spaces: str, service: ReferralService
) -> None:
    typed = spaces + (prefix.lower() if lower else prefix).replace(" ", " " + spaces) + spaces
    form = rule_form(team=service.team.pk, priority=100, postcode_prefix=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode_prefix"] == prefix
    assert not form.is_catch_all


@pytest.mark.parametrize("typed", ["12XW", "XW1 2AB C", "X-W1", "XW12 34"])
def test_a_postcode_start_must_look_like_one(typed: str, service: ReferralService) -> None:
    form = rule_form(team=service.team.pk, priority=100, postcode_prefix=typed)
    assert form.errors["postcode_prefix"] == [
        "Enter the start of a postcode, like XW, XW12 or XW12 3"
    ]


def test_a_rule_with_no_condition_is_a_catch_all(service: ReferralService) -> None:
    form = rule_form(team=service.team.pk, priority=100)
    assert form.is_valid(), form.errors
    assert form.is_catch_all
    with_need = rule_form(team=service.team.pk, priority=100, need=Need.PARENTING)
    assert with_need.is_valid()
    assert not with_need.is_catch_all


def test_a_rule_has_a_team_and_a_whole_number_priority(service: ReferralService) -> None:
    form = rule_form(priority="soon")
    assert form.errors == {
        "team": ["Select the team the rule sends referrals to"],
        "priority": ["Priority must be a whole number, like 100"],
    }


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("need", "Select what the family needs help with"),
        ("urgency", "Select how urgent the referral is"),
        ("service", "Select the service you are referring to"),
        ("consent_agreed", "Select whether the family has agreed to this referral"),
    ],
)
def test_a_value_that_is_not_offered_says_what_to_choose(
    field: str, message: str, service: ReferralService
) -> None:
    assert form_for(filled(service, **{field: "999999"})).errors[field] == [message]
