"""The synthetic county is deterministic: the same seed and date build the same county."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from beststart.demo.county import BuildReport, build_county
from beststart.families.models import Address, Family, Involvement, Person

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """The county as people would describe it: no database ids."""
    return {
        "families": list(Family.objects.order_by("id").values_list("name")),
        "people": list(
            Person.objects.order_by("id").values_list(
                "kind",
                "given_name",
                "family_name",
                "sex",
                "date_of_birth",
                "expected_delivery_date",
                "nhs_number",
            )
        ),
        "addresses": list(
            Address.objects.order_by("id").values_list(
                "family__name", "line_1", "town", "postcode", "moved_in", "moved_out", "is_withheld"
            )
        ),
        "involvements": list(
            Involvement.objects.order_by("id").values_list(
                "family__name",
                "team__name",
                "practitioner__first_name",
                "practitioner__last_name",
                "is_lead",
                "started_on",
                "ended_on",
            )
        ),
    }


def build(families: int, seed: int) -> tuple[BuildReport, dict[str, list[tuple[Any, ...]]]]:
    """Build a county, describe it, and roll it back, leaving the database as it was."""
    with transaction.atomic():
        report = build_county(families=families, seed=seed, today=TODAY)
        described = snapshot()
        transaction.set_rollback(True)
    return report, described


def test_the_same_seed_and_date_build_the_same_county() -> None:
    first_report, first = build(40, seed=7)
    second_report, second = build(40, seed=7)
    assert Family.objects.count() == 0
    assert first == second
    assert first_report.sign_ins == second_report.sign_ins
    assert (first_report.families, first_report.people) == (40, len(first["people"]))
    assert len(first["families"]) == 40


def test_another_seed_builds_another_county() -> None:
    _, seven = build(40, seed=7)
    _, eight = build(40, seed=8)
    assert seven["people"] != eight["people"]
