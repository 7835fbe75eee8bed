"""The audit is append-only: the ORM refuses to change or remove a row, and so does the
database itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from beststart.audit.models import AuditEvent, Outcome
from beststart.audit.tests.factories import AuditEventFactory
from beststart.core.models import AppendOnlyError

pytestmark = pytest.mark.django_db


def test_a_new_row_is_written() -> None:
    event = AuditEventFactory(outcome=Outcome.DENIED)
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.DENIED


def test_the_orm_refuses_to_change_a_row() -> None:
    event = AuditEventFactory()
    event.outcome = Outcome.DENIED
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.ALLOWED


def test_the_orm_refuses_to_remove_a_row() -> None:
    event = AuditEventFactory()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused_by_the_database() -> None:
    event = AuditEventFactory()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(outcome=Outcome.DENIED)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.outcome = Outcome.DENIED
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["outcome"])
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.ALLOWED


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s",
        "UPDATE audit_auditevent SET username = 'someone.else' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_a_row(statement: str) -> None:
    event = AuditEventFactory()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.outcome, kept.username) == (event.outcome, event.username)


def test_raw_sql_may_still_add_rows() -> None:
    before = AuditEvent.objects.count()
    AuditEventFactory.create_batch(3)
    assert AuditEvent.objects.count() == before + 3
