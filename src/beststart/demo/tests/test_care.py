"""The demo county's Healthy Child Programme: the same seed builds the same reviews and
immunisations, at about England's rates, and the demo health visitor has a worklist with
something overdue on it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from beststart.accounts.actors import actor_for
from beststart.accounts.models import User
from beststart.care import selectors
from beststart.care.models import Contact, Immunisation, ReviewKind
from beststart.care.schedule import Status
from beststart.core import clock
from beststart.demo.county import build_county
from beststart.families.models import ChronologyEvent, EventKind

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def described() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "contacts": list(
            Contact.objects.order_by("id").values_list(
                "person__nhs_number",
                "kind",
                "contact_date",
                "breastfeeding",
                "weight_grams",
                "practitioner__first_name",  # not the username: it carries a team id,
                "practitioner__last_name",  # which PostgreSQL does not reuse after a rollback
            )
        ),
        "immunisations": list(
            Immunisation.objects.order_by("id").values_list(
                "person__nhs_number", "vaccine", "status", "on_date", "place"
            )
        ),
    }


def test_the_same_seed_builds_the_same_programme() -> None:
    runs = []
    for _ in range(2):
        with transaction.atomic():
            build_county(families=60, seed=5, today=TODAY)
            runs.append(described())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0]["contacts"]
    assert runs[0]["immunisations"]


@pytest.fixture(scope="module")
def county(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        build_county(families=800, seed=2, today=TODAY)
        yield
        transaction.set_rollback(True)


def share(values: list[Any], wanted: object) -> float:
    return Counter(values)[wanted] / len(values)


@pytest.mark.usefixtures("county")
def test_reviews_feeding_and_smoking_are_at_about_englands_rates() -> None:
    visits = Contact.objects.filter(kind=ReviewKind.NEW_BIRTH)
    days = [
        (contact.contact_date - contact.person.date_of_birth).days
        for contact in visits.select_related("person")
    ]
    assert 0.85 < sum(1 for day in days if day <= 14) / len(days) < 0.97
    at_birth = list(visits.values_list("breastfeeding", flat=True))
    assert 0.6 < 1 - share(at_birth, "not") < 0.8
    six_weeks = list(
        Contact.objects.filter(kind=ReviewKind.SIX_TO_EIGHT_WEEKS).values_list(
            "breastfeeding", flat=True
        )
    )
    assert 0.38 < 1 - share(six_weeks, "not") < 0.58
    assert 0.02 < share(list(visits.values_list("smoking_at_delivery", flat=True)), "smoker") < 0.14
    asq = list(
        Contact.objects.filter(kind__in=[ReviewKind.ONE_YEAR, ReviewKind.TWO_YEARS]).values_list(
            "asq3_used", flat=True
        )
    )
    assert share(asq, True) > 0.8
    statuses = list(Immunisation.objects.values_list("status", flat=True))
    assert 0.005 < share(statuses, "declined") < 0.05
    assert ChronologyEvent.objects.filter(kind=EventKind.CONTACT).count() == Contact.objects.count()


@pytest.mark.usefixtures("county")
def test_the_demo_health_visitor_has_overdue_reviews_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    actor = actor_for(User.objects.get(username="health.visitor"))
    assert actor is not None
    mine = selectors.worklist(actor, mine=True)
    assert mine.children > 0
    team = selectors.worklist(actor)
    assert team.overdue > 0
    assert team.due > 0
    assert any(
        review.status == Status.OVERDUE for row in team.page.object_list for review in row.reviews
    )
