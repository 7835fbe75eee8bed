"""Reads of referrals. Each takes the actor, asks the policy (`decide_referral`) and audits what
it shows; the dashboard's figures are counts, with no one named."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.audit.actions import Access, record_accesses
from beststart.core import clock
from beststart.core.categories import AccessAction
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Person
from beststart.families.selectors import IdentityMatch
from beststart.referrals.models import (
    AWAITING_CONTACT,
    OPEN,
    STEP_FROM,
    Referral,
    ReferralService,
    ReferralStep,
    RoutingRule,
    Status,
    StepKind,
)
from beststart.referrals.working_days import working_days_between
from beststart.sharing.access import audit_decision
from beststart.sharing.policy import (
    DENY_ACTION,
    PRACTITIONER_ROLES,
    Decision,
    ReferralParties,
    decide_referral,
)

PAGE_SIZE = 25


def parties_of(referral: Referral) -> ReferralParties:
    return ReferralParties(
        referral_id=referral.pk,
        referrer_team_id=referral.referrer_team_id,
        receiving_team_id=referral.team_id,
    )


def audit_referral(actor: Actor, referral: Referral, action: str, decision: Decision) -> None:
    audit_decision(
        actor,
        decision,
        family_id=referral.family_id,
        person_id=referral.person_id,
        category=referral.category,
        action=action,
    )


# ---------------------------------------------------------------------------------------------
# Who may take which step

TRIAGE_STEPS = frozenset(
    {
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.MATCHED,
        StepKind.DECLINED,
        StepKind.MERGED,
    }
)
RECEIVING_STEPS = frozenset(
    {
        StepKind.RECEIVED,
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.MATCHED,
        StepKind.ACCEPTED,
        StepKind.DECLINED,
        StepKind.CONTACTED,
        StepKind.SUPPORT_STARTED,
        StepKind.COMPLETED,
    }
)
REFERRER_STEPS = frozenset({StepKind.INFORMATION_GIVEN, StepKind.WITHDRAWN})


def steps_for(actor: Actor, referral: Referral) -> frozenset[str]:
    """The steps the actor's part in the referral lets them take (whatever its state): triage
    routes and sorts, the receiving team works it, the referrer answers or withdraws."""
    if actor.role not in PRACTITIONER_ROLES:
        return frozenset()
    steps: frozenset[str] = frozenset()
    if actor.role == Role.TRIAGE_OFFICER:
        steps |= TRIAGE_STEPS
    if actor.team.pk == referral.team_id:
        steps |= RECEIVING_STEPS
    if referral.referrer_team_id is not None and actor.team.pk == referral.referrer_team_id:
        steps |= REFERRER_STEPS
    return steps


def may_act(actor: Actor, referral: Referral, kind: str) -> Decision:
    decision = decide_referral(actor, parties_of(referral), AccessAction.UPDATE)
    if decision and kind not in steps_for(actor, referral):
        return DENY_ACTION.because(f"the actor's part in the referral does not {kind}")
    return decision


def next_steps(actor: Actor, referral: Referral) -> frozenset[str]:
    """What the actor can do to the referral now."""
    possible = {kind for kind, states in STEP_FROM.items() if referral.status in states}
    possible.discard(StepKind.RECEIVED)  # not offered: the receiving team's first visit is it
    if referral.family_id is not None:
        possible.discard(StepKind.MATCHED)
    return frozenset(possible) & steps_for(actor, referral)


# ---------------------------------------------------------------------------------------------
# One referral


def _with_parties(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "service", "team", "referrer", "referrer_team", "family", "person", "merged_into"
    )


def referral_for(actor: Actor, referral_id: int, action: str = AccessAction.VIEW) -> Referral:
    """The referral, if the actor is a party to it (audited either way); otherwise the 404
    of a referral that does not exist."""
    referral = _with_parties(Referral.objects.filter(pk=referral_id)).first()
    if referral is None:
        raise NotFoundOrNotAllowed
    decision = decide_referral(actor, parties_of(referral), action)
    audit_referral(actor, referral, action, decision)
    if not decision:
        raise NotFoundOrNotAllowed
    return referral


@dataclass
class ReferralPage:
    referral: Referral
    steps: list[ReferralStep]
    next_steps: frozenset[str]
    is_breached: bool
    days_waiting: int
    is_receiving_team: bool
    is_referrer: bool
    duplicates: list[Referral] = field(default_factory=list)


def steps_of(referral: Referral) -> list[ReferralStep]:
    """A referral's history, oldest first, with who took each step and where it went."""
    return list(
        referral.steps.select_related("by", "team", "to_team").order_by("occurred_at", "id")
    )


def referral_page(actor: Actor, referral_id: int) -> ReferralPage:
    """The referral (audited as viewed) and what its page shows."""
    return page_for(actor, referral_for(actor, referral_id))


def page_for(actor: Actor, referral: Referral) -> ReferralPage:
    """The page of a referral the actor has already opened (`referral_for`), for instance
    again just after opening it marked it received."""
    today = clock.today()
    page = ReferralPage(
        referral=referral,
        steps=steps_of(referral),
        next_steps=next_steps(actor, referral),
        is_breached=referral.is_breached(today),
        days_waiting=working_days_between(clock.localdate(referral.submitted_at), today),
        is_receiving_team=actor.team.pk == referral.team_id,
        is_referrer=actor.team.pk == referral.referrer_team_id,
    )
    if StepKind.MERGED in page.next_steps:
        page.duplicates = possible_duplicates(actor, referral)
    return page


def possible_duplicates(actor: Actor, referral: Referral) -> list[Referral]:
    """Other open referrals for someone of the same name and date of birth (or due date), or
    the same family: what triage would merge. Each shown is audited as listed."""
    same = Q(
        family_name__iexact=referral.family_name,
        date_of_birth=referral.date_of_birth,
        expected_delivery_date=referral.expected_delivery_date,
    )
    if referral.family_id is not None:
        same |= Q(family_id=referral.family_id)
    candidates = _with_parties(
        Referral.objects.filter(same, status__in=OPEN).exclude(pk=referral.pk)
    )[:10]
    return _audited_list(actor, candidates)


def _audited_list(actor: Actor, referrals: Iterable[Referral]) -> list[Referral]:
    """The referrals the actor is a party to, each audited as listed."""
    shown, accesses = [], []
    for referral in referrals:
        decision = decide_referral(actor, parties_of(referral), AccessAction.LIST)
        if decision:
            shown.append(referral)
            accesses.append(
                Access(
                    family_id=referral.family_id,
                    person_id=referral.person_id,
                    category=referral.category,
                    action=AccessAction.LIST,
                    allowed=True,
                    basis=decision.basis,
                )
            )
    record_accesses(actor=actor, accesses=accesses)
    return shown


# ---------------------------------------------------------------------------------------------
# Making a referral


NONE_OF_THESE = "none"


def match_value(match: IdentityMatch) -> str:
    return f"{match.family_id}:{match.person_id}"


def parse_match(value: str) -> tuple[int, int] | None:
    """(family id, person id) from a chosen match, or None for "none of these"."""
    family_id, _sep, person_id = value.partition(":")
    if family_id.isdigit() and person_id.isdigit():
        return int(family_id), int(person_id)
    return None


def postcode_to_share(family: Family) -> str | None:
    """The postcode of a family the actor has opened (`family_for_update`), to send with a
    referral: that of its current address, unless the address is withheld (a refuge), which
    is never sent to another team; the referrer then types what the family agreed to give."""
    address = family.addresses.filter(moved_out=None, is_withheld=False).first()
    return address.postcode if address else None


def chosen_match(value: str, matches: list[IdentityMatch]) -> tuple[Family | None, Person | None]:
    """The family and person of a match chosen among `matches` (the identity check, run
    again on the same details and audited as it was), or none for "none of these". A value
    that is not among them is refused as not found."""
    if value == NONE_OF_THESE:
        return None, None
    chosen = parse_match(value)
    if chosen is None or chosen not in {(m.family_id, m.person_id) for m in matches}:
        raise NotFoundOrNotAllowed
    family = Family.objects.get(pk=chosen[0])
    return family, Person.objects.get(pk=chosen[1], memberships__family=family)


def sent_before(actor: Actor, sender_reference: str) -> Referral | None:
    """The referral the actor's team already sent under its own reference (a partner system
    sending again): shown only through `referral_for`, which audits it."""
    return Referral.objects.filter(
        referrer_team=actor.team, sender_reference=sender_reference
    ).first()


def services_for_referral() -> QuerySet[ReferralService]:
    return ReferralService.objects.filter(is_active=True).select_related("team")


def self_referral_services() -> QuerySet[ReferralService]:
    return services_for_referral().filter(accepts_self_referrals=True)


def referral_by_token(token: str) -> Referral:
    """A family's own referral, by the link only they were sent. What the page shows is the
    service and the steps, not the details they gave."""
    referral = (
        Referral.objects.filter(status_token=token).select_related("service").first()
        if token
        else None
    )
    if referral is None:
        raise NotFoundOrNotAllowed
    return referral


# ---------------------------------------------------------------------------------------------
# Queues


class Scope:
    QUEUE = "queue"  # the team's incoming referrals
    SENT = "sent"  # what the team referred
    ALL = "all"  # every referral: the single point of contact


def may_see_all(actor: Actor) -> bool:
    return actor.role == Role.TRIAGE_OFFICER


def scopes_for(actor: Actor) -> list[str]:
    if actor.role not in PRACTITIONER_ROLES:
        return []
    return [Scope.ALL, Scope.QUEUE, Scope.SENT] if may_see_all(actor) else [Scope.QUEUE, Scope.SENT]


@dataclass(frozen=True)
class QueueFilter:
    scope: str = Scope.QUEUE
    status: str = "open"  # "open", "closed", "breached", "all" or one Status
    service_id: int | None = None


def _filtered(actor: Actor, chosen: QueueFilter) -> QuerySet[Referral]:
    if chosen.scope not in scopes_for(actor):
        raise NotFoundOrNotAllowed
    referrals = Referral.objects.all()
    if chosen.scope == Scope.QUEUE:
        referrals = referrals.filter(team=actor.team)
    elif chosen.scope == Scope.SENT:
        referrals = referrals.filter(referrer_team=actor.team)
    if chosen.service_id:
        referrals = referrals.filter(service_id=chosen.service_id)
    if chosen.status == "open":
        referrals = referrals.filter(status__in=OPEN)
    elif chosen.status == "closed":
        referrals = referrals.exclude(status__in=OPEN)
    elif chosen.status == "breached":
        referrals = referrals.filter(
            status__in=AWAITING_CONTACT, first_contact_due__lt=clock.today()
        )
    elif chosen.status in Status.values:
        referrals = referrals.filter(status=chosen.status)
    if chosen.status in ("open", "breached"):
        return referrals.order_by("first_contact_due", "submitted_at", "id")
    return referrals.order_by("-submitted_at", "-id")


def queue(actor: Actor, chosen: QueueFilter, page_number: int | str = 1) -> Page:
    """A page of referrals in the scope, the most urgent first for open ones. Only
    referrals the actor is a party to can be in a scope; each shown is audited."""
    referrals = _with_parties(_filtered(actor, chosen))
    page = Paginator(referrals, PAGE_SIZE).get_page(page_number)
    page.object_list = _audited_list(actor, page.object_list)
    return page


def breached_count(actor: Actor) -> int:
    """How many of the team's referrals are past their first-contact target (a count, for
    the queue's banner)."""
    return Referral.objects.filter(
        team=actor.team, status__in=AWAITING_CONTACT, first_contact_due__lt=clock.today()
    ).count()


# ---------------------------------------------------------------------------------------------
# The dashboard: counts and waiting times, no one named

DASHBOARD_ROLES = frozenset({Role.TRIAGE_OFFICER, Role.TEAM_MANAGER, Role.COMMISSIONER})
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0 to 2 working days", 0, 2),
    ("3 to 5", 3, 5),
    ("6 to 10", 6, 10),
    ("11 to 20", 11, 20),
    ("Over 20", 21, None),
]


def may_see_dashboard(actor: Actor | None) -> bool:
    return actor is not None and actor.role in DASHBOARD_ROLES


@dataclass
class ServiceFigures:
    service: ReferralService
    received: int = 0  # in the last 12 months
    by_status: Counter[str] = field(default_factory=Counter)
    open: int = 0
    awaiting_contact: int = 0
    breached_now: int = 0
    contacted: int = 0
    contacted_in_time: int = 0
    days_to_contact: list[int] = field(default_factory=list)

    @property
    def in_time_percent(self) -> int | None:
        return round(100 * self.contacted_in_time / self.contacted) if self.contacted else None

    @property
    def median_days_to_contact(self) -> float | None:
        return statistics.median(self.days_to_contact) if self.days_to_contact else None


@dataclass
class QueueAge:
    team: Team
    bands: list[int]
    breached: int

    @property
    def total(self) -> int:
        return sum(self.bands)


@dataclass
class Dashboard:
    since: dt.date
    services: list[ServiceFigures]
    queues: list[QueueAge]
    age_bands: list[str]
    statuses: list[tuple[str, str]]

    @property
    def largest_band(self) -> int:
        return max((count for queue in self.queues for count in queue.bands), default=0)


def _band(days: int) -> int:
    for index, (_label, low, high) in enumerate(AGE_BANDS):
        if days >= low and (high is None or days <= high):
            return index
    return len(AGE_BANDS) - 1


def dashboard(actor: Actor) -> Dashboard:
    """Per service: referrals in the last 12 months by state, those waiting for first
    contact and past target now, and how soon families were contacted. Per queue (a team
    manager's own team; triage and commissioners every team): the age profile of referrals
    waiting for first contact."""
    if not may_see_dashboard(actor):
        raise NotFoundOrNotAllowed
    today = clock.today()
    since = today - dt.timedelta(days=365)
    rows = Referral.objects.filter(Q(submitted_at__date__gte=since) | Q(status__in=OPEN))
    if actor.role == Role.TEAM_MANAGER:
        rows = rows.filter(team=actor.team)
    figures: dict[int, ServiceFigures] = {}
    ages: dict[int, list[int]] = defaultdict(lambda: [0] * len(AGE_BANDS))
    breached: Counter[int] = Counter()
    services = {service.pk: service for service in ReferralService.objects.all()}
    teams = {team.pk: team for team in Team.objects.filter(referrals_received__in=rows).distinct()}
    for row in rows.values(
        "service_id", "team_id", "status", "submitted_at", "first_contact_due", "contacted_at"
    ):
        service = figures.setdefault(row["service_id"], ServiceFigures(services[row["service_id"]]))
        submitted = clock.localdate(row["submitted_at"])
        if submitted >= since:
            service.received += 1
            service.by_status[row["status"]] += 1
        if row["status"] in OPEN:
            service.open += 1
        late = today > row["first_contact_due"]
        if row["status"] in AWAITING_CONTACT:
            service.awaiting_contact += 1
            ages[row["team_id"]][_band(working_days_between(submitted, today))] += 1
            if late:
                service.breached_now += 1
                breached[row["team_id"]] += 1
        if row["contacted_at"] is not None and submitted >= since:
            contacted = clock.localdate(row["contacted_at"])
            service.contacted += 1
            service.contacted_in_time += contacted <= row["first_contact_due"]
            service.days_to_contact.append(working_days_between(submitted, contacted))
    return Dashboard(
        since=since,
        services=sorted(figures.values(), key=lambda each: each.service.name),
        queues=sorted(
            (QueueAge(teams[team_id], bands, breached[team_id]) for team_id, bands in ages.items()),
            key=lambda queue: queue.team.name,
        ),
        age_bands=[label for label, _low, _high in AGE_BANDS],
        statuses=list(Status.choices),
    )


# ---------------------------------------------------------------------------------------------
# Routing rules: configuration, nobody's personal data

RULE_EDITORS = frozenset({Role.TRIAGE_OFFICER, Role.TEAM_MANAGER})


def may_edit_rules(actor: Actor | None) -> bool:
    return actor is not None and actor.role in RULE_EDITORS


def routing_rules(actor: Actor) -> QuerySet[RoutingRule]:
    if not may_edit_rules(actor):
        raise NotFoundOrNotAllowed
    return RoutingRule.objects.filter(is_active=True).select_related(
        "service", "reach_area", "team"
    )


def receiving_teams() -> QuerySet[Team]:
    """Teams a referral can be sent to: those that provide a service or hold a queue."""
    return (
        Team.objects.filter(
            Q(referral_services__isnull=False) | Q(referrals_received__isnull=False)
        )
        .distinct()
        .order_by("name")
    )
