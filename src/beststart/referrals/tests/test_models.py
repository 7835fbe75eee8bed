"""The referral's own rules: its reference, when it is past its waiting-time target, what the
database refuses, and a history that is only ever added to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.tests.factories import TeamFactory
from beststart.core.models import AppendOnlyError
from beststart.referrals.models import (
    AWAITING_CONTACT,
    CLOSED,
    OPEN,
    Referral,
    ReferralStep,
    Status,
    id_of,
    reference_of,
)
from beststart.referrals.tests.factories import (
    ReferralFactory,
    ReferralServiceFactory,
    ReferralStepFactory,
)

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")


def test_every_status_is_open_or_closed_never_both() -> None:
    assert set(Status.values) == OPEN | CLOSED
    assert not OPEN & CLOSED
    assert AWAITING_CONTACT < OPEN


def test_reference() -> None:
    assert reference_of(42) == "REF-000042"
    assert reference_of(1234567) == "REF-1234567"
    assert id_of("REF-000042") == 42
    assert id_of(" ref-000042 ") == 42
    assert id_of("42") == 42
    assert id_of("REF-") is None
    assert id_of("REF-12a") is None
    assert id_of("") is None


@given(st.integers(min_value=1, max_value=10**9))
def test_reference_round_trip(referral_id: int) -> None:
    assert id_of(reference_of(referral_id)) == referral_id
    assert id_of(reference_of(referral_id).lower()) == referral_id


# ---------------------------------------------------------------------------------------------
# Waiting times

DUE = dt.date(2026, 6, 10)  # a Wednesday in summer time, when London is UTC+1


def waiting(status: str = Status.SUBMITTED, contacted_at: dt.datetime | None = None) -> Referral:
    return Referral(status=status, first_contact_due=DUE, contacted_at=contacted_at)


@pytest.mark.parametrize("status", sorted(AWAITING_CONTACT))
def test_waiting_is_breached_only_after_the_due_day(status: str) -> None:
    referral = waiting(status)
    assert not referral.is_breached(DUE - dt.timedelta(days=1))
    assert not referral.is_breached(DUE)  # due today is still in time
    assert referral.is_breached(DUE + dt.timedelta(days=1))


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_closed_without_contact_is_not_breached(status: str) -> None:
    assert not waiting(status).is_breached(DUE + dt.timedelta(days=30))


def test_contacted_in_time_stays_in_time() -> None:
    on_the_day = dt.datetime(2026, 6, 10, 16, 0, tzinfo=LONDON)
    for status in (Status.CONTACTED, Status.SUPPORT_STARTED, Status.COMPLETED):
        referral = waiting(status, contacted_at=on_the_day)
        assert not referral.is_breached(DUE + dt.timedelta(days=60))


def test_contacted_late_stays_breached() -> None:
    late = dt.datetime(2026, 6, 11, 9, 0, tzinfo=LONDON)
    for status in (Status.CONTACTED, Status.SUPPORT_STARTED, Status.COMPLETED, Status.DECLINED):
        referral = waiting(status, contacted_at=late)
        assert referral.is_breached(DUE + dt.timedelta(days=60))
        assert referral.is_breached(DUE + dt.timedelta(days=1))


def test_the_day_of_contact_is_the_local_day() -> None:
    # 23:30 UTC on the due day is half past midnight the next day in London: late.
    assert waiting(Status.CONTACTED, dt.datetime(2026, 6, 10, 23, 30, tzinfo=UTC)).is_breached(DUE)
    # 23:30 in London on the due day (22:30 UTC): in time.
    in_time = dt.datetime(2026, 6, 10, 23, 30, tzinfo=LONDON)
    assert not waiting(Status.CONTACTED, in_time).is_breached(DUE)


def test_names_and_state() -> None:
    referral = Referral(given_name="", family_name="Quillfeather", status=Status.CONTACTED)
    assert referral.person_name == "Quillfeather"
    assert referral.is_open
    referral.status = Status.WITHDRAWN
    assert not referral.is_open


# ---------------------------------------------------------------------------------------------
# What the database refuses


@pytest.mark.django_db
def test_someone_referred_has_a_date_of_birth_or_a_due_date() -> None:
    ReferralFactory(date_of_birth=None, expected_delivery_date=dt.date(2027, 2, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(date_of_birth=None, expected_delivery_date=None)


@pytest.mark.django_db
def test_a_senders_reference_is_used_once_per_team() -> None:
    team = TeamFactory()
    ReferralFactory(referrer_team=team, sender_reference="GP-1")
    ReferralFactory(referrer_team=TeamFactory(), sender_reference="GP-1")  # another sender
    ReferralFactory(referrer_team=team, sender_reference="")  # no reference: any number
    ReferralFactory(referrer_team=team, sender_reference="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(referrer_team=team, sender_reference="GP-1")


@pytest.mark.django_db
def test_a_waiting_time_target_is_at_least_a_day() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralServiceFactory(first_contact_days=0)


@pytest.mark.django_db
def test_steps_are_never_changed_or_removed() -> None:
    step = ReferralStepFactory(note="Sent to the hub")
    step.note = "Changed"
    with pytest.raises(AppendOnlyError):
        step.save()
    with pytest.raises(AppendOnlyError):
        step.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReferralStep.objects.filter(pk=step.pk).update(note="Changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReferralStep.objects.filter(pk=step.pk).delete()
    assert ReferralStep.objects.get(pk=step.pk).note == "Sent to the hub"
