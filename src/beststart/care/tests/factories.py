"""Factories for Healthy Child Programme contacts and immunisations."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.tests.factories import TeamFactory, UserFactory
from beststart.care.models import (
    Breastfeeding,
    Contact,
    ContactMode,
    Immunisation,
    ImmunisationStatus,
    ReviewKind,
)
from beststart.core import clock
from beststart.families.tests.factories import FamilyFactory, PersonFactory


class ContactFactory(DjangoModelFactory[Contact]):
    """A new birth visit, face to face, today."""

    class Meta:
        model = Contact

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    practitioner = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    kind = ReviewKind.NEW_BIRTH
    contact_date = factory.LazyFunction(clock.today)
    mode = ContactMode.FACE_TO_FACE
    present = factory.LazyFunction(lambda: ["mother", "child"])
    breastfeeding = Breastfeeding.TOTALLY


class ImmunisationFactory(DjangoModelFactory[Immunisation]):
    class Meta:
        model = Immunisation

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    practitioner = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    vaccine = "6in1_1"
    status = ImmunisationStatus.GIVEN
    on_date = factory.LazyFunction(clock.today)
    place = "Ashby Marsh Road Surgery"
