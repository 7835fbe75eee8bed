"""Reads of referrals: who may open one (and the audit either way), the queues and their
filters, what each party can do next, possible duplicates and the dashboard's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent
from beststart.audit.models import Outcome as AuditOutcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.categories import AccessAction
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.referrals import selectors
from beststart.referrals.models import Referral, ReferralService, Status, StepKind
from beststart.referrals.selectors import QueueFilter, Scope
from beststart.referrals.tests.factories import (
    Cast,
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
    make_cast,
    set_clock,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # a Thursday; London keeps GMT
TODAY = NOW.date()


@pytest.fixture
def cast(world: World) -> Cast:
    return make_cast(world.actor, world.family)


def referral_of(cast: Cast, **fields: object) -> Referral:
    """A referral by the cast's referrer to the service, in the hub's queue."""
    return ReferralFactory(
        service=cast.service,
        referrer=cast.referrer.user,
        referrer_team=cast.referrer.team,
        **fields,
    )


def audited(actor: Actor, action: str, outcome: str = AuditOutcome.ALLOWED) -> list[int | None]:
    return list(
        AuditEvent.objects.filter(user_id=actor.user.pk, action=action, outcome=outcome)
        .order_by("id")
        .values_list("family_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# One referral


def test_the_three_parties_open_a_referral_and_are_audited(cast: Cast) -> None:
    referral = referral_of(cast, family=cast.family, person=cast.child)
    referrer_colleague = make_actor(Role.MIDWIFE, cast.referrer.team)
    for party in (cast.triage, cast.hub, cast.hub_colleague, cast.referrer, referrer_colleague):
        assert selectors.referral_for(party, referral.pk) == referral
        event = AuditEvent.objects.get(user_id=party.user.pk)
        assert (event.action, event.outcome) == (AccessAction.VIEW, AuditOutcome.ALLOWED)
        assert (event.family_id, event.person_id) == (cast.family.pk, cast.child.pk)
        assert event.category == cast.service.category
        assert "referral" in event.basis


@pytest.mark.parametrize(
    "role", [Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER, Role.COMMISSIONER, Role.PRIVACY_OFFICER]
)
def test_anyone_else_gets_the_404_and_is_audited(cast: Cast, role: str) -> None:
    referral = referral_of(cast, family=cast.family, person=cast.child)
    outsider = make_actor(role)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.referral_for(outsider, referral.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.referral_page(outsider, referral.pk)
    assert audited(outsider, AccessAction.VIEW, AuditOutcome.DENIED) == [cast.family.pk] * 2


def test_a_referral_that_does_not_exist_is_the_same_404(cast: Cast) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.referral_for(cast.triage, 999_999)


def test_the_referral_page(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, NOW)
    referral = referral_of(
        cast,
        submitted_at=dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC),
        first_contact_due=dt.date(2026, 12, 2),
    )
    page = selectors.referral_page(cast.hub, referral.pk)
    assert page.is_breached
    assert page.days_waiting == 5  # 27, 30 Nov, 1, 2, 3 Dec
    assert page.is_receiving_team
    assert not page.is_referrer
    assert page.duplicates == []  # the hub does not merge, so is not shown any


# ---------------------------------------------------------------------------------------------
# What each party can do next


def test_next_steps_by_party_and_state(cast: Cast) -> None:
    referral = referral_of(cast)
    assert selectors.next_steps(cast.hub, referral) == {
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.MATCHED,
        StepKind.ACCEPTED,
        StepKind.DECLINED,
    }
    assert selectors.next_steps(cast.triage, referral) == {
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.MATCHED,
        StepKind.DECLINED,
        StepKind.MERGED,
    }
    assert selectors.next_steps(cast.referrer, referral) == {
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
    }
    assert selectors.next_steps(cast.stranger, referral) == frozenset()
    assert selectors.next_steps(make_actor(Role.COMMISSIONER, cast.service.team), referral) == (
        frozenset()
    )

    referral.family, referral.person = cast.family, cast.child
    assert StepKind.MATCHED not in selectors.next_steps(cast.hub, referral)
    referral.status = Status.ACCEPTED
    assert selectors.next_steps(cast.hub, referral) == {
        StepKind.INFORMATION_REQUESTED,
        StepKind.CONTACTED,
        StepKind.DECLINED,
    }
    referral.status = Status.SUPPORT_STARTED
    assert selectors.next_steps(cast.hub, referral) == {StepKind.COMPLETED}
    assert selectors.next_steps(cast.referrer, referral) == {
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
    }
    referral.status = Status.COMPLETED
    for party in (cast.hub, cast.triage, cast.referrer):
        assert selectors.next_steps(party, referral) == frozenset()


def test_a_triage_officer_in_the_receiving_team_has_both_parts(cast: Cast) -> None:
    referral = referral_of(cast)
    both = make_actor(Role.TRIAGE_OFFICER, cast.service.team)
    assert selectors.next_steps(both, referral) == selectors.next_steps(
        cast.hub, referral
    ) | selectors.next_steps(cast.triage, referral)


# ---------------------------------------------------------------------------------------------
# Queues


def test_scopes() -> None:
    assert selectors.scopes_for(make_actor(Role.TRIAGE_OFFICER)) == [
        Scope.ALL,
        Scope.QUEUE,
        Scope.SENT,
    ]
    assert selectors.scopes_for(make_actor(Role.SCHOOL_STAFF)) == [Scope.QUEUE, Scope.SENT]
    assert selectors.scopes_for(make_actor(Role.COMMISSIONER)) == []
    assert selectors.scopes_for(make_actor(Role.PRIVACY_OFFICER)) == []


def shown(actor: Actor, **chosen: object) -> list[Referral]:
    return list(selectors.queue(actor, QueueFilter(**chosen)).object_list)  # type: ignore[arg-type]


def test_each_scope_shows_its_referrals(cast: Cast) -> None:
    incoming = referral_of(cast, family=cast.family, person=cast.child)
    elsewhere = ReferralFactory()  # another service's team, referred by someone else
    assert shown(cast.hub) == [incoming]
    assert shown(cast.hub, scope=Scope.SENT) == []
    assert shown(cast.referrer, scope=Scope.SENT) == [incoming]
    assert shown(cast.referrer) == []
    assert set(shown(cast.triage, scope=Scope.ALL)) == {incoming, elsewhere}
    assert shown(cast.triage) == []  # triage's own team's queue is empty
    with pytest.raises(NotFoundOrNotAllowed):
        shown(cast.hub, scope=Scope.ALL)
    with pytest.raises(NotFoundOrNotAllowed):
        shown(make_actor(Role.COMMISSIONER), scope=Scope.ALL)
    with pytest.raises(NotFoundOrNotAllowed):
        shown(make_actor(Role.COMMISSIONER), scope=Scope.QUEUE)


def test_every_referral_listed_is_audited(cast: Cast) -> None:
    matched = referral_of(cast, family=cast.family, person=cast.child)
    unmatched = referral_of(cast)
    referral_of(cast, status=Status.COMPLETED)  # closed: not on the open queue
    assert set(shown(cast.hub)) == {matched, unmatched}
    assert sorted(audited(cast.hub, AccessAction.LIST), key=str) == sorted(
        [cast.family.pk, None], key=str
    )


def test_status_filters(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    set_clock(monkeypatch, NOW)
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    due_today = referral_of(cast, first_contact_due=TODAY)
    late = referral_of(cast, first_contact_due=yesterday, status=Status.RECEIVED)
    late_accepted = referral_of(cast, first_contact_due=yesterday, status=Status.ACCEPTED)
    contacted_late = referral_of(
        cast, first_contact_due=yesterday, status=Status.CONTACTED, contacted_at=NOW
    )
    in_time = referral_of(cast, first_contact_due=tomorrow, status=Status.SUPPORT_STARTED)
    declined = referral_of(cast, status=Status.DECLINED)
    completed = referral_of(cast, status=Status.COMPLETED)
    merged = referral_of(cast, status=Status.MERGED)
    everything = {
        due_today,
        late,
        late_accepted,
        contacted_late,
        in_time,
        declined,
        completed,
        merged,
    }
    assert set(shown(cast.hub, status="open")) == {
        due_today,
        late,
        late_accepted,
        contacted_late,
        in_time,
    }
    assert set(shown(cast.hub, status="closed")) == {declined, completed, merged}
    # Waiting for first contact past the target: due today is still in time.
    assert set(shown(cast.hub, status="breached")) == {late, late_accepted}
    assert selectors.breached_count(cast.hub) == 2
    assert selectors.breached_count(cast.referrer) == 0
    assert set(shown(cast.hub, status="all")) == everything
    assert shown(cast.hub, status=Status.DECLINED) == [declined]
    other_service = ReferralServiceFactory(team=cast.service.team)
    theirs = ReferralFactory(service=other_service)
    assert shown(cast.hub, status="all", service_id=other_service.pk) == [theirs]


def test_open_referrals_come_most_urgent_first(cast: Cast) -> None:
    now = clock.now()
    later = referral_of(cast, first_contact_due=TODAY + dt.timedelta(days=5))
    soonest = referral_of(cast, first_contact_due=TODAY - dt.timedelta(days=2))
    same_day_newer = referral_of(
        cast, first_contact_due=TODAY, submitted_at=now - dt.timedelta(days=1)
    )
    same_day_older = referral_of(
        cast, first_contact_due=TODAY, submitted_at=now - dt.timedelta(days=3)
    )
    assert shown(cast.hub) == [soonest, same_day_older, same_day_newer, later]
    # Any other view: the newest first.
    assert shown(cast.hub, status="all") == [soonest, later, same_day_newer, same_day_older]


def test_a_queue_is_paged(cast: Cast) -> None:
    for _ in range(selectors.PAGE_SIZE + 2):
        referral_of(cast)
    first = selectors.queue(cast.hub, QueueFilter())
    assert len(first.object_list) == selectors.PAGE_SIZE
    second = selectors.queue(cast.hub, QueueFilter(), page_number="2")
    assert len(second.object_list) == 2
    assert len(audited(cast.hub, AccessAction.LIST)) == selectors.PAGE_SIZE + 2


# ---------------------------------------------------------------------------------------------
# Duplicates


def test_possible_duplicates(cast: Cast) -> None:
    born = clock.today() - dt.timedelta(days=400)
    referral = referral_of(cast, family_name="Quillfeather", date_of_birth=born)
    same = referral_of(cast, family_name="QUILLFEATHER", date_of_birth=born, given_name="Ro")
    same_family = referral_of(cast, family=cast.family, person=cast.mother)
    referral_of(cast, family_name="Quillfeather", date_of_birth=born, status=Status.WITHDRAWN)
    referral_of(cast, family_name="Quillfeather", date_of_birth=born - dt.timedelta(days=1))
    referral_of(cast, family_name="Featherquill", date_of_birth=born)
    unborn = referral_of(
        cast,
        family_name="Quillfeather",
        date_of_birth=None,
        expected_delivery_date=clock.today() + dt.timedelta(days=40),
    )

    assert selectors.possible_duplicates(cast.triage, referral) == [same]
    assert selectors.possible_duplicates(cast.triage, unborn) == []
    referral.family = cast.family
    assert set(selectors.possible_duplicates(cast.triage, referral)) == {same, same_family}
    assert sorted(audited(cast.triage, AccessAction.LIST), key=str) == sorted(
        [None, None, cast.family.pk], key=str
    )
    # Only referrals the actor is a party to.
    elsewhere = ReferralFactory(family_name="Quillfeather", date_of_birth=born)
    assert elsewhere in selectors.possible_duplicates(cast.triage, referral)
    assert elsewhere not in selectors.possible_duplicates(cast.hub, referral)


def test_triage_sees_possible_duplicates_on_the_page(cast: Cast) -> None:
    referral = referral_of(cast, family=cast.family, person=cast.child)
    again = referral_of(cast, family=cast.family, person=cast.child)
    assert selectors.referral_page(cast.triage, referral.pk).duplicates == [again]


# ---------------------------------------------------------------------------------------------
# The dashboard


def at(day: tuple[int, int, int]) -> dt.datetime:
    return dt.datetime(*day, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def hand_made(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Two services in two teams, with referrals in every part of the figures."""
    set_clock(monkeypatch, NOW)
    a = ReferralServiceFactory(name="A parenting", team=TeamFactory(name="A team"))
    b = ReferralServiceFactory(name="B speech", team=TeamFactory(name="B team"))

    def make(
        service: ReferralService,
        submitted: tuple[int, int, int],
        due: tuple[int, int, int],
        status: str,
        contacted: tuple[int, int, int] | None = None,
    ) -> Referral:
        return ReferralFactory(
            service=service,
            submitted_at=at(submitted),
            first_contact_due=dt.date(*due),
            status=status,
            contacted_at=at(contacted) if contacted else None,
            family_name="Quillfeather",
        )

    make(a, (2026, 12, 1), (2026, 12, 8), Status.SUBMITTED)  # waiting 2 days, in time
    make(a, (2026, 11, 20), (2026, 11, 27), Status.RECEIVED)  # waiting 9 days, breached
    make(a, (2026, 11, 2), (2026, 11, 9), Status.CONTACTED, (2026, 11, 6))  # in 4 days
    make(a, (2026, 11, 2), (2026, 11, 9), Status.COMPLETED, (2026, 11, 12))  # 8 days: late
    make(a, (2025, 6, 2), (2025, 6, 9), Status.COMPLETED, (2025, 6, 3))  # over a year ago
    make(a, (2025, 10, 1), (2025, 10, 8), Status.SUPPORT_STARTED, (2025, 10, 2))  # old, open
    make(b, (2026, 10, 1), (2026, 10, 8), Status.ACCEPTED)  # waiting 45 days, breached
    make(b, (2026, 12, 3), (2026, 12, 10), Status.SUBMITTED)  # made today
    make(b, (2026, 11, 10), (2026, 11, 17), Status.DECLINED)
    return {"a": a, "b": b}


def test_dashboard_figures(hand_made: dict[str, object]) -> None:
    commissioner = make_actor(Role.COMMISSIONER)
    board = selectors.dashboard(commissioner)
    assert board.since == dt.date(2025, 12, 3)
    first, second = board.services
    assert first.service == hand_made["a"]
    assert first.received == 4
    assert dict(first.by_status) == {
        Status.SUBMITTED: 1,
        Status.RECEIVED: 1,
        Status.CONTACTED: 1,
        Status.COMPLETED: 1,
    }
    assert (first.open, first.awaiting_contact, first.breached_now) == (4, 2, 1)
    assert (first.contacted, first.contacted_in_time) == (2, 1)
    assert first.in_time_percent == 50
    assert first.median_days_to_contact == 6
    assert second.service == hand_made["b"]
    assert second.received == 3
    assert (second.open, second.awaiting_contact, second.breached_now) == (2, 2, 1)
    assert second.in_time_percent is None
    assert second.median_days_to_contact is None

    assert [(queue.team.name, queue.bands, queue.breached) for queue in board.queues] == [
        ("A team", [1, 0, 1, 0, 0], 1),
        ("B team", [1, 0, 0, 0, 1], 1),
    ]
    assert board.largest_band == 1
    assert board.queues[0].total == 2
    assert len(board.age_bands) == 5
    # Counts only: no one is named anywhere in it.
    assert "Quillfeather" not in repr(board)
    assert "Rowan" not in repr(board)
    assert not AuditEvent.objects.exists()


def test_a_team_manager_sees_their_own_teams_queue(hand_made: dict[str, object]) -> None:
    a = hand_made["a"]
    manager = make_actor(Role.TEAM_MANAGER, a.team)  # type: ignore[attr-defined]
    board = selectors.dashboard(manager)
    assert [figures.service for figures in board.services] == [a]
    assert [queue.team.name for queue in board.queues] == ["A team"]
    triage = make_actor(Role.TRIAGE_OFFICER)
    assert len(selectors.dashboard(triage).services) == 2


@pytest.mark.parametrize(
    "role", [Role.HEALTH_VISITOR, Role.FAMILY_HUB_WORKER, Role.PRIVACY_OFFICER]
)
def test_the_dashboard_is_for_triage_managers_and_commissioners(role: str) -> None:
    actor = make_actor(role)
    assert not selectors.may_see_dashboard(actor)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.dashboard(actor)
    assert not selectors.may_see_dashboard(None)


# ---------------------------------------------------------------------------------------------
# Configuration and the public side


def test_routing_rules_are_for_triage_and_managers(cast: Cast) -> None:
    active = RoutingRuleFactory()
    RoutingRuleFactory(is_active=False)
    for role in (Role.TRIAGE_OFFICER, Role.TEAM_MANAGER):
        assert list(selectors.routing_rules(make_actor(role))) == [active]
    for role in (Role.FAMILY_HUB_WORKER, Role.COMMISSIONER):
        with pytest.raises(NotFoundOrNotAllowed):
            selectors.routing_rules(make_actor(role))


def test_receiving_teams_and_services(cast: Cast) -> None:
    closed = ReferralServiceFactory(is_active=False, accepts_self_referrals=True)
    practitioners_only = ReferralServiceFactory(accepts_self_referrals=False)
    queue_only = ReferralFactory().team
    assert cast.service.team in selectors.receiving_teams()
    assert queue_only in selectors.receiving_teams()
    assert cast.referrer.team not in selectors.receiving_teams()
    assert closed not in selectors.services_for_referral()
    assert practitioners_only in selectors.services_for_referral()
    assert practitioners_only not in selectors.self_referral_services()
    assert cast.service in selectors.self_referral_services()


def test_a_family_follows_its_referral_by_its_link_only(cast: Cast) -> None:
    referral = referral_of(cast, status_token="a" * 43)
    assert selectors.referral_by_token("a" * 43) == referral
    for wrong in ("", "b" * 43, "a" * 42):
        with pytest.raises(NotFoundOrNotAllowed):
            selectors.referral_by_token(wrong)
    referral_of(cast)  # no token
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.referral_by_token("")
