"""Recording reviews, immunisations and a death: what is written, the errors, all or nothing,
the chronology at the date it happened, and the policy with its audit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.care import actions
from beststart.care.actions import ContactDetails
from beststart.care.models import Contact, ContactMode, Immunisation, ReviewKind
from beststart.care.schedule import Timing
from beststart.care.tests.conftest import TODAY, Household
from beststart.care.tests.factories import ContactFactory
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import ChronologyEvent, EventKind
from beststart.sharing.access import Refused

pytestmark = pytest.mark.django_db
K = ReviewKind


def details(actor: Actor, kind: str = K.NEW_BIRTH, **changes: object) -> ContactDetails:
    base = ContactDetails(
        kind=kind,
        contact_date=TODAY,
        mode=ContactMode.FACE_TO_FACE,
        practitioner=actor.user,
        present=("mother", "child"),
        breastfeeding="totally" if kind in (K.NEW_BIRTH, K.SIX_TO_EIGHT_WEEKS) else "",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_a_new_birth_visit_is_recorded_with_its_chronology_line_at_its_date(
    actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 5)])
    (recorded,) = actions.record_contacts(
        actor=actor,
        family=family,
        people=[baby],
        details=details(
            actor,
            contact_date=dt.date(2026, 9, 12),
            weight_grams=3450,
            smoking_at_delivery="non_smoker",
            concerns="Slow to feed",
            next_steps="Call on Friday",
        ),
    )
    contact = Contact.objects.get()
    assert (contact.person, contact.team, contact.weight_grams, contact.breastfeeding) == (
        baby,
        actor.team,
        3450,
        "totally",
    )
    assert (recorded.timing, recorded.window and recorded.window.due_by) == (
        Timing.ON_TIME,
        dt.date(2026, 9, 19),
    )
    event = ChronologyEvent.objects.get(kind=EventKind.CONTACT)
    assert (event.category, event.person, event.occurred_at.date()) == (
        DataCategory.HEALTH,
        baby,
        dt.date(2026, 9, 12),
    )
    assert event.summary == "New birth visit (face to face) by Hana Visitor"
    audit = AuditEvent.objects.get(action=AccessAction.UPDATE)
    assert (audit.family_id, audit.person_id, audit.category, audit.outcome) == (
        family.pk,
        baby.pk,
        DataCategory.HEALTH,
        Outcome.ALLOWED,
    )


def test_a_late_review_is_recorded_as_it_happened(actor: Actor, household: Household) -> None:
    family, (child,) = household(born=[dt.date(2026, 5, 1)])
    (recorded,) = actions.record_contacts(
        actor=actor,
        family=family,
        people=[child],
        details=details(actor, K.SIX_TO_EIGHT_WEEKS, contact_date=dt.date(2026, 8, 10)),
    )
    assert recorded.timing == Timing.LATE
    assert ChronologyEvent.objects.get(kind=EventKind.CONTACT).summary.endswith(", late")


def test_twins_seen_at_one_visit_each_have_their_review(actor: Actor, household: Household) -> None:
    family, twins = household(born=[dt.date(2026, 9, 3)] * 2)
    actions.record_contacts(actor=actor, family=family, people=twins, details=details(actor))
    assert sorted(Contact.objects.values_list("person_id", flat=True)) == sorted(
        twin.pk for twin in twins
    )
    assert ChronologyEvent.objects.filter(kind=EventKind.CONTACT).count() == 2


def test_a_second_new_birth_visit_is_refused_for_both_twins_and_nothing_is_written(
    actor: Actor, household: Household
) -> None:
    family, (first, second) = household(born=[dt.date(2026, 9, 3)] * 2)
    ContactFactory(family=family, person=first, contact_date=dt.date(2026, 9, 9), team=actor.team)
    with pytest.raises(ValidationError) as error:
        actions.record_contacts(
            actor=actor, family=family, people=[second, first], details=details(actor)
        )
    assert messages(error) == {
        "kind": [f"{first.full_name} already had a new birth visit on 9 September 2026"]
    }
    assert Contact.objects.count() == 1
    assert not ChronologyEvent.objects.filter(kind=EventKind.CONTACT).exists()


def test_another_organisations_earlier_visit_is_refused_without_its_date(
    actor: Actor, other_actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 3)])
    ContactFactory(family=family, person=baby, team=other_actor.team)
    with pytest.raises(ValidationError) as error:
        actions.record_contacts(actor=actor, family=family, people=[baby], details=details(actor))
    assert messages(error) == {"kind": [f"{baby.full_name} already had a new birth visit"]}


@pytest.mark.parametrize(
    ("born", "due", "kind", "changes", "field", "message"),
    [
        (
            dt.date(2026, 9, 10),
            None,
            K.NEW_BIRTH,
            {"contact_date": dt.date(2026, 9, 9)},
            "contact_date",
            "The date of a new birth visit must be on or after {name}'s date of birth, "
            "10 September 2026",
        ),
        (
            dt.date(2026, 9, 10),
            None,
            K.ANTENATAL,
            {"contact_date": dt.date(2026, 9, 11), "breastfeeding": ""},
            "contact_date",
            "An antenatal contact is before the birth: {name} was born on 10 September 2026",
        ),
        (
            None,
            dt.date(2026, 11, 1),
            K.NEW_BIRTH,
            {},
            "children",
            "{name} has not been born yet: record the birth first, or choose an antenatal contact",
        ),
        (
            dt.date(2026, 9, 10),
            None,
            K.NEW_BIRTH,
            {"contact_date": dt.date(2026, 9, 16)},
            "contact_date",
            "The date of the contact must be today or in the past",
        ),
        (
            dt.date(2026, 9, 10),
            None,
            K.NEW_BIRTH,
            {"weight_grams": 34500},
            "weight",
            "Enter a weight between 0.4 kg and 7 kg at a new birth visit, in kilograms",
        ),
        (
            dt.date(2026, 9, 10),
            None,
            K.NEW_BIRTH,
            {"weight_grams": 3450, "mode": ContactMode.PHONE},
            "weight",
            "A weight is measured face to face: leave it blank for this contact",
        ),
        (
            dt.date(2026, 9, 10),
            None,
            K.NEW_BIRTH,
            {"breastfeeding": ""},
            "breastfeeding",
            "Select whether the baby is breastfed",
        ),
        (
            None,
            dt.date(2026, 11, 1),
            K.ANTENATAL,
            {"breastfeeding": "totally"},
            "breastfeeding",
            "Breastfeeding is recorded after the birth",
        ),
    ],
)
def test_what_cannot_be_recorded_says_why(
    actor: Actor,
    household: Household,
    born: dt.date | None,
    due: dt.date | None,
    kind: str,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    family, (child,) = household(born=[born] if born else [], due=due)
    with pytest.raises(ValidationError) as error:
        actions.record_contacts(
            actor=actor, family=family, people=[child], details=details(actor, kind, **changes)
        )
    assert messages(error)[field] == [message.format(name=child.full_name)]
    assert not Contact.objects.exists()


def test_the_practitioner_must_work_in_the_team(
    actor: Actor, other_actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    with pytest.raises(ValidationError) as error:
        actions.record_contacts(
            actor=actor,
            family=family,
            people=[baby],
            details=details(actor, practitioner=other_actor.user),
        )
    assert messages(error) == {
        "practitioner": ["Choose someone who works in Health Visiting North"]
    }


def test_a_team_that_does_not_work_with_the_family_is_refused_and_the_refusal_audited(
    other_actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    with pytest.raises(Refused):
        actions.record_contacts(
            actor=other_actor, family=family, people=[baby], details=details(other_actor)
        )
    assert not Contact.objects.exists()
    refusal = AuditEvent.objects.get(user_id=other_actor.user.pk)
    assert (refusal.action, refusal.outcome, refusal.family_id) == (
        AccessAction.UPDATE,
        Outcome.DENIED,
        family.pk,
    )


def test_early_years_practitioners_do_not_record_health(actor: Actor, household: Household) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    nursery = make_actor(Role.EARLY_YEARS_PRACTITIONER, actor.team)
    with pytest.raises(Refused):
        actions.record_contacts(
            actor=nursery, family=family, people=[baby], details=details(nursery)
        )


# ---------------------------------------------------------------------------------------------
# Immunisations


def test_vaccines_given_together_are_recorded_each_with_one_chronology_line(
    actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 7, 1)])
    records = actions.record_immunisations(
        actor=actor,
        family=family,
        person=baby,
        vaccines=["6in1_1", "menb_1", "rota_1"],
        status="given",
        on_date=dt.date(2026, 8, 26),
        place="Ashby Marsh Road Surgery",
        declined_reason="ignored when given",
    )
    assert [record.vaccine for record in records] == ["6in1_1", "menb_1", "rota_1"]
    assert {record.declined_reason for record in records} == {""}
    event = ChronologyEvent.objects.get(kind=EventKind.IMMUNISATION)
    assert event.summary == (
        "Immunisations given at Ashby Marsh Road Surgery: 6-in-1 (1st dose), "
        "MenB (1st dose), Rotavirus (1st dose)"
    )
    assert (event.category, event.occurred_at.date()) == (
        DataCategory.HEALTH,
        dt.date(2026, 8, 26),
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "declined", "declined_reason": " "}, "declined_reason", "Enter why"),
        ({"place": ""}, "place", "Enter where the vaccines were given"),
        ({"on_date": dt.date(2026, 6, 30)}, "on_date", "on or after"),
        ({"vaccines": ["hibmenc"]}, "vaccines", "Select vaccines of"),
        ({"vaccines": []}, "vaccines", "Select the vaccines"),
        ({"vaccines": ["6in1_1"]}, "vaccines", "6-in-1 (1st dose) is already recorded"),
    ],
)
def test_immunisation_errors(
    actor: Actor,
    household: Household,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 7, 1)])
    actions.record_immunisations(
        actor=actor,
        family=family,
        person=baby,
        vaccines=["6in1_1"],
        status="given",
        on_date=dt.date(2026, 8, 26),
        place="Surgery",
    )
    arguments = {
        "vaccines": ["menb_1"],
        "status": "given",
        "on_date": dt.date(2026, 8, 26),
        "place": "Surgery",
    } | changes
    with pytest.raises(ValidationError) as error:
        actions.record_immunisations(
            actor=actor,
            family=family,
            person=baby,
            **arguments,  # type: ignore[arg-type]
        )
    assert message in " ".join(messages(error)[field])
    assert Immunisation.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# A death


def test_a_death_ends_the_childs_reviews_but_not_the_familys_involvement(
    actor: Actor, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 8, 20)])
    actions.record_death(
        actor=actor, family=family, person=child, date_of_death=dt.date(2026, 9, 1)
    )
    child.refresh_from_db()
    assert child.date_of_death == dt.date(2026, 9, 1)
    assert family.involvements.get().ended_on is None
    event = ChronologyEvent.objects.get(kind=EventKind.DEATH_RECORDED)
    assert (event.summary, event.category, event.occurred_at.date()) == (
        f"{child.full_name} died on 1 September 2026",
        DataCategory.IDENTITY,
        dt.date(2026, 9, 1),
    )
    with pytest.raises(ValidationError, match="already recorded"):
        actions.record_death(actor=actor, family=family, person=child, date_of_death=TODAY)


def test_a_death_before_the_birth_is_refused(actor: Actor, household: Household) -> None:
    family, (child,) = household(born=[dt.date(2026, 8, 20)])
    with pytest.raises(ValidationError) as error:
        actions.record_death(
            actor=actor, family=family, person=child, date_of_death=dt.date(2026, 8, 19)
        )
    assert messages(error) == {
        "date_of_death": [
            f"The date must be on or after {child.full_name}'s date of birth, 20 August 2026"
        ]
    }


def test_a_pregnancy_loss_is_worded_as_one(actor: Actor, household: Household) -> None:
    family, (unborn,) = household(due=dt.date(2026, 12, 1))
    actions.record_death(actor=actor, family=family, person=unborn, date_of_death=TODAY)
    assert ChronologyEvent.objects.get(kind=EventKind.DEATH_RECORDED).summary == (
        "Pregnancy loss on 15 September 2026"
    )
