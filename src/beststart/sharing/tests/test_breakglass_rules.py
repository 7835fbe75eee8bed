"""Who may break the glass, and the rules of the review: a team that already works with the
family has no need to, roles that never see records cannot, every refusal is audited and
looks like a missing page, and a review that finds the access unjustified says why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.tests.test_views import error_summary, page
from beststart.sharing import actions
from beststart.sharing.models import BreakGlassAccess, BreakGlassReason, ReviewOutcome
from beststart.sharing.policy import PRACTITIONER_ROLES
from beststart.sharing.tests.factories import BreakGlassAccessFactory

pytestmark = pytest.mark.django_db

NON_PRACTITIONERS = [role for role in Role if role not in PRACTITIONER_ROLES]
VALID = {"reason": BreakGlassReason.MEDICAL_EMERGENCY, "account": "Collapsed at the hub"}


def test_a_team_that_already_works_with_the_family_is_refused(
    world: World, signed_in: Client
) -> None:
    url = f"/families/{world.family.pk}/break-glass/"
    for response in (signed_in.get(url), signed_in.post(url, VALID)):
        assert response.status_code == 404
        assert "Page not found" in page(response)
        denied = AuditEvent.objects.get(request_id=response["X-Request-Id"])
        assert (denied.family_id, denied.outcome) == (world.family.pk, Outcome.DENIED)
        assert denied.basis == "the actor's team already works with the family"
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("role", NON_PRACTITIONERS)
def test_roles_that_never_see_records_are_refused(
    role: str, world: World, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(make_actor(role, TeamFactory()))
    url = f"/families/{world.other_family.pk}/break-glass/"
    assert client.get(url).status_code == 404
    assert client.post(url, VALID).status_code == 404
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(outcome=Outcome.ALLOWED).exists()


def test_the_action_refuses_too_and_the_refusal_is_audited(world: World) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        actions.start_break_glass(actor=world.actor, family=world.family, **VALID)
    assert not BreakGlassAccess.objects.exists()
    assert AuditEvent.objects.get().outcome == Outcome.DENIED


def test_a_missing_family_is_a_404_like_any_refusal(signed_in: Client) -> None:
    assert signed_in.get("/families/99999/break-glass/").status_code == 404


def test_an_open_access_lets_the_user_view_never_change_nor_list(
    world: World, signed_in: Client
) -> None:
    actions.start_break_glass(actor=world.actor, family=world.other_family, **VALID)
    record = f"/families/{world.other_family.pk}/"
    assert signed_in.get(record).status_code == 200
    for change in ("members/new/", "address/", "involvements/new/"):
        assert signed_in.get(record + change).status_code == 404
    caseload = signed_in.get("/caseload/")
    assert world.other_family.name not in page(caseload)


def test_someone_elses_access_opens_nothing_for_the_actor(world: World, signed_in: Client) -> None:
    BreakGlassAccessFactory(family=world.other_family, team=world.actor.team)
    assert signed_in.get(f"/families/{world.other_family.pk}/").status_code == 404


def test_without_an_address_to_alert_nothing_is_sent_and_nothing_personal_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    access = BreakGlassAccessFactory(family=world.other_family)
    assert actions.alert_privacy_officers(access) == 0
    assert mail.outbox == []
    assert caplog.messages == [
        f"no privacy officer has an e-mail address to alert of {access.reference}"
    ]


# ---------------------------------------------------------------------------------------------
# Reviews


@pytest.fixture
def officer(db: None) -> Actor:
    return make_actor(Role.PRIVACY_OFFICER, TeamFactory())


def test_not_justified_needs_notes(officer: Actor, client_for: Callable[[Actor], Client]) -> None:
    access = BreakGlassAccessFactory()
    client = client_for(officer)
    url = f"/privacy/break-glass/{access.pk}/"
    response = client.post(url, {"outcome": ReviewOutcome.NOT_JUSTIFIED, "notes": " "})
    assert error_summary(response) == [
        ("id_notes", "Enter why the access was not justified and what will happen next")
    ]
    assert 'value="not_justified" checked' in page(response)
    access.refresh_from_db()
    assert not access.is_reviewed

    notes = "No emergency: the health visiting team was open. Raised with their manager."
    client.post(url, {"outcome": ReviewOutcome.NOT_JUSTIFIED, "notes": notes})
    access.refresh_from_db()
    assert (access.review_outcome, access.review_notes) == (ReviewOutcome.NOT_JUSTIFIED, notes)
    assert notes in page(client.get(url))


def test_the_review_action_refuses_a_second_review(officer: Actor) -> None:
    access = BreakGlassAccessFactory()
    actions.review_break_glass(
        actor=officer, access=access, outcome=ReviewOutcome.JUSTIFIED, notes=""
    )
    with pytest.raises(ValidationError, match="already been reviewed"):
        actions.review_break_glass(
            actor=officer, access=access, outcome=ReviewOutcome.NOT_JUSTIFIED, notes="Again"
        )


@pytest.mark.parametrize("role", [role for role in Role if role != Role.PRIVACY_OFFICER])
def test_only_privacy_officers_review(role: str, client_for: Callable[[Actor], Client]) -> None:
    actor = make_actor(role, TeamFactory())
    access = BreakGlassAccessFactory()
    client = client_for(actor)
    assert client.get("/privacy/").status_code == 404
    url = f"/privacy/break-glass/{access.pk}/"
    assert client.post(url, {"outcome": ReviewOutcome.JUSTIFIED}).status_code == 404
    access.refresh_from_db()
    assert not access.is_reviewed
    with pytest.raises(NotFoundOrNotAllowed):
        actions.review_break_glass(
            actor=actor, access=access, outcome=ReviewOutcome.JUSTIFIED, notes=""
        )


def test_what_the_review_page_shows_was_opened_is_bounded_by_the_access(
    officer: Actor, client_for: Callable[[Actor], Client], world: World
) -> None:
    """Only that user's audit rows for that family, from the start of the access to its
    expiry: not before, not after, not other families."""
    access = BreakGlassAccessFactory(user=world.actor.user, family=world.other_family)
    start = access.started_at

    def row(at: dt.datetime, family_id: int, basis: str) -> Any:
        return AuditEvent.objects.create(
            occurred_at=at,
            user_id=world.actor.user.pk,
            username=world.actor.user.username,
            role=world.actor.role,
            family_id=family_id,
            category="identity",
            action="view",
            outcome=Outcome.ALLOWED,
            basis=basis,
        )

    row(start - dt.timedelta(minutes=1), world.other_family.pk, "marker-before")
    row(start + dt.timedelta(minutes=1), world.other_family.pk, "marker-during")
    row(start + dt.timedelta(minutes=2), world.family.pk, "marker-other-family")
    row(access.expires_at, world.other_family.pk, "marker-after")
    text = page(client_for(officer).get(f"/privacy/break-glass/{access.pk}/"))
    assert "marker-during" in text
    for outside in ("marker-before", "marker-other-family", "marker-after"):
        assert outside not in text
    assert clock.now() < access.expires_at
    assert "Open until" in text


def test_an_access_still_open_is_not_opened_twice(world: World, signed_in: Client) -> None:
    first = actions.start_break_glass(actor=world.actor, family=world.other_family, **VALID)
    assert first.role == world.actor.role
    url = f"/families/{world.other_family.pk}/break-glass/"
    response = signed_in.get(url)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/families/{world.other_family.pk}/",
    )
    with pytest.raises(NotFoundOrNotAllowed):
        actions.start_break_glass(actor=world.actor, family=world.other_family, **VALID)
    assert list(BreakGlassAccess.objects.all()) == [first]
    assert len(mail.outbox) <= 1  # one alert for one access
