"""A list never shows what a single record would refuse.

For generated worlds (teams in organisations of random types, actors of random roles,
families with active, ended and future involvements, consents, agreements, safeguarding
shares, break-glass accesses, sealed and unsealed entries of random categories), everything
each actor is shown in a caseload (every page), a search, the team's count, the chronology of
a family record, or an export of entries is allowed by `policy.decide` for that one item and
that action; and the count is exactly the families `decide` allows the actor to list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families import selectors
from beststart.families.models import ChronologyEvent, Family, Person
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    FamilyFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
)
from beststart.sharing.access import SharingGate
from beststart.sharing.policy import Subject, decide
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SafeguardingShareFactory,
    SharingAgreementFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

IDENTITY = DataCategory.IDENTITY
SURNAMES = ("Ashcombe", "Brambleford")  # shared across families, so searches cross them
PERIODS = {  # (starts, ends) in days from today
    "active": (-30, None),
    "ended": (-60, -10),
    "future": (5, None),
    "not started": (5, 60),
}


# ---------------------------------------------------------------------------------------------
# What a world is made of


@dataclass(frozen=True)
class InvolvementSpec:
    family: int
    team: int
    period: str
    lead: bool
    named: bool  # the first actor of the team is the named practitioner


@dataclass(frozen=True)
class ConsentSpec:
    person: int
    categories: list[str]
    recipient_types: list[str]
    recipient_organisations: list[int]
    state: str  # active, ended (expired), withdrawn, not started


@dataclass(frozen=True)
class AgreementSpec:
    party_types: list[str]
    party_organisations: list[int]
    categories: list[str]
    period: str


@dataclass(frozen=True)
class ShareSpec:
    family: int
    person: int | None
    categories: list[str]
    recipient_types: list[str]
    recipient_organisations: list[int]
    period: str


@dataclass(frozen=True)
class EntrySpec:
    family: int
    team: int
    category: str
    sealed: bool
    person: int | None


@dataclass(frozen=True)
class WorldSpec:
    organisations: list[str]  # their types
    teams: list[int]  # each team's organisation
    actors: list[tuple[str, int]]  # role, team
    families: list[int]  # how many people in each
    involvements: list[InvolvementSpec]
    consents: list[ConsentSpec]
    agreements: list[AgreementSpec]
    shares: list[ShareSpec]
    break_glass: list[tuple[int, int, bool]]  # actor, family, open
    entries: list[EntrySpec]


def _some(values: list[str], *, min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=min_size, unique=True)


def _indices(count: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, count - 1), max_size=2, unique=True)


@st.composite
def worlds(draw: st.DrawFn) -> WorldSpec:
    organisations = draw(st.lists(st.sampled_from(list(OrganisationType)), min_size=2, max_size=3))
    teams = draw(st.lists(st.integers(0, len(organisations) - 1), min_size=1, max_size=4))
    actors = draw(
        st.lists(
            st.tuples(st.sampled_from(list(Role)), st.integers(0, len(teams) - 1)),
            min_size=1,
            max_size=5,
        )
    )
    families = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    people = sum(families)
    family_index = st.integers(0, len(families) - 1)
    team_index = st.integers(0, len(teams) - 1)
    categories = _some(list(DataCategory), min_size=1)
    org_types = _some(list(OrganisationType))
    return WorldSpec(
        organisations=organisations,
        teams=teams,
        actors=actors,
        families=families,
        involvements=draw(
            st.lists(
                st.builds(
                    InvolvementSpec,
                    family=family_index,
                    team=team_index,
                    period=st.sampled_from(["active", "active", "active", "ended", "future"]),
                    lead=st.booleans(),
                    named=st.booleans(),
                ),
                min_size=1,
                max_size=6,
            )
        ),
        consents=draw(
            st.lists(
                st.builds(
                    ConsentSpec,
                    person=st.integers(0, people - 1),
                    categories=categories,
                    recipient_types=org_types,
                    recipient_organisations=_indices(len(organisations)),
                    state=st.sampled_from(["active", "ended", "withdrawn", "not started"]),
                ),
                max_size=3,
            )
        ),
        agreements=draw(
            st.lists(
                st.builds(
                    AgreementSpec,
                    party_types=org_types,
                    party_organisations=_indices(len(organisations)),
                    categories=categories,
                    period=st.sampled_from(["active", "ended", "not started"]),
                ),
                max_size=2,
            )
        ),
        shares=draw(
            st.lists(
                st.builds(
                    ShareSpec,
                    family=family_index,
                    person=st.none() | st.integers(0, people - 1),
                    categories=categories,
                    recipient_types=org_types,
                    recipient_organisations=_indices(len(organisations)),
                    period=st.sampled_from(["active", "ended"]),
                ),
                max_size=2,
            )
        ),
        break_glass=draw(
            st.lists(
                st.tuples(st.integers(0, len(actors) - 1), family_index, st.booleans()),
                max_size=2,
            )
        ),
        entries=draw(
            st.lists(
                st.builds(
                    EntrySpec,
                    family=family_index,
                    team=team_index,
                    category=st.sampled_from(list(DataCategory)),
                    sealed=st.booleans(),
                    person=st.none() | st.integers(0, people - 1),
                ),
                min_size=1,
                max_size=8,
            )
        ),
    )


# ---------------------------------------------------------------------------------------------
# Building it


def _dates(period: str) -> tuple[dt.date, dt.date | None]:
    starts, ends = PERIODS[period]
    return days_from_today(starts), None if ends is None else days_from_today(ends)


@dataclass
class Built:
    organisations: list[Organisation]
    teams: list[Team]
    actors: list[Actor]
    families: list[Family]
    people: list[tuple[Family, Person]]

    def orgs(self, indices: list[int]) -> list[Organisation]:
        return [self.organisations[index] for index in indices]

    def member(self, index: int | None, family: Family) -> Person | None:
        """The person drawn, if they belong to `family` (otherwise: about the whole family)."""
        if index is None or self.people[index][0] != family:
            return None
        return self.people[index][1]


def _households(spec: WorldSpec) -> tuple[list[Family], list[tuple[Family, Person]]]:
    families, people = [], []
    for index, size in enumerate(spec.families):
        family = FamilyFactory()
        families.append(family)
        for position in range(size):
            person = PersonFactory(
                **({"parent": True} if position == 0 else {}),
                family_name=SURNAMES[(index + position) % len(SURNAMES)],
            )
            FamilyMemberFactory(family=family, person=person)
            people.append((family, person))
    return families, people


def _involvements(spec: WorldSpec, built: Built) -> None:
    for each in spec.involvements:
        team = built.teams[each.team]
        named = next((actor for actor in built.actors if actor.team == team), None)
        starts, ends = _dates(each.period)
        InvolvementFactory(
            family=built.families[each.family],
            team=team,
            practitioner=named.user if named and each.named else None,
            is_lead=each.lead,
            started_on=starts,
            ended_on=ends,
        )


def _consents(spec: WorldSpec, built: Built) -> None:
    for each in spec.consents:
        fields: dict[str, object] = {}
        if each.state == "ended":
            fields = {"starts_on": days_from_today(-400), "expires_on": days_from_today(-1)}
        elif each.state == "withdrawn":
            fields = {"withdrawn_at": clock.now() - dt.timedelta(days=1)}
        elif each.state == "not started":
            fields = {"starts_on": days_from_today(3)}
        ConsentFactory(
            person=built.people[each.person][1],
            categories=each.categories,
            recipient_types=each.recipient_types,
            recipient_organisations=built.orgs(each.recipient_organisations),
            **fields,
        )


def _agreements_and_shares(spec: WorldSpec, built: Built) -> None:
    for agreement in spec.agreements:
        starts, ends = _dates(agreement.period)
        SharingAgreementFactory(
            party_types=agreement.party_types,
            party_organisations=built.orgs(agreement.party_organisations),
            categories=agreement.categories,
            starts_on=starts,
            ends_on=ends,
        )
    for share in spec.shares:
        starts, ends = _dates(share.period)
        family = built.families[share.family]
        SafeguardingShareFactory(
            family=family,
            person=built.member(share.person, family),
            categories=share.categories,
            recipient_types=share.recipient_types,
            recipient_organisations=built.orgs(share.recipient_organisations),
            starts_on=starts,
            ends_on=ends,
        )


def _break_glass_and_entries(spec: WorldSpec, built: Built) -> None:
    for actor_index, family_index, is_open in spec.break_glass:
        actor = built.actors[actor_index]
        now = clock.now()
        BreakGlassAccessFactory(
            user=actor.user,
            team=actor.team,
            family=built.families[family_index],
            started_at=now - dt.timedelta(hours=1 if is_open else 6),
            expires_at=now + dt.timedelta(hours=3 if is_open else -2),
        )
    for entry in spec.entries:
        family = built.families[entry.family]
        ChronologyEventFactory(
            family=family,
            person=built.member(entry.person, family),
            team=built.teams[entry.team],
            category=entry.category,
            is_sealed=entry.sealed,
        )


def build(spec: WorldSpec) -> Built:
    organisations = [OrganisationFactory(type=kind) for kind in spec.organisations]
    teams = [TeamFactory(organisation=organisations[index]) for index in spec.teams]
    actors = [make_actor(role, teams[team]) for role, team in spec.actors]
    families, people = _households(spec)
    built = Built(organisations, teams, actors, families, people)
    _involvements(spec, built)
    _consents(spec, built)
    _agreements_and_shares(spec, built)
    _break_glass_and_entries(spec, built)
    return built


# ---------------------------------------------------------------------------------------------
# What each actor is shown, held to the single-record decision


def _allowed(actor: Actor, subject: Family | Subject, category: str, action: str) -> bool:
    return decide(actor, subject, category, action).allowed


def _entry_allowed(actor: Actor, entry: ChronologyEvent, action: str) -> bool:
    return _allowed(actor, Subject.of_entry(entry), entry.category, action)


def check_caseload_and_count(actor: Actor, families: list[Family]) -> None:
    page = selectors.caseload(actor)
    for number in page.paginator.page_range:
        for shown in selectors.caseload(actor, number).object_list:
            event("a caseload listed a family")
            assert _allowed(actor, shown.family, IDENTITY, AccessAction.LIST), shown.family
    listable = [
        family for family in families if _allowed(actor, family, IDENTITY, AccessAction.LIST)
    ]
    assert selectors.team_caseload_size(actor) == len(listable)


def check_search(actor: Actor) -> None:
    for surname in SURNAMES:
        for hit in selectors.search_people(actor, surname).hits:
            event("a search found someone")
            subject = Subject(family_id=hit.family.pk, person_id=hit.person.pk)
            assert _allowed(actor, subject, IDENTITY, AccessAction.SEARCH), hit


def check_records_and_exports(actor: Actor, families: list[Family]) -> None:
    for family in families:
        may_open = _allowed(actor, family, IDENTITY, AccessAction.VIEW)
        try:
            record = selectors.family_record(actor, family.pk)
        except NotFoundOrNotAllowed:
            assert not may_open, family
        else:
            assert may_open, family
            for entry in record.chronology:
                if entry.team.organisation_id != actor.organisation.pk:
                    event("a record showed another organisation's entry")
                assert _entry_allowed(actor, entry, AccessAction.VIEW), entry
        entries = family.chronology.select_related("team__organisation")
        for entry in SharingGate(actor, family).entries(entries, AccessAction.EXPORT):
            event("an export let an entry through")
            assert _entry_allowed(actor, entry, AccessAction.EXPORT), entry


@hypothesis_settings(max_examples=30)
@given(worlds())
def test_nothing_listed_searched_counted_shown_or_exported_is_refused_by_decide(
    db: None, spec: WorldSpec
) -> None:
    with transaction.atomic():
        built = build(spec)
        for actor in built.actors:
            check_caseload_and_count(actor, built.families)
            check_search(actor)
            check_records_and_exports(actor, built.families)
        transaction.set_rollback(True)
