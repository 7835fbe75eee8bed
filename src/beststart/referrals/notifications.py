"""E-mails about referrals: who is told of each change, what they are told, and how it is sent.

Every change of state tells the receiving team and the referrer (a family who referred
themselves, at the address they gave). The message names the reference, the service and the
new state, with a link: never the family's details, which stay behind the sign-in.

Messages are written to the outbox (`Notification`) inside the change's transaction and
delivered once it commits, through the backend `settings.NOTIFICATIONS` names: "outbox" holds
them (the demo and tests work offline), "email" uses Django's e-mail, "notify" GOV.UK Notify
through its official client. `beststart send_notifications` delivers any still queued."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from beststart.accounts.models import User
from beststart.core import clock
from beststart.referrals.models import Delivery, Notification, Referral, StepKind

logger = logging.getLogger(__name__)


class Backend(Protocol):
    name: str

    def send(self, notification: Notification) -> tuple[str, str]:
        """Deliver it: (the Delivery it ends in, the service's id for it or "")."""


class OutboxBackend:
    name = "outbox"

    def send(self, notification: Notification) -> tuple[str, str]:
        return Delivery.HELD, ""


class EmailBackend:
    name = "email"

    def send(self, notification: Notification) -> tuple[str, str]:
        send_mail(notification.subject, notification.body, None, [notification.to])
        return Delivery.SENT, ""


class NotifyBackend:
    """GOV.UK Notify, with one template whose subject and body are its personalisation."""

    name = "notify"

    def __init__(self, api_key: str, template_id: str) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(api_key)
        self.template_id = template_id

    def send(self, notification: Notification) -> tuple[str, str]:
        response = self.client.send_email_notification(
            email_address=notification.to,
            template_id=self.template_id,
            personalisation={"subject": notification.subject, "body": notification.body},
            reference=notification.referral.reference,
        )
        return Delivery.SENT, str(response.get("id", ""))


def backend() -> Backend:
    if settings.NOTIFICATIONS == "notify":
        return NotifyBackend(settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_ID)
    if settings.NOTIFICATIONS == "email":
        return EmailBackend()
    return OutboxBackend()


# ---------------------------------------------------------------------------------------------
# Who is told, and what


def _team_addresses(team_id: int) -> set[str]:
    return set(
        User.objects.filter(
            memberships__team_id=team_id, memberships__is_active=True, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def recipients(referral: Referral, *, acting_user_id: int | None) -> list[tuple[str, str]]:
    """(address, link) for each person to tell: the receiving team's members and the
    referrer, less whoever made the change. A family hears of its own referral through the
    status page only they have the link to."""
    staff_link = settings.SITE_URL + reverse("referrals:referral", args=[referral.pk])
    addresses = _team_addresses(referral.team_id)
    if referral.referrer_id is not None:
        referrer = User.objects.filter(pk=referral.referrer_id, is_active=True).first()
        if referrer is not None and referrer.email:
            addresses.add(referrer.email)
    if acting_user_id is not None:
        acting = User.objects.filter(pk=acting_user_id).values_list("email", flat=True).first()
        addresses.discard(acting or "")
    found = [(address, staff_link) for address in sorted(addresses)]
    if referral.status_token and referral.contact_email:
        family_link = settings.SITE_URL + reverse(
            "portal:referral-status", args=[referral.status_token]
        )
        found.append((referral.contact_email, family_link))
    return found


def message(referral: Referral, kind: str, link: str) -> tuple[str, str]:
    """The subject and body: the reference, the service and what happened. Nothing else."""
    what = StepKind(kind).label.lower()
    subject = f"Referral {referral.reference}: {what}"
    body = (
        f"Referral {referral.reference} to {referral.service.name}: {what}.\n\n"
        f"See where it is and what happens next:\n{link}\n\n"
        "This e-mail does not contain the family's details. Do not reply to it."
    )
    return subject, body


def queue(referral: Referral, kind: str, *, acting_user_id: int | None) -> list[Notification]:
    """Write the e-mails for a change to the outbox, and deliver them once the change
    commits. Call inside the change's transaction."""
    notifications = []
    for address, link in recipients(referral, acting_user_id=acting_user_id):
        subject, body = message(referral, kind, link)
        notifications.append(
            Notification.objects.create(referral=referral, to=address, subject=subject, body=body)
        )
    if notifications:
        ids = [notification.pk for notification in notifications]
        transaction.on_commit(lambda: deliver(ids))
    return notifications


def deliver(notification_ids: Iterable[int] | None = None) -> int:
    """Send queued notifications (these, or all still queued); returns how many went. A
    failure is logged by id, never by address, and left to try again."""
    pending = Notification.objects.filter(delivery=Delivery.QUEUED).select_related(
        "referral__service"
    )
    if notification_ids is not None:
        pending = pending.filter(pk__in=list(notification_ids))
    sender = backend()
    delivered = 0
    for notification in pending:
        try:
            outcome, delivery_id = sender.send(notification)
        except Exception as error:  # any failure of a remote service: keep it queued, go on
            # Not logger.exception: a mail server's error can quote the address.
            logger.warning(
                "notification %s could not be sent (%s)", notification.pk, type(error).__name__
            )
            continue
        Notification.objects.filter(pk=notification.pk).update(
            delivery=outcome, delivered_at=clock.now(), delivery_id=delivery_id
        )
        delivered += 1
    return delivered
