"""Writes to referrals: making one (and every reason one is refused), each step of its life,
who may take which step, and what each step leaves behind: the step, the audit, the
chronology line and the e-mails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent
from beststart.audit.models import Outcome as AuditOutcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.tests.factories import next_nhs_number
from beststart.families.models import ChronologyEvent, EventKind, Involvement
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    FamilyMemberFactory,
    PersonFactory,
)
from beststart.places.tests.factories import PostcodeFactory
from beststart.referrals import actions, selectors
from beststart.referrals.actions import NO_CONSENT_MESSAGE, ConsentGiven, PersonReferred
from beststart.referrals.models import (
    DeclineReason,
    Need,
    Notification,
    Outcome,
    Referral,
    ReferralStep,
    Source,
    Status,
    StepKind,
    Urgency,
)
from beststart.referrals.tests.factories import (
    Cast,
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
    make_cast,
    referral_details,
    set_clock,
)
from beststart.sharing.access import Refused
from beststart.sharing.models import Consent, ConsentMethod, SharingPurpose
from beststart.sharing.policy import Subject as PolicySubject
from beststart.sharing.policy import decide
from beststart.sharing.tests.factories import SharingAgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world: World) -> Cast:
    return make_cast(world.actor, world.family)


def kinds(referral: Referral) -> list[str]:
    return list(referral.steps.values_list("kind", flat=True))


def counts() -> dict[str, int]:
    written: list[type[Model]] = [
        Referral,
        ReferralStep,
        Notification,
        ChronologyEvent,
        AuditEvent,
        Consent,
        Involvement,
    ]
    return {model.__name__: model.objects.count() for model in written}


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# ---------------------------------------------------------------------------------------------
# Making a referral


def test_a_referral_pending_checks_has_no_family_and_no_chronology(cast: Cast) -> None:
    events = ChronologyEvent.objects.count()
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details(matched=False))
    referral.refresh_from_db()
    assert referral.family is None
    assert referral.person is None
    assert referral.status == Status.SUBMITTED
    assert referral.source == Source.PRACTITIONER
    assert referral.team == cast.service.team
    assert referral.referrer == cast.referrer.user
    assert referral.referrer_team == cast.referrer.team
    assert referral.category == cast.service.category
    assert referral.consent_categories == [DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT]
    assert referral.reach_area is not None
    assert referral.status_token is None
    assert kinds(referral) == [StepKind.SUBMITTED, StepKind.ROUTED]
    assert ChronologyEvent.objects.count() == events
    created = AuditEvent.objects.get(user_id=cast.referrer.user.pk, action=AccessAction.CREATE)
    assert created.outcome == AuditOutcome.ALLOWED
    assert created.family_id is None


def test_a_matched_referral_goes_on_the_familys_chronology(cast: Cast) -> None:
    cast.service.category = DataCategory.HEALTH
    cast.service.save()
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    assert referral.family == cast.family
    assert referral.person == cast.child
    assert referral.category == DataCategory.HEALTH
    lines = ChronologyEvent.objects.filter(family=cast.family, kind=EventKind.REFERRAL)
    assert [line.summary for line in lines.order_by("id")] == [
        f"Referral {referral.reference} to Parenting support: made by {cast.referrer.team.name}",
        f"Referral {referral.reference} to Parenting support: sent to Riverside Family Hub",
    ]
    for line in lines:
        assert line.team == cast.referrer.team
        assert line.recorded_by == cast.referrer.user
        assert line.category == DataCategory.HEALTH
        assert line.person == cast.child
    created = AuditEvent.objects.get(user_id=cast.referrer.user.pk, action=AccessAction.CREATE)
    assert created.family_id == cast.family.pk
    assert created.person_id == cast.child.pk


def test_a_routing_rule_sends_it_to_another_teams_queue(cast: Cast) -> None:
    outreach = TeamFactory(name="Hillside outreach")
    RoutingRuleFactory(service=cast.service, need=Need.PARENTING, team=outreach)
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    assert referral.team == outreach
    routed = referral.steps.get(kind=StepKind.ROUTED)
    assert routed.to_team == outreach


@pytest.mark.parametrize(
    ("submitted_at", "urgency", "due"),
    [
        (dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC), Urgency.ROUTINE, dt.date(2026, 12, 10)),
        (dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC), Urgency.URGENT, dt.date(2026, 12, 4)),
        (dt.datetime(2026, 12, 4, 16, tzinfo=dt.UTC), Urgency.URGENT, dt.date(2026, 12, 7)),
        (dt.datetime(2026, 12, 21, 9, tzinfo=dt.UTC), Urgency.ROUTINE, dt.date(2026, 12, 30)),
        (dt.datetime(2026, 12, 24, 9, tzinfo=dt.UTC), Urgency.URGENT, dt.date(2026, 12, 29)),
        # Half past midnight on a Monday in summer is still Sunday in UTC: the local day counts.
        (dt.datetime(2026, 6, 7, 23, 30, tzinfo=dt.UTC), Urgency.URGENT, dt.date(2026, 6, 9)),
    ],
)
def test_first_contact_is_due_in_working_days(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    submitted_at: dt.datetime,
    urgency: str,
    due: dt.date,
) -> None:
    set_clock(monkeypatch, submitted_at)
    service = ReferralServiceFactory(first_contact_days=5)
    referral = actions.submit_referral(
        actor=world.actor, details=referral_details(service, urgency=urgency)
    )
    assert referral.submitted_at == submitted_at
    assert referral.first_contact_due == due


def test_without_consent_nothing_is_written(cast: Cast) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        actions.submit_referral(actor=cast.referrer, details=cast.details(agreed=False))
    assert field_errors(refused) == {"consent_agreed": [NO_CONSENT_MESSAGE]}
    assert counts() == before


def consent(**changes: Any) -> ConsentGiven:
    given = {
        "agreed": True,
        "given_by": "Morwenna Quillfeather, mother",
        "method": ConsentMethod.VERBAL,
        "given_on": clock.today(),
        "categories": (DataCategory.IDENTITY,),
    }
    return ConsentGiven(**{**given, **changes})


def person(**changes: Any) -> PersonReferred:
    given = {
        "given_name": "Rowan",
        "family_name": "Quillfeather",
        "postcode": PostcodeFactory().postcode,
        "contact_name": "Morwenna Quillfeather",
        "date_of_birth": clock.today() - dt.timedelta(days=400),
        "contact_phone": "07700 900123",
    }
    return PersonReferred(**{**given, **changes})


BAD_INPUT: list[tuple[str, Callable[[Cast], dict[str, Any]], str, str]] = [
    (
        "safeguarding by consent",
        lambda c: {
            "consent": consent(categories=(DataCategory.IDENTITY, DataCategory.SAFEGUARDING))
        },
        "consent_categories",
        "Safeguarding information is never shared by consent",
    ),
    (
        "consent in the future",
        lambda c: {"consent": consent(given_on=clock.today() + dt.timedelta(days=1))},
        "consent_given_on",
        "today or in the past",
    ),
    (
        "a service not taking referrals",
        lambda c: {"service": ReferralServiceFactory(name="Closed service", is_active=False)},
        "service",
        "Closed service is not taking referrals",
    ),
    (
        "a need the service does not meet",
        lambda c: {"need": Need.DOMESTIC_ABUSE},
        "need",
        "Parenting support does not help with this",
    ),
    (
        "a need that does not exist",
        lambda c: {"need": "astrology"},
        "need",
        "Choose what the family needs help with",
    ),
    (
        "an urgency that does not exist",
        lambda c: {"urgency": "yesterday"},
        "urgency",
        "Choose how urgent",
    ),
    (
        "an unknown postcode",
        lambda c: {"referred": person(postcode="XW9 9ZZ")},
        "postcode",
        "Enter a postcode in the area",
    ),
    (
        "no way to contact the family",
        lambda c: {"referred": person(contact_phone="", contact_email="")},
        "contact_phone",
        "Enter a phone number or an e-mail address",
    ),
    (
        "an NHS number that is not 10 digits",
        lambda c: {"referred": person(nhs_number=next_nhs_number()[:9] + "X")},
        "nhs_number",
        "10 digits",
    ),
    (
        "neither a date of birth nor a due date",
        lambda c: {"referred": person(date_of_birth=None)},
        "date_of_birth",
        "Enter a date of birth, or the due date",
    ),
    (
        "born in the future",
        lambda c: {"referred": person(date_of_birth=clock.today() + dt.timedelta(days=3))},
        "date_of_birth",
        "must be in the past",
    ),
    (
        "a matched person from another family",
        lambda c: {"family": c.family, "matched_person": PersonFactory()},
        "match",
        "Choose a person from the list",
    ),
    (
        "a family but nobody in it chosen",
        lambda c: {"family": c.family, "matched_person": None},
        "match",
        "Choose a person from the list",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_beside_its_field(
    cast: Cast, changes: Callable[[Cast], dict[str, Any]], field: str, message: str
) -> None:
    details = cast.details(matched=False, **changes(cast))
    before = counts()
    with pytest.raises(ValidationError) as refused:
        actions.submit_referral(actor=cast.referrer, details=details)
    errors = field_errors(refused)
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert counts() == before


def test_an_nhs_number_with_a_wrong_check_digit(cast: Cast) -> None:
    valid = next_nhs_number()
    wrong = valid[:9] + str((int(valid[9]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        actions.submit_referral(
            actor=cast.referrer,
            details=cast.details(matched=False, referred=person(nhs_number=wrong)),
        )
    assert "check digit" in field_errors(refused)["nhs_number"][0]
    typed = f"{valid[:3]} {valid[3:6]} {valid[6:]}"
    referral = actions.submit_referral(
        actor=cast.referrer, details=cast.details(matched=False, referred=person(nhs_number=typed))
    )
    assert referral.nhs_number == valid


def test_every_problem_is_reported_at_once(cast: Cast) -> None:
    details = cast.details(
        matched=False,
        consent=consent(agreed=False),
        referred=person(postcode="XW9 9ZZ", contact_phone=""),
    )
    with pytest.raises(ValidationError) as refused:
        actions.submit_referral(actor=cast.referrer, details=details)
    assert set(field_errors(refused)) == {"consent_agreed", "postcode", "contact_phone"}


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_only_practitioners_refer_and_a_refusal_is_audited(cast: Cast, role: str) -> None:
    commissioner = make_actor(role)
    before = Referral.objects.count()
    with pytest.raises(Refused):
        actions.submit_referral(actor=commissioner, details=cast.details())
    assert Referral.objects.count() == before
    denied = AuditEvent.objects.get(user_id=commissioner.user.pk)
    assert denied.outcome == AuditOutcome.DENIED
    assert denied.action == AccessAction.CREATE


def test_a_self_referral(cast: Cast) -> None:
    details = cast.details(
        matched=False,
        urgency=Urgency.URGENT,
        referred=person(contact_name="Morwenna Quillfeather"),
        consent=consent(given_by="someone else", method=ConsentMethod.WRITTEN),
    )
    referral = actions.submit_self_referral(details=details)
    assert referral.source == Source.SELF
    assert referral.referrer is None
    assert referral.referrer_team is None
    assert referral.urgency == Urgency.ROUTINE  # a family does not set its own urgency
    assert referral.consent_given_by == "Morwenna Quillfeather"
    assert referral.consent_method == ConsentMethod.ONLINE
    assert referral.status_token is not None
    assert len(referral.status_token) >= 40
    assert kinds(referral) == [StepKind.SUBMITTED, StepKind.ROUTED]
    assert referral.steps.filter(by__isnull=False).count() == 0


def test_a_self_referral_needs_a_service_that_takes_them_and_consent(cast: Cast) -> None:
    cast.service.accepts_self_referrals = False
    cast.service.save()
    with pytest.raises(ValidationError) as refused:
        actions.submit_self_referral(details=cast.details(matched=False))
    assert "service" in field_errors(refused)
    cast.service.accepts_self_referrals = True
    cast.service.save()
    with pytest.raises(ValidationError) as refused:
        actions.submit_self_referral(details=cast.details(matched=False, agreed=False))
    assert field_errors(refused)["consent_agreed"] == [NO_CONSENT_MESSAGE]
    assert not Referral.objects.exists()


# ---------------------------------------------------------------------------------------------
# The lifecycle


def test_the_whole_lifecycle(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    start = clock.now().replace(microsecond=0)
    moments = [start + dt.timedelta(hours=hours) for hours in (0, 1, 2, 26, 50, 200)]
    set_clock(monkeypatch, moments[0])
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    set_clock(monkeypatch, moments[1])
    referral = actions.mark_received(actor=cast.hub, referral=referral)
    assert referral.status == Status.RECEIVED
    set_clock(monkeypatch, moments[2])
    referral = actions.accept(actor=cast.hub, referral=referral)
    assert referral.status == Status.ACCEPTED
    set_clock(monkeypatch, moments[3])
    referral = actions.record_contact(actor=cast.hub_colleague, referral=referral, note="Rang")
    assert referral.status == Status.CONTACTED
    assert referral.contacted_at == moments[3]
    set_clock(monkeypatch, moments[4])
    referral = actions.start_support(actor=cast.hub, referral=referral)
    assert referral.status == Status.SUPPORT_STARTED
    assert referral.closed_at is None
    set_clock(monkeypatch, moments[5])
    referral = actions.complete(
        actor=cast.hub, referral=referral, outcome=Outcome.NEED_MET, note="Went to 6 sessions"
    )
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    assert referral.outcome == Outcome.NEED_MET
    assert referral.closed_at == moments[5]
    assert not referral.is_open

    steps = list(referral.steps.all())
    assert [(step.kind, step.occurred_at) for step in steps] == [
        (StepKind.SUBMITTED, moments[0]),
        (StepKind.ROUTED, moments[0]),
        (StepKind.RECEIVED, moments[1]),
        (StepKind.ACCEPTED, moments[2]),
        (StepKind.CONTACTED, moments[3]),
        (StepKind.SUPPORT_STARTED, moments[4]),
        (StepKind.COMPLETED, moments[5]),
    ]
    assert steps[4].by == cast.hub_colleague.user
    assert steps[4].team == cast.service.team
    assert steps[4].note == "Rang"
    assert steps[-1].note == "Need met. Went to 6 sessions"

    # The loop closes: the referrer sees every step and the outcome.
    page = selectors.referral_page(cast.referrer, referral.pk)
    assert [step.kind for step in page.steps] == [step.kind for step in steps]
    assert page.referral.outcome == Outcome.NEED_MET
    assert page.is_referrer
    assert not page.next_steps  # closed: nothing more to do

    # Every step is on the chronology, at its time.
    lines = ChronologyEvent.objects.filter(family=cast.family, kind=EventKind.REFERRAL)
    assert sorted(lines.values_list("occurred_at", flat=True)) == moments[:1] + moments


def test_accept_needs_a_match_first(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details(matched=False))
    with pytest.raises(ValidationError, match="Match the referral to the family's record"):
        actions.accept(actor=cast.hub, referral=referral)
    referral = actions.match(
        actor=cast.hub, referral=referral, family=cast.family, person=cast.child
    )
    referral = actions.accept(actor=cast.hub, referral=referral)
    assert referral.status == Status.ACCEPTED


def test_accepting_starts_the_teams_involvement_once(cast: Cast) -> None:
    first = actions.submit_referral(actor=cast.referrer, details=cast.details())
    second = actions.submit_referral(
        actor=cast.referrer,
        details=referral_details(
            ReferralServiceFactory(team=cast.service.team),
            family=cast.family,
            person=cast.mother,
        ),
    )
    actions.accept(actor=cast.hub, referral=first)
    actions.accept(actor=cast.hub_colleague, referral=second)
    involvements = Involvement.objects.filter(family=cast.family, team=cast.service.team)
    assert involvements.count() == 1
    assert involvements.get().practitioner == cast.hub.user
    assert (
        ChronologyEvent.objects.filter(
            family=cast.family, kind=EventKind.INVOLVEMENT_STARTED, team=cast.service.team
        ).count()
        == 1
    )


def test_accepting_records_the_familys_consent_for_the_receiving_organisation(
    cast: Cast,
) -> None:
    details = cast.details(
        consent=consent(categories=(DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT))
    )
    referral = actions.submit_referral(actor=cast.referrer, details=details)
    referral = actions.accept(actor=cast.hub, referral=referral)
    recorded = referral.consent
    assert recorded is not None
    assert recorded.person == cast.child
    assert recorded.given_by == cast.mother  # she has parental responsibility
    assert recorded.categories == [DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT]
    assert recorded.purpose == SharingPurpose.REFERRAL
    assert recorded.method == ConsentMethod.VERBAL
    assert recorded.starts_on == referral.consent_given_on
    assert list(recorded.recipient_organisations.all()) == [cast.service.team.organisation]
    assert referral.reference in recorded.evidence
    assert recorded.recorded_by == cast.hub.user


def test_an_adult_referred_gives_their_own_consent(cast: Cast) -> None:
    referral = actions.submit_referral(
        actor=cast.referrer,
        details=referral_details(cast.service, family=cast.family, person=cast.mother),
    )
    referral = actions.accept(actor=cast.hub, referral=referral)
    assert referral.consent is not None
    assert referral.consent.given_by == cast.mother


def test_no_consent_is_recorded_without_someone_to_give_it(cast: Cast) -> None:
    orphan = PersonFactory(family_name="Quillfeather")  # no one with parental responsibility
    FamilyMemberFactory(family=cast.family, person=orphan)
    referral = actions.submit_referral(
        actor=cast.referrer,
        details=referral_details(cast.service, family=cast.family, person=orphan),
    )
    referral = actions.accept(actor=cast.hub, referral=referral)
    assert referral.status == Status.ACCEPTED
    assert referral.consent is None


def test_the_receiving_team_sees_the_family_only_as_far_as_consent_and_agreement_allow(
    cast: Cast,
) -> None:
    hv_support = ChronologyEventFactory(
        family=cast.family,
        team=cast.referrer.team,
        category=DataCategory.FAMILY_SUPPORT,
        person=cast.child,
    )
    hv_health = ChronologyEventFactory(
        family=cast.family, team=cast.referrer.team, category=DataCategory.HEALTH, person=cast.child
    )

    def may(entry: Any, category: str) -> bool:
        subject = (
            PolicySubject.of_entry(entry) if entry else PolicySubject(cast.family.pk, cast.child.pk)
        )
        return bool(decide(cast.hub, subject, category, AccessAction.VIEW))

    referral = actions.submit_referral(
        actor=cast.referrer,
        details=cast.details(
            consent=consent(categories=(DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT))
        ),
    )
    # Before acceptance the receiving team may read the referral, not the family's record.
    assert selectors.referral_for(cast.hub, referral.pk) == referral
    assert not may(None, DataCategory.IDENTITY)
    assert not may(hv_support, DataCategory.FAMILY_SUPPORT)

    actions.accept(actor=cast.hub, referral=referral)
    assert may(None, DataCategory.IDENTITY)  # the shared register, once it works with them
    # Another organisation's family support data: consent names the hub, but no agreement.
    decision = decide(cast.hub, PolicySubject.of_entry(hv_support), "family_support", "view")
    assert decision.rule == "no_agreement"
    SharingAgreementFactory()
    assert may(hv_support, DataCategory.FAMILY_SUPPORT)
    # Health data was not agreed to, and a family hub has no statutory duty for it.
    decision = decide(cast.hub, PolicySubject.of_entry(hv_health), "health", "view")
    assert decision.rule == "consent_out_of_scope"
    assert not decide(cast.hub, PolicySubject.of_entry(hv_support), "family_support", "update")


# ---------------------------------------------------------------------------------------------
# Other steps


def test_decline_with_a_reason(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    with pytest.raises(ValidationError) as refused:
        actions.decline(actor=cast.hub, referral=referral, reason="bored")
    assert field_errors(refused) == {"reason": ["Choose why the referral is declined"]}
    referral = actions.decline(
        actor=cast.hub,
        referral=referral,
        reason=DeclineReason.ALREADY_SUPPORTED,
        note=" Goes to the Tuesday group ",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == DeclineReason.ALREADY_SUPPORTED
    assert referral.closed_at is not None
    declined = referral.steps.get(kind=StepKind.DECLINED)
    assert declined.note == "The family already has this support. Goes to the Tuesday group"


def test_complete_needs_a_real_outcome(cast: Cast) -> None:
    referral = ReferralFactory(service=cast.service, status=Status.CONTACTED)
    with pytest.raises(ValidationError) as refused:
        actions.complete(actor=cast.hub, referral=referral, outcome="")
    assert field_errors(refused) == {"outcome": ["Choose the outcome of the referral"]}
    assert Referral.objects.get(pk=referral.pk).status == Status.CONTACTED


def test_only_the_referrer_withdraws(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    for not_referrer in (cast.hub, cast.triage):
        with pytest.raises(Refused):
            actions.withdraw(actor=not_referrer, referral=referral, reason="No longer needed")
    with pytest.raises(ValidationError) as refused:
        actions.withdraw(actor=cast.referrer, referral=referral, reason="  ")
    assert "reason" in field_errors(refused)
    colleague = make_actor(Role.HEALTH_VISITOR, cast.referrer.team)
    referral = actions.withdraw(actor=colleague, referral=referral, reason="Moved away")
    assert referral.status == Status.WITHDRAWN
    assert referral.closed_at is not None
    assert referral.steps.get(kind=StepKind.WITHDRAWN).note == "Moved away"


def test_triage_reroutes_to_another_queue(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    referral = actions.mark_received(actor=cast.hub, referral=referral)
    hillside = TeamFactory(name="Hillside Family Hub")
    hillside_worker = make_actor(Role.FAMILY_HUB_WORKER, hillside)
    with pytest.raises(ValidationError) as refused:
        actions.reroute(actor=cast.triage, referral=referral, team=cast.service.team, note="")
    assert "already in Riverside Family Hub's queue" in field_errors(refused)["team"][0]

    referral = actions.reroute(
        actor=cast.triage, referral=referral, team=hillside, note="Closer to home"
    )
    assert referral.status == Status.SUBMITTED  # the new team opens it afresh
    assert referral.team == hillside
    routed = referral.steps.filter(kind=StepKind.ROUTED).last()
    assert routed is not None
    assert (routed.to_team, routed.note, routed.by) == (
        hillside,
        "Closer to home",
        cast.triage.user,
    )
    # The queue moved: the old team is no longer a party, the new one is.
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.referral_for(cast.hub, referral.pk)
    assert selectors.referral_for(hillside_worker, referral.pk) == referral
    assert referral in selectors.queue(hillside_worker, selectors.QueueFilter()).object_list
    assert not selectors.queue(cast.hub, selectors.QueueFilter()).object_list


def test_an_accepted_referral_is_not_rerouted(cast: Cast) -> None:
    referral = ReferralFactory(service=cast.service, status=Status.ACCEPTED)
    with pytest.raises(ValidationError, match="This referral is accepted, so it cannot be sent"):
        actions.reroute(actor=cast.triage, referral=referral, team=TeamFactory(), note="")


def test_asking_for_and_giving_more_information(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    with pytest.raises(ValidationError) as refused:
        actions.request_information(actor=cast.triage, referral=referral, question=" ")
    assert "question" in field_errors(refused)
    referral = actions.request_information(
        actor=cast.triage, referral=referral, question="Which days suit the family?"
    )
    assert referral.information_requested
    with pytest.raises(Refused):  # the receiving team asks, it does not answer
        actions.give_information(actor=cast.hub, referral=referral, answer="Tuesdays")
    with pytest.raises(ValidationError) as refused:
        actions.give_information(actor=cast.referrer, referral=referral, answer="")
    assert "answer" in field_errors(refused)
    referral = actions.give_information(actor=cast.referrer, referral=referral, answer="Tuesdays")
    assert not referral.information_requested
    assert [(step.kind, step.note) for step in referral.steps.all()[2:]] == [
        (StepKind.INFORMATION_REQUESTED, "Which days suit the family?"),
        (StepKind.INFORMATION_GIVEN, "Tuesdays"),
    ]


def test_matching_writes_the_history_so_far_onto_the_chronology(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = clock.now().replace(microsecond=0)
    set_clock(monkeypatch, start)
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details(matched=False))
    set_clock(monkeypatch, start + dt.timedelta(hours=3))
    referral = actions.mark_received(actor=cast.hub, referral=referral)
    assert not ChronologyEvent.objects.filter(family=cast.family, kind=EventKind.REFERRAL)

    stranger_child = PersonFactory()
    with pytest.raises(ValidationError) as refused:
        actions.match(
            actor=cast.triage, referral=referral, family=cast.family, person=stranger_child
        )
    assert field_errors(refused) == {"match": ["Choose a person from the list"]}

    set_clock(monkeypatch, start + dt.timedelta(days=1))
    referral = actions.match(
        actor=cast.triage, referral=referral, family=cast.family, person=cast.child
    )
    assert (referral.family, referral.person) == (cast.family, cast.child)
    lines = ChronologyEvent.objects.filter(family=cast.family, kind=EventKind.REFERRAL)
    assert [(line.occurred_at, line.summary.split(": ")[-1]) for line in lines.order_by("id")] == [
        (start, f"made by {cast.referrer.team.name}"),
        (start, "sent to Riverside Family Hub"),
        (start + dt.timedelta(hours=3), "received"),
        (start + dt.timedelta(days=1), "matched to the family record"),
    ]
    assert {line.person_id for line in lines} == {cast.child.pk}
    with pytest.raises(ValidationError, match="already matched"):
        actions.match(actor=cast.triage, referral=referral, family=cast.family, person=cast.child)


def test_merging_a_duplicate_closes_it_and_carries_the_match(cast: Cast) -> None:
    original = actions.submit_referral(actor=cast.referrer, details=cast.details(matched=False))
    duplicate = actions.submit_referral(actor=cast.referrer, details=cast.details())
    with pytest.raises(Refused):  # sorting duplicates is the single point of contact's
        actions.merge(actor=cast.hub, duplicate=duplicate, into=original)
    with pytest.raises(ValidationError) as refused:
        actions.merge(actor=cast.triage, duplicate=duplicate, into=duplicate)
    assert "into" in field_errors(refused)

    into = actions.merge(actor=cast.triage, duplicate=duplicate, into=original)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == original
    assert duplicate.closed_at is not None
    assert duplicate.steps.filter(kind=StepKind.MERGED).get().note == (
        f"Merged into {original.reference}"
    )
    assert into == original
    original.refresh_from_db()
    assert (original.family, original.person) == (cast.family, cast.child)
    assert original.status == Status.SUBMITTED
    assert original.steps.filter(kind=StepKind.MERGED).get().note == (
        f"{duplicate.reference} merged into this referral"
    )
    # Matched now, the referral that goes on has its whole history on the chronology.
    lines = ChronologyEvent.objects.filter(family=cast.family, kind=EventKind.REFERRAL)
    about_original = [line for line in lines if original.reference in line.summary]
    assert sorted(
        (line.occurred_at, line.summary.split(": ")[-1]) for line in about_original
    ) == sorted(
        (step.occurred_at, expected)
        for step, expected in zip(
            original.steps.all(),
            [
                f"made by {cast.referrer.team.name}",
                "sent to Riverside Family Hub",
                "merged as a duplicate",
            ],
            strict=True,
        )
    )


def test_merging_needs_an_open_referral_for_the_same_person(cast: Cast) -> None:
    duplicate = actions.submit_referral(actor=cast.referrer, details=cast.details())
    closed = ReferralFactory(service=cast.service, status=Status.COMPLETED)
    with pytest.raises(ValidationError, match="is closed"):
        actions.merge(actor=cast.triage, duplicate=duplicate, into=closed)
    for_mother = actions.submit_referral(
        actor=cast.referrer,
        details=referral_details(cast.service, family=cast.family, person=cast.mother),
    )
    with pytest.raises(ValidationError, match="is for someone else"):
        actions.merge(actor=cast.triage, duplicate=duplicate, into=for_mother)
    assert Referral.objects.get(pk=duplicate.pk).status == Status.SUBMITTED


# ---------------------------------------------------------------------------------------------
# Steps out of turn, and people who are not parties

STEP_ACTIONS: dict[str, Callable[..., Referral]] = {
    StepKind.RECEIVED: lambda c, r: actions.mark_received(actor=c.hub, referral=r),
    StepKind.ACCEPTED: lambda c, r: actions.accept(actor=c.hub, referral=r),
    StepKind.CONTACTED: lambda c, r: actions.record_contact(actor=c.hub, referral=r),
    StepKind.SUPPORT_STARTED: lambda c, r: actions.start_support(actor=c.hub, referral=r),
    StepKind.COMPLETED: lambda c, r: actions.complete(
        actor=c.hub, referral=r, outcome=Outcome.PARTLY_MET
    ),
    StepKind.DECLINED: lambda c, r: actions.decline(
        actor=c.hub, referral=r, reason=DeclineReason.NOT_ELIGIBLE
    ),
    StepKind.ROUTED: lambda c, r: actions.reroute(
        actor=c.triage, referral=r, team=TeamFactory(), note="Elsewhere"
    ),
    StepKind.INFORMATION_REQUESTED: lambda c, r: actions.request_information(
        actor=c.triage, referral=r, question="Anything else?"
    ),
    StepKind.INFORMATION_GIVEN: lambda c, r: actions.give_information(
        actor=c.referrer, referral=r, answer="Nothing else"
    ),
    StepKind.WITHDRAWN: lambda c, r: actions.withdraw(
        actor=c.referrer, referral=r, reason="Not needed"
    ),
    StepKind.MERGED: lambda c, r: actions.merge(actor=c.triage, duplicate=r, into=_other(c, r)),
}


def _other(cast: Cast, referral: Referral) -> Referral:
    """Another open referral for the same child, to merge into."""
    found = (
        Referral.objects.filter(person=cast.child, status=Status.SUBMITTED)
        .exclude(pk=referral.pk)
        .first()
    )
    return found or ReferralFactory(service=cast.service, family=cast.family, person=cast.child)


# The lifecycle in the words: which steps each state allows (a referral is opened
# when submitted; accepted once opened; the family contacted once accepted; support started
# once contacted; completed once contacted; declined until support starts; withdrawn,
# merged and answered while open; rerouted until accepted; asked about until contacted).
ALLOWED_FROM: dict[str, set[str]] = {
    Status.SUBMITTED: {
        StepKind.RECEIVED,
        StepKind.ACCEPTED,
        StepKind.DECLINED,
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
        StepKind.MERGED,
    },
    Status.RECEIVED: {
        StepKind.ACCEPTED,
        StepKind.DECLINED,
        StepKind.ROUTED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
        StepKind.MERGED,
    },
    Status.ACCEPTED: {
        StepKind.CONTACTED,
        StepKind.DECLINED,
        StepKind.INFORMATION_REQUESTED,
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
        StepKind.MERGED,
    },
    Status.CONTACTED: {
        StepKind.SUPPORT_STARTED,
        StepKind.COMPLETED,
        StepKind.DECLINED,
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
        StepKind.MERGED,
    },
    Status.SUPPORT_STARTED: {
        StepKind.COMPLETED,
        StepKind.INFORMATION_GIVEN,
        StepKind.WITHDRAWN,
        StepKind.MERGED,
    },
    Status.DECLINED: set(),
    Status.COMPLETED: set(),
    Status.WITHDRAWN: set(),
    Status.MERGED: set(),
}


@pytest.mark.parametrize("status", list(ALLOWED_FROM))
def test_each_state_allows_only_its_next_steps(cast: Cast, status: str) -> None:
    allowed = ALLOWED_FROM[status]
    label = Status(status).label.lower()
    for kind, take in STEP_ACTIONS.items():
        referral = ReferralFactory(
            service=cast.service,
            status=status,
            referrer=cast.referrer.user,
            referrer_team=cast.referrer.team,
            family=cast.family,
            person=cast.child,
        )
        # What the page offers the three parties is what the actions allow (opening it,
        # `received`, is not offered: the receiving team's first visit records it).
        offered = set().union(
            *(
                selectors.next_steps(party, referral)
                for party in (cast.hub, cast.triage, cast.referrer)
            )
        )
        if kind != StepKind.RECEIVED:
            assert (kind in offered) == (kind in allowed), (status, kind)
        if kind in allowed:
            take(cast, referral)
            assert referral.steps.filter(kind=kind).exists(), (status, kind)
        else:
            with pytest.raises(ValidationError, match=f"This referral is {label}, so it cannot"):
                take(cast, referral)
            assert Referral.objects.get(pk=referral.pk).status == status
            assert not referral.steps.exists()


def test_completing_a_submitted_referral_says_why_not(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    with pytest.raises(ValidationError) as refused:
        actions.complete(actor=cast.hub, referral=referral, outcome=Outcome.NEED_MET)
    assert refused.value.messages == ["This referral is submitted, so it cannot be completed now"]


@pytest.mark.parametrize("kind", list(STEP_ACTIONS))
def test_someone_not_a_party_is_refused_and_audited(cast: Cast, kind: str) -> None:
    referral = ReferralFactory(
        service=cast.service,
        referrer=cast.referrer.user,
        referrer_team=cast.referrer.team,
        family=cast.family,
        person=cast.child,
    )
    _other(cast, referral)
    outsider = make_actor(Role.TEAM_MANAGER)
    as_outsider = Cast(
        **{**cast.__dict__, "hub": outsider, "triage": outsider, "referrer": outsider}
    )
    before = counts()
    with pytest.raises(Refused):
        STEP_ACTIONS[kind](as_outsider, referral)
    after = counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    refusal = AuditEvent.objects.get(user_id=outsider.user.pk)
    assert refusal.outcome == AuditOutcome.DENIED
    assert refusal.action == AccessAction.UPDATE
    assert refusal.family_id == cast.family.pk
    assert refusal.person_id == cast.child.pk


def test_a_party_taking_a_step_that_is_not_theirs_is_refused(cast: Cast) -> None:
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details())
    with pytest.raises(Refused):
        actions.accept(actor=cast.referrer, referral=referral)  # the referrer does not accept
    with pytest.raises(Refused):
        actions.accept(actor=cast.triage, referral=referral)  # nor does triage
    with pytest.raises(Refused):
        actions.mark_received(actor=cast.triage, referral=referral)
    denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, action=AccessAction.UPDATE)
    assert denied.count() == 3


@pytest.mark.parametrize("kind", list(STEP_ACTIONS))
def test_every_allowed_step_is_audited(cast: Cast, kind: str) -> None:
    status = (
        Status.CONTACTED
        if kind in {StepKind.SUPPORT_STARTED, StepKind.COMPLETED}
        else (Status.ACCEPTED if kind == StepKind.CONTACTED else Status.SUBMITTED)
    )
    referral = ReferralFactory(
        service=cast.service,
        status=status,
        referrer=cast.referrer.user,
        referrer_team=cast.referrer.team,
        family=cast.family,
        person=cast.child,
    )
    STEP_ACTIONS[kind](cast, referral)
    step = referral.steps.get(kind=kind)
    audited = AuditEvent.objects.filter(
        user_id=step.by_id,
        action=AccessAction.UPDATE,
        outcome=AuditOutcome.ALLOWED,
        family_id=cast.family.pk,
        person_id=cast.child.pk,
        category=cast.service.category,
    )
    assert audited.count() == 1


def test_steps_of_an_unmatched_referral_stay_off_every_chronology(cast: Cast) -> None:
    events = ChronologyEvent.objects.count()
    referral = actions.submit_referral(actor=cast.referrer, details=cast.details(matched=False))
    referral = actions.mark_received(actor=cast.hub, referral=referral)
    actions.decline(actor=cast.hub, referral=referral, reason=DeclineReason.OUT_OF_AREA)
    assert ChronologyEvent.objects.count() == events
