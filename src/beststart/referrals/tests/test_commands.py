"""`beststart send_notifications` delivers what the outbox still holds, and only that."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from beststart.referrals.models import Delivery, Notification
from beststart.referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _notification(delivery: str) -> Notification:
    return Notification.objects.create(
        referral=ReferralFactory(),
        to="team@example.org",
        subject="Referral: submitted",
        body="A link",
        delivery=delivery,
    )


def test_sends_the_queued_and_leaves_the_delivered_alone() -> None:
    queued = _notification(Delivery.QUEUED)
    held = _notification(Delivery.HELD)
    output = StringIO()

    call_command("send_notifications", stdout=output)

    assert output.getvalue().strip() == "1 of 1 queued notifications delivered"
    queued.refresh_from_db()
    assert queued.delivery == Delivery.HELD  # the default backend: the outbox
    assert queued.delivered_at is not None
    held.refresh_from_db()
    assert held.delivered_at is None
