"""Factories for referral services, routing rules and referrals, and the details a referral
form or the API sends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
import pytest
from factory.django import DjangoModelFactory

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
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
    ReferralStep,
    RoutingRule,
    Source,
    Status,
    StepKind,
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


class ReferralStepFactory(DjangoModelFactory[ReferralStep]):
    class Meta:
        model = ReferralStep

    referral = factory.SubFactory(ReferralFactory)
    kind = StepKind.SUBMITTED
    occurred_at = factory.LazyFunction(clock.now)


def referral_details(
    service: ReferralService,
    *,
    family: Family | None = None,
    person: Person | None = None,
    agreed: bool = True,
    postcode: str | None = None,
    referred: PersonReferred | None = None,
    **changes: object,
) -> ReferralDetails:
    """What a practitioner's form sends: a referral with the family's consent, for a person
    matched to `family` or, without one, held pending checks. `referred` replaces the person
    as the form gives them; `changes`, any other field of the details."""
    referred = referred or PersonReferred(
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


def set_clock(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> dt.datetime:
    """Make it `moment` for the code under test (and today its local date)."""
    monkeypatch.setattr(clock, "now", lambda: moment)
    monkeypatch.setattr(clock, "today", lambda: clock.localdate(moment))
    return moment


@dataclass
class Cast:
    """The people around one referral: the referrer (a health visitor working with the
    family), two workers in the receiving team, the single point of contact (triage), and a
    practitioner with no part in it. Everyone has an e-mail address."""

    service: ReferralService
    referrer: Actor
    hub: Actor
    hub_colleague: Actor
    triage: Actor
    stranger: Actor
    family: Family
    mother: Person
    child: Person

    def details(
        self, *, matched: bool = True, service: ReferralService | None = None, **changes: object
    ) -> ReferralDetails:
        """The referrer's referral of the child to the service, matched to the family's
        record or not."""
        to = service or self.service
        if matched:
            return referral_details(to, family=self.family, person=self.child, **changes)
        return referral_details(to, **changes)


def make_cast(referrer: Actor, family: Family) -> Cast:
    """`referrer`'s team must work with `family`, whose members are a mother and her child."""
    if not referrer.user.email:
        referrer.user.email = "referrer@example.org"
        referrer.user.save(update_fields=["email"])
    service = ReferralServiceFactory(
        name="Parenting support",
        team=TeamFactory(
            name="Riverside Family Hub",
            organisation=OrganisationFactory(
                name="Riverside Family Hubs", type=OrganisationType.FAMILY_HUB
            ),
        ),
    )
    triage_team = TeamFactory(
        name="Single Point of Contact",
        organisation=OrganisationFactory(
            name="Testshire Early Help", type=OrganisationType.LOCAL_AUTHORITY_TEAM
        ),
    )
    members = {person.kind: person for person in family.members.all()}
    return Cast(
        service=service,
        referrer=referrer,
        hub=make_actor(Role.FAMILY_HUB_WORKER, service.team, email="hub.worker@example.org"),
        hub_colleague=make_actor(
            Role.FAMILY_HUB_WORKER, service.team, email="hub.colleague@example.org"
        ),
        triage=make_actor(Role.TRIAGE_OFFICER, triage_team, email="triage@example.org"),
        stranger=make_actor(Role.FAMILY_HUB_WORKER, TeamFactory(), email="other@example.org"),
        family=family,
        mother=members["parent"],
        child=members["child"],
    )
