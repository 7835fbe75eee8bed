"""A moderate synthetic county, built once for this module and rolled back after it: realistic
families (twins, pregnancies), test-range NHS numbers only, every family open to its lead."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from beststart.core.identifiers import TEST_RANGE_PREFIX, is_valid_nhs_number
from beststart.demo.county import BuildReport, build_county
from beststart.families.models import Family, Person, PersonKind

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
