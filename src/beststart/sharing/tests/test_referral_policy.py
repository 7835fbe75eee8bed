"""Who may see or act on a referral: every role x the actor's team's part in the referral x
action, decided by the real `decide_referral` and held against a table written here from the
rule in words, not from the policy's own tables:

    A referral, and the consent it was made with, is open to its three parties: the single
    point of contact (triage officers), who see every referral; the team whose queue holds
    it; and the team that made it, so the loop closes. Each may view it, see it listed and
    act on it. Nobody exports or searches referrals: those go through the family's record,
    under the wider policy. Commissioners and privacy officers never see individual
    referrals; they see counts. Everyone else gets the 404 of a referral that does not exist.

11 roles x 5 parts x 5 actions = 275 cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.core.categories import AccessAction
from beststart.sharing.policy import Decision, ReferralParties, decide_referral

pytestmark = pytest.mark.django_db


class Part(Enum):
    """The actor's team's part in the referral."""

    NONE = "none"  # another team's referral, in a third team's queue
    REFERRER = "referrer team"
    RECEIVING = "receiving team"
    BOTH = "referred to its own team"
    SELF_REFERRAL = "none, and the family referred itself"


ACTIONS = (
    AccessAction.VIEW,
    AccessAction.LIST,
    AccessAction.UPDATE,
    AccessAction.EXPORT,
    AccessAction.SEARCH,
)

# From the rule in words.
SEES_EVERY_REFERRAL = {Role.TRIAGE_OFFICER}
NEVER_SEES_REFERRALS = {Role.COMMISSIONER, Role.PRIVACY_OFFICER}
REFERRAL_ACTIONS = {AccessAction.VIEW, AccessAction.LIST, AccessAction.UPDATE}
PARTIES = {Part.REFERRER, Part.RECEIVING, Part.BOTH}


def expected(role: str, part: Part, action: str) -> tuple[bool, str]:
    """Allowed or not, and the rule that says so."""
    if role in NEVER_SEES_REFERRALS:
        return False, "role"
    if action not in REFERRAL_ACTIONS:
        return False, "action"
    if role in SEES_EVERY_REFERRAL:
        return True, "triage"
    if part in (Part.RECEIVING, Part.BOTH):
        return True, "receiving_team"
    if part == Part.REFERRER:
        return True, "referrer"
    return False, "not_a_party"


@dataclass(frozen=True)
class Decided:
    role: str
    part: Part
    action: str
    decision: Decision

    @property
    def unexpected(self) -> bool:
        allowed, rule = expected(self.role, self.part, self.action)
        return (self.decision.allowed, self.decision.rule) != (allowed, rule)

    def __str__(self) -> str:
        return (
            f"{self.role} ({self.part.value}) {self.action}: "
            f"{'allowed' if self.decision else 'denied'} by {self.decision.rule}, expected "
            f"{expected(self.role, self.part, self.action)}"
        )


def parties_for(actor: Actor, part: Part, others: tuple[int, int]) -> ReferralParties:
    mine = actor.team.pk
    referrer, receiver = others
    teams = {
        Part.NONE: (referrer, receiver),
        Part.REFERRER: (mine, receiver),
        Part.RECEIVING: (referrer, mine),
        Part.BOTH: (mine, mine),
        Part.SELF_REFERRAL: (None, receiver),
    }[part]
    return ReferralParties(referral_id=42, referrer_team_id=teams[0], receiving_team_id=teams[1])


def test_every_case_is_decided_as_the_rule_says(terminal_summary: Callable[[str], None]) -> None:
    others = (TeamFactory().pk, TeamFactory().pk)
    actors = {role: make_actor(role) for role in Role}
    outcomes = [
        Decided(
            role,
            part,
            action,
            decide_referral(actors[role], parties_for(actors[role], part, others), action),
        )
        for role, part, action in itertools.product(Role, Part, ACTIONS)
    ]
    allowed = sum(outcome.decision.allowed for outcome in outcomes)
    surprises = [outcome for outcome in outcomes if outcome.unexpected]
    summary = (
        f"referral policy: {len(outcomes)} cases, {allowed} allowed, "
        f"{len(outcomes) - allowed} denied, {len(surprises)} unexpected"
    )
    terminal_summary(summary)
    print(summary)
    assert len(outcomes) == len(Role) * len(Part) * len(ACTIONS) == 275
    assert not surprises, "\n".join(str(outcome) for outcome in surprises)
    # Triage: 3 actions x 5 parts; the 8 other practitioner roles: 3 actions x 3 parts.
    assert allowed == 15 + 8 * 9


def test_an_allowed_decision_names_the_referral() -> None:
    actor = make_actor(Role.HEALTH_VISITOR)
    parties = ReferralParties(
        referral_id=7, referrer_team_id=actor.team.pk, receiving_team_id=TeamFactory().pk
    )
    decision = decide_referral(actor, parties, AccessAction.VIEW)
    assert decision.basis == "the actor's team made the referral (referral 7)"
