"""Which team's queue a referral goes to: the routing rules, decided without the database so
that hand-made cases can test them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from beststart.places.models import normalise_postcode


@dataclass(frozen=True)
class Case:
    """What routing looks at in a referral."""

    service_id: int
    need: str
    reach_area_id: int | None
    postcode: str


class Rule(Protocol):
    """The fields of a `RoutingRule` that routing reads (a model instance will do)."""

    pk: int
    service_id: int | None
    need: str
    reach_area_id: int | None
    postcode_prefix: str
    priority: int
    is_active: bool


RuleT = TypeVar("RuleT", bound=Rule)


def postcode_matches(prefix: str, postcode: str) -> bool:
    """A prefix without a space is a whole postcode district ("XW1" matches XW1 2AB, not
    XW12 3CD); with one, the start of the postcode ("XW1 2" matches XW1 2AB)."""
    prefix, postcode = " ".join(prefix.upper().split()), normalise_postcode(postcode)
    if not prefix:
        return True
    if " " not in prefix:
        return postcode.split(" ")[0] == prefix
    return postcode.startswith(prefix)


def matches(rule: Rule, case: Case) -> bool:
    return (
        rule.is_active
        and rule.service_id in (None, case.service_id)
        and rule.need in ("", case.need)
        and rule.reach_area_id in (None, case.reach_area_id)
        and postcode_matches(rule.postcode_prefix, case.postcode)
    )


def specificity(rule: Rule) -> int:
    return sum(
        bool(condition)
        for condition in (rule.service_id, rule.need, rule.reach_area_id, rule.postcode_prefix)
    )


def choose_rule(rules: Iterable[RuleT], case: Case) -> RuleT | None:
    """The rule that routes the case: the lowest priority number among those that match,
    then the most specific, then the oldest. None: the service's own team takes it."""
    matching = [rule for rule in rules if matches(rule, case)]
    if not matching:
        return None
    return min(matching, key=lambda rule: (rule.priority, -specificity(rule), rule.pk))
