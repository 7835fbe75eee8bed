"""Break-glass from end to end: the identity check finds someone another team knows, the
practitioner asks for emergency access, the record opens for viewing only, the privacy
officers get an alert with nothing in it but a reference and a path, the record closes again
when the access expires, and a privacy officer reviews it, once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import ChronologyEvent, EventKind, Family, PersonKind
from beststart.families.tests.test_views import date_parts, error_summary, page
from beststart.sharing.models import BreakGlassAccess, BreakGlassReason, ReviewOutcome
from beststart.sharing.policy import BREAK_GLASS_HOURS

pytestmark = pytest.mark.django_db

ACCOUNT = "Police called out of hours about the baby; the health visiting team was closed"


@pytest.fixture
def privacy_officer(db: None) -> Actor:
    return make_actor(Role.PRIVACY_OFFICER, TeamFactory(), email="caldicott@example.test")


@pytest.fixture
def silent_officers(db: None) -> None:
    """A privacy officer with no e-mail address, and a former one who has left the role."""
    make_actor(Role.PRIVACY_OFFICER, TeamFactory(), email="")
    former = make_actor(Role.PRIVACY_OFFICER, TeamFactory(), email="former@example.test")
    Membership.objects.filter(user=former.user).update(is_active=False)


UNCOMMON_GIVEN_NAMES = ["Ysolde", "Quillon", "Zebedine", "Perpetua", "Oswin", "Marigold"]


def markers(family: Family) -> list[str]:
    """What must never reach an alert or the break-glass page: names, NHS numbers, address."""
    found = [family.name, family.name.removesuffix(" family")]
    for person in family.members.all():
        found += [person.full_name, person.given_name]
        if person.nhs_number:
            found += [person.nhs_number, person.nhs_number_display]
    found += [address.line_1 for address in family.addresses.all()]
    return found


def identity_check(client: Client, family: Family) -> Any:
    mother = family.members.get(kind=PersonKind.PARENT)
    return client.post(
        "/families/new/",
        {
            "step": "check",
            "given_name": mother.given_name,
            "family_name": mother.family_name,
            **date_parts("date_of_birth", mother.date_of_birth),
        },
    )


def move_clock(monkeypatch: pytest.MonkeyPatch, to: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: to)
    monkeypatch.setattr(clock, "today", lambda: to.date())


def test_break_glass_from_the_identity_check_to_the_review(
    world: World,
    signed_in: Client,
    privacy_officer: Actor,
    silent_officers: None,
    client_for: Callable[[Actor], Client],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    family = world.other_family  # only the family hub works with it
    # Names no staff member has, so a staff name on a page cannot pass for a leaked one.
    for person, name in zip(family.members.all(), UNCOMMON_GIVEN_NAMES, strict=False):
        person.given_name = name
        person.save()
    record = f"/families/{family.pk}/"
    page_url = f"{record}break-glass/"

    # The identity check finds the mother, and offers emergency access, not her record.
    check = identity_check(signed_in, family)
    assert f'href="{page_url}"' in page(check)
    assert f'href="{record}"' not in page(check)
    assert signed_in.get(record).status_code == 404

    # The page shows the record number and nothing else about the family.
    form = signed_in.get(page_url)
    assert form.status_code == 200
    assert f"Family record {family.pk}" in page(form)
    assert f"for {BREAK_GLASS_HOURS} hours" in page(form)
    assert "privacy officer will review" in page(form)
    assert not [marker for marker in markers(family) if marker in page(form)]
    asked = AuditEvent.objects.get(request_id=form["X-Request-Id"])
    assert (asked.family_id, asked.outcome, asked.action) == (
        family.pk,
        Outcome.ALLOWED,
        AccessAction.IDENTITY_CHECK,
    )

    # A reason and an account are both needed; nothing is started without them.
    empty = signed_in.post(page_url, {"account": "  "})
    assert [message for _, message in error_summary(empty)] == [
        "Select why you need emergency access",
        "Enter what has happened and why you need the record now",
    ]
    assert not BreakGlassAccess.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = signed_in.post(
            page_url, {"reason": BreakGlassReason.RISK_OF_HARM, "account": ACCOUNT}
        )
    assert started.status_code == 302
    assert started["Location"] == record
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.team, access.family, access.account) == (
        world.actor.user,
        world.actor.team,
        family,
        ACCOUNT,
    )
    assert access.expires_at - access.started_at == dt.timedelta(hours=BREAK_GLASS_HOURS)
    event = ChronologyEvent.objects.get(family=family, kind=EventKind.BREAK_GLASS)
    assert event.category == DataCategory.IDENTITY
    assert event.summary == (
        f"{world.actor.team.name} used emergency access to this record ({access.reference})"
    )
    assert AuditEvent.objects.filter(
        family_id=family.pk, action=AccessAction.CREATE, basis__endswith=access.reference
    ).exists()

    # One alert, to the one active privacy officer with an address: a reference and a path.
    [alert] = mail.outbox
    assert alert.to == ["caldicott@example.test"]
    review_path = f"/privacy/break-glass/{access.pk}/"
    assert access.reference in alert.subject
    assert access.reference in alert.body
    assert review_path in alert.body
    text = alert.subject + alert.body
    forbidden = [
        *markers(family),
        ACCOUNT,
        BreakGlassReason.RISK_OF_HARM.label,
        world.actor.user.get_full_name(),
        world.actor.user.username,
        world.actor.team.name,
        record,
    ]
    assert not [marker for marker in forbidden if marker in text]

    # The record opens, to view only, with a banner saying until when and the reference.
    opened = signed_in.get(record)
    assert opened.status_code == 200
    until = f"{timezone.localtime(access.expires_at):%H:%M}"
    assert f"Emergency access until {until}, reference {access.reference}" in page(opened)
    assert re.fullmatch(r"BG-\d{6}", access.reference)
    viewed = AuditEvent.objects.get(
        request_id=opened["X-Request-Id"], category=DataCategory.IDENTITY, person_id=None
    )
    assert viewed.basis == f"break-glass emergency access {access.reference}"
    assert "safeguarding-shares/new/" not in page(opened)
    assert signed_in.get(f"{record}address/").status_code == 404  # no changes

    # Past its expiry, the record answers 404 again.
    move_clock(monkeypatch, access.expires_at + dt.timedelta(minutes=1))
    assert signed_in.get(record).status_code == 404

    # The privacy officer sees it waiting, expired, with no family named.
    officer = client_for(privacy_officer)
    home = officer.get("/privacy/")
    assert home.status_code == 200
    waiting = page(home).split('id="reviewed"')[0]
    assert access.reference in waiting
    assert "Expired" in waiting
    assert "Health visitor" in waiting
    assert BreakGlassReason.RISK_OF_HARM.label in waiting
    assert not [marker for marker in markers(family) if marker in page(home)]

    # The review page has it in full, with what was opened while the access lasted.
    review = officer.get(review_path)
    assert review.status_code == 200
    for shown in (ACCOUNT, world.actor.user.username, world.actor.team.name, "Viewed: identity"):
        assert shown in page(review)
    assert f"break-glass emergency access {access.reference}" in page(review)
    assert AuditEvent.objects.filter(
        request_id=review["X-Request-Id"],
        family_id=family.pk,
        action=AccessAction.AUDIT_QUERY,
        outcome=Outcome.ALLOWED,
    ).exists()

    reviewed = officer.post(review_path, {"outcome": ReviewOutcome.JUSTIFIED, "notes": ""})
    assert reviewed.status_code == 302
    assert reviewed["Location"] == "/privacy/"
    access.refresh_from_db()
    assert access.review_outcome == ReviewOutcome.JUSTIFIED
    assert access.reviewed_by == privacy_officer.user
    assert access.reviewed_at == access.expires_at + dt.timedelta(minutes=1)
    after = officer.get("/privacy/")
    assert f"{access.reference} reviewed: justified" in page(after)
    assert access.reference in page(after).split('id="reviewed"')[1]
    assert AuditEvent.objects.filter(
        family_id=family.pk, action=AccessAction.UPDATE, basis__contains="review of BG-"
    ).exists()

    # A second review is refused, and says why; the first stands.
    again = officer.post(
        review_path, {"outcome": ReviewOutcome.NOT_JUSTIFIED, "notes": "Changed my mind"}
    )
    assert again.status_code == 200
    assert error_summary(again) == [
        (
            "",
            f"{access.reference} has already been reviewed (justified): a review cannot be changed",
        )
    ]
    access.refresh_from_db()
    assert (access.review_outcome, access.review_notes) == (ReviewOutcome.JUSTIFIED, "")
