"""E-mails about referrals: who is told, what they are told (never the family's details),
that they go only once the change commits, and the three ways of sending them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from beststart.accounts.models import Membership, Role
from beststart.accounts.tests.factories import make_actor
from beststart.conftest import World
from beststart.referrals import actions, notifications
from beststart.referrals.models import Delivery, Notification, Referral, StepKind
from beststart.referrals.tests.factories import Cast, make_cast

pytestmark = pytest.mark.django_db

SITE = "https://beststart.example.org"


@pytest.fixture
def cast(world: World) -> Cast:
    return make_cast(world.actor, world.family)


@pytest.fixture
def referral(cast: Cast) -> Referral:
    return actions.submit_referral(actor=cast.referrer, details=cast.details())


def addresses(notes: list[Notification]) -> list[str]:
    return sorted(note.to for note in notes)


# ---------------------------------------------------------------------------------------------
# Who is told


def test_on_submission_the_receiving_team_is_told_not_the_referrer(
    cast: Cast, referral: Referral
) -> None:
    sent = Notification.objects.filter(referral=referral)
    assert sorted(sent.values_list("to", flat=True)) == [
        "hub.colleague@example.org",
        "hub.worker@example.org",
    ]


def test_each_change_tells_the_team_and_the_referrer_but_not_whoever_made_it(
    cast: Cast, referral: Referral
) -> None:
    make_actor(Role.FAMILY_HUB_WORKER, cast.service.team)  # no e-mail address
    left = make_actor(Role.FAMILY_HUB_WORKER, cast.service.team, email="left@example.org")
    Membership.objects.filter(pk=left.membership.pk).update(is_active=False)
    gone = make_actor(Role.FAMILY_HUB_WORKER, cast.service.team, email="gone@example.org")
    gone.user.is_active = False
    gone.user.save()
    notes = notifications.queue(referral, StepKind.RECEIVED, acting_user_id=cast.hub.user.pk)
    assert addresses(notes) == ["hub.colleague@example.org", "referrer@example.org"]
    # Triage acting: everyone in the team and the referrer.
    notes = notifications.queue(referral, StepKind.ROUTED, acting_user_id=cast.triage.user.pk)
    assert addresses(notes) == [
        "hub.colleague@example.org",
        "hub.worker@example.org",
        "referrer@example.org",
    ]


def test_a_family_that_referred_itself_is_sent_its_own_link(cast: Cast) -> None:
    details = cast.details(matched=False)
    details = replace(details, person=replace(details.person, contact_email="family@example.org"))
    referral = actions.submit_self_referral(details=details)
    assert referral.status_token
    family_note = Notification.objects.get(referral=referral, to="family@example.org")
    assert f"/referral-status/{referral.status_token}/" in family_note.body
    staff_note = Notification.objects.get(referral=referral, to="hub.worker@example.org")
    assert referral.status_token not in staff_note.body


# ---------------------------------------------------------------------------------------------
# What they are told


@override_settings(SITE_URL=SITE)
def test_a_message_carries_the_reference_the_service_and_a_link_only(
    cast: Cast, referral: Referral
) -> None:
    actions.mark_received(actor=cast.hub, referral=referral)
    notes = list(Notification.objects.filter(referral=referral))
    assert notes
    referral.refresh_from_db()
    secrets = [
        referral.given_name,
        referral.family_name,
        cast.child.given_name,
        cast.child.family_name,
        cast.family.name,
        referral.postcode,
        referral.contact_name,
        referral.contact_phone,
        referral.reason,
        referral.reason[:20],
        f"{referral.date_of_birth:%d/%m/%Y}",
        f"{referral.date_of_birth:%-d %B %Y}",
        referral.date_of_birth.isoformat() if referral.date_of_birth else "",
    ]
    for note in notes:
        assert referral.reference in note.subject
        assert referral.reference in note.body
        assert "Parenting support" in note.body
        assert f"/referrals/{referral.pk}/" in note.body
        for secret in secrets:
            assert secret not in note.subject
            assert secret not in note.body
    received = Notification.objects.filter(referral=referral, subject__endswith="received")
    assert received.count() == 2
    assert all(f"\n{SITE}/referrals/{referral.pk}/\n" in note.body for note in received)


# ---------------------------------------------------------------------------------------------
# When they go


def test_delivered_only_once_the_change_commits(
    cast: Cast, referral: Referral, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        actions.mark_received(actor=cast.hub, referral=referral)
    queued = Notification.objects.filter(referral=referral, subject__endswith="received")
    assert {note.delivery for note in queued} == {Delivery.QUEUED}
    assert len(callbacks) == 1
    callbacks[0]()
    assert {note.delivery for note in queued.all()} == {Delivery.HELD}  # the outbox backend
    assert all(note.delivered_at for note in queued.all())


def test_a_rolled_back_change_sends_nothing(
    cast: Cast, referral: Referral, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = Notification.objects.count()

    def received_then_failed() -> None:
        with transaction.atomic():
            actions.mark_received(actor=cast.hub, referral=referral)
            raise RuntimeError("something later in the request failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            received_then_failed()
        with pytest.raises(ValidationError):
            actions.decline(actor=cast.hub, referral=referral, reason="not a reason")
    assert callbacks == []
    assert Notification.objects.count() == before
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# How they are sent


class FakeNotify:
    """Stands in for GOV.UK Notify's client: records what it was asked, never goes online."""

    made: list[FakeNotify] = []
    fail = False

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.sent: list[dict[str, Any]] = []
        FakeNotify.made.append(self)

    def send_email_notification(self, **kwargs: Any) -> dict[str, Any]:
        if FakeNotify.fail:
            raise RuntimeError(f"400 Bad Request: cannot send to {kwargs['email_address']}")
        self.sent.append(kwargs)
        return {"id": f"notify-{len(self.sent)}", "reference": kwargs.get("reference")}


@pytest.fixture
def fake_notify(monkeypatch: pytest.MonkeyPatch) -> type[FakeNotify]:
    from notifications_python_client import notifications as client

    FakeNotify.made, FakeNotify.fail = [], False
    monkeypatch.setattr(client, "NotificationsAPIClient", FakeNotify)
    return FakeNotify


@override_settings(
    NOTIFICATIONS="notify", NOTIFY_API_KEY="test-key", NOTIFY_TEMPLATE_ID="template-1"
)
def test_notify_is_called_with_the_template_and_the_id_is_kept(
    referral: Referral, fake_notify: type[FakeNotify]
) -> None:
    queued = list(Notification.objects.filter(referral=referral).order_by("id"))
    assert notifications.deliver([note.pk for note in queued]) == 2
    (client,) = fake_notify.made
    assert client.api_key == "test-key"
    assert sorted(client.sent, key=lambda call: call["email_address"]) == [
        {
            "email_address": note.to,
            "template_id": "template-1",
            "personalisation": {"subject": note.subject, "body": note.body},
            "reference": referral.reference,
        }
        for note in sorted(queued, key=lambda note: note.to)
    ]
    stored = Notification.objects.filter(referral=referral)
    assert {note.to: (note.delivery, note.delivery_id) for note in stored} == {
        call["email_address"]: (Delivery.SENT, f"notify-{number}")
        for number, call in enumerate(client.sent, start=1)
    }
    assert notifications.deliver() == 0  # nothing left queued


@override_settings(
    NOTIFICATIONS="notify", NOTIFY_API_KEY="test-key", NOTIFY_TEMPLATE_ID="template-1"
)
def test_a_failure_stays_queued_and_is_logged_by_id_only(
    referral: Referral, fake_notify: type[FakeNotify], caplog: pytest.LogCaptureFixture
) -> None:
    fake_notify.fail = True
    queued = list(Notification.objects.filter(referral=referral))
    with caplog.at_level(logging.WARNING, logger="beststart.referrals.notifications"):
        assert notifications.deliver() == 0
    assert {note.delivery for note in Notification.objects.filter(referral=referral)} == {
        Delivery.QUEUED
    }
    logged = "\n".join(
        record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    for note in queued:
        assert f"notification {note.pk} could not be sent" in logged
        assert note.to not in logged
    # Tried again later, it goes.
    fake_notify.fail = False
    assert notifications.deliver() == len(queued)


@override_settings(NOTIFICATIONS="email")
def test_the_email_backend_uses_djangos_mail(referral: Referral) -> None:
    assert notifications.deliver() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "hub.colleague@example.org",
        "hub.worker@example.org",
    ]
    assert mail.outbox[0].subject == f"Referral {referral.reference}: submitted"
    assert {note.delivery for note in Notification.objects.all()} == {Delivery.SENT}


def test_the_outbox_backend_holds_them(referral: Referral) -> None:
    assert notifications.backend().name == "outbox"
    assert notifications.deliver() == 2
    assert {note.delivery for note in Notification.objects.all()} == {Delivery.HELD}
    assert mail.outbox == []
