"""Factories for the family record: synthetic people with test-range NHS numbers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.models import Team, User
from beststart.accounts.tests.factories import TeamFactory, UserFactory
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.tests.factories import next_nhs_number
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
from beststart.places.tests.factories import PostcodeFactory

_PREFIXES = "Ash Bram Cal Dun Elm Fen Gar Hol Ick Jor Kel Lan Mor Nor Ord Pen Quil Ros Sel Tor"
_SUFFIXES = "by combe dale ford gate ham hurst ley low more ridge stead ton wick worth"


def _synthetic_surnames() -> Iterator[str]:
    """Invented surnames, distinct for a test run: Ashby, Ashcombe, ... then Ashbyson."""
    for round_ in itertools.count():
        for prefix in _PREFIXES.split():
            for suffix in _SUFFIXES.split():
                yield f"{prefix}{suffix}{'son' * round_}"


_surnames = _synthetic_surnames()


def years_ago(years: float) -> dt.date:
    return clock.today() - dt.timedelta(days=round(years * 365.25))


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    kind = PersonKind.CHILD
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    sex = Sex.NOT_KNOWN
    date_of_birth = factory.LazyFunction(lambda: years_ago(1))
    nhs_number = factory.LazyFunction(next_nhs_number)

    class Params:
        parent = factory.Trait(
            kind=PersonKind.PARENT,
            sex=Sex.FEMALE,
            date_of_birth=factory.LazyFunction(lambda: years_ago(30)),
        )
        unborn = factory.Trait(
            kind=PersonKind.UNBORN,
            given_name="",
            date_of_birth=None,
            nhs_number=None,
            expected_delivery_date=factory.LazyFunction(
                lambda: clock.today() + dt.timedelta(days=60)
            ),
        )


class FamilyFactory(DjangoModelFactory[Family]):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Testfamily{n} family")


class FamilyMemberFactory(DjangoModelFactory[FamilyMember]):
    class Meta:
        model = FamilyMember

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    joined_on = factory.LazyFunction(clock.today)


class RelationshipFactory(DjangoModelFactory[Relationship]):
    class Meta:
        model = Relationship

    adult = factory.SubFactory(PersonFactory, parent=True)
    child = factory.SubFactory(PersonFactory)
    type = RelationshipType.MOTHER
    has_parental_responsibility = True


class AddressFactory(DjangoModelFactory[Address]):
    class Meta:
        model = Address
        exclude = ("postcode_obj",)

    family = factory.SubFactory(FamilyFactory)
    line_1 = factory.Sequence(lambda n: f"{n % 200 + 1} Test Street")
    town = "Testbury"
    postcode_obj = factory.SubFactory(PostcodeFactory)
    postcode = factory.SelfAttribute("postcode_obj.postcode")
    lsoa = factory.SelfAttribute("postcode_obj.lsoa")
    moved_in = factory.LazyFunction(lambda: years_ago(2))
    recorded_by_team = factory.SubFactory(TeamFactory)


class InvolvementFactory(DjangoModelFactory[Involvement]):
    class Meta:
        model = Involvement

    family = factory.SubFactory(FamilyFactory)
    team = factory.SubFactory(TeamFactory)
    practitioner = None
    is_lead = False
    started_on = factory.LazyFunction(lambda: clock.today() - dt.timedelta(days=30))
    ended_on = None


class ChronologyEventFactory(DjangoModelFactory[ChronologyEvent]):
    class Meta:
        model = ChronologyEvent

    family = factory.SubFactory(FamilyFactory)
    kind = EventKind.NOTE
    category = DataCategory.IDENTITY
    summary = "A synthetic note"
    occurred_at = factory.LazyFunction(clock.now)
    recorded_by = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)


def family_with_people(
    *,
    team: Team,
    practitioner: User | None = None,
    surname: str | None = None,
    withheld: bool = False,
    address_team: Team | None = None,
    unborn: bool = False,
    **involvement: object,
) -> Family:
    """A household as practitioners meet it: a mother, her child (or pregnancy), a current
    address, and `team`'s involvement (active unless `involvement` says otherwise)."""
    family_name = surname or next(_surnames)
    family = FamilyFactory.create(name=f"{family_name} family")
    mother = PersonFactory(parent=True, family_name=family_name)
    child = (
        PersonFactory(unborn=True, family_name=family_name)
        if unborn
        else PersonFactory(family_name=family_name)
    )
    for person in (mother, child):
        FamilyMemberFactory(family=family, person=person)
    RelationshipFactory(adult=mother, child=child)
    AddressFactory(family=family, is_withheld=withheld, recorded_by_team=address_team or team)
    InvolvementFactory(
        family=family, team=team, practitioner=practitioner, is_lead=True, **involvement
    )
    return family
