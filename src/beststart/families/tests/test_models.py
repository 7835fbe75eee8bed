"""The family record's tables: what the database guarantees, and the chronology is append-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from beststart.core.models import AppendOnlyError
from beststart.families.models import ChronologyEvent, Person, PersonKind
from beststart.families.names import name_key
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    InvolvementFactory,
    PersonFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def test_search_keys_follow_the_names_on_every_save() -> None:
    person = PersonFactory(given_name="Zoë", family_name="O'Brien-Smyth")
    assert (person.given_name_norm, person.family_name_norm) == ("zoe", "obriensmyth")
    assert person.family_name_key
    assert person.given_name_key
    person.family_name = "Smith"
    person.save()
    person.refresh_from_db()
    assert person.family_name_norm == "smith"
    assert person.family_name_key == name_key("Smyth") == name_key("Smith")


def test_full_name_and_an_unnamed_unborn_baby() -> None:
    assert PersonFactory.build(given_name="Ada", family_name="Quill").full_name == "Ada Quill"
    unborn = PersonFactory.build(unborn=True, family_name="Quill")
    assert unborn.full_name == "Unborn baby Quill"
    assert PersonFactory.build(nhs_number="9434765919").nhs_number_display == "943 476 5919"
    assert PersonFactory.build(nhs_number=None).nhs_number_display == ""


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), "0 weeks"),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 25), "7 weeks"),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 26), "1 months"),
        (dt.date(2025, 1, 31), dt.date(2026, 1, 30), "11 months"),
        (dt.date(2025, 1, 31), dt.date(2026, 1, 31), "12 months"),
        (dt.date(2024, 3, 15), dt.date(2026, 3, 14), "23 months"),
        (dt.date(2024, 3, 15), dt.date(2026, 3, 15), "2 years"),
        (dt.date(2021, 6, 1), dt.date(2026, 5, 31), "4 years"),
        (dt.date(2026, 3, 1), dt.date(2026, 2, 1), ""),  # not born yet on that day
    ],
)
def test_age_as_practitioners_say_it(born: dt.date, on: dt.date, age: str) -> None:
    assert PersonFactory.build(date_of_birth=born).age_on(on) == age


def test_an_unborn_baby_needs_a_due_date_and_everyone_else_a_date_of_birth() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(kind=PersonKind.UNBORN, date_of_birth=None, expected_delivery_date=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(kind=PersonKind.CHILD, date_of_birth=None)
    assert PersonFactory(unborn=True).date_of_birth is None


def test_an_nhs_number_belongs_to_one_person() -> None:
    first = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(nhs_number=first.nhs_number)
    PersonFactory(nhs_number=None)
    PersonFactory(nhs_number=None)  # many people have none recorded
    assert Person.objects.filter(nhs_number=None).count() == 2


def test_no_one_is_related_to_themselves() -> None:
    person = PersonFactory(parent=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(adult=person, child=person)


def test_an_involvement_cannot_end_before_it_starts() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        InvolvementFactory(started_on=dt.date(2026, 3, 2), ended_on=dt.date(2026, 3, 1))
    assert InvolvementFactory(started_on=dt.date(2026, 3, 2), ended_on=dt.date(2026, 3, 2))


# ---------------------------------------------------------------------------------------------
# The chronology is append-only


def test_the_orm_refuses_to_change_or_remove_a_chronology_event() -> None:
    event = ChronologyEventFactory(summary="Visit booked")
    event.summary = "Rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert ChronologyEvent.objects.get(pk=event.pk).summary == "Visit booked"


def test_queryset_writes_to_the_chronology_are_refused_by_the_database() -> None:
    event = ChronologyEventFactory(summary="Visit booked")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChronologyEvent.objects.filter(pk=event.pk).update(summary="Rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChronologyEvent.objects.filter(pk=event.pk).delete()
    assert ChronologyEvent.objects.get(pk=event.pk).summary == "Visit booked"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE families_chronologyevent SET summary = 'Rewritten' WHERE id = %s",
        "DELETE FROM families_chronologyevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_a_chronology_event(statement: str) -> None:
    event = ChronologyEventFactory(summary="Visit booked")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    assert ChronologyEvent.objects.get(pk=event.pk).summary == "Visit booked"
