"""Routing rules against hand-made cases, without the database, and one case through the
database to show `route` reads the rules that are active."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.places.tests.factories import PostcodeFactory
from beststart.referrals.actions import route
from beststart.referrals.models import Need
from beststart.referrals.routing import (
    Case,
    choose_rule,
    matches,
    postcode_matches,
    specificity,
)
from beststart.referrals.tests.factories import (
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
)

SERVICE, OTHER_SERVICE = 1, 2
AREA, OTHER_AREA = 10, 11


@dataclass(frozen=True)
class R:
    """A rule as routing reads it; `team` names where it sends the referral."""

    pk: int
    team: str
    service_id: int | None = None
    need: str = ""
    reach_area_id: int | None = None
    postcode_prefix: str = ""
    priority: int = 100
    is_active: bool = True


def case(
    *,
    service_id: int = SERVICE,
    need: str = Need.PARENTING,
    reach_area_id: int | None = AREA,
    postcode: str = "XW1 2AB",
) -> Case:
    return Case(service_id=service_id, need=need, reach_area_id=reach_area_id, postcode=postcode)


def team_for(rules: list[R], referral: Case) -> str | None:
    rule = choose_rule(rules, referral)
    return rule.team if rule else None


@pytest.mark.parametrize(
    ("prefix", "postcode", "expected"),
    [
        ("XW1", "XW1 2AB", True),
        ("XW1", "XW12 3CD", False),  # a district is whole, not the start of another
        ("XW12", "XW12 3CD", True),
        ("XW1 2", "XW1 2AB", True),  # with a space: the start of the postcode
        ("XW1 2", "XW1 3AB", False),
        ("XW1 2", "XW12 3CD", False),
        ("xw1 2", "xw12ab", True),  # typed any way
        ("XW1  2A", "XW1 2AB", True),
        ("XW1 2AB", "XW1 2AB", True),
        ("", "XW9 9ZZ", True),  # no condition
        ("XW", "XW1 2AB", False),  # an area alone is not a district
    ],
)
def test_postcode_matches(prefix: str, postcode: str, expected: bool) -> None:
    assert postcode_matches(prefix, postcode) is expected


def test_no_rule_matches_so_the_services_own_team_takes_it() -> None:
    assert team_for([], case()) is None
    rules = [
        R(1, "speech", need=Need.SPEECH_AND_LANGUAGE),
        R(2, "other service", service_id=OTHER_SERVICE),
        R(3, "other area", reach_area_id=OTHER_AREA),
        R(4, "other district", postcode_prefix="XW12"),
    ]
    assert team_for(rules, case()) is None


@pytest.mark.parametrize(
    ("rule", "referral"),
    [
        (R(1, "t", service_id=SERVICE), case()),
        (R(1, "t", need=Need.PARENTING), case()),
        (R(1, "t", reach_area_id=AREA), case()),
        (R(1, "t", postcode_prefix="XW1"), case()),
        (R(1, "t", postcode_prefix="XW1 2"), case()),
        (R(1, "t"), case(reach_area_id=None)),  # no conditions: a catch-all
    ],
)
def test_each_condition_matches_on_its_own(rule: R, referral: Case) -> None:
    assert team_for([rule], referral) == "t"


@pytest.mark.parametrize(
    "referral",
    [
        case(service_id=OTHER_SERVICE),
        case(need=Need.DOMESTIC_ABUSE),
        case(reach_area_id=OTHER_AREA),
        case(reach_area_id=None),  # a referral outside every reach area
        case(postcode="XW12 3CD"),
    ],
)
def test_every_condition_must_match(referral: Case) -> None:
    rule = R(
        1,
        "t",
        service_id=SERVICE,
        need=Need.PARENTING,
        reach_area_id=AREA,
        postcode_prefix="XW1",
    )
    assert team_for([rule], case()) == "t"
    assert team_for([rule], referral) is None


def test_priority_beats_specificity() -> None:
    broad = R(1, "broad", priority=10)
    narrow = R(
        2,
        "narrow",
        service_id=SERVICE,
        need=Need.PARENTING,
        reach_area_id=AREA,
        postcode_prefix="XW1 2",
        priority=20,
    )
    assert team_for([narrow, broad], case()) == "broad"


def test_specificity_breaks_ties_then_the_oldest() -> None:
    by_service = R(5, "by service", service_id=SERVICE)
    by_service_and_area = R(7, "by service and area", service_id=SERVICE, reach_area_id=AREA)
    assert team_for([by_service, by_service_and_area], case()) == "by service and area"
    # Outside the area the narrower rule does not match, so the broader one takes it.
    assert team_for([by_service, by_service_and_area], case(reach_area_id=OTHER_AREA)) == (
        "by service"
    )
    twin = R(3, "older twin", need=Need.PARENTING)
    assert team_for([by_service, twin], case()) == "older twin"  # same specificity: lower pk


def test_inactive_rules_are_ignored() -> None:
    off = R(1, "off", service_id=SERVICE, priority=1, is_active=False)
    on = R(2, "on", priority=50)
    assert not matches(off, case())
    assert team_for([off, on], case()) == "on"
    assert team_for([off], case()) is None


def test_a_district_rule_does_not_catch_a_longer_district() -> None:
    rules = [R(1, "XW1", postcode_prefix="XW1"), R(2, "XW12", postcode_prefix="XW12")]
    assert team_for(rules, case(postcode="XW1 2AB")) == "XW1"
    assert team_for(rules, case(postcode="XW12 3CD")) == "XW12"
    assert team_for(rules, case(postcode="XW13 3CD")) is None


# ---------------------------------------------------------------------------------------------
# A property: the chosen rule matches, and no matching rule should have been chosen instead

prefixes = st.sampled_from(["", "XW1", "XW12", "XW1 2", "XW1 3", "XW12 3", "XW2"])
postcodes = st.sampled_from(["XW1 2AB", "XW1 3CD", "XW12 3CD", "XW2 9ZZ", "XW3 1AA"])
needs = st.sampled_from([Need.PARENTING, Need.ISOLATION, Need.DOMESTIC_ABUSE])


@st.composite
def rule_lists(draw: st.DrawFn) -> list[R]:
    count = draw(st.integers(min_value=0, max_value=8))
    pks = draw(st.lists(st.integers(1, 1000), min_size=count, max_size=count, unique=True))
    return [
        R(
            pk=pk,
            team=f"team {pk}",
            service_id=draw(st.sampled_from([None, SERVICE, OTHER_SERVICE])),
            need=draw(st.sampled_from(["", Need.PARENTING, Need.ISOLATION])),
            reach_area_id=draw(st.sampled_from([None, AREA, OTHER_AREA])),
            postcode_prefix=draw(prefixes),
            priority=draw(st.integers(1, 4)),
            is_active=draw(st.booleans()),
        )
        for pk in pks
    ]


@given(
    rules=rule_lists(),
    service_id=st.sampled_from([SERVICE, OTHER_SERVICE]),
    need=needs,
    reach_area_id=st.sampled_from([None, AREA, OTHER_AREA]),
    postcode=postcodes,
)
def test_the_chosen_rule_matches_and_none_beats_it(
    rules: list[R], service_id: int, need: str, reach_area_id: int | None, postcode: str
) -> None:
    referral = Case(service_id, need, reach_area_id, postcode)
    chosen = choose_rule(rules, referral)
    matching = [rule for rule in rules if matches(rule, referral)]
    if chosen is None:
        assert matching == []
        return
    assert chosen.is_active
    assert matches(chosen, referral)
    rank = (chosen.priority, -specificity(chosen), chosen.pk)
    for rule in matching:
        assert (rule.priority, -specificity(rule), rule.pk) >= rank
    # Whatever order the rules come in.
    assert choose_rule(list(reversed(rules)), referral) == chosen


# ---------------------------------------------------------------------------------------------
# Through the database


def test_route_reads_the_active_rules(db: None) -> None:
    service = ReferralServiceFactory()
    postcode = PostcodeFactory(postcode="XW1 2AB")
    referral = ReferralFactory.build(
        service=service, postcode=postcode.postcode, reach_area=postcode.lsoa.reach_area
    )
    assert route(referral) is None
    area_rule = RoutingRuleFactory(reach_area=postcode.lsoa.reach_area)
    assert route(referral) == area_rule
    district_rule = RoutingRuleFactory(service=service, postcode_prefix="XW1")
    assert route(referral) == district_rule  # more specific
    district_rule.is_active = False
    district_rule.save()
    RoutingRuleFactory(postcode_prefix="XW12", priority=1)  # first, but it does not match
    assert route(referral) == area_rule
