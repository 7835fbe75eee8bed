"""Factories for consents, agreements, safeguarding shares and break-glass accesses."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import TeamFactory, UserFactory
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.tests.factories import FamilyFactory, PersonFactory
from beststart.sharing.models import (
    BreakGlassAccess,
    BreakGlassReason,
    Consent,
    ConsentMethod,
    LegalBasis,
    SafeguardingShare,
    SharingAgreement,
    SharingPurpose,
)


def days_from_today(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


class ConsentFactory(DjangoModelFactory[Consent]):
    """A parent's consent, in force, to share their own health and family support data with
    children's centres. Pass `given_by` for a child's consent."""

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory, parent=True)
    given_by = factory.SelfAttribute("person")
    categories = factory.LazyFunction(
        lambda: [DataCategory.HEALTH.value, DataCategory.FAMILY_SUPPORT.value]
    )
    recipient_types = factory.LazyFunction(lambda: [OrganisationType.FAMILY_HUB.value])
    purpose = SharingPurpose.COORDINATED_SUPPORT
    method = ConsentMethod.VERBAL
    evidence = "Agreed at the new birth visit"
    starts_on = factory.LazyFunction(lambda: days_from_today(-30))
    expires_on = factory.LazyFunction(lambda: days_from_today(335))
    recorded_by = factory.SubFactory(UserFactory)
    recorded_by_team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def recipient_organisations(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.recipient_organisations.set(extracted)  # type: ignore[arg-type]


class SharingAgreementFactory(DjangoModelFactory[SharingAgreement]):
    """An agreement in force between every kind of organisation, for every category but
    safeguarding. Narrow it with `party_types` and `categories`."""

    class Meta:
        model = SharingAgreement
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"ISA-TEST-{n:03d}")
    title = "Early childhood services information-sharing agreement"
    party_types = factory.LazyFunction(lambda: [kind.value for kind in OrganisationType])
    categories = factory.LazyFunction(
        lambda: [
            DataCategory.IDENTITY.value,
            DataCategory.HEALTH.value,
            DataCategory.DEVELOPMENT.value,
            DataCategory.FAMILY_SUPPORT.value,
        ]
    )
    purpose = "Joined-up early childhood services"
    legal_basis = LegalBasis.PUBLIC_TASK
    starts_on = factory.LazyFunction(lambda: days_from_today(-365))
    review_on = factory.LazyFunction(lambda: days_from_today(365))
    ends_on = None
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def party_organisations(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.party_organisations.set(extracted)  # type: ignore[arg-type]


class SafeguardingShareFactory(DjangoModelFactory[SafeguardingShare]):
    class Meta:
        model = SafeguardingShare
        skip_postgeneration_save = True

    family = factory.SubFactory(FamilyFactory)
    person = None
    categories = factory.LazyFunction(lambda: [DataCategory.SAFEGUARDING.value])
    recipient_types = factory.LazyFunction(list)
    justification = "Concern about a child's safety; the parent could not be told"
    approved_by = factory.SubFactory(UserFactory)
    recorded_by = factory.SubFactory(UserFactory)
    recorded_by_team = factory.SubFactory(TeamFactory)
    starts_on = factory.LazyFunction(lambda: days_from_today(-7))
    ends_on = None

    @factory.post_generation
    def recipient_organisations(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.recipient_organisations.set(extracted)  # type: ignore[arg-type]


class BreakGlassAccessFactory(DjangoModelFactory[BreakGlassAccess]):
    """An open break-glass access, waiting for review."""

    class Meta:
        model = BreakGlassAccess

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.FAMILY_HUB_WORKER
    family = factory.SubFactory(FamilyFactory)
    reason = BreakGlassReason.TEAM_UNREACHABLE
    account = "Called out of hours about a baby; the health visiting team was closed"
    started_at = factory.LazyFunction(lambda: clock.now() - dt.timedelta(minutes=10))
    expires_at = factory.LazyFunction(lambda: clock.now() + dt.timedelta(hours=4))
