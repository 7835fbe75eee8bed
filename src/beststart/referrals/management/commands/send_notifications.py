"""Deliver referral e-mails still waiting in the outbox (after a failure, or from a process
that stopped before its commit hook ran)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from beststart.referrals.models import Delivery, Notification
from beststart.referrals.notifications import deliver


class Command(BaseCommand):
    help = "Send the referral notifications still queued in the outbox."

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = Notification.objects.filter(delivery=Delivery.QUEUED).count()
        sent = deliver()
        self.stdout.write(f"{sent} of {waiting} queued notifications delivered")
