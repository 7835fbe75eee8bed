"""The access policy: the one module that decides whether an actor may touch personal data.

`decide(actor, subject, category, action)` is default deny: access is allowed only by one of
the rules below, tried in this order, and the first that answers decides.

1. Role. Only practitioner roles see individual records, each for the categories its work
   needs (`ROLE_CATEGORIES`); safeguarding only for roles with a safeguarding function.
   A privacy officer may export everything held about a person for a subject access request.
2. Sealed. An entry private to the recording team is seen by that team only.
3. Relationship. The actor's team must have an active involvement with the family, or the actor
   an open break-glass access. Break-glass is for vital interests in an emergency: it opens,
   for viewing only, everything the role may see but sealed entries, without rules 4 to 6.
   An ended involvement counts as none: the organisation keeps its records, but reads them
   again only through a new involvement, break-glass, or a subject access request.
4. Share-out. An organisation always sees and edits what it recorded itself. Identity data is
   the shared family register, open to every team working with the family (the duty to share
   for direct care and to use the NHS number as the common identifier). Nobody edits another
   organisation's entries.
5. Lawful basis, for another organisation's data: a safeguarding share naming the actor's
   organisation; otherwise (never for safeguarding data) a statutory duty of the actor's
   organisation or the person's consent naming it.
6. Agreement. A flow between two organisations needs an information-sharing agreement in force
   between them for the category (a safeguarding share does not wait for one).

Every list, search, export and count is filtered by the same decision: family lists by
`visible_families` (rules 1 and 3 as a query), entries by `evaluate` on facts loaded once per
family. This module decides and writes nothing; `sharing.access` audits each decision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Address, Family, FamilyMember, Involvement
from beststart.sharing.models import (
    BreakGlassAccess,
    Consent,
    ConsentState,
    SafeguardingShare,
    SharingAgreement,
)

IDENTITY = DataCategory.IDENTITY
HEALTH = DataCategory.HEALTH
DEVELOPMENT = DataCategory.DEVELOPMENT
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT
SAFEGUARDING = DataCategory.SAFEGUARDING
ALL_CATEGORIES = frozenset(DataCategory)

# What each practitioner role's work needs to see.
ROLE_CATEGORIES: dict[str, frozenset[str]] = {
    Role.MIDWIFE: frozenset({IDENTITY, HEALTH, FAMILY_SUPPORT, SAFEGUARDING}),
    Role.HEALTH_VISITOR: ALL_CATEGORIES,
    Role.GP_PRACTICE_STAFF: frozenset({IDENTITY, HEALTH, SAFEGUARDING}),
    Role.FAMILY_HUB_WORKER: frozenset(
        {IDENTITY, HEALTH, DEVELOPMENT, FAMILY_SUPPORT, SAFEGUARDING}
    ),
    Role.EARLY_YEARS_PRACTITIONER: frozenset({IDENTITY, DEVELOPMENT, FAMILY_SUPPORT}),
    Role.SCHOOL_STAFF: frozenset({IDENTITY, DEVELOPMENT}),
    Role.VOLUNTARY_SECTOR_WORKER: frozenset({IDENTITY, FAMILY_SUPPORT}),
    Role.TRIAGE_OFFICER: ALL_CATEGORIES,
    Role.TEAM_MANAGER: ALL_CATEGORIES,
}
PRACTITIONER_ROLES = frozenset(ROLE_CATEGORIES)
SAFEGUARDING_ROLES = frozenset(
    role for role, categories in ROLE_CATEGORIES.items() if SAFEGUARDING in categories
)
AUDIT_ROLES = frozenset({Role.PRIVACY_OFFICER})
# Who approves sharing for safeguarding without consent: a named safeguarding lead.
SAFEGUARDING_APPROVER_ROLES = frozenset({Role.TEAM_MANAGER})

# What a relationship lets a practitioner do; break-glass lets them only look.
RECORD_ACTIONS = frozenset(
    {
        AccessAction.VIEW,
        AccessAction.LIST,
        AccessAction.SEARCH,
        AccessAction.EXPORT,
        AccessAction.UPDATE,
    }
)
BREAK_GLASS_ACTIONS = frozenset({AccessAction.VIEW})
BREAK_GLASS_HOURS = 4


@dataclass(frozen=True)
class StatutoryDuty:
    organisation_type: str
    categories: frozenset[str]
    basis: str


STATUTORY_DUTIES = (
    StatutoryDuty(
        OrganisationType.HEALTH_VISITING_SERVICE,
        frozenset({HEALTH, DEVELOPMENT}),
        "statutory duty: the Healthy Child Programme",
    ),
    StatutoryDuty(
        OrganisationType.MATERNITY_SERVICE, frozenset({HEALTH}), "statutory duty: maternity care"
    ),
    StatutoryDuty(
        OrganisationType.GP_PRACTICE, frozenset({HEALTH}), "statutory duty: NHS direct care"
    ),
)


# ---------------------------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str  # which rule decided: stable, for tests and reports
    basis: str  # the reason in words, with any reference (consent, agreement, break-glass)

    def __bool__(self) -> bool:
        return self.allowed

    def because(self, basis: str) -> Decision:
        return Decision(self.allowed, self.rule, basis)


ALLOW_CREATE = Decision(True, "create", "practitioner may create a family record")
ALLOW_IDENTITY_CHECK = Decision(
    True, "identity_check", "search-before-create: minimum identity details"
)
ALLOW_INVOLVEMENT = Decision(
    True, "shared_register", "shared family register: active involvement of the actor's team"
)
ALLOW_OWN_RECORD = Decision(
    True, "own_record", "the organisation's own record: active involvement of the actor's team"
)
ALLOW_CONSENT = Decision(True, "consent", "consent")
ALLOW_STATUTORY = Decision(True, "statutory_duty", "statutory duty")
ALLOW_SAFEGUARDING_SHARE = Decision(True, "safeguarding_share", "shared for safeguarding")
ALLOW_BREAK_GLASS = Decision(True, "break_glass", "break-glass emergency access")
ALLOW_SUBJECT_ACCESS = Decision(
    True, "subject_access", "privacy officer: subject access request (UK GDPR Article 15)"
)
ALLOW_PRACTITIONER = Decision(True, "practitioner", "practitioner role")
DENY_ROLE = Decision(False, "role", "role has no access to individual records")
DENY_ROLE_CATEGORY = Decision(False, "role_category", "role does not see this category")
DENY_ACTION = Decision(False, "action", "action not allowed by any rule")
DENY_SEALED = Decision(False, "sealed", "private to the team that recorded it")
DENY_NO_RELATIONSHIP = Decision(
    False, "no_relationship", "no active involvement of the actor's team"
)
DENY_NOT_RECORDER = Decision(
    False, "not_recorder", "only the organisation that recorded an entry may change it"
)
DENY_SAFEGUARDING = Decision(
    False,
    "safeguarding_not_shared",
    "safeguarding information is shared only by an approved safeguarding share, never by consent",
)
DENY_NO_CONSENT = Decision(False, "no_consent", "no consent or other lawful basis")
DENY_CONSENT_WITHDRAWN = Decision(False, "consent_withdrawn", "consent withdrawn")
DENY_CONSENT_EXPIRED = Decision(False, "consent_expired", "consent expired")
DENY_CONSENT_OUT_OF_SCOPE = Decision(
    False, "consent_out_of_scope", "consent does not cover this category or recipient"
)
DENY_NO_AGREEMENT = Decision(False, "no_agreement", "no information-sharing agreement in force")

_decisions_made: ContextVar[int] = ContextVar("decisions_made", default=0)


def decisions_made() -> int:
    """How many decisions this request has asked for; the enforcement middleware reads it."""
    return _decisions_made.get()


def reset_decisions() -> object:
    return _decisions_made.set(0)


def _count() -> None:
    _decisions_made.set(_decisions_made.get() + 1)


# ---------------------------------------------------------------------------------------------
# What is decided about


class Entry(Protocol):
    """Anything recorded about a family by a team: a chronology event, a review, a note."""

    family_id: int
    person_id: int | None
    team_id: int
    category: str
    is_sealed: bool

    @property
    def team(self) -> object: ...


EntryT = TypeVar("EntryT", bound=Entry)


@dataclass(frozen=True)
class Subject:
    """Whose data, and who recorded it. `recorded_by` None stands for the shared family
    register (identity) or, for other categories, what the actor's own organisation recorded."""

    family_id: int
    person_id: int | None = None
    recorded_by: Organisation | None = None
    sealed_to_team_id: int | None = None

    @classmethod
    def of(cls, subject: Family | Subject) -> Subject:
        return subject if isinstance(subject, Subject) else cls(family_id=subject.pk)

    @classmethod
    def of_entry(cls, entry: Entry) -> Subject:
        """The entry's team must come with its organisation (select_related)."""
        return cls(
            family_id=entry.family_id,
            person_id=entry.person_id,
            recorded_by=entry.team.organisation,  # type: ignore[attr-defined]
            sealed_to_team_id=entry.team_id if entry.is_sealed else None,
        )


# ---------------------------------------------------------------------------------------------
# The facts a decision about one family needs, loaded once


def active_involvements(on: object = None) -> Q:
    day = on or clock.today()
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


@dataclass
class FamilyFacts:
    """Everything about one family that decisions for one actor turn on. What only another
    organisation's data needs (consents, safeguarding shares, agreements) is loaded the first
    time a decision asks for it, so a page that decides only about the register costs three
    queries."""

    actor: Actor
    family_id: int
    day: dt.date
    involved: bool
    break_glass: BreakGlassAccess | None
    member_ids: frozenset[int]
    _consents: list[Consent] | None = None
    _shares: list[SafeguardingShare] | None = None
    _agreements: list[SharingAgreement] | None = None

    @classmethod
    def load(cls, actor: Actor, family_id: int) -> FamilyFacts:
        now, day = clock.now(), clock.today()
        return cls(
            actor=actor,
            family_id=family_id,
            day=day,
            involved=Involvement.objects.filter(
                active_involvements(day), family_id=family_id, team_id=actor.team.pk
            ).exists(),
            break_glass=BreakGlassAccess.objects.filter(
                user=actor.user, family_id=family_id, started_at__lte=now, expires_at__gt=now
            ).first(),
            member_ids=frozenset(
                FamilyMember.objects.filter(family_id=family_id).values_list("person_id", flat=True)
            ),
        )

    @property
    def consents(self) -> list[Consent]:
        if self._consents is None:
            self._consents = list(
                Consent.objects.filter(person_id__in=self.member_ids).prefetch_related(
                    "recipient_organisations"
                )
            )
        return self._consents

    @property
    def shares(self) -> list[SafeguardingShare]:
        if self._shares is None:
            self._shares = [
                share
                for share in SafeguardingShare.objects.filter(
                    family_id=self.family_id
                ).prefetch_related("recipient_organisations")
                if share.is_in_force(self.day)
            ]
        return self._shares

    @property
    def agreements(self) -> list[SharingAgreement]:
        if self._agreements is None:
            self._agreements = agreements_in_force(self.day)
        return self._agreements

    def without_safeguarding_shares(self) -> FamilyFacts:
        """The same facts as if no safeguarding share were in force."""
        return dataclasses.replace(self, _shares=[])

    def without_consent(self, consent_id: int) -> FamilyFacts:
        """The same facts as if that consent had never been given."""
        kept = [consent for consent in self.consents if consent.pk != consent_id]
        return dataclasses.replace(self, _consents=kept)

    def statutory_duty(self, category: str) -> Decision | None:
        for duty in STATUTORY_DUTIES:
            if duty.organisation_type == self.actor.organisation.type and category in (
                duty.categories
            ):
                return ALLOW_STATUTORY.because(duty.basis)
        return None

    def safeguarding_share(self, subject: Subject, category: str) -> Decision | None:
        for share in self.shares:
            if (
                category in share.categories
                and (share.person_id is None or share.person_id == subject.person_id)
                and share.names_organisation(self.actor.organisation)
            ):
                return ALLOW_SAFEGUARDING_SHARE.because(
                    f"shared for safeguarding without consent (share {share.pk}, approved by "
                    f"user {share.approved_by_id})"
                )
        return None

    def consent(self, subject: Subject, category: str) -> Decision:
        """The person's consent; for an entry about the whole family, any member's."""
        people = {subject.person_id} if subject.person_id else self.member_ids
        relevant = [consent for consent in self.consents if consent.person_id in people]
        organisation = self.actor.organisation
        covering = [consent for consent in relevant if consent.covers(category, organisation)]
        states = {consent.state_on(self.day): consent for consent in covering}
        if ConsentState.IN_FORCE in states:
            consent = states[ConsentState.IN_FORCE]
            return ALLOW_CONSENT.because(
                f"consent {consent.pk} given {consent.starts_on:%-d %b %Y} "
                f"({consent.get_method_display().lower()})"
            )
        if ConsentState.WITHDRAWN in states:
            return DENY_CONSENT_WITHDRAWN
        if ConsentState.EXPIRED in states:
            return DENY_CONSENT_EXPIRED
        if any(consent.state_on(self.day) == ConsentState.IN_FORCE for consent in relevant):
            return DENY_CONSENT_OUT_OF_SCOPE
        return DENY_NO_CONSENT

    def agreement(self, origin: Organisation, category: str) -> SharingAgreement | None:
        recipient = self.actor.organisation
        for agreement in self.agreements:
            if (
                category in agreement.categories
                and agreement.includes(origin.pk, origin.type)
                and agreement.includes(recipient.pk, recipient.type)
            ):
                return agreement
        return None


def agreements_in_force(day: dt.date) -> list[SharingAgreement]:
    return [
        agreement
        for agreement in SharingAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day
        ).prefetch_related("party_organisations")
    ]


# ---------------------------------------------------------------------------------------------
# The decision


def decide(actor: Actor, subject: Family | Subject | None, category: str, action: str) -> Decision:
    """May `actor` do `action` to `category` data about `subject` (a family, an entry's
    subject, or None for a record not yet created)? Loads what it needs; to decide many
    things about one family, load `FamilyFacts` once and call `evaluate`."""
    if subject is None:
        return _decide_without_record(actor, category, action)
    subject = Subject.of(subject)
    return evaluate(FamilyFacts.load(actor, subject.family_id), subject, category, action)


def _decide_without_record(actor: Actor, category: str, action: str) -> Decision:
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return DENY_ROLE
    if category != IDENTITY:
        return DENY_ROLE_CATEGORY
    if action == AccessAction.CREATE:
        return ALLOW_CREATE
    if action == AccessAction.IDENTITY_CHECK:
        return ALLOW_IDENTITY_CHECK
    return DENY_NO_RELATIONSHIP


def evaluate(facts: FamilyFacts, subject: Subject, category: str, action: str) -> Decision:
    """The rules, in order, on facts already loaded. Writes nothing."""
    _count()
    actor = facts.actor
    if actor.role not in PRACTITIONER_ROLES:
        if actor.role in AUDIT_ROLES and action == AccessAction.EXPORT:
            return ALLOW_SUBJECT_ACCESS
        return DENY_ROLE
    if category not in ROLE_CATEGORIES[actor.role]:
        return DENY_ROLE_CATEGORY
    if action not in RECORD_ACTIONS:
        return DENY_ACTION
    if subject.sealed_to_team_id is not None and subject.sealed_to_team_id != actor.team.pk:
        return DENY_SEALED
    if not facts.involved:
        if facts.break_glass is not None and action in BREAK_GLASS_ACTIONS:
            return ALLOW_BREAK_GLASS.because(
                f"break-glass emergency access {facts.break_glass.reference}"
            )
        return DENY_NO_RELATIONSHIP
    origin = subject.recorded_by
    if origin is None or origin.pk == actor.organisation.pk:
        return ALLOW_INVOLVEMENT if origin is None and category == IDENTITY else ALLOW_OWN_RECORD
    if action == AccessAction.UPDATE:
        return DENY_NOT_RECORDER
    if category == IDENTITY:
        return ALLOW_INVOLVEMENT
    return _another_organisations_data(facts, subject, origin, category)


def _another_organisations_data(
    facts: FamilyFacts, subject: Subject, origin: Organisation, category: str
) -> Decision:
    shared = facts.safeguarding_share(subject, category)
    if shared is not None:
        return shared
    if category == SAFEGUARDING:
        return DENY_SAFEGUARDING
    basis = facts.statutory_duty(category) or facts.consent(subject, category)
    if not basis:
        return basis
    agreement = facts.agreement(origin, category)
    if agreement is None:
        return DENY_NO_AGREEMENT.because(
            f"no information-sharing agreement in force between {origin.name} and "
            f"{facts.actor.organisation.name} for {DataCategory(category).label.lower()} data"
        )
    return basis.because(f"{basis.basis}; agreement {agreement.reference}")


# ---------------------------------------------------------------------------------------------
# The same rules as queries, for lists


def visible_families(actor: Actor) -> QuerySet[Family]:
    """The families `actor` may list, search and count: rules 1 and 3 of `decide` for the
    shared register (break-glass opens a record to view, never to list)."""
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return Family.objects.none()
    involved = Involvement.objects.filter(
        active_involvements(), family_id=OuterRef("pk"), team_id=actor.team.pk
    )
    return Family.objects.filter(Exists(involved))


def families_both_teams_work_with(first: Team, second: Team) -> QuerySet[Family]:
    """The families two teams may both list: an active involvement of each (for a multi-agency
    meeting's agenda, which must name no family either team could not open)."""
    _count()
    return Family.objects.filter(
        Exists(
            Involvement.objects.filter(
                active_involvements(), family_id=OuterRef("pk"), team_id=first.pk
            )
        ),
        Exists(
            Involvement.objects.filter(
                active_involvements(), family_id=OuterRef("pk"), team_id=second.pk
            )
        ),
    )


# ---------------------------------------------------------------------------------------------
# Finer rules


ALLOW_OWN_INVOLVEMENT = Decision(True, "own_involvement", "the actor's own team's involvement")
ALLOW_LEAD_TEAM = Decision(
    True, "lead_team", "the actor's team holds the family's lead involvement"
)
DENY_OTHER_TEAMS_INVOLVEMENT = Decision(False, "other_team", "another team's involvement")


def categories_for(actor: Actor) -> list[str]:
    """The categories the actor's role works with, in the vocabulary's order."""
    allowed = ROLE_CATEGORIES.get(actor.role, frozenset())
    return [category for category in DataCategory if category in allowed]


def may_end_involvement(
    actor: Actor, involvement: Involvement, family_involvements: list[Involvement]
) -> Decision:
    """A team ends its own involvement; the team holding the lead may end any, as the lead
    practitioner coordinates who works with the family. `family_involvements` are all of the
    family's involvements, already loaded."""
    _count()
    if involvement.team_id == actor.team.pk:
        return ALLOW_OWN_INVOLVEMENT
    today = clock.today()
    if any(
        other.team_id == actor.team.pk and other.is_lead and other.is_active_on(today)
        for other in family_involvements
    ):
        return ALLOW_LEAD_TEAM
    return DENY_OTHER_TEAMS_INVOLVEMENT


def may_see_address(actor: Actor, address: Address) -> bool:
    """A withheld address is redacted for everyone outside the team that recorded it."""
    return not address.is_withheld or address.recorded_by_team_id == actor.team.pk


ALLOW_AUDIT_QUERY = Decision(True, "privacy_officer", "privacy officer role")


def may_query_audit(actor: Actor) -> Decision:
    _count()
    return ALLOW_AUDIT_QUERY if actor.role in AUDIT_ROLES else DENY_ROLE


def may_use_records(actor: Actor) -> Decision:
    """Whether the actor's role works with individual records at all."""
    _count()
    if actor.role in PRACTITIONER_ROLES:
        return ALLOW_PRACTITIONER
    return DENY_ROLE


ALLOW_SAFEGUARDING_ROLE = Decision(True, "safeguarding_role", "role with a safeguarding function")


def may_share_for_safeguarding(actor: Actor) -> Decision:
    _count()
    return ALLOW_SAFEGUARDING_ROLE if actor.role in SAFEGUARDING_ROLES else DENY_ROLE_CATEGORY


ALLOW_REGISTER_IN_PERSON = Decision(
    True, "registered_in_person", "family registered in person at a children's centre"
)


def may_register_in_person(actor: Actor) -> Decision:
    """A family that walks into a children's centre may register there, which starts the
    centre's involvement with them: a practitioner of a family hub, with the family present
    and their identity confirmed by search-before-create."""
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return DENY_ROLE
    if actor.organisation.type != OrganisationType.FAMILY_HUB:
        return DENY_ACTION.because("only a children's centre registers families in person")
    return ALLOW_REGISTER_IN_PERSON


ALLOW_BREAK_GLASS_REQUEST = Decision(
    True, "break_glass_request", "practitioner with no relationship, in an emergency"
)


def may_break_glass(actor: Actor, facts: FamilyFacts) -> Decision:
    """Break-glass is for a practitioner whose team does not already work with the family."""
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return DENY_ROLE
    if facts.involved:
        return DENY_ACTION.because("the actor's team already works with the family")
    if facts.break_glass is not None:
        return DENY_ACTION.because(
            f"the actor's emergency access {facts.break_glass.reference} is still open"
        )
    return ALLOW_BREAK_GLASS_REQUEST


# ---------------------------------------------------------------------------------------------
# Referrals


@dataclass(frozen=True)
class ReferralParties:
    """Who a referral concerns, as plain ids, so the policy decides without the referrals
    part: the team that made it (none for a family's own), and the team whose queue holds it."""

    referral_id: int
    referrer_team_id: int | None
    receiving_team_id: int


ALLOW_TRIAGE = Decision(True, "triage", "single point of contact: sees every referral")
ALLOW_RECEIVING_TEAM = Decision(
    True, "receiving_team", "the referral is in the actor's team's queue"
)
ALLOW_REFERRER = Decision(True, "referrer", "the actor's team made the referral")
DENY_NOT_A_PARTY = Decision(
    False, "not_a_party", "neither the referrer, the receiving team nor the single point of contact"
)
REFERRAL_ACTIONS = frozenset({AccessAction.VIEW, AccessAction.LIST, AccessAction.UPDATE})


def decide_referral(actor: Actor, parties: ReferralParties, action: str) -> Decision:
    """May `actor` see or act on a referral? The referral and the consent it was made with
    are open to the three parties to it: the single point of contact (triage), which sees
    every referral; the team whose queue holds it; and the team that made it, so the loop
    closes. The family's wider record stays under `decide`: the receiving team sees it only
    once it works with the family and the family's consent and an agreement allow."""
    _count()
    if actor.role not in PRACTITIONER_ROLES:
        return DENY_ROLE
    if action not in REFERRAL_ACTIONS:
        return DENY_ACTION
    reference = f"(referral {parties.referral_id})"
    if actor.role == Role.TRIAGE_OFFICER:
        return ALLOW_TRIAGE.because(f"{ALLOW_TRIAGE.basis} {reference}")
    if actor.team.pk == parties.receiving_team_id:
        return ALLOW_RECEIVING_TEAM.because(f"{ALLOW_RECEIVING_TEAM.basis} {reference}")
    if actor.team.pk == parties.referrer_team_id:
        return ALLOW_REFERRER.because(f"{ALLOW_REFERRER.basis} {reference}")
    return DENY_NOT_A_PARTY


def may_refer(actor: Actor) -> Decision:
    """Any practitioner may refer a family, with the family's consent."""
    return may_use_records(actor)
