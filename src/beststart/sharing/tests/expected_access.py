"""What the sharing policy should decide, written down apart from it.

The tables here are written from the rules as they are stated in words (the docstring of
`sharing/policy.py` and the issue), not from the policy's own tables or functions, which this
module never imports: a change to the policy that is not also a change to these rules shows up
as an unexpected allow or deny in the authorization matrix.

Only the shared vocabulary is imported: roles, organisation types, data categories, actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from beststart.accounts.models import OrganisationType, Role
from beststart.core.categories import AccessAction, DataCategory

IDENTITY = DataCategory.IDENTITY
HEALTH = DataCategory.HEALTH
DEVELOPMENT = DataCategory.DEVELOPMENT
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT
SAFEGUARDING = DataCategory.SAFEGUARDING

# What each practitioner's work needs to see, safeguarding aside (see below).
#   midwives: pregnancy and birth, the family's circumstances
#   health visitors, triage and team managers: everything the service holds
#   GP practices: health
#   family hubs: health, development and support, as they run the Healthy Child Programme
#   sessions and early help
#   early years settings: development and the support around it
#   schools: development and learning
#   voluntary sector: the support they give
_YES, _NO = "Y", "."
_ROLE_SEES_GRID = """
role                       identity  health  development  family_support
midwife                    Y         Y       .            Y
health_visitor             Y         Y       Y            Y
gp_practice_staff          Y         Y       .            .
family_hub_worker          Y         Y       Y            Y
early_years_practitioner   Y         .       Y            Y
school_staff               Y         .       Y            .
voluntary_sector_worker    Y         .       .            Y
triage_officer             Y         Y       Y            Y
team_manager               Y         Y       Y            Y
"""

# Roles with a safeguarding function: they alone ever see safeguarding data.
SAFEGUARDING_FUNCTION = frozenset(
    {
        Role.MIDWIFE,
        Role.HEALTH_VISITOR,
        Role.GP_PRACTICE_STAFF,
        Role.FAMILY_HUB_WORKER,
        Role.TRIAGE_OFFICER,
        Role.TEAM_MANAGER,
    }
)

# Roles that never work with individual records.
NO_RECORDS = frozenset({Role.COMMISSIONER, Role.PRIVACY_OFFICER})

# The organisation each role works in.
WORKS_IN: dict[str, str] = {
    Role.MIDWIFE: OrganisationType.MATERNITY_SERVICE,
    Role.HEALTH_VISITOR: OrganisationType.HEALTH_VISITING_SERVICE,
    Role.GP_PRACTICE_STAFF: OrganisationType.GP_PRACTICE,
    Role.FAMILY_HUB_WORKER: OrganisationType.FAMILY_HUB,
    Role.EARLY_YEARS_PRACTITIONER: OrganisationType.EARLY_YEARS_SETTING,
    Role.SCHOOL_STAFF: OrganisationType.SCHOOL,
    Role.VOLUNTARY_SECTOR_WORKER: OrganisationType.VOLUNTARY_ORGANISATION,
    Role.TRIAGE_OFFICER: OrganisationType.LOCAL_AUTHORITY_TEAM,
    Role.TEAM_MANAGER: OrganisationType.HEALTH_VISITING_SERVICE,
    Role.COMMISSIONER: OrganisationType.LOCAL_AUTHORITY_TEAM,
    Role.PRIVACY_OFFICER: OrganisationType.LOCAL_AUTHORITY_TEAM,
}

# Statutory duties: what an organisation of each type may receive without consent.
#   health visiting: the Healthy Child Programme (health and development reviews)
#   maternity: maternity care; GP practices: NHS direct care
STATUTORY_DUTIES: dict[str, frozenset[str]] = {
    OrganisationType.HEALTH_VISITING_SERVICE: frozenset({HEALTH, DEVELOPMENT}),
    OrganisationType.MATERNITY_SERVICE: frozenset({HEALTH}),
    OrganisationType.GP_PRACTICE: frozenset({HEALTH}),
}


def _role_sees() -> dict[str, frozenset[str]]:
    header, *rows = (line.split() for line in _ROLE_SEES_GRID.strip().splitlines())
    categories = header[1:]
    sees = {}
    for role, *marks in rows:
        assert all(mark in (_YES, _NO) for mark in marks), role
        chosen = {
            category for category, mark in zip(categories, marks, strict=True) if mark == _YES
        }
        if role in SAFEGUARDING_FUNCTION:
            chosen.add(SAFEGUARDING)
        sees[role] = frozenset(chosen)
    return sees


ROLE_SEES = _role_sees()


# ---------------------------------------------------------------------------------------------
# The dimensions of a case


class ConsentState(Enum):
    NONE = "none"
    GIVEN = "given"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    OUT_OF_SCOPE = "out of scope"  # in force, but for another category or another recipient


class Relationship(Enum):
    NONE = "none"
    ACTIVE = "active"
    ENDED = "ended"


class Origin(Enum):
    OWN = "own organisation"
    OTHER = "another organisation"


class Agreement(Enum):
    IN_FORCE = "in force"
    NOT_IN_FORCE = "not in force"


ACTIONS = (
    AccessAction.VIEW,
    AccessAction.LIST,
    AccessAction.SEARCH,
    AccessAction.EXPORT,
    AccessAction.UPDATE,  # "edit"
)


@dataclass(frozen=True)
class Case:
    """One cell of the matrix: an actor of `role` does `action` to `category` data recorded by
    `origin`, with this consent, relationship and agreement."""

    role: str
    category: str
    consent: ConsentState
    relationship: Relationship
    origin: Origin
    agreement: Agreement
    action: str

    def __str__(self) -> str:
        return (
            f"{self.role} {self.action} {self.category} recorded by {self.origin.value}; "
            f"consent {self.consent.value}, relationship {self.relationship.value}, "
            f"agreement {self.agreement.value}"
        )


# ---------------------------------------------------------------------------------------------
# The rules, in order: the first that applies decides; nothing applies, nothing is allowed.


@dataclass(frozen=True)
class Rule:
    says: str
    applies: Callable[[Case], bool]
    allows: bool


def _lawful_basis(case: Case) -> bool:
    """A statutory duty of the actor's organisation, or the person's consent naming it."""
    duty = STATUTORY_DUTIES.get(WORKS_IN[case.role], frozenset())
    return case.category in duty or case.consent is ConsentState.GIVEN


RULES = (
    Rule(
        "a privacy officer exports everything for a subject access request",
        lambda case: case.role == Role.PRIVACY_OFFICER and case.action == AccessAction.EXPORT,
        allows=True,
    ),
    Rule(
        "the role does not work with records",
        lambda case: case.role in NO_RECORDS,
        allows=False,
    ),
    Rule(
        "the role does not see this category",
        lambda case: case.category not in ROLE_SEES[case.role],
        allows=False,
    ),
    Rule(
        "no active relationship",
        lambda case: case.relationship is not Relationship.ACTIVE,
        allows=False,
    ),
    Rule(
        "an organisation sees and edits what it recorded",
        lambda case: case.origin is Origin.OWN,
        allows=True,
    ),
    Rule(
        "nobody edits another organisation's entry",
        lambda case: case.action == AccessAction.UPDATE,
        allows=False,
    ),
    Rule(
        "identity is the shared family register",
        lambda case: case.category == IDENTITY,
        allows=True,
    ),
    Rule(
        "safeguarding only by a safeguarding share, never by consent",
        lambda case: case.category == SAFEGUARDING,
        allows=False,
    ),
    Rule(
        "no consent or other lawful basis",
        lambda case: not _lawful_basis(case),
        allows=False,
    ),
    Rule(
        "no information-sharing agreement in force",
        lambda case: case.agreement is not Agreement.IN_FORCE,
        allows=False,
    ),
    Rule("a lawful basis and an agreement", lambda case: True, allows=True),
)


def expected(case: Case) -> Rule:
    """The rule that decides `case`."""
    return next(rule for rule in RULES if rule.applies(case))
