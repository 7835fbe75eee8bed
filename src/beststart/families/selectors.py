"""Reads of the family record. Each takes the actor, asks the sharing policy and audits what
it shows, in the request's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from rapidfuzz import fuzz

from beststart.accounts.actors import Actor
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
    PersonKind,
    Relationship,
)
from beststart.families.names import name_key, normalise_name
from beststart.families.search import ParsedQuery, parse_query
from beststart.sharing.access import SharingGate, audit_decision, audit_shown, open_family
from beststart.sharing.models import BreakGlassAccess
from beststart.sharing.policy import (
    ALLOW_INVOLVEMENT,
    active_involvements,
    decide,
    may_end_involvement,
    may_see_address,
    visible_families,
)

SEARCH_LIMIT = 25
CANDIDATE_LIMIT = 2000
NAME_MATCH_THRESHOLD = 70.0
CHRONOLOGY_LENGTH = 100


# ---------------------------------------------------------------------------------------------
# The family record


@dataclass
class MemberView:
    person: Person
    relationships: list[str]
    age: str


@dataclass
class AddressView:
    address: Address
    redacted: bool


@dataclass
class FamilyRecord:
    family: Family
    members: list[MemberView]
    current_address: AddressView | None
    previous_addresses: list[AddressView]
    involvements: list[Involvement]
    chronology: list[ChronologyEvent]
    endable_involvement_ids: set[int]
    # The open emergency access that lets the actor see the record, if that is what does.
    break_glass: BreakGlassAccess | None = None


def _relationship_labels(person: Person, relationships: list[Relationship]) -> list[str]:
    labels = []
    for relationship in relationships:
        if relationship.adult_id == person.pk:
            parental = (
                ", parental responsibility" if relationship.has_parental_responsibility else ""
            )
            labels.append(
                f"{relationship.get_type_display()} of {relationship.child.full_name}{parental}"
            )
    return labels


def family_record(actor: Actor, family_id: int) -> FamilyRecord:
    gate = SharingGate.open(
        actor, family_id, category=DataCategory.IDENTITY, action=AccessAction.VIEW
    )
    family = gate.family
    today = clock.today()
    members = list(members_of(family))
    relationships = list(Relationship.objects.filter(adult__in=members).select_related("child"))
    addresses = [
        AddressView(address, redacted=not may_see_address(actor, address))
        for address in family.addresses.select_related("recorded_by_team")
    ]
    involvements = list(family.involvements.select_related("team__organisation", "practitioner"))
    return FamilyRecord(
        family=family,
        members=[
            MemberView(person, _relationship_labels(person, relationships), person.age_on(today))
            for person in members
        ],
        current_address=next((view for view in addresses if view.address.is_current), None),
        previous_addresses=[view for view in addresses if not view.address.is_current],
        involvements=involvements,
        chronology=gate.entries(
            family.chronology.select_related("person", "team__organisation", "recorded_by")[
                :CHRONOLOGY_LENGTH
            ],
            AccessAction.VIEW,
        ),
        endable_involvement_ids={
            involvement.pk
            for involvement in involvements
            if involvement.ended_on is None
            and may_end_involvement(actor, involvement, involvements)
        },
        break_glass=None if gate.facts.involved else gate.facts.break_glass,
    )


def family_for_update(actor: Actor, family_id: int) -> Family:
    """The family, to change it: the update decision, audited."""
    return open_family(actor, family_id, category=DataCategory.IDENTITY, action=AccessAction.UPDATE)


def members_of(family: Family) -> QuerySet[Person]:
    """The members of a family already opened through the policy."""
    return Person.objects.filter(memberships__family=family).order_by("date_of_birth", "id")


def adults_in(family: Family) -> QuerySet[Person]:
    """The parents and carers of a family already opened through the policy."""
    return Person.objects.filter(
        memberships__family=family, kind__in=[PersonKind.PARENT, PersonKind.CARER]
    )


def children_in(family: Family) -> QuerySet[Person]:
    return Person.objects.filter(
        memberships__family=family, kind__in=[PersonKind.CHILD, PersonKind.UNBORN]
    )


def involvement_for_update(actor: Actor, family_id: int, involvement_id: int) -> Involvement:
    """An open involvement the actor may end: the update decision and the finer rule, both
    audited, allowed or refused."""
    family = family_for_update(actor, family_id)
    involvements = list(family.involvements.select_related("team"))
    involvement = next(
        (each for each in involvements if each.pk == involvement_id and each.ended_on is None),
        None,
    )
    if involvement is None:
        raise NotFoundOrNotAllowed
    decision = may_end_involvement(actor, involvement, involvements)
    audit_decision(
        actor,
        decision,
        family_id=family.pk,
        person_id=None,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return involvement


def unborn_for_birth(actor: Actor, family_id: int, person_id: int) -> tuple[Family, Person]:
    """An unborn member whose birth is to be recorded; anyone already born answers 404."""
    family, person = member_for_update(actor, family_id, person_id)
    if person.kind != PersonKind.UNBORN:
        raise NotFoundOrNotAllowed
    return family, person


def member_for_update(actor: Actor, family_id: int, person_id: int) -> tuple[Family, Person]:
    family = family_for_update(actor, family_id)
    person = Person.objects.filter(pk=person_id, memberships__family=family).first()
    if person is None:
        raise NotFoundOrNotAllowed
    return family, person


# ---------------------------------------------------------------------------------------------
# Caseload


@dataclass
class CaseloadEntry:
    family: Family
    children: list[Person]
    since: dt.date
    is_lead: bool


def caseload(actor: Actor, page_number: int | str = 1) -> Page:
    """The families the actor is the named practitioner for, once each however many
    involvements they have with it, the most recently started first."""
    mine = Involvement.objects.filter(
        active_involvements(), practitioner=actor.user, team=actor.team, family=OuterRef("pk")
    )
    families = (
        visible_families(actor)
        .filter(Exists(mine))
        .annotate(
            since=Subquery(mine.order_by("-started_on").values("started_on")[:1]),
            is_lead=Exists(mine.filter(is_lead=True)),
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.filter(
                    kind__in=[PersonKind.CHILD, PersonKind.UNBORN]
                ).order_by("date_of_birth"),
                to_attr="children",
            )
        )
        .order_by("-since", "-pk")
    )
    page = Paginator(families, 25).get_page(page_number)
    entries = [
        CaseloadEntry(family, family.children, family.since, family.is_lead)
        for family in page.object_list
    ]
    page.object_list = entries  # type: ignore[assignment]
    audit_shown(
        actor,
        ((entry.family.pk, None) for entry in entries),
        category=DataCategory.IDENTITY,
        action=AccessAction.LIST,
        basis=ALLOW_INVOLVEMENT.basis,
    )
    return page


def team_caseload_size(actor: Actor) -> int:
    return visible_families(actor).count()


# ---------------------------------------------------------------------------------------------
# Search


@dataclass
class SearchHit:
    person: Person
    family: Family
    score: float
    current_postcode: str = ""


@dataclass
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)


def _name_candidates(names: list[str]) -> Q:
    condition = Q()
    for name in names:
        norm = normalise_name(name)
        key = name_key(name)
        if not norm:
            continue
        condition |= Q(person__given_name_norm__startswith=norm[:2])
        condition |= Q(person__family_name_norm__startswith=norm[:2])
        if key:
            condition |= Q(person__given_name_key=key) | Q(person__family_name_key=key)
    return condition


def name_score(names: list[str], person: Person) -> float:
    """How well the typed names fit the person, 0-100: each typed name against the person's
    best-fitting name, averaged. Tolerates typos, swapped order and a missing name."""
    person_names = [
        normalise_name(value)
        for value in (person.given_name, person.family_name, person.known_as)
        if value
    ]
    if not names:
        return 100.0
    scores = []
    for name in names:
        typed = normalise_name(name)
        scores.append(
            max((fuzz.ratio(typed, candidate) for candidate in person_names), default=0.0)
        )
    return sum(scores) / len(scores)


def _postcode_filter(actor: Actor, postcode: str) -> Q:
    """Families whose current address has this postcode, leaving out withheld addresses the
    actor may not see: a postcode search must not reveal where a family in a refuge lives."""
    matching = Address.objects.filter(family=OuterRef("family"), postcode=postcode, moved_out=None)
    matching = matching.filter(Q(is_withheld=False) | Q(recorded_by_team=actor.team))
    return Q(Exists(matching))


def search_people(actor: Actor, text: str) -> SearchResults:
    """People in the families the actor may see, matching a name (with typos), a date of
    birth, an NHS number or a postcode, best match first."""
    query = parse_query(text)
    results = SearchResults(query=query)
    if query.is_empty:
        return results
    members = FamilyMember.objects.filter(family__in=visible_families(actor))
    if query.nhs_number:
        members = members.filter(person__nhs_number=query.nhs_number)
    if query.date_of_birth:
        members = members.filter(person__date_of_birth=query.date_of_birth)
    if query.postcode:
        members = members.filter(_postcode_filter(actor, query.postcode))
    if query.names:
        members = members.filter(_name_candidates(query.names))
    candidates = list(members.select_related("person", "family")[:CANDIDATE_LIMIT])
    hits = []
    for member in candidates:
        score = name_score(query.names, member.person)
        if score >= NAME_MATCH_THRESHOLD:
            hits.append(SearchHit(person=member.person, family=member.family, score=score))
    hits.sort(key=lambda hit: (-hit.score, hit.person.family_name, hit.person.given_name))
    results.hits = hits[:SEARCH_LIMIT]
    _attach_postcodes(actor, results.hits)
    audit_shown(
        actor,
        ((hit.family.pk, hit.person.pk) for hit in results.hits),
        category=DataCategory.IDENTITY,
        action=AccessAction.SEARCH,
        basis=ALLOW_INVOLVEMENT.basis,
    )
    return results


def _attach_postcodes(actor: Actor, hits: list[SearchHit]) -> None:
    addresses = Address.objects.filter(family__in={hit.family.pk for hit in hits}, moved_out=None)
    current = {address.family_id: address for address in addresses}
    for hit in hits:
        address = current.get(hit.family.pk)
        if address and may_see_address(actor, address):
            hit.current_postcode = address.postcode


# ---------------------------------------------------------------------------------------------
# Search before create


@dataclass
class IdentityMatch:
    """The minimum needed to confirm identity: no address, no record content."""

    person_id: int
    family_id: int
    name: str
    date_of_birth: dt.date | None
    postcode_district: str
    score: float
    visible_to_actor: bool
    teams: list[str]


def identity_matches(
    actor: Actor,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str | None,
) -> list[IdentityMatch]:
    """People already on the register who may be the person about to be created.

    Looks across the whole register (that is its purpose) but shows only name, date of birth,
    postcode district and which teams work with them, and audits every person shown. A check
    that shows no one is audited too, with no family or person: the register was looked at."""
    decision = decide(actor, None, DataCategory.IDENTITY, AccessAction.IDENTITY_CHECK)
    if not decision:
        return []  # refused on the role alone, before the register is looked at
    matches = _identity_candidates(
        actor,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        nhs_number=nhs_number,
    )
    _attach_identity_context(actor, matches)
    matches.sort(key=lambda match: -match.score)
    if not matches:
        audit_decision(
            actor,
            decision,
            family_id=None,
            person_id=None,
            category=DataCategory.IDENTITY,
            action=AccessAction.IDENTITY_CHECK,
        )
    audit_shown(
        actor,
        ((match.family_id, match.person_id) for match in matches),
        category=DataCategory.IDENTITY,
        action=AccessAction.IDENTITY_CHECK,
        basis=decision.basis,
    )
    return matches


def _identity_candidates(
    actor: Actor,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str | None,
) -> list[IdentityMatch]:
    condition = Q()
    if nhs_number:
        condition |= Q(nhs_number=nhs_number)
    if date_of_birth:
        key = name_key(family_name)
        norm = normalise_name(family_name)
        given_key = name_key(given_name)
        condition |= Q(date_of_birth=date_of_birth) & (
            Q(family_name_key=key)
            | Q(family_name_norm__startswith=norm[:2])
            | Q(given_name_key=given_key)
        )
    if not condition:
        return []
    people = list(Person.objects.filter(condition).prefetch_related("memberships")[:200])
    visible = set(
        visible_families(actor).filter(memberships__person__in=people).values_list("pk", flat=True)
    )
    matches: list[IdentityMatch] = []
    for person in people:
        same_number = bool(nhs_number) and person.nhs_number == nhs_number
        score = 100.0 if same_number else name_score([given_name, family_name], person)
        if score < NAME_MATCH_THRESHOLD:
            continue
        for membership in person.memberships.all():
            matches.append(
                IdentityMatch(
                    person_id=person.pk,
                    family_id=membership.family_id,
                    name=person.full_name,
                    date_of_birth=person.date_of_birth,
                    postcode_district="",
                    score=score,
                    visible_to_actor=membership.family_id in visible,
                    teams=[],
                )
            )
    return matches


def _attach_identity_context(actor: Actor, matches: list[IdentityMatch]) -> None:
    family_ids = {match.family_id for match in matches}
    districts: dict[int, str] = {}
    for address in Address.objects.filter(family__in=family_ids, moved_out=None):
        if may_see_address(actor, address):
            districts[address.family_id] = address.postcode.split(" ")[0]
    teams: dict[int, list[str]] = {}
    for involvement in Involvement.objects.filter(
        active_involvements(), family__in=family_ids
    ).select_related("team"):
        teams.setdefault(involvement.family_id, []).append(involvement.team.name)
    for match in matches:
        match.postcode_district = districts.get(match.family_id, "")
        match.teams = sorted(set(teams.get(match.family_id, [])))
