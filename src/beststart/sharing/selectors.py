"""Reads about sharing. Each takes the actor, asks the policy and audits what it shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import groupby
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, Organisation, Role, Team, User
from beststart.audit.models import AuditEvent
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import (
    Address,
    ChronologyEvent,
    Family,
    FamilyMember,
    Involvement,
    Person,
    Relationship,
)
from beststart.sharing import policy
from beststart.sharing.access import SharingGate, audit_decision, audit_shown, open_family
from beststart.sharing.models import (
    BreakGlassAccess,
    Consent,
    ConsentState,
    SafeguardingShare,
    SharingAgreement,
)
from beststart.sharing.policy import (
    SAFEGUARDING_APPROVER_ROLES,
    Decision,
    FamilyFacts,
    Subject,
    may_break_glass,
    may_query_audit,
    may_see_address,
    may_share_for_safeguarding,
    may_use_records,
)
from beststart.sharing.subject_access import (
    ExportRow,
    PersonalDataModel,
    Scope,
    personal_data_models,
    rows_about,
    serialise,
)

# Consent, who can see the family and why, access logs

ACCESS_LOG_PAGE_SIZE = 50
WHOLE_FAMILY = "Entries about the whole family"


def family_members(family: Family) -> QuerySet[Person]:
    """The members of a family already opened through the policy, in the record's order."""
    return Person.objects.filter(memberships__family=family).order_by("date_of_birth", "id")


def organisations_involved(family: Family) -> QuerySet[Organisation]:
    """The organisations whose teams work with a family (already opened) today."""
    involved = Involvement.objects.filter(policy.active_involvements(), family=family)
    return Organisation.objects.filter(teams__involvements__in=involved).distinct()


def _sees_safeguarding(gate: SharingGate) -> bool:
    """Whether the viewer's role may see safeguarding data: only then are safeguarding shares,
    and what they open, shown (and that showing audited)."""
    return gate.actor.role in policy.SAFEGUARDING_ROLES and bool(
        gate.decide(policy.Subject(gate.family.pk), DataCategory.SAFEGUARDING, AccessAction.VIEW)
    )


# --- The family's consents


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    state: str  # ConsentState, today

    @property
    def state_label(self) -> str:
        return ConsentState(self.state).label


@dataclass(frozen=True)
class PersonConsents:
    person: Person
    consents: list[ConsentView]


def _consents_by_person(members: list[Person]) -> list[PersonConsents]:
    """Every consent of each member, newest first, withdrawn and expired ones kept."""
    today = clock.today()
    by_person: dict[int, list[ConsentView]] = {person.pk: [] for person in members}
    for consent in Consent.objects.filter(person__in=members).prefetch_related(
        "recipient_organisations"
    ):
        by_person[consent.person_id].append(ConsentView(consent, consent.state_on(today)))
    return [PersonConsents(person, by_person[person.pk]) for person in members]


# --- Who can see the family and why: the policy's own decisions for each agency


@dataclass(frozen=True)
class Agency:
    """A team working with the family, as one of the practitioner roles its active members
    hold, and the facts the policy loads for one of them (None: no one in the team holds a
    practitioner role, so no one there opens the record)."""

    team: Team
    facts: policy.FamilyFacts | None

    @property
    def role_label(self) -> str:
        return Role(self.facts.actor.role).label if self.facts else ""


def _agencies(family: Family) -> list[Agency]:
    involved = Involvement.objects.filter(policy.active_involvements(), family=family)
    teams = Team.objects.filter(involvements__in=involved).distinct()
    members: dict[tuple[int, str], Membership] = {}
    for membership in (
        Membership.objects.filter(
            team__in=teams, is_active=True, role__in=policy.PRACTITIONER_ROLES
        )
        .select_related("user", "team__organisation")
        .order_by("id")
    ):
        members.setdefault((membership.team_id, membership.role), membership)
    agencies = []
    for team in teams.select_related("organisation").order_by("name"):
        roles = sorted(role for team_id, role in members if team_id == team.pk)
        actors = [
            Actor(user=members[team.pk, role].user, membership=members[team.pk, role])
            for role in roles
        ]
        agencies += [Agency(team, policy.FamilyFacts.load(actor, family.pk)) for actor in actors]
        if not actors:
            agencies.append(Agency(team, None))
    return agencies


class Decided(NamedTuple):
    category: str
    origin: Organisation | None  # None: the agency's own records
    about: Person | None  # None: entries about the whole family
    decision: policy.Decision


@dataclass(frozen=True)
class OverviewScope:
    """What the overview decides about, and what its viewer may be shown."""

    members: list[Person]
    organisations: list[Organisation]
    sees_safeguarding: bool

    def categories(self, facts: policy.FamilyFacts) -> list[str]:
        seen = policy.ROLE_CATEGORIES[facts.actor.role]
        return [
            category
            for category in DataCategory
            if category in seen
            and (self.sees_safeguarding or category != DataCategory.SAFEGUARDING)
        ]

    def facts_shown(self, facts: policy.FamilyFacts) -> policy.FamilyFacts:
        """A viewer who may not see safeguarding data is not told of safeguarding shares, not
        even by what they open: the decisions shown leave them out."""
        return facts if self.sees_safeguarding else facts.without_safeguarding_shares()

    def decisions(self, agency: Agency, facts: policy.FamilyFacts) -> Iterator[Decided]:
        """For each category the agency's role sees: its own records, then each other
        involved organisation's, about the family as a whole and about each member."""
        for category in self.categories(facts):
            own = policy.evaluate(
                facts, policy.Subject(facts.family_id), category, AccessAction.VIEW
            )
            yield Decided(category, None, None, own)
            for origin in self.organisations:
                if origin.pk == agency.team.organisation_id:
                    continue
                for about in [None, *self.members]:
                    subject = policy.Subject(
                        facts.family_id, about.pk if about else None, recorded_by=origin
                    )
                    decision = policy.evaluate(facts, subject, category, AccessAction.VIEW)
                    yield Decided(category, origin, about, decision)


@dataclass(frozen=True)
class Reach:
    """A decision, for entries about `about` (None: the same for everyone in the family)."""

    about: str | None
    decision: policy.Decision


@dataclass(frozen=True)
class Flow:
    """One category of one organisation's records (`origin` None: the agency's own), and
    whether and why they reach the agency."""

    category: str
    origin: Organisation | None
    reaches: list[Reach]

    @property
    def category_label(self) -> str:
        return DataCategory(self.category).label

    @property
    def outcome(self) -> str:
        """yes, no, or partly (for some people in the family and not others)."""
        allowed = {reach.decision.allowed for reach in self.reaches}
        if len(allowed) > 1:
            return "partly"
        return "yes" if allowed == {True} else "no"


def _flows(decisions: Iterator[Decided]) -> list[Flow]:
    flows = []
    for _, grouped in groupby(
        decisions, key=lambda each: (each.category, each.origin.pk if each.origin else None)
    ):
        group = list(grouped)
        if len({(each.decision.allowed, each.decision.basis) for each in group}) == 1:
            reaches = [Reach(None, group[0].decision)]
        else:
            reaches = [
                Reach(each.about.full_name if each.about else WHOLE_FAMILY, each.decision)
                for each in group
            ]
        flows.append(Flow(group[0].category, group[0].origin, reaches))
    return flows


@dataclass(frozen=True)
class AgencyView:
    agency: Agency
    flows: list[Flow]


@dataclass(frozen=True)
class ShareView:
    share: SafeguardingShare

    @property
    def category_labels(self) -> list[str]:
        return [DataCategory(category).label for category in self.share.categories]


@dataclass(frozen=True)
class SharingOverview:
    family: Family
    consents: list[PersonConsents]
    agencies: list[AgencyView]
    break_glass: list[BreakGlassAccess]
    safeguarding_shares: list[ShareView] | None  # None: the viewer may not see them


def _scope(gate: SharingGate) -> OverviewScope:
    return OverviewScope(
        members=list(family_members(gate.family)),
        organisations=list(organisations_involved(gate.family).order_by("name")),
        sees_safeguarding=_sees_safeguarding(gate),
    )


def sharing_overview(actor: Actor, family_id: int) -> SharingOverview:
    """Who can see this family and why: for each team working with the family, what it sees
    of each organisation's records, decided by the policy itself for someone in that team;
    the family's consents; open break-glass accesses; and, for viewers whose role sees
    safeguarding data, the safeguarding shares in force."""
    gate = SharingGate.open(
        actor, family_id, category=DataCategory.IDENTITY, action=AccessAction.VIEW
    )
    family, scope = gate.family, _scope(gate)
    agencies = []
    for agency in _agencies(family):
        facts = scope.facts_shown(agency.facts) if agency.facts else None
        agencies.append(AgencyView(agency, _flows(scope.decisions(agency, facts)) if facts else []))
    return SharingOverview(
        family=family,
        consents=_consents_by_person(scope.members),
        agencies=agencies,
        break_glass=_open_break_glass(family),
        safeguarding_shares=_shares_in_force(family) if scope.sees_safeguarding else None,
    )


def _open_break_glass(family: Family) -> list[BreakGlassAccess]:
    now = clock.now()
    return list(
        BreakGlassAccess.objects.filter(
            family=family, started_at__lte=now, expires_at__gt=now
        ).select_related("user", "team")
    )


def _shares_in_force(family: Family) -> list[ShareView]:
    today = clock.today()
    shares = (
        SafeguardingShare.objects.filter(family=family)
        .select_related("person", "approved_by")
        .prefetch_related("recipient_organisations")
    )
    return [ShareView(share) for share in shares if share.is_in_force(today)]


# --- One consent, and withdrawing it


@dataclass(frozen=True)
class ConsentDetail(ConsentView):
    family: Family


def _open_consent(
    actor: Actor, family_id: int, consent_id: int, action: str
) -> tuple[SharingGate, ConsentDetail]:
    consent = (
        Consent.objects.filter(pk=consent_id, person__memberships__family_id=family_id)
        .select_related("person", "given_by", "recorded_by", "recorded_by_team", "withdrawn_by")
        .prefetch_related("recipient_organisations")
        .first()
    )
    if consent is None:
        raise NotFoundOrNotAllowed
    gate = SharingGate.open(
        actor, family_id, category=DataCategory.IDENTITY, action=action, person_id=consent.person_id
    )
    return gate, ConsentDetail(consent, consent.state_on(clock.today()), gate.family)


def consent_detail(actor: Actor, family_id: int, consent_id: int) -> ConsentDetail:
    return _open_consent(actor, family_id, consent_id, AccessAction.VIEW)[1]


@dataclass(frozen=True)
class Stop:
    """A flow that relies on the consent alone: it stops when the consent is withdrawn."""

    team: Team
    category_label: str
    origin: Organisation
    about: Person | None  # None: entries about the whole family


@dataclass(frozen=True)
class ConsentWithdrawal:
    detail: ConsentDetail
    stops: list[Stop]


def consent_withdrawal(actor: Actor, family_id: int, consent_id: int) -> ConsentWithdrawal:
    """The consent, to withdraw it (the update decision, audited), and what would stop being
    shared: the policy's decisions for each agency now, and without this consent."""
    gate, detail = _open_consent(actor, family_id, consent_id, AccessAction.UPDATE)
    scope = _scope(gate)
    stops: dict[Stop, None] = {}
    for agency in _agencies(gate.family):
        if agency.facts is None:
            continue
        now = scope.facts_shown(agency.facts)
        without = now.without_consent(detail.consent.pk)
        for before, after in zip(
            scope.decisions(agency, now), scope.decisions(agency, without), strict=True
        ):
            if before.decision and not after.decision and before.origin is not None:
                label = DataCategory(before.category).label
                stops[Stop(agency.team, label, before.origin, before.about)] = None
    return ConsentWithdrawal(detail, list(stops))


# --- Who has looked at a person's record


@dataclass(frozen=True)
class AccessLogEntry:
    event: AuditEvent
    who: str
    organisation: str

    @property
    def role_label(self) -> str:
        return Role(self.event.role).label


@dataclass(frozen=True)
class AccessLog:
    family: Family
    person: Person
    page: Page


def access_log(actor: Actor, family_id: int, person_id: int, page_number: int | str) -> AccessLog:
    """Every audited access to the person's record, or to their family's as a whole, newest
    first. Opening it is itself decided by the policy and audited."""
    member = (
        FamilyMember.objects.filter(family_id=family_id, person_id=person_id)
        .select_related("person")
        .first()
    )
    if member is None:
        raise NotFoundOrNotAllowed
    gate = SharingGate.open(
        actor,
        family_id,
        category=DataCategory.IDENTITY,
        action=AccessAction.VIEW,
        person_id=person_id,
    )
    events = AuditEvent.objects.filter(
        Q(person_id=person_id) | Q(family_id=family_id, person_id=None)
    ).order_by("-occurred_at", "-id")
    page = Paginator(events, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    users = User.objects.in_bulk({event.user_id for event in rows})
    organisations = Organisation.objects.in_bulk(
        {event.organisation_id for event in rows if event.organisation_id is not None}
    )
    entries = [
        AccessLogEntry(
            event,
            who=str(users.get(event.user_id, event.username)),
            organisation=str(organisations.get(event.organisation_id or 0, "")),
        )
        for event in rows
    ]
    page.object_list = entries  # type: ignore[assignment]
    return AccessLog(gate.family, member.person, page)


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


def _audited(
    actor: Actor, decision: Decision, *, family_id: int | None, category: str, action: str
) -> Decision:
    """Audit a finer decision of the policy either way; refused, the 404 of a missing page."""
    audit_decision(
        actor, decision, family_id=family_id, person_id=None, category=category, action=action
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return decision


def family_for_break_glass(actor: Actor, family_id: int) -> tuple[Family, bool]:
    """The family a practitioner asks emergency access to, and whether their access to it is
    already open (then they go straight to the record). The page shows its record number
    only, as the identity check that led there did; the decision is audited either way."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    facts = FamilyFacts.load(actor, family.pk)
    if facts.break_glass is not None and not facts.involved:
        gate = SharingGate.open(
            actor, family.pk, category=DataCategory.IDENTITY, action=AccessAction.VIEW
        )
        return gate.family, True
    _audited(
        actor,
        may_break_glass(actor, facts),
        family_id=family.pk,
        category=DataCategory.IDENTITY,
        action=AccessAction.IDENTITY_CHECK,
    )
    return family, False


def family_for_safeguarding_share(actor: Actor, family_id: int) -> Family:
    """The family, for a practitioner whose role has a safeguarding function and whose team
    works with it, to record a share without consent."""
    family = open_family(
        actor, family_id, category=DataCategory.SAFEGUARDING, action=AccessAction.UPDATE
    )
    _audited(
        actor,
        may_share_for_safeguarding(actor),
        family_id=family.pk,
        category=DataCategory.SAFEGUARDING,
        action=AccessAction.UPDATE,
    )
    return family


def members_of(family: Family) -> QuerySet[Person]:
    """The members of a family already opened through the policy."""
    return Person.objects.filter(memberships__family=family).order_by("date_of_birth", "id")


def safeguarding_approvers(actor: Actor) -> QuerySet[User]:
    """Who may approve the actor's safeguarding share: a safeguarding lead, never the actor."""
    return (
        User.objects.filter(
            memberships__role__in=SAFEGUARDING_APPROVER_ROLES, memberships__is_active=True
        )
        .exclude(pk=actor.user.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# Privacy officer reviews

REVIEWED_SHOWN = 50
OPENED_SHOWN = 200


def _privacy_officer(actor: Actor, *, family_id: int | None = None) -> None:
    """Privacy officers only: looking at break-glass accesses is looking into the audit, and
    recorded as such."""
    _audited(
        actor,
        may_query_audit(actor),
        family_id=family_id,
        category=DataCategory.IDENTITY,
        action=AccessAction.AUDIT_QUERY,
    )


@dataclass
class BreakGlassSummary:
    access: BreakGlassAccess
    role: str
    is_open: bool


def _summaries(accesses: list[BreakGlassAccess]) -> list[BreakGlassSummary]:
    """Each access with the role its user acted in, and whether it is still open."""
    now = clock.now()
    return [
        BreakGlassSummary(access, access.get_role_display(), access.is_open_at(now))
        for access in accesses
    ]


@dataclass
class BreakGlassReviews:
    waiting: list[BreakGlassSummary]
    reviewed: list[BreakGlassSummary]


def break_glass_reviews(actor: Actor) -> BreakGlassReviews:
    """The accesses waiting for a privacy officer's review, oldest first, and the latest
    reviewed. References, roles and teams only: no family."""
    _privacy_officer(actor)
    accesses = BreakGlassAccess.objects.select_related("team", "reviewed_by")
    return BreakGlassReviews(
        waiting=_summaries(list(accesses.filter(review_outcome="").order_by("started_at", "id"))),
        reviewed=_summaries(
            list(
                accesses.exclude(review_outcome="").order_by("-reviewed_at", "-id")[:REVIEWED_SHOWN]
            )
        ),
    )


@dataclass
class BreakGlassDetail:
    summary: BreakGlassSummary
    opened: list[AuditEvent]  # what the user did to the family's record while it was open
    opened_count: int

    @property
    def access(self) -> BreakGlassAccess:
        return self.summary.access


def break_glass_access(actor: Actor, access_id: int) -> BreakGlassDetail:
    """One access in full, for its review: who, why, and every audited access of that user
    to that family from the start of the access to its expiry."""
    access = (
        BreakGlassAccess.objects.select_related("user", "team__organisation", "reviewed_by")
        .filter(pk=access_id)
        .first()
    )
    _privacy_officer(actor, family_id=access.family_id if access else None)
    if access is None:
        raise NotFoundOrNotAllowed
    events = AuditEvent.objects.filter(
        user_id=access.user_id,
        family_id=access.family_id,
        occurred_at__gte=access.started_at,
        occurred_at__lt=access.expires_at,
    ).order_by("occurred_at", "id")
    return BreakGlassDetail(
        summary=_summaries([access])[0],
        opened=list(events[:OPENED_SHOWN]),
        opened_count=events.count(),
    )


# Information-sharing agreements


def require_privacy_officer(actor: Actor) -> None:
    """The agreements register holds no personal data, but only privacy officers keep it."""
    if not may_query_audit(actor):
        raise NotFoundOrNotAllowed


class AgreementState(Enum):
    IN_FORCE = ("In force", "govuk-tag--green")
    NOT_STARTED = ("Not started", "govuk-tag--blue")
    REVIEW_OVERDUE = ("Review overdue", "govuk-tag--orange")
    ENDED = ("Ended", "govuk-tag--grey")

    def __init__(self, label: str, tag_class: str) -> None:
        self.label = label
        self.tag_class = tag_class


def agreement_state(agreement: SharingAgreement, day: dt.date) -> AgreementState:
    if agreement.ends_on is not None and agreement.ends_on < day:
        return AgreementState.ENDED
    if agreement.starts_on > day:
        return AgreementState.NOT_STARTED
    if agreement.review_on < day:
        return AgreementState.REVIEW_OVERDUE
    return AgreementState.IN_FORCE


@dataclass
class AgreementView:
    agreement: SharingAgreement
    state: AgreementState


def agreements(actor: Actor) -> list[AgreementView]:
    require_privacy_officer(actor)
    today = clock.today()
    return [
        AgreementView(agreement, agreement_state(agreement, today))
        for agreement in SharingAgreement.objects.prefetch_related("party_organisations")
    ]


def agreement(actor: Actor, agreement_id: int) -> AgreementView:
    require_privacy_officer(actor)
    found = (
        SharingAgreement.objects.prefetch_related("party_organisations")
        .filter(pk=agreement_id)
        .first()
    )
    if found is None:
        raise NotFoundOrNotAllowed
    return AgreementView(found, agreement_state(found, clock.today()))


# Subject access and record exports

# What a practitioner's export of a family holds: the family record as its page shows it.
FAMILY_RECORD: frozenset[type[models.Model]] = frozenset(
    {Family, Person, FamilyMember, Relationship, Address, Involvement, ChronologyEvent}
)
# The data category of rows that are not entries with a category of their own.
SECTION_CATEGORIES = {"sharing.SafeguardingShare": DataCategory.SAFEGUARDING}
# What is left of an address withheld from the actor: that there was one, and when.
WITHHELD_ADDRESS_KEEPS = (
    "id",
    "family",
    "moved_in",
    "moved_out",
    "is_withheld",
    "recorded_by_team",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class ExportSection:
    label: str  # the model, "families.Address"
    title: str  # "Addresses"
    item_name: str  # "Address"
    is_log: bool  # read as a table
    rows: list[ExportRow]

    @property
    def anchor(self) -> str:
        return self.label.lower().replace(".", "-")

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "title": self.title,
            "rows": [row.as_json() for row in self.rows],
        }


@dataclass(frozen=True)
class RecordExport:
    """Everything one actor may export about a person or a family, as data."""

    subject: dict[str, int]  # {"person_id": 12} or {"family_id": 4}
    exported_at: dt.datetime
    exported_by: Actor
    sections: list[ExportSection]
    person: Person | None = None

    @property
    def filename(self) -> str:
        kind, pk = next(iter(self.subject.items()))
        return f"best-start-{kind.removesuffix('_id')}-{pk}.json"

    def as_json(self) -> dict[str, Any]:
        actor = self.exported_by
        return {
            "export": {
                **self.subject,
                "exported_at": self.exported_at.isoformat(),
                "exported_by": {
                    "username": actor.user.username,
                    "name": actor.user.get_full_name(),
                    "role": {"value": actor.role, "label": actor.role_label},
                    "team": {"id": actor.team.pk, "name": actor.team.name},
                },
            },
            "sections": [section.as_json() for section in self.sections],
        }


class _Exporter:
    """The rows of personal-data models about a scope that the actor's EXPORT decisions allow,
    each decided through the gate of the row's family, so that every decision is audited and
    the export never holds what the actor could not open."""

    def __init__(self, actor: Actor, scope: Scope, gates: dict[int, SharingGate]) -> None:
        self.actor = actor
        self.scope = scope
        self.gates = gates
        self.default_family_id = min(gates)
        self.described = personal_data_models()

    def sections(self, only: frozenset[type[models.Model]] | None = None) -> list[ExportSection]:
        """A section for each personal-data model (or each of `only`), in the registry's order."""
        return [
            self._section(info) for info in self.described if only is None or info.model in only
        ]

    def _section(self, info: PersonalDataModel) -> ExportSection:
        rows = [self._exported(info, row) for row in rows_about(info, self.scope, self.described)]
        shown = [row for row in rows if row is not None]
        return ExportSection(info.label, info.title, info.item_name, info.is_log, shown)

    def _exported(self, info: PersonalDataModel, row: models.Model) -> ExportRow | None:
        subject, category = self._subject(info, row)
        if not self._gate(subject.family_id).decide(subject, category, AccessAction.EXPORT):
            return None
        exported = serialise(row)
        if isinstance(row, Address) and not may_see_address(self.actor, row):
            return exported.redact(WITHHELD_ADDRESS_KEEPS)
        return exported

    def _subject(self, info: PersonalDataModel, row: models.Model) -> tuple[Subject, str]:
        if info.is_entry:
            return Subject.of_entry(row), row.category  # type: ignore[arg-type, attr-defined]
        if isinstance(row, Family):
            family_ids = [row.pk]
        else:
            family_ids = info.link_ids(row, info.family_links) or [self.default_family_id]
        people = [row.pk] if isinstance(row, Person) else info.link_ids(row, info.person_links)
        person_id = next((pk for pk in people if pk in self.scope.person_ids), None)
        category = SECTION_CATEGORIES.get(info.label, DataCategory.IDENTITY)
        return Subject(family_ids[0], person_id), category

    def _gate(self, family_id: int) -> SharingGate:
        """The gate of a family, opened once: a row may be about a family outside the scope
        (an entry about the person in a family they have left)."""
        if family_id not in self.gates:
            self.gates[family_id] = SharingGate(self.actor, Family.objects.get(pk=family_id))
        return self.gates[family_id]


def _refuse_unless(
    actor: Actor, decision: Decision, *, family_ids: frozenset[int], person_id: int | None
) -> None:
    """A refusal of the actor's role, recorded against each family it kept closed."""
    if decision:
        return
    for family_id in sorted(family_ids):
        audit_decision(
            actor,
            decision,
            family_id=family_id,
            person_id=person_id,
            category=DataCategory.IDENTITY,
            action=AccessAction.EXPORT,
        )
    raise NotFoundOrNotAllowed


def _may_answer_subject_access(actor: Actor) -> Decision:
    """Subject access requests are the privacy officer's to answer: the policy's decision for
    the privacy officer's pages (the audit's), so that every other role gets a 404."""
    return may_query_audit(actor)


def require_subject_access(actor: Actor) -> Decision:
    decision = _may_answer_subject_access(actor)
    if not decision:
        raise NotFoundOrNotAllowed
    return decision


def find_subject(actor: Actor, *, nhs_number: str = "", person_id: int | None = None) -> int | None:
    """The id of the person a subject access request is about, found by NHS number or person
    ID anywhere on the register; the look-up is audited against each of their families."""
    decision = require_subject_access(actor)
    found_by: dict[str, str | int | None] = (
        {"nhs_number": nhs_number} if nhs_number else {"pk": person_id}
    )
    person = Person.objects.filter(**found_by).first()
    if person is None:
        return None
    audit_shown(
        actor,
        ((family_id, person.pk) for family_id in sorted(Scope.of_person(person).family_ids)),
        category=DataCategory.IDENTITY,
        action=AccessAction.SEARCH,
        basis=decision.basis,
    )
    return person.pk


def subject_access_export(actor: Actor, person_id: int) -> RecordExport:
    """Everything held about a person, for a subject access request: every personal-data
    model, found by introspection. The privacy officer's role decides first, then each of the
    person's families' gates (the policy's subject-access rule), then every row."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFoundOrNotAllowed
    scope = Scope.of_person(person)
    _refuse_unless(
        actor, _may_answer_subject_access(actor), family_ids=scope.family_ids, person_id=person.pk
    )
    gates: dict[int, SharingGate] = {}
    for family in Family.objects.filter(pk__in=scope.family_ids):
        gates[family.pk] = SharingGate(actor, family)
        subject = Subject(family.pk, person.pk)
        if not gates[family.pk].decide(subject, DataCategory.IDENTITY, AccessAction.EXPORT):
            raise NotFoundOrNotAllowed
    if not gates:  # someone in no family: no policy decision can open them
        raise NotFoundOrNotAllowed
    return RecordExport(
        subject={"person_id": person.pk},
        exported_at=clock.now(),
        exported_by=actor,
        sections=_Exporter(actor, scope, gates).sections(),
        person=person,
    )


def family_export(actor: Actor, family_id: int) -> RecordExport:
    """A practitioner's download of a family's record: members, relationships, addresses
    (withheld ones redacted), involvements and the chronology, each row only if the policy
    lets the practitioner export it, as the record page would let them see it."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    _refuse_unless(actor, may_use_records(actor), family_ids=frozenset({family.pk}), person_id=None)
    gate = SharingGate.open(
        actor, family.pk, category=DataCategory.IDENTITY, action=AccessAction.EXPORT
    )
    return RecordExport(
        subject={"family_id": family.pk},
        exported_at=clock.now(),
        exported_by=actor,
        sections=_Exporter(actor, Scope.of_family(family), {family.pk: gate}).sections(
            FAMILY_RECORD
        ),
    )
