"""The demo county's referrals: every state, steps that tell a consistent story in time order,
routing as the rules say, what accepting writes, and what each demo sign-in should find."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoDbBlocker

from beststart.accounts.actors import Actor, actor_for
from beststart.accounts.models import User
from beststart.core import clock
from beststart.demo.county import build_county
from beststart.demo.referrals import _typo, working_moment
from beststart.families.models import ChronologyEvent, EventKind, FamilyMember, Involvement
from beststart.referrals import selectors
from beststart.referrals.actions import first_contact_due
from beststart.referrals.models import (
    AWAITING_CONTACT,
    CLOSED,
    OPEN,
    DeclineReason,
    Outcome,
    Referral,
    ReferralStep,
    RoutingRule,
    Source,
    Status,
    StepKind,
)
from beststart.referrals.routing import Case, choose_rule
from beststart.referrals.working_days import is_working_day, working_days_between
from beststart.sharing.models import Consent, SharingPurpose

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 3)  # a Wednesday
K = StepKind


def _describe() -> list[Any]:
    """The referrals and their steps as people would describe them: no database ids."""
    referrals = list(
        Referral.objects.order_by("id").values_list(
            "service__name",
            "need",
            "status",
            "source",
            "urgency",
            "given_name",
            "family_name",
            "date_of_birth",
            "team__name",
            "referrer_team__name",
            "referrer__first_name",
            "submitted_at",
            "first_contact_due",
            "contacted_at",
            "closed_at",
            "decline_reason",
            "outcome",
            "status_token",
            "family__name",
        )
    )
    steps = list(
        ReferralStep.objects.order_by("id").values_list(
            "referral__given_name", "kind", "occurred_at", "team__name", "to_team__name"
        )
    )
    return referrals + steps


def test_the_same_seed_builds_the_same_referrals() -> None:
    """First in the module: before the module's county is built."""
    built = []
    for _ in range(2):
        with transaction.atomic():
            build_county(families=60, seed=13, today=TODAY)
            built.append(_describe())
            transaction.set_rollback(True)
    assert built[0] == built[1]
    assert any(isinstance(row[0], str) and row[2] == Status.COMPLETED for row in built[0])


@pytest.fixture(scope="module")
def county(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[int]:
    families = 450
    with django_db_blocker.unblock(), transaction.atomic():
        build_county(families=families, seed=4, today=TODAY)
        yield families
        transaction.set_rollback(True)


@pytest.fixture
def on_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(dt.datetime(2026, 6, 3, 9)))


def signed_in(username: str) -> Actor:
    actor = actor_for(User.objects.get(username=username))
    assert actor is not None
    return actor


def on(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def breached(referral: Referral) -> bool:
    return referral.status in AWAITING_CONTACT and referral.first_contact_due < TODAY


@pytest.mark.usefixtures("county")
def test_every_state_source_reason_and_outcome_is_there() -> None:
    referrals = list(Referral.objects.all())
    assert {r.status for r in referrals} == set(Status.values)
    assert {r.source for r in referrals} == set(Source.values)
    assert {r.decline_reason for r in referrals} - {""} == set(DeclineReason.values)
    assert {r.outcome for r in referrals} - {""} == set(Outcome.values)
    assert {r.urgency for r in referrals} == {"routine", "urgent"}
    assert sum(breached(r) for r in referrals) >= 4


def test_about_one_family_in_nine_was_referred_in_the_last_year(county: int) -> None:
    referrals = list(Referral.objects.all())
    assert county / 12 < len(referrals) < county / 6
    assert all(TODAY - on(r.submitted_at) <= dt.timedelta(days=366) for r in referrals)
    assert all(on(r.submitted_at) <= TODAY for r in referrals)
    unmatched = sum(r.family_id is None for r in referrals)
    assert 0.03 < unmatched / len(referrals) < 0.2
    contacted = [r for r in referrals if r.contacted_at is not None]
    late = sum(on(r.contacted_at) > r.first_contact_due for r in contacted if r.contacted_at)
    assert 0.08 < late / len(contacted) < 0.4


@pytest.mark.usefixtures("county")
def test_who_referred_matches_the_source() -> None:
    for referral in Referral.objects.all():
        if referral.source == Source.SELF:
            assert referral.referrer_id is None
            assert referral.referrer_team_id is None
            assert referral.status_token is not None
            assert len(referral.status_token) == 43
            assert referral.service.accepts_self_referrals
        else:
            assert referral.referrer_id is not None
            assert referral.referrer_team_id is not None
            assert referral.status_token is None
            assert referral.referrer_team_id != referral.team_id
        assert (referral.source == Source.API) == bool(referral.sender_reference)
        assert referral.need in referral.service.needs
        assert referral.category == referral.service.category
        assert referral.contact_phone or referral.contact_email
        submitted = on(referral.submitted_at)
        due = first_contact_due(referral.service, referral.urgency, submitted)
        assert referral.first_contact_due == due


# What each step needs the referral to be, and what it makes it.
FROM: dict[str, frozenset[str]] = {
    K.RECEIVED: frozenset({Status.SUBMITTED}),
    K.ROUTED: AWAITING_CONTACT - {Status.ACCEPTED},
    K.INFORMATION_REQUESTED: AWAITING_CONTACT,
    K.INFORMATION_GIVEN: OPEN,
    K.MATCHED: OPEN,
    K.ACCEPTED: frozenset({Status.SUBMITTED, Status.RECEIVED}),
    K.DECLINED: AWAITING_CONTACT | {Status.CONTACTED},
    K.CONTACTED: frozenset({Status.ACCEPTED}),
    K.SUPPORT_STARTED: frozenset({Status.CONTACTED}),
    K.COMPLETED: frozenset({Status.CONTACTED, Status.SUPPORT_STARTED}),
    K.WITHDRAWN: OPEN,
    K.MERGED: OPEN,
}
TO: dict[str, str] = {
    K.ROUTED: Status.SUBMITTED,
    K.RECEIVED: Status.RECEIVED,
    K.ACCEPTED: Status.ACCEPTED,
    K.DECLINED: Status.DECLINED,
    K.CONTACTED: Status.CONTACTED,
    K.SUPPORT_STARTED: Status.SUPPORT_STARTED,
    K.COMPLETED: Status.COMPLETED,
    K.WITHDRAWN: Status.WITHDRAWN,
}


@pytest.mark.usefixtures("county")
def test_steps_are_in_time_order_and_tell_the_referrals_story() -> None:
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(8)))
    referrals = Referral.objects.select_related("service").prefetch_related("steps")
    for referral in referrals:
        steps = sorted(referral.steps.all(), key=lambda step: step.pk)
        times = [step.occurred_at for step in steps]
        assert times == sorted(times), referral.reference
        assert times[-1] <= now
        assert [step.kind for step in steps[:2]] == [K.SUBMITTED, K.ROUTED]
        assert times[0] == referral.submitted_at
        status, team, asked, matched = Status.SUBMITTED, steps[1].to_team_id, False, False
        contacted = closed = None
        for step in steps[2:]:
            assert status in FROM[step.kind], (referral.reference, status, step.kind)
            if step.kind == K.MERGED and step is steps[-1] and referral.merged_into_id:
                status, closed = Status.MERGED, step.occurred_at
            elif step.kind in TO:
                status = TO[step.kind]
            if step.kind == K.ROUTED:
                team = step.to_team_id
            if step.kind in (K.INFORMATION_REQUESTED, K.INFORMATION_GIVEN):
                asked = step.kind == K.INFORMATION_REQUESTED
            if step.kind == K.MATCHED:
                matched = True
            if step.kind == K.ACCEPTED:
                assert referral.family_id is not None
            if step.kind == K.CONTACTED:
                contacted = step.occurred_at
            if step.kind in (K.DECLINED, K.COMPLETED, K.WITHDRAWN):
                closed = step.occurred_at
        assert status == referral.status, referral.reference
        assert team == referral.team_id
        assert asked == referral.information_requested
        assert contacted == referral.contacted_at
        assert closed == referral.closed_at
        assert (status in CLOSED) == (closed is not None)
        assert bool(referral.decline_reason) == (status == Status.DECLINED)
        assert bool(referral.outcome) == (status == Status.COMPLETED)
        assert (status == Status.MERGED) == (referral.merged_into_id is not None)
        if matched:
            assert referral.family_id is not None


@pytest.mark.usefixtures("county")
def test_routing_agrees_with_the_rules() -> None:
    rules = list(RoutingRule.objects.filter(is_active=True))
    checked = 0
    for referral in Referral.objects.select_related("service"):
        routed = referral.steps.filter(kind=K.ROUTED).order_by("id").first()
        assert routed is not None
        case = Case(
            service_id=referral.service_id,
            need=referral.need,
            reach_area_id=referral.reach_area_id,
            postcode=referral.postcode,
        )
        rule = choose_rule(rules, case)
        assert routed.to_team_id == (rule.team_id if rule else referral.service.team_id)
        checked += 1
    assert checked == Referral.objects.count() > 0


@pytest.mark.usefixtures("county")
def test_a_matched_referral_is_about_someone_in_the_family_on_its_chronology() -> None:
    matched = Referral.objects.exclude(family=None).select_related("person")
    assert matched.exists()
    events = Counter(
        summary.split(" to ")[0]
        for summary in ChronologyEvent.objects.filter(kind=EventKind.REFERRAL).values_list(
            "summary", flat=True
        )
    )
    categories = set(
        ChronologyEvent.objects.filter(kind=EventKind.REFERRAL).values_list("summary", "category")
    )
    for referral in matched:
        assert referral.person is not None
        assert FamilyMember.objects.filter(
            family_id=referral.family_id, person=referral.person
        ).exists()
        assert referral.person.kind in ("child", "parent")
        assert events[f"Referral {referral.reference}"] == referral.steps.count()
        assert all(
            category == referral.category
            for summary, category in categories
            if summary.startswith(f"Referral {referral.reference} ")
        )
    unmatched = Referral.objects.filter(family=None)
    assert unmatched.exists()
    assert not unmatched.filter(person__isnull=False).exists()
    assert all(events[f"Referral {referral.reference}"] == 0 for referral in unmatched)


@pytest.mark.usefixtures("county")
def test_an_accepted_referral_started_the_teams_involvement_with_the_familys_consent() -> None:
    accepted = Referral.objects.exclude(family=None).filter(steps__kind=K.ACCEPTED).distinct()
    assert accepted.count() > 20
    for referral in accepted.select_related("team__organisation", "person"):
        step = referral.steps.get(kind=K.ACCEPTED)
        assert step.team_id == referral.team_id
        assert Involvement.objects.filter(
            family_id=referral.family_id, team_id=step.team_id, started_on__lte=on(step.occurred_at)
        ).exists(), referral.reference
        consent = referral.consent
        assert consent is not None, referral.reference
        assert consent.purpose == SharingPurpose.REFERRAL
        assert consent.person_id == referral.person_id
        assert referral.team.organisation in consent.recipient_organisations.all()
        assert consent.evidence == f"Referral {referral.reference}"
        assert "safeguarding" not in consent.categories
    assert Consent.objects.filter(purpose=SharingPurpose.REFERRAL).count() == accepted.count()


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_gp_sees_the_loop_closed_and_a_question_to_answer() -> None:
    sent = Referral.objects.filter(referrer_team=signed_in("gp.staff").team)
    assert sent.filter(status=Status.COMPLETED).exclude(outcome="").exists()
    assert sent.filter(status=Status.DECLINED).exclude(decline_reason="").exists()
    asked = sent.filter(information_requested=True, status__in=OPEN)
    assert asked.exists()
    last = asked[0].steps.order_by("-occurred_at", "-id").first()
    assert last is not None
    assert last.kind == K.INFORMATION_REQUESTED
    assert last.note
    assert len({referral.status for referral in sent}) >= 4


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_family_hubs_queue_has_new_opened_late_and_contacted_referrals() -> None:
    actor = signed_in("family.hub")
    page = selectors.queue(actor, selectors.QueueFilter(status="open"))
    mine = list(Referral.objects.filter(team=actor.team, status__in=OPEN))
    assert len(page.object_list) == min(len(mine), selectors.PAGE_SIZE)
    assert any(r.status == Status.SUBMITTED and on(r.submitted_at) == TODAY for r in mine)
    assert any(r.status == Status.RECEIVED for r in mine)
    assert any(r.status == Status.ACCEPTED and breached(r) for r in mine)
    assert any(r.status == Status.CONTACTED for r in mine)
    assert selectors.breached_count(actor) >= 1
    late = selectors.queue(actor, selectors.QueueFilter(status="breached"))
    assert late.object_list
    assert all(breached(referral) for referral in late.object_list)


@pytest.mark.usefixtures("county", "on_the_day")
def test_triage_has_referrals_to_match_and_a_duplicate_to_merge() -> None:
    actor = signed_in("triage")
    everything = selectors.queue(actor, selectors.QueueFilter(scope=selectors.Scope.ALL))
    assert everything.paginator.count == Referral.objects.filter(status__in=OPEN).count()
    pending = Referral.objects.filter(family=None, status__in=OPEN)
    assert pending.count() >= 3
    assert any(
        selectors.possible_duplicates(actor, referral)
        for referral in Referral.objects.filter(status__in=OPEN)
    )
    merged = Referral.objects.get(status=Status.MERGED)
    assert merged.merged_into is not None
    assert merged.merged_into.steps.filter(kind=K.MERGED).exists()
    assert merged.steps.order_by("-id")[0].team_id == actor.team.pk


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_health_visiting_manager_sees_perinatal_referrals_past_target() -> None:
    actor = signed_in("manager")
    board = selectors.dashboard(actor)
    assert [queue.team.pk for queue in board.queues] == [actor.team.pk]
    assert board.queues[0].breached >= 1
    perinatal = next(
        figures for figures in board.services if figures.service.name.startswith("Perinatal")
    )
    assert perinatal.received > 0
    assert perinatal.contacted > 0
    health_visitor = signed_in("health.visitor")
    assert selectors.breached_count(health_visitor) >= 1


@pytest.mark.usefixtures("county", "on_the_day")
def test_the_voluntary_befrienders_have_referrals() -> None:
    actor = signed_in("voluntary")
    assert selectors.queue(actor, selectors.QueueFilter(status="all")).paginator.count > 0
    assert selectors.queue(actor, selectors.QueueFilter(status="open")).paginator.count > 0


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEO'-", min_size=1, max_size=20), st.integers())
def test_a_typo_changes_a_name_by_one_letter(name: str, seed: int) -> None:
    typed = _typo(random.Random(seed), name)
    assert typed != name
    assert abs(len(typed) - len(name)) <= 1
    assert sorted(typed) == sorted(name) or set(typed) <= set(name)


@given(
    st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=3),
    st.integers(),
)
def test_each_step_happens_later_in_working_hours(
    after: dt.datetime, low: int, extra: int, seed: int
) -> None:
    start = timezone.make_aware(after, timezone.get_fixed_timezone(0))
    moment = timezone.localtime(working_moment(random.Random(seed), start, low, low + extra))
    assert moment > start
    assert is_working_day(moment.date())
    assert dt.time(8, 30) <= moment.time() <= dt.time(17, 30)
    assert working_days_between(timezone.localdate(start), moment.date()) <= low + extra + 1
