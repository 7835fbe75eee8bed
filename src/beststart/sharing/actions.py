"""Writes about sharing. Each takes the actor, asks the policy, and writes the change, its
audit row and its chronology event in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.actions import _chronology
from beststart.families.models import (
    EventKind,
    Family,
    FamilyMember,
    Person,
    PersonKind,
    Relationship,
)
from beststart.sharing.access import audited_write, require
from beststart.sharing.models import Consent, ConsentMethod

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
    _chronology(
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
    _chronology(
        actor,
        family,
        EventKind.CONSENT_WITHDRAWN,
        f"Consent {consent.pk} for {consent.person.full_name} withdrawn",
        consent.person,
    )
    return consent


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews
