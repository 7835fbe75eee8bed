"""Factories for referral services, routing rules and referrals, and the details a referral
form or the API sends."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.models import OrganisationType
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.models import Family, Person
from beststart.families.tests.factories import years_ago
from beststart.places.tests.factories import PostcodeFactory
from beststart.referrals.actions import ConsentGiven, PersonReferred, ReferralDetails
from beststart.referrals.models import (
    Need,
    Referral,
    ReferralService,
    RoutingRule,
    Source,
    Status,
)
from beststart.sharing.models import ConsentMethod


class ReferralServiceFactory(DjangoModelFactory[ReferralService]):
    """A family hub's parenting support, five working days to first contact."""

    class Meta:
        model = ReferralService

    name = factory.Sequence(lambda n: f"Parenting support {n}")
    team = factory.SubFactory(
        TeamFactory,
        organisation=factory.SubFactory(OrganisationFactory, type=OrganisationType.FAMILY_HUB),
    )
    needs = factory.LazyFunction(lambda: [Need.PARENTING, Need.ISOLATION])
    category = DataCategory.FAMILY_SUPPORT
    first_contact_days = 5
    accepts_self_referrals = True


class RoutingRuleFactory(DjangoModelFactory[RoutingRule]):
    class Meta:
        model = RoutingRule

    team = factory.SubFactory(TeamFactory)


class ReferralFactory(DjangoModelFactory[Referral]):
    """A routine referral submitted now, in its service's team's queue, not yet matched."""

    class Meta:
        model = Referral

    service = factory.SubFactory(ReferralServiceFactory)
    need = Need.PARENTING
    reason = "Finding the evenings hard since the baby came; would like some ideas."
    category = factory.SelfAttribute("service.category")
    source = Source.PRACTITIONER
    given_name = "Rowan"
    family_name = factory.Sequence(lambda n: f"Quillfeather{n}")
    date_of_birth = factory.LazyFunction(lambda: years_ago(1))
    postcode = factory.LazyFunction(lambda: PostcodeFactory().postcode)
    contact_name = "Morwenna Quillfeather"
    contact_phone = "07700 900123"
    consent_given_by = "Morwenna Quillfeather, mother"
    consent_method = ConsentMethod.VERBAL
    consent_given_on = factory.LazyFunction(clock.today)
    consent_categories = factory.LazyFunction(lambda: [DataCategory.IDENTITY])
    team = factory.SelfAttribute("service.team")
    status = Status.SUBMITTED
    submitted_at = factory.LazyFunction(clock.now)
    first_contact_due = factory.LazyFunction(lambda: clock.today() + dt.timedelta(days=7))


def referral_details(
    service: ReferralService,
    *,
    family: Family | None = None,
    person: Person | None = None,
    agreed: bool = True,
    postcode: str | None = None,
    **changes: object,
) -> ReferralDetails:
    """What a practitioner's form sends: a referral with the family's consent, for a person
    matched to `family` or, without one, held pending checks."""
    referred = PersonReferred(
        given_name=person.given_name if person else "Rowan",
        family_name=person.family_name if person else "Quillfeather",
        date_of_birth=person.date_of_birth if person else years_ago(1),
        postcode=postcode or PostcodeFactory().postcode,
        contact_name="Morwenna Quillfeather",
        contact_phone="07700 900123",
    )
    details = ReferralDetails(
        service=service,
        need=service.needs[0] if service.needs else Need.PARENTING,
        reason="Finding the evenings hard since the baby came.",
        person=referred,
        consent=ConsentGiven(
            agreed=agreed,
            given_by="Morwenna Quillfeather, mother",
            method=ConsentMethod.VERBAL,
            given_on=clock.today(),
            categories=(DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT),
        ),
        family=family,
        matched_person=person,
    )
    return ReferralDetails(**{**details.__dict__, **changes})  # type: ignore[arg-type]
