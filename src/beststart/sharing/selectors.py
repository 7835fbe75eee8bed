"""Reads about sharing. Each takes the actor, asks the policy and audits what it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from django.db.models import QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, Role, User
from beststart.audit.models import AuditEvent
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Person
from beststart.sharing.access import audit_decision, open_family
from beststart.sharing.models import BreakGlassAccess, SharingAgreement
from beststart.sharing.policy import (
    SAFEGUARDING_APPROVER_ROLES,
    Decision,
    FamilyFacts,
    may_break_glass,
    may_query_audit,
    may_share_for_safeguarding,
)

# Consent, who can see the family and why, access logs


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


def _audited(
    actor: Actor, decision: Decision, *, family_id: int | None, category: str, action: str
) -> Decision:
    """Audit a finer decision of the policy either way; refused, the 404 of a missing page."""
    audit_decision(
        actor, decision, family_id=family_id, person_id=None, category=category, action=action
    )
    if not decision:
        raise NotFoundOrNotAllowed
    return decision


def family_for_break_glass(actor: Actor, family_id: int) -> Family:
    """The family a practitioner asks emergency access to. The page shows its record number
    only, as the identity check that led there did; the decision is audited either way."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        raise NotFoundOrNotAllowed
    _audited(
        actor,
        may_break_glass(actor, FamilyFacts.load(actor, family.pk)),
        family_id=family.pk,
        category=DataCategory.IDENTITY,
        action=AccessAction.IDENTITY_CHECK,
    )
    return family


def family_for_safeguarding_share(actor: Actor, family_id: int) -> Family:
    """The family, for a practitioner whose role has a safeguarding function and whose team
    works with it, to record a share without consent."""
    family = open_family(
        actor, family_id, category=DataCategory.SAFEGUARDING, action=AccessAction.UPDATE
    )
    _audited(
        actor,
        may_share_for_safeguarding(actor),
        family_id=family.pk,
        category=DataCategory.SAFEGUARDING,
        action=AccessAction.UPDATE,
    )
    return family


def members_of(family: Family) -> QuerySet[Person]:
    """The members of a family already opened through the policy."""
    return Person.objects.filter(memberships__family=family).order_by("date_of_birth", "id")


def safeguarding_approvers(actor: Actor) -> QuerySet[User]:
    """Who may approve the actor's safeguarding share: a safeguarding lead, never the actor."""
    return (
        User.objects.filter(
            memberships__role__in=SAFEGUARDING_APPROVER_ROLES, memberships__is_active=True
        )
        .exclude(pk=actor.user.pk)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# Privacy officer reviews

REVIEWED_SHOWN = 50
OPENED_SHOWN = 200


def _privacy_officer(actor: Actor, *, family_id: int | None = None) -> None:
    """Privacy officers only: looking at break-glass accesses is looking into the audit, and
    recorded as such."""
    _audited(
        actor,
        may_query_audit(actor),
        family_id=family_id,
        category=DataCategory.IDENTITY,
        action=AccessAction.AUDIT_QUERY,
    )


@dataclass
class BreakGlassSummary:
    access: BreakGlassAccess
    role: str
    is_open: bool


def _summaries(accesses: list[BreakGlassAccess]) -> list[BreakGlassSummary]:
    """Each access with the role its user held in the team, and whether it is still open."""
    memberships = Membership.objects.filter(
        user__in={access.user_id for access in accesses},
        team__in={access.team_id for access in accesses},
    ).order_by("-id")
    roles = {(each.user_id, each.team_id): Role(each.role).label for each in memberships}
    now = clock.now()
    return [
        BreakGlassSummary(
            access, roles.get((access.user_id, access.team_id), ""), access.is_open_at(now)
        )
        for access in accesses
    ]


@dataclass
class BreakGlassReviews:
    waiting: list[BreakGlassSummary]
    reviewed: list[BreakGlassSummary]


def break_glass_reviews(actor: Actor) -> BreakGlassReviews:
    """The accesses waiting for a privacy officer's review, oldest first, and the latest
    reviewed. References, roles and teams only: no family."""
    _privacy_officer(actor)
    accesses = BreakGlassAccess.objects.select_related("team", "reviewed_by")
    return BreakGlassReviews(
        waiting=_summaries(list(accesses.filter(review_outcome="").order_by("started_at", "id"))),
        reviewed=_summaries(
            list(
                accesses.exclude(review_outcome="").order_by("-reviewed_at", "-id")[:REVIEWED_SHOWN]
            )
        ),
    )


@dataclass
class BreakGlassDetail:
    summary: BreakGlassSummary
    opened: list[AuditEvent]  # what the user did to the family's record while it was open
    opened_count: int

    @property
    def access(self) -> BreakGlassAccess:
        return self.summary.access


def break_glass_access(actor: Actor, access_id: int) -> BreakGlassDetail:
    """One access in full, for its review: who, why, and every audited access of that user
    to that family from the start of the access to its expiry."""
    access = (
        BreakGlassAccess.objects.select_related("user", "team__organisation", "reviewed_by")
        .filter(pk=access_id)
        .first()
    )
    _privacy_officer(actor, family_id=access.family_id if access else None)
    if access is None:
        raise NotFoundOrNotAllowed
    events = AuditEvent.objects.filter(
        user_id=access.user_id,
        family_id=access.family_id,
        occurred_at__gte=access.started_at,
        occurred_at__lt=access.expires_at,
    ).order_by("occurred_at", "id")
    return BreakGlassDetail(
        summary=_summaries([access])[0],
        opened=list(events[:OPENED_SHOWN]),
        opened_count=events.count(),
    )


# Information-sharing agreements


def require_privacy_officer(actor: Actor) -> None:
    """The agreements register holds no personal data, but only privacy officers keep it."""
    if not may_query_audit(actor):
        raise NotFoundOrNotAllowed


class AgreementState(Enum):
    IN_FORCE = ("In force", "govuk-tag--green")
    NOT_STARTED = ("Not started", "govuk-tag--blue")
    REVIEW_OVERDUE = ("Review overdue", "govuk-tag--orange")
    ENDED = ("Ended", "govuk-tag--grey")

    def __init__(self, label: str, tag_class: str) -> None:
        self.label = label
        self.tag_class = tag_class


def agreement_state(agreement: SharingAgreement, day: dt.date) -> AgreementState:
    if agreement.ends_on is not None and agreement.ends_on < day:
        return AgreementState.ENDED
    if agreement.starts_on > day:
        return AgreementState.NOT_STARTED
    if agreement.review_on < day:
        return AgreementState.REVIEW_OVERDUE
    return AgreementState.IN_FORCE


@dataclass
class AgreementView:
    agreement: SharingAgreement
    state: AgreementState


def agreements(actor: Actor) -> list[AgreementView]:
    require_privacy_officer(actor)
    today = clock.today()
    return [
        AgreementView(agreement, agreement_state(agreement, today))
        for agreement in SharingAgreement.objects.prefetch_related("party_organisations")
    ]


def agreement(actor: Actor, agreement_id: int) -> AgreementView:
    require_privacy_officer(actor)
    found = (
        SharingAgreement.objects.prefetch_related("party_organisations")
        .filter(pk=agreement_id)
        .first()
    )
    if found is None:
        raise NotFoundOrNotAllowed
    return AgreementView(found, agreement_state(found, clock.today()))


# Subject access and record exports
