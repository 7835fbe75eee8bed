"""Writes to referrals. Each takes the actor (but a family's own self-referral), asks the
policy, and writes the change, its step, its audit row, its chronology line (once the referral
is matched to a family) and its e-mails to the outbox, in one transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from beststart.accounts.actors import Actor
from beststart.accounts.models import Team
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.identifiers import normalise_nhs_number, validate_nhs_number
from beststart.families.actions import record_event
from beststart.families.models import (
    EventKind,
    Family,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
    Relationship,
)
from beststart.places.models import ReachArea
from beststart.places.selectors import find_postcode
from beststart.referrals import notifications
from beststart.referrals.models import (
    OPEN,
    STEP_FROM,
    URGENT_FIRST_CONTACT_DAYS,
    DeclineReason,
    Need,
    Outcome,
    Referral,
    ReferralService,
    ReferralStep,
    RoutingRule,
    Source,
    Status,
    StepKind,
    Urgency,
)
from beststart.referrals.routing import Case, choose_rule
from beststart.referrals.selectors import (
    audit_referral,
    may_act,
    may_edit_rules,
)
from beststart.referrals.working_days import add_working_days
from beststart.sharing.access import audited_write, enforce
from beststart.sharing.models import Consent, ConsentMethod, SharingPurpose
from beststart.sharing.policy import active_involvements, may_refer

NO_CONSENT_MESSAGE = (
    "A referral needs the family's agreement. Ask them first; if you think a child is at risk "
    "of harm, follow your safeguarding procedures instead."
)


@dataclass(frozen=True)
class PersonReferred:
    """Who is referred, as the referrer knows them, and how to reach the family."""

    given_name: str
    family_name: str
    postcode: str
    contact_name: str
    date_of_birth: dt.date | None = None
    expected_delivery_date: dt.date | None = None
    nhs_number: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class ConsentGiven:
    """Who agreed to the referral, how and when, and what they agreed may be shared."""

    agreed: bool
    given_by: str
    method: str
    given_on: dt.date
    categories: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReferralDetails:
    service: ReferralService
    need: str
    reason: str
    person: PersonReferred
    consent: ConsentGiven
    urgency: str = Urgency.ROUTINE
    family: Family | None = None  # a match chosen by search-before-create
    matched_person: Person | None = None
    sender_reference: str = ""
    payload_digest: str = ""


# ---------------------------------------------------------------------------------------------
# Making a referral


def route(referral: Referral) -> RoutingRule | None:
    rules = RoutingRule.objects.filter(is_active=True)
    return choose_rule(
        rules,
        Case(
            service_id=referral.service_id,
            need=referral.need,
            reach_area_id=referral.reach_area_id,
            postcode=referral.postcode,
        ),
    )


def first_contact_due(service: ReferralService, urgency: str, submitted: dt.date) -> dt.date:
    days = URGENT_FIRST_CONTACT_DAYS if urgency == Urgency.URGENT else service.first_contact_days
    return add_working_days(submitted, days)


def _check(details: ReferralDetails, today: dt.date) -> dict[str, str]:
    """What is wrong with a referral, by field. Everything is checked, so every problem is
    shown at once."""
    errors: dict[str, str] = {}
    consent, person = details.consent, details.person
    if not consent.agreed:
        errors["consent_agreed"] = NO_CONSENT_MESSAGE
    if DataCategory.SAFEGUARDING in consent.categories:
        errors["consent_categories"] = (
            "Safeguarding information is never shared by consent: follow your safeguarding "
            "procedures"
        )
    if consent.given_on > today:
        errors["consent_given_on"] = "The date of consent must be today or in the past"
    if details.urgency not in Urgency.values:
        errors["urgency"] = "Choose how urgent the referral is"
    if not details.service.is_active:
        errors["service"] = f"{details.service.name} is not taking referrals. Choose another"
    elif details.need not in Need.values:
        errors["need"] = "Choose what the family needs help with"
    elif details.service.needs and details.need not in details.service.needs:
        errors["need"] = f"{details.service.name} does not help with this. Choose another need"
    if person.date_of_birth is None and person.expected_delivery_date is None:
        errors["date_of_birth"] = "Enter a date of birth, or the due date for a pregnancy"
    elif person.date_of_birth is not None and person.date_of_birth > today:
        errors["date_of_birth"] = "The date of birth must be in the past"
    if person.nhs_number:
        try:
            validate_nhs_number(normalise_nhs_number(person.nhs_number))
        except ValidationError as error:
            errors["nhs_number"] = " ".join(error.messages)
    if find_postcode(person.postcode) is None:
        errors["postcode"] = "Enter a postcode in the area this service covers, like XW1 2AB"
    if not (person.contact_phone or person.contact_email):
        errors["contact_phone"] = "Enter a phone number or an e-mail address to contact the family"
    if (details.family is None) != (details.matched_person is None) or (
        details.matched_person is not None
        and not FamilyMember.objects.filter(
            family=details.family, person=details.matched_person
        ).exists()
    ):
        errors["match"] = "Choose a person from the list"
    return errors


def _new_referral(details: ReferralDetails, *, source: str, actor: Actor | None) -> Referral:
    now = clock.now()
    errors = _check(details, clock.localdate(now))
    if errors:
        raise ValidationError(errors)
    person, consent = details.person, details.consent
    postcode = find_postcode(person.postcode)
    assert postcode is not None  # checked above
    referral = Referral(
        service=details.service,
        need=details.need,
        reason=details.reason.strip(),
        urgency=details.urgency,
        category=details.service.category,
        source=source,
        given_name=person.given_name.strip(),
        family_name=person.family_name.strip(),
        date_of_birth=person.date_of_birth,
        expected_delivery_date=person.expected_delivery_date,
        nhs_number=normalise_nhs_number(person.nhs_number) if person.nhs_number else "",
        postcode=postcode.postcode,
        reach_area=postcode.lsoa.reach_area,
        contact_name=person.contact_name.strip(),
        contact_phone=person.contact_phone.strip(),
        contact_email=person.contact_email.strip(),
        family=details.family,
        person=details.matched_person,
        consent_given_by=consent.given_by.strip(),
        consent_method=consent.method,
        consent_given_on=consent.given_on,
        consent_categories=list(consent.categories),
        referrer=actor.user if actor else None,
        referrer_team=actor.team if actor else None,
        sender_reference=details.sender_reference,
        payload_digest=details.payload_digest,
        team=details.service.team,
        submitted_at=now,
        first_contact_due=first_contact_due(details.service, details.urgency, clock.localdate(now)),
    )
    rule = route(referral)
    if rule is not None:
        referral.team = rule.team
    if source == Source.SELF:
        referral.status_token = secrets.token_urlsafe(32)
    referral.save()
    _add_step(actor, referral, StepKind.SUBMITTED, at=now)
    _add_step(actor, referral, StepKind.ROUTED, to_team=referral.team, at=now)
    notifications.queue(
        referral, StepKind.SUBMITTED, acting_user_id=actor.user.pk if actor else None
    )
    return referral


@audited_write
def submit_referral(
    *, actor: Actor, details: ReferralDetails, source: str = Source.PRACTITIONER
) -> Referral:
    """A practitioner's (or a partner system's) referral, with the family's consent. It is
    routed to a team's queue and the single point of contact sees it too."""
    decision = enforce(
        actor,
        may_refer(actor),
        family=None,
        category=details.service.category,
        action=AccessAction.CREATE,
        audit_allowed=False,  # audited below, once the referral has its family, if matched
    )
    referral = _new_referral(details, source=source, actor=actor)
    audit_referral(actor, referral, AccessAction.CREATE, decision)
    return referral


@transaction.atomic
def submit_self_referral(*, details: ReferralDetails) -> Referral:
    """A family asking for help themselves, from the public form. Nobody is signed in, so
    there is no actor; the family gets a link to follow their referral."""
    if not details.service.accepts_self_referrals:
        raise ValidationError({"service": "Choose one of the services listed"})
    consent = ConsentGiven(
        agreed=details.consent.agreed,
        given_by=details.person.contact_name,
        method=ConsentMethod.ONLINE,
        given_on=clock.today(),
        categories=details.consent.categories,
    )
    own = ReferralDetails(
        service=details.service,
        need=details.need,
        reason=details.reason,
        person=details.person,
        consent=consent,
        urgency=Urgency.ROUTINE,
    )
    return _new_referral(own, source=Source.SELF, actor=None)


# ---------------------------------------------------------------------------------------------
# Steps


def _add_step(
    actor: Actor | None,
    referral: Referral,
    kind: str,
    *,
    note: str = "",
    to_team: Team | None = None,
    at: dt.datetime | None = None,
) -> ReferralStep:
    step = ReferralStep.objects.create(
        referral=referral,
        kind=kind,
        occurred_at=at or clock.now(),
        by=actor.user if actor else None,
        team=actor.team if actor else None,
        to_team=to_team,
        note=note.strip(),
    )
    if actor is not None and referral.family_id is not None:
        _chronology(actor, referral, step_summary(referral, step), step.occurred_at)
    return step


def step_summary(referral: Referral, step: ReferralStep) -> str:
    what = StepKind(step.kind).label.lower()
    if step.kind == StepKind.ROUTED and step.to_team is not None:
        what = f"sent to {step.to_team.name}"
    if step.kind == StepKind.SUBMITTED and step.team is not None:
        what = f"made by {step.team.name}"
    return f"Referral {referral.reference} to {referral.service.name}: {what}"


def _chronology(actor: Actor, referral: Referral, summary: str, at: dt.datetime) -> None:
    assert referral.family is not None
    record_event(
        actor,
        referral.family,
        EventKind.REFERRAL,
        summary,
        referral.person,
        category=referral.category,
        occurred_at=at,
    )


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update().select_related("service", "team").get(pk=referral.pk)
    )


def _step(actor: Actor, referral: Referral, kind: str) -> Referral:
    """Check the actor may take this step, and the referral's state allows it (`STEP_FROM`),
    and lock the referral for it."""
    referral = _locked(referral)
    enforce(
        actor,
        may_act(actor, referral, kind),
        family=referral.family,
        category=referral.category,
        action=AccessAction.UPDATE,
        person_id=referral.person_id,
    )
    if referral.status not in STEP_FROM[kind]:
        raise ValidationError(
            f"This referral is {referral.get_status_display().lower()}, so it cannot be "
            f"{StepKind(kind).label.lower()} now"
        )
    return referral


def _finish(
    actor: Actor,
    referral: Referral,
    kind: str,
    *,
    fields: list[str],
    note: str = "",
    to_team: Team | None = None,
) -> Referral:
    referral.save(update_fields=[*fields, "updated_at"])
    _add_step(actor, referral, kind, note=note, to_team=to_team)
    notifications.queue(referral, kind, acting_user_id=actor.user.pk)
    return referral


def _close(referral: Referral, status: str) -> list[str]:
    referral.status = status
    referral.closed_at = clock.now()
    return ["status", "closed_at"]


@audited_write
def mark_received(*, actor: Actor, referral: Referral) -> Referral:
    """The receiving team has opened it. Called when one of them first opens the page."""
    referral = _step(actor, referral, StepKind.RECEIVED)
    referral.status = Status.RECEIVED
    return _finish(actor, referral, StepKind.RECEIVED, fields=["status"])


@audited_write
def reroute(*, actor: Actor, referral: Referral, team: Team, note: str) -> Referral:
    """Send it to another team's queue, which will open it afresh."""
    referral = _step(actor, referral, StepKind.ROUTED)
    if team.pk == referral.team_id:
        raise ValidationError(
            {"team": f"It is already in {team.name}'s queue. Choose another team"}
        )
    referral.team = team
    referral.status = Status.SUBMITTED
    return _finish(
        actor, referral, StepKind.ROUTED, fields=["team", "status"], note=note, to_team=team
    )


@audited_write
def request_information(*, actor: Actor, referral: Referral, question: str) -> Referral:
    referral = _step(actor, referral, StepKind.INFORMATION_REQUESTED)
    if not question.strip():
        raise ValidationError({"question": "Enter what you need to know"})
    referral.information_requested = True
    return _finish(
        actor,
        referral,
        StepKind.INFORMATION_REQUESTED,
        fields=["information_requested"],
        note=question,
    )


@audited_write
def give_information(*, actor: Actor, referral: Referral, answer: str) -> Referral:
    referral = _step(actor, referral, StepKind.INFORMATION_GIVEN)
    if not answer.strip():
        raise ValidationError({"answer": "Enter the information asked for"})
    referral.information_requested = False
    return _finish(
        actor, referral, StepKind.INFORMATION_GIVEN, fields=["information_requested"], note=answer
    )


@audited_write
def match(*, actor: Actor, referral: Referral, family: Family, person: Person) -> Referral:
    """Link the referral to the family's record, found by search-before-create. The
    referral's history so far goes onto the chronology at the times it happened."""
    referral = _step(actor, referral, StepKind.MATCHED)
    if referral.family_id is not None:
        raise ValidationError("This referral is already matched to a family")
    if not FamilyMember.objects.filter(family=family, person=person).exists():
        raise ValidationError({"match": "Choose a person from the list"})
    referral.family, referral.person = family, person
    for earlier in referral.steps.select_related("team", "to_team"):
        _chronology(actor, referral, step_summary(referral, earlier), earlier.occurred_at)
    return _finish(actor, referral, StepKind.MATCHED, fields=["family", "person"])


def _works_with(team: Team, family: Family) -> bool:
    return Involvement.objects.filter(active_involvements(), team=team, family=family).exists()


def _consenting_adult(person: Person) -> Person | None:
    """Who gives consent for this person: themself as an adult, or for a child an adult with
    parental responsibility."""
    if person.kind in (PersonKind.PARENT, PersonKind.CARER):
        return person
    relationship = (
        Relationship.objects.filter(child=person, has_parental_responsibility=True)
        .select_related("adult")
        .order_by("id")
        .first()
    )
    return relationship.adult if relationship else None


def _record_consent(actor: Actor, referral: Referral) -> Consent | None:
    """The family's consent to share with the receiving service, as a consent on the record,
    so the sharing policy can open what they agreed to once the team works with them."""
    assert referral.person is not None
    given_by = _consenting_adult(referral.person)
    categories = [c for c in referral.consent_categories if c != DataCategory.SAFEGUARDING]
    if given_by is None or not categories:
        return None
    consent = Consent.objects.create(
        person=referral.person,
        given_by=given_by,
        categories=categories,
        purpose=SharingPurpose.REFERRAL,
        method=referral.consent_method,
        evidence=f"Referral {referral.reference}",
        starts_on=referral.consent_given_on,
        recorded_by=actor.user,
        recorded_by_team=actor.team,
    )
    consent.recipient_organisations.add(referral.team.organisation)
    return consent


@audited_write
def accept(*, actor: Actor, referral: Referral) -> Referral:
    """The team takes the family on: it starts working with them (an involvement, so the
    policy opens the record as far as consent allows), and the family's consent to share
    with it goes on the record."""
    referral = _step(actor, referral, StepKind.ACCEPTED)
    if referral.family is None or referral.person is None:
        raise ValidationError("Match the referral to the family's record before accepting it")
    if not _works_with(referral.team, referral.family):
        Involvement.objects.create(
            family=referral.family,
            team=referral.team,
            practitioner=actor.user,
            reason=f"Referral {referral.reference} accepted",
            started_on=clock.today(),
        )
        record_event(
            actor,
            referral.family,
            EventKind.INVOLVEMENT_STARTED,
            f"{referral.team.name} started working with the family (referral {referral.reference})",
        )
    referral.consent = _record_consent(actor, referral)
    referral.status = Status.ACCEPTED
    return _finish(actor, referral, StepKind.ACCEPTED, fields=["status", "consent"])


@audited_write
def decline(*, actor: Actor, referral: Referral, reason: str, note: str = "") -> Referral:
    referral = _step(actor, referral, StepKind.DECLINED)
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": "Choose why the referral is declined"})
    referral.decline_reason = reason
    fields = _close(referral, Status.DECLINED)
    why = DeclineReason(reason).label
    return _finish(
        actor,
        referral,
        StepKind.DECLINED,
        fields=[*fields, "decline_reason"],
        note=f"{why}. {note.strip()}".strip(),
    )


@audited_write
def record_contact(*, actor: Actor, referral: Referral, note: str = "") -> Referral:
    """The first contact with the family: the moment the waiting-time target measures."""
    referral = _step(actor, referral, StepKind.CONTACTED)
    referral.status = Status.CONTACTED
    referral.contacted_at = clock.now()
    return _finish(
        actor, referral, StepKind.CONTACTED, fields=["status", "contacted_at"], note=note
    )


@audited_write
def start_support(*, actor: Actor, referral: Referral, note: str = "") -> Referral:
    referral = _step(actor, referral, StepKind.SUPPORT_STARTED)
    referral.status = Status.SUPPORT_STARTED
    return _finish(actor, referral, StepKind.SUPPORT_STARTED, fields=["status"], note=note)


@audited_write
def complete(*, actor: Actor, referral: Referral, outcome: str, note: str = "") -> Referral:
    referral = _step(actor, referral, StepKind.COMPLETED)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome of the referral"})
    referral.outcome = outcome
    fields = _close(referral, Status.COMPLETED)
    said = f"{Outcome(outcome).label}. {note.strip()}".strip()
    return _finish(actor, referral, StepKind.COMPLETED, fields=[*fields, "outcome"], note=said)


@audited_write
def withdraw(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    referral = _step(actor, referral, StepKind.WITHDRAWN)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is withdrawn"})
    fields = _close(referral, Status.WITHDRAWN)
    return _finish(actor, referral, StepKind.WITHDRAWN, fields=fields, note=reason)


@audited_write
def merge(*, actor: Actor, duplicate: Referral, into: Referral) -> Referral:
    """The same need for the same person, referred twice: the duplicate closes, pointing at
    the referral that goes on, which takes the duplicate's family match if it had none."""
    duplicate = _step(actor, duplicate, StepKind.MERGED)
    if into.pk == duplicate.pk:
        raise ValidationError({"into": "Choose a different referral to merge into"})
    into = _locked(into)
    if into.status not in OPEN or not may_act(actor, into, StepKind.MERGED):
        raise ValidationError({"into": f"{into.reference} is closed: choose an open referral"})
    if None not in (into.person_id, duplicate.person_id) and into.person_id != duplicate.person_id:
        raise ValidationError(
            {"into": f"{into.reference} is for someone else: choose a referral for the same person"}
        )
    duplicate.merged_into = into
    fields = _close(duplicate, Status.MERGED)
    _finish(
        actor,
        duplicate,
        StepKind.MERGED,
        fields=[*fields, "merged_into"],
        note=f"Merged into {into.reference}",
    )
    if into.family_id is None and duplicate.family_id is not None:
        into.family, into.person = duplicate.family, duplicate.person
        into.save(update_fields=["family", "person", "updated_at"])
        # Matched now: its history goes onto the chronology, as `match` does.
        for earlier in into.steps.select_related("team", "to_team"):
            _chronology(actor, into, step_summary(into, earlier), earlier.occurred_at)
    _add_step(actor, into, StepKind.MERGED, note=f"{duplicate.reference} merged into this referral")
    return into


# ---------------------------------------------------------------------------------------------
# Routing rules: configuration, nobody's personal data, so no audit row


@transaction.atomic
def add_rule(
    *,
    actor: Actor,
    team: Team,
    priority: int = 100,
    service: ReferralService | None = None,
    need: str = "",
    reach_area: ReachArea | None = None,
    postcode_prefix: str = "",
) -> RoutingRule:
    """A rule that sends referrals meeting all its conditions to `team`; with none, it
    catches everything no earlier rule took."""
    if not may_edit_rules(actor):
        raise NotFoundOrNotAllowed
    return RoutingRule.objects.create(
        team=team,
        priority=priority,
        service=service,
        need=need,
        reach_area=reach_area,
        postcode_prefix=" ".join(postcode_prefix.upper().split()),
    )


@transaction.atomic
def remove_rule(*, actor: Actor, rule: RoutingRule) -> RoutingRule:
    """Stop using a rule. It is kept, inactive, so referrals it routed can still be traced."""
    if not may_edit_rules(actor):
        raise NotFoundOrNotAllowed
    rule.is_active = False
    rule.save(update_fields=["is_active", "updated_at"])
    return rule
