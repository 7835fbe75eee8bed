"""Writes about sharing. Each takes the actor, asks the policy, and writes the change, its
audit row and its chronology event in one transaction."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, User
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.actions import record_event
from beststart.families.models import (
    ChronologyEvent,
    EventKind,
    Family,
    FamilyMember,
    Person,
    PersonKind,
    Relationship,
)
from beststart.sharing.access import audit_decision, audited_write, enforce, require
from beststart.sharing.models import (
    BreakGlassAccess,
    Consent,
    ConsentMethod,
    ReviewOutcome,
    SafeguardingShare,
    SharingAgreement,
)
from beststart.sharing.policy import (
    BREAK_GLASS_HOURS,
    FamilyFacts,
    may_break_glass,
    may_query_audit,
    may_share_for_safeguarding,
)
from beststart.sharing.selectors import safeguarding_approvers

logger = logging.getLogger(__name__)

# Consent


class ConsentTerms(TypedDict):
    """What a consent says: whose information, who agreed, what may go to whom, why, how it
    was given, and for how long."""

    person: Person
    given_by: Person
    categories: list[str]
    recipient_types: list[str]
    recipient_organisations: list[Organisation]
    purpose: str
    method: str
    evidence: str
    starts_on: dt.date
    expires_on: dt.date | None


CHILD_KINDS = frozenset({PersonKind.CHILD, PersonKind.UNBORN})


def check_consent(family: Family, terms: ConsentTerms) -> None:
    """Whether these terms make a consent that may be recorded for `family`: every problem,
    keyed by field, with what to do about it. Writes nothing."""
    problems = {
        **_what_and_to_whom(terms),
        **_dates_and_evidence(terms),
        **_who_consents(family, terms["person"], terms["given_by"]),
    }
    if problems:
        raise ValidationError(problems)


def _what_and_to_whom(terms: ConsentTerms) -> dict[str, str]:
    problems = {}
    categories = set(terms["categories"])
    if not categories:
        problems["categories"] = "Select at least one kind of information to share"
    elif DataCategory.SAFEGUARDING in categories:
        problems["categories"] = (
            "Safeguarding information is never shared by consent: untick it. To share it to "
            "protect a child, ask your safeguarding lead about a safeguarding share"
        )
    elif not categories <= set(DataCategory):
        problems["categories"] = "Select kinds of information from the list"
    if not terms["recipient_types"] and not terms["recipient_organisations"]:
        problems["recipient_types"] = (
            "Select at least one type of organisation, or a named organisation, to share with"
        )
    elif not set(terms["recipient_types"]) <= set(OrganisationType):
        problems["recipient_types"] = "Select types of organisation from the list"
    return problems


def _dates_and_evidence(terms: ConsentTerms) -> dict[str, str]:
    problems = {}
    expires_on = terms["expires_on"]
    if expires_on is not None and expires_on <= terms["starts_on"]:
        problems["expires_on"] = "The expiry date must be after the start date"
    if terms["method"] == ConsentMethod.WRITTEN and not terms["evidence"].strip():
        problems["evidence"] = (
            "Enter where the signed form is kept, for example its reference number"
        )
    return problems


def _who_consents(family: Family, person: Person, given_by: Person) -> dict[str, str]:
    """A parent or carer consents for themself, a young parent too; for a child or an unborn
    baby, an adult in the family with parental responsibility for them."""
    members = set(
        FamilyMember.objects.filter(family=family, person__in=[person, given_by]).values_list(
            "person_id", flat=True
        )
    )
    if person.pk not in members:
        return {"person": "Select a member of this family"}
    if person.kind not in CHILD_KINDS:
        if given_by.pk != person.pk:
            return {
                "given_by": "A parent or carer gives consent for themself: "
                f"select {person.full_name}"
            }
        return {}
    responsible = Relationship.objects.filter(
        adult=given_by, child=person, has_parental_responsibility=True
    ).exists()
    if given_by.pk not in members or given_by.kind in CHILD_KINDS or not responsible:
        return {
            "given_by": "Select an adult in the family with parental responsibility for "
            f"{person.full_name}. If it is not recorded yet, record the relationship first"
        }
    return {}


@audited_write
def record_consent(*, actor: Actor, family: Family, **terms: Unpack[ConsentTerms]) -> Consent:
    """Record a consent; it is in force from its start date, for the next decision made."""
    person = terms["person"]
    require(
        actor,
        family,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
        person_id=person.pk,
    )
    check_consent(family, terms)
    consent = Consent(
        person=person,
        given_by=terms["given_by"],
        categories=list(terms["categories"]),
        recipient_types=list(terms["recipient_types"]),
        purpose=terms["purpose"],
        method=terms["method"],
        evidence=terms["evidence"].strip(),
        starts_on=terms["starts_on"],
        expires_on=terms["expires_on"],
        recorded_by=actor.user,
        recorded_by_team=actor.team,
    )
    consent.full_clean()
    consent.save()
    consent.recipient_organisations.set(terms["recipient_organisations"])
    record_event(
        actor,
        family,
        EventKind.CONSENT_GIVEN,
        f"Consent {consent.pk} recorded for {person.full_name}, given by "
        f"{consent.given_by.full_name}: {', '.join(consent.category_labels()).lower()} "
        f"with {', '.join(consent.recipient_labels())}",
        person,
    )
    return consent


@audited_write
def withdraw_consent(*, actor: Actor, family: Family, consent: Consent, reason: str) -> Consent:
    """Withdraw a consent in one step, from now: the very next decision no longer counts it.
    The consent is kept, as history."""
    require(
        actor,
        family,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
        person_id=consent.person_id,
    )
    if not FamilyMember.objects.filter(family=family, person_id=consent.person_id).exists():
        raise NotFoundOrNotAllowed
    consent = (
        Consent.objects.select_for_update(of=("self",)).select_related("person").get(pk=consent.pk)
    )
    if consent.withdrawn_at is not None:
        withdrawn_on = timezone.localdate(consent.withdrawn_at)
        raise ValidationError(f"This consent was already withdrawn on {withdrawn_on:%-d %B %Y}")
    consent.withdrawn_at = clock.now()
    consent.withdrawn_by = actor.user
    consent.withdrawal_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    record_event(
        actor,
        family,
        EventKind.CONSENT_WITHDRAWN,
        f"Consent {consent.pk} for {consent.person.full_name} withdrawn",
        consent.person,
    )
    return consent


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


def _record_event(
    actor: Actor,
    family: Family,
    *,
    kind: str,
    category: str,
    summary: str,
    person: Person | None = None,
) -> ChronologyEvent:
    event = ChronologyEvent(
        family=family,
        person=person,
        kind=kind,
        category=category,
        summary=Truncator(summary).chars(500),
        occurred_at=clock.now(),
        recorded_by=actor.user,
        team=actor.team,
    )
    event.save()
    return event


def _long_date(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


# Break-glass


@audited_write
def start_break_glass(
    *, actor: Actor, family: Family, reason: str, account: str
) -> BreakGlassAccess:
    """Emergency access for a practitioner whose team does not work with the family: view
    only, for BREAK_GLASS_HOURS, told to the family's chronology and the audit, and alerted
    to the privacy officers once committed, for their review."""
    decision = enforce(
        actor,
        may_break_glass(actor, FamilyFacts.load(actor, family.pk)),
        family=family,
        category=DataCategory.IDENTITY,
        action=AccessAction.CREATE,
        audit_allowed=False,  # recorded below, with the reference
    )
    started_at = clock.now()
    access = BreakGlassAccess(
        user=actor.user,
        role=actor.role,
        team=actor.team,
        family=family,
        reason=reason,
        account=account.strip(),
        started_at=started_at,
        expires_at=started_at + dt.timedelta(hours=BREAK_GLASS_HOURS),
    )
    access.full_clean()
    access.save()
    _record_event(
        actor,
        family,
        kind=EventKind.BREAK_GLASS,
        category=DataCategory.IDENTITY,
        summary=f"{actor.team.name} used emergency access to this record ({access.reference})",
    )
    audit_decision(
        actor,
        decision.because(f"{decision.basis}: {access.reference}"),
        family_id=family.pk,
        person_id=None,
        category=DataCategory.IDENTITY,
        action=AccessAction.CREATE,
    )
    transaction.on_commit(functools.partial(alert_privacy_officers, access), robust=True)
    return access


def privacy_officer_addresses() -> list[str]:
    return sorted(
        set(
            User.objects.filter(memberships__role=Role.PRIVACY_OFFICER, memberships__is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def alert_privacy_officers(access: BreakGlassAccess) -> int:
    """One e-mail to each privacy officer, carrying the reference and the path of the review
    page only: no names, no family, no reason. How many were sent."""
    path = reverse("sharing:review-break-glass", kwargs={"access_id": access.pk})
    subject = f"Break-glass access {access.reference} to review"
    body = (
        f"Someone has used emergency (break-glass) access to a record: {access.reference}.\n\n"
        f"Sign in to Best Start to review it: {path}\n"
    )
    recipients = privacy_officer_addresses()
    if not recipients:
        logger.warning("no privacy officer has an e-mail address to alert of %s", access.reference)
        return 0
    return send_mass_mail([(subject, body, None, [address]) for address in recipients])


def review_errors(outcome: str, notes: str) -> dict[str, str]:
    if outcome == ReviewOutcome.NOT_JUSTIFIED and not notes.strip():
        return {"notes": "Enter why the access was not justified and what will happen next"}
    return {}


@audited_write
def review_break_glass(
    *, actor: Actor, access: BreakGlassAccess, outcome: str, notes: str
) -> BreakGlassAccess:
    """A privacy officer's review of a break-glass access: once, and never changed."""
    decision = enforce(
        actor,
        may_query_audit(actor),
        family=access.family,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
        audit_allowed=False,  # recorded below, with the outcome
    )
    access = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    if access.is_reviewed:
        raise ValidationError(
            f"{access.reference} has already been reviewed "
            f"({access.get_review_outcome_display().lower()}): a review cannot be changed"
        )
    errors = review_errors(outcome, notes)
    if errors:
        raise ValidationError(errors)
    access.review_outcome = ReviewOutcome(outcome)
    access.review_notes = notes.strip()
    access.reviewed_by = actor.user
    access.reviewed_at = clock.now()
    access.save(
        update_fields=["review_outcome", "review_notes", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit_decision(
        actor,
        decision.because(
            f"{decision.basis}: review of {access.reference}, "
            f"{access.get_review_outcome_display().lower()}"
        ),
        family_id=access.family_id,
        person_id=None,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
    )
    return access


# Information-sharing agreements


@dataclass(frozen=True)
class AgreementDetails:
    reference: str
    title: str
    party_types: list[str]
    party_organisations: list[Organisation]
    categories: list[str]
    purpose: str
    legal_basis: str
    starts_on: dt.date
    review_on: dt.date
    ends_on: dt.date | None = None


def agreement_errors(
    *,
    reference: str | None,
    party_types: list[str],
    party_organisations: list[Organisation],
    categories: list[str],
    starts_on: dt.date | None,
    review_on: dt.date | None,
    ends_on: dt.date | None,
) -> dict[str, str]:
    """What is wrong with a new agreement, by field, in words that say what to do. What is
    missing (None) is not checked here: the form says it is missing."""
    errors: dict[str, str] = {}
    if reference and SharingAgreement.objects.filter(reference__iexact=reference.strip()).exists():
        errors["reference"] = (
            "An agreement with this reference is already on the register: enter another"
        )
    if not party_types and not party_organisations:
        errors["party_types"] = (
            "Select the kinds of organisation the agreement is between, or name the organisations"
        )
    if not categories:
        errors["categories"] = "Select the information the agreement lets the parties share"
    if starts_on and review_on and review_on <= starts_on:
        errors["review_on"] = "The review date must be after the start date"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    return errors


def _privacy_officer_write(actor: Actor, action: str) -> None:
    enforce(
        actor, may_query_audit(actor), family=None, category=DataCategory.IDENTITY, action=action
    )


@audited_write
def create_agreement(*, actor: Actor, details: AgreementDetails) -> SharingAgreement:
    _privacy_officer_write(actor, AccessAction.CREATE)
    errors = agreement_errors(
        reference=details.reference,
        party_types=details.party_types,
        party_organisations=details.party_organisations,
        categories=details.categories,
        starts_on=details.starts_on,
        review_on=details.review_on,
        ends_on=details.ends_on,
    )
    if errors:
        raise ValidationError(errors)
    agreement = SharingAgreement(
        reference=details.reference.strip(),
        title=details.title.strip(),
        party_types=list(details.party_types),
        categories=list(details.categories),
        purpose=details.purpose.strip(),
        legal_basis=details.legal_basis,
        starts_on=details.starts_on,
        review_on=details.review_on,
        ends_on=details.ends_on,
        recorded_by=actor.user,
    )
    agreement.full_clean()
    agreement.save()
    agreement.party_organisations.set(details.party_organisations)
    return agreement


@audited_write
def end_agreement(
    *, actor: Actor, agreement: SharingAgreement, ends_on: dt.date
) -> SharingAgreement:
    """End an agreement: from the day after `ends_on`, nothing flows under it."""
    _privacy_officer_write(actor, AccessAction.UPDATE)
    today = clock.today()
    if agreement.ends_on is not None and agreement.ends_on < today:
        raise ValidationError(f"This agreement ended on {_long_date(agreement.ends_on)}")
    if ends_on < agreement.starts_on:
        raise ValidationError(
            {
                "ends_on": "The end date must be the same as or after the start date, "
                f"{_long_date(agreement.starts_on)}"
            }
        )
    agreement.ends_on = ends_on
    agreement.save(update_fields=["ends_on", "updated_at"])
    return agreement


# Safeguarding shares


@dataclass(frozen=True)
class ShareDetails:
    person: Person | None  # None: the whole family
    categories: list[str]
    recipient_organisations: list[Organisation]
    recipient_types: list[str]
    justification: str
    approved_by: User
    starts_on: dt.date
    ends_on: dt.date | None = None


def share_errors(
    actor: Actor,
    *,
    categories: list[str],
    recipient_organisations: list[Organisation],
    recipient_types: list[str],
    approved_by: User | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> dict[str, str]:
    """What is wrong with a safeguarding share, by field, in words that say what to do. What
    is missing (None) is not checked here: the form says it is missing."""
    errors: dict[str, str] = {}
    if not categories:
        errors["categories"] = "Select the information to share"
    if not recipient_organisations and not recipient_types:
        errors["recipient_organisations"] = (
            "Select the organisations to share with, or the kinds of organisation"
        )
    if approved_by is not None and approved_by.pk == actor.user.pk:
        errors["approved_by"] = (
            "You cannot approve a share you are recording: select another team manager"
        )
    elif (
        approved_by is not None
        and not safeguarding_approvers(actor).filter(pk=approved_by.pk).exists()
    ):
        errors["approved_by"] = (
            "Select a team manager: only a safeguarding lead may approve sharing without consent"
        )
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    return errors


def _share_summary(share: SafeguardingShare, details: ShareDetails) -> str:
    about = details.person.full_name if details.person else "the whole family"
    categories = ", ".join(DataCategory(each).label.lower() for each in details.categories)
    recipients = ", ".join(share.recipient_labels())
    return (
        f"Shared for safeguarding without consent: {categories} about {about}, with "
        f"{recipients}; approved by {details.approved_by.get_full_name()}"
    )


@audited_write
def record_safeguarding_share(
    *, actor: Actor, family: Family, details: ShareDetails
) -> SafeguardingShare:
    """Share a family's information without consent to protect a child, justified and
    approved by a safeguarding lead. The chronology entry is safeguarding data itself."""
    enforce(
        actor,
        may_share_for_safeguarding(actor),
        family=family,
        category=DataCategory.SAFEGUARDING,
        action=AccessAction.UPDATE,
        audit_allowed=False,  # the update itself is recorded by require, below
    )
    person_id = details.person.pk if details.person else None
    require(
        actor,
        family,
        category=DataCategory.SAFEGUARDING,
        action=AccessAction.UPDATE,
        person_id=person_id,
    )
    if person_id is not None and not family.memberships.filter(person_id=person_id).exists():
        raise NotFoundOrNotAllowed
    errors = share_errors(
        actor,
        categories=details.categories,
        recipient_organisations=details.recipient_organisations,
        recipient_types=details.recipient_types,
        approved_by=details.approved_by,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
    )
    if errors:
        raise ValidationError(errors)
    share = SafeguardingShare(
        family=family,
        person=details.person,
        categories=list(details.categories),
        recipient_types=list(details.recipient_types),
        justification=details.justification.strip(),
        approved_by=details.approved_by,
        recorded_by=actor.user,
        recorded_by_team=actor.team,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
    )
    share.full_clean()
    share.save()
    share.recipient_organisations.set(details.recipient_organisations)
    _record_event(
        actor,
        family,
        kind=EventKind.SAFEGUARDING_SHARE,
        category=DataCategory.SAFEGUARDING,
        summary=_share_summary(share, details),
        person=details.person,
    )
    return share
