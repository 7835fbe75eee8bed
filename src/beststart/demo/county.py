"""Build the synthetic county: places, services, staff and families.

Deterministic for a seed and a reference date; scales from the 2,000-family demo to a million
people for benchmarks, writing in batches with a progress line."""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from faker import Faker

from beststart.accounts.models import Team, User
from beststart.core import clock
from beststart.demo.activities import build_centres
from beststart.demo.assessments import build_assessments
from beststart.demo.care import build_care
from beststart.demo.meetings import build_meetings
from beststart.demo.organisations import Services, build_services
from beststart.demo.people import NamePools, reserved_range_nhs_numbers
from beststart.demo.places import County, build_places
from beststart.demo.referrals import build_referrals
from beststart.demo.sharing import (
    SharingFactory,
    build_agreements,
    build_exceptions,
    organisation_types_by_team,
)
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
    Relationship,
    RelationshipType,
    Sex,
)
from beststart.places.models import Postcode

PEOPLE_PER_FAMILY = 3.4  # measured on the generator's own output; used to size --people runs
BATCH_SIZE = 1000
STREETS = [
    "Church Lane",
    "Mill Road",
    "Station Road",
    "Victoria Street",
    "Meadow Close",
    "Orchard Way",
    "The Green",
    "Park Avenue",
    "Willow Drive",
    "Kings Road",
    "Chapel Street",
    "Brook Lane",
    "Elm Grove",
    "Queens Crescent",
    "Hawthorn Rise",
]


@dataclass
class Draft:
    """One family before it is written: plain objects, linked by position."""

    family: Family
    people: list[Person] = field(default_factory=list)
    relationships: list[tuple[int, int, str, bool]] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)


@dataclass
class BuildReport:
    families: int = 0
    people: int = 0
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


class FamilyFactory:
    """Draws realistic families for England: siblings, twins, young parents, blended
    surnames, pregnancies, moves and, rarely, a withheld address."""

    def __init__(
        self,
        rng: random.Random,
        names: NamePools,
        county: County,
        services: Services,
        today: dt.date,
    ) -> None:
        self.rng, self.names, self.county, self.services, self.today = (
            rng,
            names,
            county,
            services,
            today,
        )
        self.nhs_numbers = reserved_range_nhs_numbers(rng)
        self.locality_names = {locality.pk: locality.name for locality in county.localities}

    def _nhs_number(self, chance: float) -> str | None:
        if self.rng.random() >= chance:
            return None
        return next(self.nhs_numbers, None)

    def _person(
        self,
        kind: str,
        given: str,
        surname: str,
        sex: str,
        born: dt.date | None,
        due: dt.date | None = None,
        nhs: float = 0.95,
    ) -> Person:
        person = Person(
            kind=kind,
            given_name=given,
            family_name=surname,
            sex=sex,
            date_of_birth=born,
            expected_delivery_date=due,
            nhs_number=self._nhs_number(nhs) if kind != PersonKind.UNBORN else None,
        )
        person.refresh_search_keys()
        return person

    def draft(self) -> Draft:
        rng, today = self.rng, self.today
        locale = self.names.locale(rng)
        mother_surname = self.names.surname(rng, locale)
        young_parent = rng.random() < 0.04
        mother_age = rng.uniform(16, 19.5) if young_parent else min(45, max(20, rng.gauss(30, 5.5)))
        mother_born = today - dt.timedelta(days=int(mother_age * 365.25))
        father_present = rng.random() < (0.4 if young_parent else 0.68)
        father_surname = mother_surname if rng.random() < 0.7 else self.names.surname(rng, locale)
        child_surname = father_surname if father_present else mother_surname
        draft = Draft(family=Family(name=f"{child_surname} family"))
        mother = self._person(
            PersonKind.PARENT,
            self.names.given(rng, locale, "female"),
            mother_surname,
            Sex.FEMALE,
            mother_born,
            nhs=0.9,
        )
        draft.people.append(mother)
        if father_present:
            father_born = mother_born - dt.timedelta(days=int(rng.gauss(2.5, 3) * 365))
            draft.people.append(
                self._person(
                    PersonKind.PARENT,
                    self.names.given(rng, locale, "male"),
                    father_surname,
                    Sex.MALE,
                    father_born,
                    nhs=0.88,
                )
            )
        if rng.random() < 0.02:
            granny_born = mother_born - dt.timedelta(days=int(rng.uniform(20, 30) * 365))
            draft.people.append(
                self._person(
                    PersonKind.CARER,
                    self.names.given(rng, locale, "female"),
                    mother_surname,
                    Sex.FEMALE,
                    granny_born,
                    nhs=0.9,
                )
            )
        self._children(draft, locale, child_surname, mother_born, father_present)
        self._address(draft)
        return draft

    def _children(
        self, draft: Draft, locale: str, surname: str, mother_born: dt.date, father_present: bool
    ) -> None:
        rng, today = self.rng, self.today
        adults = len(draft.people)
        earliest = max(
            mother_born + dt.timedelta(days=16 * 365), today - dt.timedelta(days=5 * 365)
        )
        pregnant = rng.random() < 0.12
        count = 0 if pregnant and rng.random() < 0.4 else rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0]
        births = sorted((_date_between(rng, earliest, today) for _ in range(count)), reverse=True)
        twins = bool(births) and rng.random() < 0.016
        if rng.random() < 0.25 and earliest > mother_born + dt.timedelta(days=18 * 365):
            births.append(_date_between(rng, earliest - dt.timedelta(days=5 * 365), earliest))
        births = _spaced(births, mother_born + dt.timedelta(days=16 * 365))
        if twins:
            births.append(births[0])
        for born in births:
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            draft.people.append(
                self._person(
                    PersonKind.CHILD,
                    self.names.child_given(rng, locale, sex),
                    surname,
                    sex,
                    born,
                    nhs=0.98,
                )
            )
        if pregnant or not births:
            due = today + dt.timedelta(days=rng.randrange(7, 30 * 7))
            draft.people.append(
                self._person(PersonKind.UNBORN, "", surname, Sex.NOT_KNOWN, None, due)
            )
        for child_index in range(adults, len(draft.people)):
            draft.relationships.append((0, child_index, RelationshipType.MOTHER, True))
            if father_present:
                draft.relationships.append(
                    (1, child_index, RelationshipType.FATHER, rng.random() < 0.9)
                )

    def _address(self, draft: Draft) -> None:
        rng = self.rng
        moves = 1 if rng.random() < 0.1 else 0
        oldest = (
            min(p.date_of_birth or self.today for p in draft.people if p.kind != PersonKind.PARENT)
            if any(p.kind != PersonKind.PARENT for p in draft.people)
            else self.today
        )
        moved_in = _date_between(rng, oldest - dt.timedelta(days=3 * 365), self.today)
        postcodes = rng.choices(self.county.postcodes, self.county.postcode_weights, k=moves + 1)
        withheld = rng.random() < 0.005
        for index, postcode in enumerate(postcodes):
            current = index == moves
            start = moved_in - dt.timedelta(days=(moves - index) * rng.randrange(200, 900))
            draft.addresses.append(
                Address(
                    line_1=f"{rng.randrange(1, 180)} {rng.choice(STREETS)}",
                    town=postcode.lsoa.name.rsplit(" ", 2)[0],
                    postcode=postcode.postcode,
                    lsoa=postcode.lsoa,
                    moved_in=start,
                    moved_out=None if current else moved_in,
                    is_withheld=withheld and current,
                )
            )

    def involvements(self, draft: Draft, postcode: Postcode) -> list[Involvement]:
        rng, services, today = self.rng, self.services, self.today
        locality = self._locality_name(postcode)
        kids = [p for p in draft.people if p.kind == PersonKind.CHILD and p.date_of_birth]
        youngest = max((p.date_of_birth for p in kids if p.date_of_birth), default=None)
        start = (
            min(youngest or today, today)
            if youngest
            else today - dt.timedelta(days=rng.randrange(20, 120))
        )
        teams: list[tuple[Team, bool]] = [(services.health_visiting[locality], True)]
        if any(p.kind == PersonKind.UNBORN for p in draft.people):
            teams.append((services.midwifery[locality], False))
        if rng.random() < 0.45:
            teams.append((services.family_hubs[postcode.lsoa.reach_area.name], False))
        if rng.random() < 0.25:
            teams.append((rng.choice(services.gp_practices[locality]), False))
        if any(_age_years(p, today) >= 2 for p in kids) and rng.random() < 0.5:
            teams.append((rng.choice(services.early_years[locality]), False))
        if any(_age_years(p, today) >= 4 for p in kids) and rng.random() < 0.3:
            teams.append((rng.choice(services.schools[locality]), False))
        if services.voluntary and rng.random() < 0.04:
            teams.append((services.voluntary, False))
        if services.triage and rng.random() < 0.03:
            teams.append((services.triage, False))
        result = []
        for team, lead in teams:
            began = max(start, today - dt.timedelta(days=5 * 365))
            ended = None
            if not lead and rng.random() < 0.1:
                ended = _date_between(rng, began, today)
            practitioner = (
                rng.choice(services.practitioners[team.pk])
                if services.practitioners.get(team.pk)
                else None
            )
            result.append(
                Involvement(
                    team=team,
                    practitioner=practitioner,
                    is_lead=lead,
                    started_on=began,
                    ended_on=ended,
                    reason="Universal Healthy Child Programme" if lead else "",
                )
            )
        return result

    def _locality_name(self, postcode: Postcode) -> str:
        return self.locality_names[postcode.lsoa.reach_area.locality_id]


SIBLING_GAP = dt.timedelta(days=300)


def _spaced(births: list[dt.date], earliest: dt.date) -> list[dt.date]:
    """Newest first, each sibling at least SIBLING_GAP older than the next (twins are added
    after); a child who would be born before `earliest` is left out."""
    spaced: list[dt.date] = []
    for born in births:
        if spaced and spaced[-1] - born < SIBLING_GAP:
            born = spaced[-1] - SIBLING_GAP
        if born < earliest:
            break
        spaced.append(born)
    return spaced


def _age_years(person: Person, today: dt.date) -> float:
    return (today - person.date_of_birth).days / 365.25 if person.date_of_birth else -1.0


def _write_batch(factory: FamilyFactory, drafts: list[Draft], services: Services) -> int:
    Family.objects.bulk_create([draft.family for draft in drafts])
    Person.objects.bulk_create([person for draft in drafts for person in draft.people])
    members, relationships, addresses, involvements, events = [], [], [], [], []
    for draft in drafts:
        family = draft.family
        members += [FamilyMember(family=family, person=person) for person in draft.people]
        relationships += [
            Relationship(
                adult=draft.people[a],
                child=draft.people[c],
                type=kind,
                has_parental_responsibility=pr,
            )
            for a, c, kind, pr in draft.relationships
        ]
        for address in draft.addresses:
            address.family = family
        current = draft.addresses[-1]
        draft.involvements = factory.involvements(
            draft, Postcode(postcode=current.postcode, lsoa=current.lsoa)
        )
        lead = draft.involvements[0]
        for address in draft.addresses:
            address.recorded_by_team = lead.team
        addresses += draft.addresses
        for involvement in draft.involvements:
            involvement.family = family
            involvements.append(involvement)
            author = involvement.practitioner or _any_user(services)
            events.append(
                _event(
                    family,
                    EventKind.INVOLVEMENT_STARTED,
                    involvement.started_on,
                    f"{involvement.team.name} started working with the family",
                    author,
                    involvement.team,
                )
            )
        events.insert(
            len(events) - len(draft.involvements),
            _event(
                family,
                EventKind.FAMILY_CREATED,
                lead.started_on,
                f"Family record created by {lead.team.name}",
                lead.practitioner or _any_user(services),
                lead.team,
            ),
        )
    FamilyMember.objects.bulk_create(members)
    Relationship.objects.bulk_create(relationships)
    Address.objects.bulk_create(addresses)
    Involvement.objects.bulk_create(involvements)
    ChronologyEvent.objects.bulk_create(events)
    return len(members)


def _any_user(services: Services) -> User:
    return next(iter(services.practitioners.values()))[0]


def _event(
    family: Family, kind: str, day: dt.date, summary: str, user: User, team: Team
) -> ChronologyEvent:
    return ChronologyEvent(
        family=family,
        kind=kind,
        summary=summary,
        recorded_by=user,
        team=team,
        occurred_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC),
    )


def build_county(
    *,
    families: int,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Write a whole synthetic county into an empty database."""
    rng = random.Random(seed)
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    reference = today or clock.today()
    report = BuildReport()
    with transaction.atomic():
        county = build_places(rng)
        services = build_services(county, rng, faker)
        report.sign_ins = services.sign_ins
    factory = FamilyFactory(rng, NamePools(seed), county, services, reference)
    sharing = SharingFactory(seed, reference, organisation_types_by_team())
    done = 0
    while done < families:
        size = min(BATCH_SIZE, families - done)
        drafts = [factory.draft() for _ in range(size)]
        with transaction.atomic():
            report.people += _write_batch(factory, drafts, services)
            sharing.write([(draft.family, draft.people, draft.involvements) for draft in drafts])
        done += size
        report.families = done
        if progress:
            progress(done, families)
    with transaction.atomic():
        build_agreements(User.objects.get(username="privacy"), reference)
        build_exceptions(reference, dt.datetime.combine(reference, dt.time(12), tzinfo=dt.UTC))
        build_meetings(seed, reference)  # Family Matters, once the involvements exist
        build_care(seed=seed, today=reference)  # Care: the Healthy Child Programme's reviews
    with transaction.atomic():  # children's centres: programmes, sessions, registers, reach
        build_centres(seed=seed, today=reference, services=services)
    with transaction.atomic():  # referrals: services, routing rules and a year of referrals
        build_referrals(seed=seed, today=reference, services=services)
    with transaction.atomic():  # assessments and plans, written by the actions on their days
        build_assessments(seed=seed, today=reference)
    return report


def print_progress(stream: TextIO = sys.stderr) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else "\r"
        stream.write(f"Families written: {done:,} of {total:,} ({done * 100 // total}%){end}")
        stream.flush()

    return show
