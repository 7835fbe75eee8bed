"""Reads about sharing. Each takes the actor, asks the policy and audits what it shows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, Organisation, Role, Team, User
from beststart.audit.models import AuditEvent
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, FamilyMember, Involvement, Person
from beststart.sharing import policy
from beststart.sharing.access import SharingGate
from beststart.sharing.models import BreakGlassAccess, Consent, ConsentState, SafeguardingShare

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
class Scope:
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
        return facts if self.sees_safeguarding else dataclasses.replace(facts, shares=[])

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


def _scope(gate: SharingGate) -> Scope:
    return Scope(
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
        without = dataclasses.replace(
            now, consents=[each for each in now.consents if each.pk != detail.consent.pk]
        )
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


# Subject access and record exports
