"""A moderate synthetic county, built once for this module and rolled back after it: realistic
families (twins, pregnancies), test-range NHS numbers only, every family open to its lead."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from beststart.core.categories import DataCategory
from beststart.core.identifiers import TEST_RANGE_PREFIX, is_valid_nhs_number
from beststart.demo.county import BuildReport, build_county
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    Person,
    PersonKind,
)
from beststart.sharing.models import (
    BreakGlassAccess,
    Consent,
    ConsentState,
    SafeguardingShare,
    SharingAgreement,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def county(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[BuildReport]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_county(families=600, seed=1, today=TODAY)
        transaction.set_rollback(True)


def test_every_nhs_number_is_a_valid_test_range_number(county: BuildReport) -> None:
    numbers = list(Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    assert len(numbers) > 0.8 * Person.objects.count()
    assert all(n.startswith(TEST_RANGE_PREFIX) and is_valid_nhs_number(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert not Person.objects.filter(kind=PersonKind.UNBORN).exclude(nhs_number=None).exists()


def test_there_are_twins_and_unborn_children(county: BuildReport) -> None:
    births = Counter(
        Person.objects.filter(kind=PersonKind.CHILD).values_list(
            "memberships__family", "date_of_birth"
        )
    )
    assert any(count >= 2 for count in births.values()), "no twins in 600 families"
    unborn = Person.objects.filter(kind=PersonKind.UNBORN)
    assert unborn.exists()
    assert all(p.expected_delivery_date > TODAY and p.date_of_birth is None for p in unborn)
    assert county.people == Person.objects.count()


def test_every_family_has_a_current_address_and_an_active_lead(county: BuildReport) -> None:
    families = Family.objects.prefetch_related("addresses", "involvements", "members")
    assert families.count() == 600
    for family in families:
        current = [a for a in family.addresses.all() if a.moved_out is None]
        assert len(current) == 1, family.pk
        assert current[0].postcode.startswith("XW")
        leads = [i for i in family.involvements.all() if i.is_lead and i.is_active_on(TODAY)]
        assert len(leads) == 1, family.pk
        assert current[0].recorded_by_team == leads[0].team
        kinds = {p.kind for p in family.members.all()}
        assert PersonKind.PARENT in kinds
        assert kinds & {PersonKind.CHILD, PersonKind.UNBORN}


def test_every_child_is_born_before_the_reference_date_and_under_about_ten(
    county: BuildReport,
) -> None:
    children = Person.objects.filter(kind=PersonKind.CHILD)
    assert all(TODAY - dt.timedelta(days=10 * 366) <= c.date_of_birth <= TODAY for c in children)


def test_one_sign_in_per_role(county: BuildReport) -> None:
    usernames = [username for username, _, _ in county.sign_ins]
    assert len(usernames) == 11 == len(set(usernames))
    assert {"health.visitor", "commissioner", "privacy"} <= set(usernames)


def test_families_have_varied_consents(county: BuildReport) -> None:
    states = Counter(consent.state_on(TODAY) for consent in Consent.objects.all())
    assert {ConsentState.IN_FORCE, ConsentState.EXPIRED, ConsentState.WITHDRAWN} <= set(states)
    assert states[ConsentState.IN_FORCE] > states[ConsentState.WITHDRAWN]
    # A child's consent is given by the mother, who holds parental responsibility.
    for consent in Consent.objects.filter(person__kind=PersonKind.CHILD)[:50]:
        assert consent.person.relationships_as_child.get(
            adult=consent.given_by
        ).has_parental_responsibility


def test_agencies_record_every_category_and_some_notes_are_sealed(county: BuildReport) -> None:
    notes = ChronologyEvent.objects.filter(kind=EventKind.NOTE)
    assert set(notes.values_list("category", flat=True)) == set(DataCategory) - {
        DataCategory.IDENTITY
    }
    assert notes.filter(is_sealed=True).exists()


def test_the_privacy_officer_has_exceptions_to_deal_with(county: BuildReport) -> None:
    assert Address.objects.filter(is_withheld=True, moved_out=None).exists()
    share = SafeguardingShare.objects.get()
    assert DataCategory.SAFEGUARDING in share.categories
    assert share.approved_by.username == "manager"
    waiting = BreakGlassAccess.objects.filter(review_outcome="")
    assert waiting.count() == 1
    assert BreakGlassAccess.objects.exclude(review_outcome="").count() == 1
    agreements = {agreement.reference: agreement for agreement in SharingAgreement.objects.all()}
    assert agreements["ISA-WS-001"].is_in_force(TODAY)
    assert not agreements["ISA-WS-000"].is_in_force(TODAY)


def test_siblings_are_born_at_least_ten_months_apart_unless_twins(county: BuildReport) -> None:
    for family in Family.objects.prefetch_related("members")[:300]:
        births = sorted(
            {p.date_of_birth for p in family.members.all() if p.kind == PersonKind.CHILD}
        )
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(births)]
        assert all(gap >= 300 for gap in gaps), (family.name, births)
