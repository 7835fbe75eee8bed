"""Recording and withdrawing consent: who may give it, what it may cover, the messages that say
what to do, nothing half-written, and history kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import OrganisationFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import ChronologyEvent, EventKind, Family, Person, PersonKind
from beststart.families.tests.factories import (
    FamilyMemberFactory,
    PersonFactory,
    RelationshipFactory,
    family_with_people,
)
from beststart.sharing.actions import record_consent, withdraw_consent
from beststart.sharing.models import Consent, ConsentMethod, ConsentState, SharingPurpose
from beststart.sharing.tests.factories import ConsentFactory, days_from_today

pytestmark = pytest.mark.django_db

HEALTH = DataCategory.HEALTH.value
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT.value
FAMILY_HUB = OrganisationType.FAMILY_HUB.value


def mother_and_child(family: Family) -> tuple[Person, Person]:
    return (
        family.members.get(kind=PersonKind.PARENT),
        family.members.get(kind=PersonKind.CHILD),
    )


def terms(person: Person, **overrides: Any) -> dict[str, Any]:
    """A parent's verbal consent to share her health and family support information with
    children's centres, from today for a year."""
    return {
        "person": person,
        "given_by": person,
        "categories": [HEALTH, FAMILY_SUPPORT],
        "recipient_types": [FAMILY_HUB],
        "recipient_organisations": [],
        "purpose": SharingPurpose.COORDINATED_SUPPORT,
        "method": ConsentMethod.VERBAL,
        "evidence": "",
        "starts_on": clock.today(),
        "expires_on": days_from_today(365),
    } | overrides


@pytest.fixture
def family(actor: Actor) -> Family:
    return family_with_people(team=actor.team, practitioner=actor.user, surname="Ashcombe")


def test_a_parent_consents_for_herself(actor: Actor, family: Family) -> None:
    mother, _ = mother_and_child(family)
    named = OrganisationFactory(name="Little Acorns Nursery")
    consent = record_consent(
        actor=actor,
        family=family,
        **terms(mother, recipient_organisations=[named], evidence="  Talked at home  "),
    )
    consent.refresh_from_db()
    assert consent.person == consent.given_by == mother
    assert consent.categories == [HEALTH, FAMILY_SUPPORT]
    assert consent.recipient_types == [FAMILY_HUB]
    assert list(consent.recipient_organisations.all()) == [named]
    assert consent.evidence == "Talked at home"
    assert (consent.recorded_by, consent.recorded_by_team) == (actor.user, actor.team)
    assert consent.state_on(clock.today()) == ConsentState.IN_FORCE
    event = ChronologyEvent.objects.get(kind=EventKind.CONSENT_GIVEN)
    assert (event.family, event.person, event.category, event.team) == (
        family,
        mother,
        DataCategory.IDENTITY,
        actor.team,
    )
    assert f"Consent {consent.pk} recorded for {mother.full_name}" in event.summary
    assert "health, family support with Children's centre or family hub" in event.summary
    audit = AuditEvent.objects.get(action=AccessAction.UPDATE)
    assert (audit.family_id, audit.person_id, audit.outcome) == (
        family.pk,
        mother.pk,
        Outcome.ALLOWED,
    )


def test_an_adult_with_parental_responsibility_consents_for_a_child(
    actor: Actor, family: Family
) -> None:
    mother, child = mother_and_child(family)
    consent = record_consent(actor=actor, family=family, **terms(child, given_by=mother))
    assert (consent.person, consent.given_by) == (child, mother)


def test_a_young_parent_consents_for_herself(actor: Actor, family: Family) -> None:
    young_mother = PersonFactory(parent=True, date_of_birth=days_from_today(-17 * 365))
    FamilyMemberFactory(family=family, person=young_mother)
    consent = record_consent(actor=actor, family=family, **terms(young_mother))
    assert consent.given_by == young_mother


def _father_without_responsibility(family: Family, child: Person) -> Person:
    father = PersonFactory(parent=True, sex="male")
    FamilyMemberFactory(family=family, person=father)
    RelationshipFactory(adult=father, child=child, type="father", has_parental_responsibility=False)
    return father


def _outsider(family: Family, child: Person) -> Person:
    """An adult with parental responsibility who is not a member of this family."""
    outsider = PersonFactory(parent=True)
    RelationshipFactory(adult=outsider, child=child)
    return outsider


PR_MESSAGE = (
    "Select an adult in the family with parental responsibility for {child}. "
    "If it is not recorded yet, record the relationship first"
)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param(
            lambda mother, child, family: {"categories": []},
            "categories",
            "Select at least one kind of information to share",
            id="no category",
        ),
        pytest.param(
            lambda mother, child, family: {"categories": [HEALTH, DataCategory.SAFEGUARDING]},
            "categories",
            "Safeguarding information is never shared by consent: untick it. To share it to "
            "protect a child, ask your safeguarding lead about a safeguarding share",
            id="safeguarding",
        ),
        pytest.param(
            lambda mother, child, family: {"categories": ["gossip"]},
            "categories",
            "Select kinds of information from the list",
            id="unknown category",
        ),
        pytest.param(
            lambda mother, child, family: {"recipient_types": []},
            "recipient_types",
            "Select at least one type of organisation, or a named organisation, to share with",
            id="no recipient",
        ),
        pytest.param(
            lambda mother, child, family: {"recipient_types": ["pub"]},
            "recipient_types",
            "Select types of organisation from the list",
            id="unknown type",
        ),
        pytest.param(
            lambda mother, child, family: {"person": PersonFactory(parent=True)},
            "person",
            "Select a member of this family",
            id="not a member",
        ),
        pytest.param(
            lambda mother, child, family: {"given_by": child},
            "given_by",
            "A parent or carer gives consent for themself: select {mother}",
            id="parent by another",
        ),
        pytest.param(
            lambda mother, child, family: {"person": child, "given_by": child},
            "given_by",
            PR_MESSAGE,
            id="child by herself",
        ),
        pytest.param(
            lambda mother, child, family: {
                "person": child,
                "given_by": _father_without_responsibility(family, child),
            },
            "given_by",
            PR_MESSAGE,
            id="father without responsibility",
        ),
        pytest.param(
            lambda mother, child, family: {"person": child, "given_by": _outsider(family, child)},
            "given_by",
            PR_MESSAGE,
            id="outside the family",
        ),
        pytest.param(
            lambda mother, child, family: {"expires_on": clock.today()},
            "expires_on",
            "The expiry date must be after the start date",
            id="expires on start",
        ),
        pytest.param(
            lambda mother, child, family: {"expires_on": days_from_today(-1)},
            "expires_on",
            "The expiry date must be after the start date",
            id="expires before start",
        ),
        pytest.param(
            lambda mother, child, family: {"method": ConsentMethod.WRITTEN, "evidence": "  "},
            "evidence",
            "Enter where the signed form is kept, for example its reference number",
            id="written without evidence",
        ),
    ],
)
def test_each_problem_is_explained_and_nothing_is_written(
    actor: Actor, family: Family, change: Any, field: str, message: str
) -> None:
    mother, child = mother_and_child(family)
    events = ChronologyEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        record_consent(actor=actor, family=family, **terms(mother) | change(mother, child, family))
    expected = message.format(mother=mother.full_name, child=child.full_name)
    assert raised.value.message_dict == {field: [expected]}
    assert not Consent.objects.exists()
    assert ChronologyEvent.objects.count() == events
    assert not AuditEvent.objects.filter(action=AccessAction.UPDATE).exists()


def test_every_problem_is_reported_at_once(actor: Actor, family: Family) -> None:
    mother, _ = mother_and_child(family)
    with pytest.raises(ValidationError) as raised:
        record_consent(
            actor=actor,
            family=family,
            **terms(
                mother,
                categories=[],
                recipient_types=[],
                method=ConsentMethod.WRITTEN,
                expires_on=days_from_today(-5),
            ),
        )
    assert set(raised.value.message_dict) == {
        "categories",
        "recipient_types",
        "evidence",
        "expires_on",
    }


def test_written_consent_with_its_evidence_is_recorded(actor: Actor, family: Family) -> None:
    mother, _ = mother_and_child(family)
    consent = record_consent(
        actor=actor,
        family=family,
        **terms(mother, method=ConsentMethod.WRITTEN, evidence="Form CF-2291", expires_on=None),
    )
    assert (consent.method, consent.evidence, consent.expires_on) == (
        ConsentMethod.WRITTEN,
        "Form CF-2291",
        None,
    )


@given(
    categories=st.sets(st.sampled_from(list(DataCategory))),
    expires_in=st.one_of(st.none(), st.integers(-400, 400)),
)
def test_a_consent_is_recorded_exactly_when_its_categories_and_dates_are_acceptable(
    actor: Actor, family: Family, categories: set[str], expires_in: int | None
) -> None:
    mother, _ = mother_and_child(family)
    acceptable = (
        bool(categories)
        and DataCategory.SAFEGUARDING not in categories
        and (expires_in is None or expires_in > 0)
    )
    with transaction.atomic():
        expires_on = None if expires_in is None else days_from_today(expires_in)
        try:
            record_consent(
                actor=actor,
                family=family,
                **terms(mother, categories=sorted(categories), expires_on=expires_on),
            )
        except ValidationError:
            assert not acceptable
        else:
            assert acceptable
        transaction.set_rollback(True)


def test_a_team_that_does_not_work_with_the_family_cannot_record_consent(
    other_actor: Actor, family: Family
) -> None:
    mother, _ = mother_and_child(family)
    with pytest.raises(NotFoundOrNotAllowed):
        record_consent(actor=other_actor, family=family, **terms(mother))
    assert not Consent.objects.exists()
    refused = AuditEvent.objects.get()
    assert (refused.family_id, refused.person_id, refused.outcome) == (
        family.pk,
        mother.pk,
        Outcome.DENIED,
    )


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_roles_without_records_cannot_record_consent(
    actor: Actor, family: Family, role: str
) -> None:
    mother, _ = mother_and_child(family)
    with pytest.raises(NotFoundOrNotAllowed):
        record_consent(actor=make_actor(role, actor.team), family=family, **terms(mother))
    assert not Consent.objects.exists()


# ---------------------------------------------------------------------------------------------
# Withdrawing


def test_withdrawing_keeps_the_consent_as_history(actor: Actor, family: Family) -> None:
    mother, _ = mother_and_child(family)
    consent = ConsentFactory(person=mother)
    withdrawn = withdraw_consent(
        actor=actor, family=family, consent=consent, reason="  Changed her mind  "
    )
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn.withdrawn_at
    assert consent.withdrawn_at is not None
    assert clock.now() - consent.withdrawn_at < dt.timedelta(minutes=1)
    assert (consent.withdrawn_by, consent.withdrawal_reason) == (actor.user, "Changed her mind")
    assert consent.state_on(clock.today()) == ConsentState.WITHDRAWN
    # Nothing else about it changes: it is history now.
    assert consent.categories == [HEALTH, FAMILY_SUPPORT]
    assert Consent.objects.count() == 1
    event = ChronologyEvent.objects.get(kind=EventKind.CONSENT_WITHDRAWN)
    assert (event.person, event.category) == (mother, DataCategory.IDENTITY)
    assert event.summary == f"Consent {consent.pk} for {mother.full_name} withdrawn"
    audit = AuditEvent.objects.get(action=AccessAction.UPDATE)
    assert (audit.person_id, audit.outcome) == (mother.pk, Outcome.ALLOWED)


def test_a_consent_is_withdrawn_once(actor: Actor, family: Family) -> None:
    mother, _ = mother_and_child(family)
    consent = ConsentFactory(person=mother)
    first = withdraw_consent(actor=actor, family=family, consent=consent, reason="")
    with pytest.raises(ValidationError) as raised:
        withdraw_consent(actor=actor, family=family, consent=consent, reason="Again")
    assert raised.value.messages == [
        f"This consent was already withdrawn on {clock.today():%-d %B %Y}"
    ]
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawal_reason) == (first.withdrawn_at, "")
    assert ChronologyEvent.objects.filter(kind=EventKind.CONSENT_WITHDRAWN).count() == 1


def test_a_consent_is_withdrawn_only_through_its_own_family(
    actor: Actor, family: Family, other_actor: Actor
) -> None:
    stranger = family_with_people(team=actor.team, surname="Brambury")
    consent = ConsentFactory(person=stranger.members.get(kind=PersonKind.PARENT))
    with pytest.raises(NotFoundOrNotAllowed):
        withdraw_consent(actor=actor, family=family, consent=consent, reason="")
    with pytest.raises(NotFoundOrNotAllowed):
        withdraw_consent(actor=other_actor, family=stranger, consent=consent, reason="")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
