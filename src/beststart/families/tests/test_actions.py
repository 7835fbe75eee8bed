"""Writes to the family record: each asks the policy, and writes the change, its audit row and
its chronology event together, or nothing at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.tests.factories import next_nhs_number
from beststart.families import actions
from beststart.families.actions import AddressDetails, PersonDetails
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
    Relationship,
    RelationshipType,
    Sex,
)
from beststart.families.tests.factories import (
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
    years_ago,
)
from beststart.places.tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db

TABLES = (Family, Person, FamilyMember, Relationship, Address, Involvement, ChronologyEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (*TABLES, AuditEvent)}


def events(family: Family) -> list[tuple[str, str]]:
    return [(e.kind, e.summary) for e in family.chronology.order_by("id")]


def mother(**overrides: object) -> PersonDetails:
    values: dict[str, object] = {
        "kind": PersonKind.PARENT,
        "given_name": " Ada ",
        "family_name": "Quillby ",
        "sex": Sex.FEMALE,
        "date_of_birth": dt.date(1994, 5, 17),
        "nhs_number": "",
    }
    return PersonDetails(**(values | overrides))  # type: ignore[arg-type]


def address(postcode: str, **overrides: object) -> AddressDetails:
    values: dict[str, object] = {
        "line_1": "12 Mill Road",
        "town": "Testbury",
        "postcode": postcode,
        "moved_in": clock.today() - dt.timedelta(days=400),
    }
    return AddressDetails(**(values | overrides))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# create_family


def test_create_family_writes_the_family_its_first_member_address_and_lead_involvement(
    actor: Actor,
) -> None:
    postcode = PostcodeFactory(postcode="XW4 5QR")
    number = next_nhs_number()
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"

    family = actions.create_family(
        actor=actor,
        family_name=" Quillby family ",
        first_member=mother(nhs_number=spaced),
        address=address("xw45qr", is_withheld=True),
    )

    assert family.name == "Quillby family"
    person = family.members.get()
    assert (person.given_name, person.family_name, person.nhs_number) == ("Ada", "Quillby", number)
    assert FamilyMember.objects.get(family=family, person=person).joined_on == clock.today()
    home = family.addresses.get()
    assert (home.postcode, home.lsoa, home.is_current) == ("XW4 5QR", postcode.lsoa, True)
    assert home.is_withheld
    assert home.recorded_by_team == actor.team
    lead = family.involvements.get()
    assert (lead.team, lead.practitioner, lead.is_lead) == (actor.team, actor.user, True)
    assert lead.started_on == clock.today()
    assert lead.ended_on is None
    assert events(family) == [
        (EventKind.FAMILY_CREATED, f"Family record created by {actor.team.name}"),
        (EventKind.MEMBER_ADDED, "Ada Quillby added (parent)"),
    ]
    assert {e.recorded_by for e in family.chronology.all()} == {actor.user}
    audit = AuditEvent.objects.get()
    assert (audit.family_id, audit.person_id) == (family.pk, person.pk)
    assert (audit.action, audit.category, audit.outcome) == (
        AccessAction.CREATE,
        DataCategory.IDENTITY,
        Outcome.ALLOWED,
    )
    assert (audit.user_id, audit.role, audit.team_id) == (actor.user.pk, actor.role, actor.team.pk)


def test_create_family_with_an_unknown_postcode_writes_nothing(actor: Actor) -> None:
    PostcodeFactory(postcode="XW4 5QR")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.create_family(
            actor=actor,
            family_name="Quillby family",
            first_member=mother(),
            address=address("XW9 9ZZ"),
        )
    assert "postcode" in caught.value.message_dict
    assert counts() == before


def test_create_family_with_a_known_nhs_number_writes_nothing(actor: Actor) -> None:
    postcode = PostcodeFactory()
    known = PersonFactory()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.create_family(
            actor=actor,
            family_name="Quillby family",
            first_member=mother(nhs_number=known.nhs_number),
            address=address(postcode.postcode),
        )
    assert "already on the register" in caught.value.message_dict["nhs_number"][0]
    assert counts() == before


def test_create_family_refuses_a_role_that_does_not_use_records() -> None:
    commissioner = make_actor(Role.COMMISSIONER, TeamFactory())
    postcode = PostcodeFactory()
    before = counts()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.create_family(
            actor=commissioner,
            family_name="Quillby family",
            first_member=mother(),
            address=address(postcode.postcode),
        )
    assert {k: v for k, v in counts().items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }


# ---------------------------------------------------------------------------------------------
# add_member and relate


def test_add_member_with_a_relationship_and_parental_responsibility(actor: Actor) -> None:
    family = family_with_people(team=actor.team, surname="Quillby")
    adult = family.members.get(kind=PersonKind.PARENT)
    child = actions.add_member(
        actor=actor,
        family=family,
        details=PersonDetails(
            kind=PersonKind.CHILD,
            given_name="Noah",
            family_name="Quillby",
            sex=Sex.MALE,
            date_of_birth=years_ago(0.5),
        ),
        related_adult=adult,
        relationship_type=RelationshipType.MOTHER,
        has_parental_responsibility=True,
    )
    assert family.members.filter(pk=child.pk).exists()
    relationship = Relationship.objects.get(child=child)
    assert (relationship.adult, relationship.type, relationship.has_parental_responsibility) == (
        adult,
        RelationshipType.MOTHER,
        True,
    )
    assert events(family)[-1] == (EventKind.MEMBER_ADDED, "Noah Quillby added (child)")
    audit = AuditEvent.objects.get(action=AccessAction.UPDATE)
    assert (audit.family_id, audit.outcome) == (family.pk, Outcome.ALLOWED)


def test_add_member_without_a_relationship_records_none(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    before = Relationship.objects.count()
    actions.add_member(
        actor=actor,
        family=family,
        details=PersonDetails(
            kind=PersonKind.CARER,
            given_name="Rosa",
            family_name="Quillby",
            sex=Sex.FEMALE,
            date_of_birth=years_ago(60),
        ),
    )
    assert Relationship.objects.count() == before
    assert family.members.count() == 3


def test_add_member_refuses_an_adult_from_another_family(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    stranger = PersonFactory(parent=True)
    before = counts()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_member(
            actor=actor,
            family=family,
            details=PersonDetails(
                kind=PersonKind.CHILD,
                given_name="Noah",
                family_name="Quillby",
                sex=Sex.MALE,
                date_of_birth=years_ago(0.5),
            ),
            related_adult=stranger,
            relationship_type=RelationshipType.FATHER,
        )
    assert counts() == before


def test_a_team_not_involved_may_not_add_a_member(actor: Actor, other_actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    before = counts()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_member(
            actor=other_actor,
            family=family,
            details=PersonDetails(
                kind=PersonKind.CHILD,
                given_name="Noah",
                family_name="Quillby",
                sex=Sex.MALE,
                date_of_birth=years_ago(0.5),
            ),
        )
    after = counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # the refusal, kept
    assert after == before


def test_relate_records_and_then_corrects_a_relationship(actor: Actor) -> None:
    family = family_with_people(team=actor.team, surname="Quillby")
    father = PersonFactory(parent=True, given_name="Sam", family_name="Quillby", sex=Sex.MALE)
    FamilyMemberFactory(family=family, person=father)
    child = family.members.get(kind=PersonKind.CHILD)
    actions.relate(
        actor=actor,
        family=family,
        adult=father,
        child=child,
        relationship_type=RelationshipType.STEP_PARENT,
        has_parental_responsibility=False,
    )
    actions.relate(
        actor=actor,
        family=family,
        adult=father,
        child=child,
        relationship_type=RelationshipType.FATHER,
        has_parental_responsibility=True,
    )
    relationship = Relationship.objects.get(adult=father, child=child)
    assert (relationship.type, relationship.has_parental_responsibility) == ("father", True)
    assert events(family)[-2:] == [
        (
            EventKind.PERSON_UPDATED,
            f"Sam Quillby recorded as step-parent of {child.full_name}",
        ),
        (EventKind.PERSON_UPDATED, f"Sam Quillby recorded as father of {child.full_name}"),
    ]


def test_relate_refuses_people_outside_the_family(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    child = family.members.get(kind=PersonKind.CHILD)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.relate(
            actor=actor,
            family=family,
            adult=PersonFactory(parent=True),
            child=child,
            relationship_type=RelationshipType.FATHER,
            has_parental_responsibility=True,
        )


# ---------------------------------------------------------------------------------------------
# update_person and record_birth


def test_update_person_names_what_changed_in_the_chronology(actor: Actor) -> None:
    family = family_with_people(team=actor.team, surname="Quillby")
    person = family.members.get(kind=PersonKind.PARENT)
    number = next_nhs_number()
    actions.update_person(
        actor=actor,
        family=family,
        person=person,
        details=PersonDetails(
            kind=person.kind,
            given_name=person.given_name,
            family_name="Quillby-Hart",
            known_as=" Addie ",
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            nhs_number=f"{number[:3]} {number[3:6]} {number[6:]}",
        ),
    )
    person.refresh_from_db()
    assert (person.family_name, person.known_as, person.nhs_number) == (
        "Quillby-Hart",
        "Addie",
        number,
    )
    kind, summary = events(family)[-1]
    assert kind == EventKind.PERSON_UPDATED
    assert summary == f"{person.full_name}: family name, known as, NHS number updated"


def test_update_person_with_nothing_changed_writes_no_event(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    person = family.members.get(kind=PersonKind.PARENT)
    before = ChronologyEvent.objects.count()
    actions.update_person(
        actor=actor,
        family=family,
        person=person,
        details=PersonDetails(
            kind=person.kind,
            given_name=person.given_name,
            family_name=person.family_name,
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            nhs_number=person.nhs_number or "",
        ),
    )
    assert ChronologyEvent.objects.count() == before


def test_update_person_refuses_another_persons_nhs_number(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    person = family.members.get(kind=PersonKind.PARENT)
    other = PersonFactory()
    with pytest.raises(ValidationError) as caught:
        actions.update_person(
            actor=actor,
            family=family,
            person=person,
            details=PersonDetails(
                kind=person.kind,
                given_name="Changed",
                family_name=person.family_name,
                sex=person.sex,
                date_of_birth=person.date_of_birth,
                nhs_number=other.nhs_number or "",
            ),
        )
    assert "nhs_number" in caught.value.message_dict
    person.refresh_from_db()
    assert person.given_name != "Changed"


def test_record_birth_turns_the_unborn_baby_into_a_child_on_the_same_record(
    actor: Actor,
) -> None:
    family = family_with_people(team=actor.team, surname="Quillby", unborn=True)
    unborn = family.members.get(kind=PersonKind.UNBORN)
    due = unborn.expected_delivery_date
    born = clock.today() - dt.timedelta(days=2)
    number = next_nhs_number()

    child = actions.record_birth(
        actor=actor,
        family=family,
        person=unborn,
        date_of_birth=born,
        given_name="Isla",
        sex=Sex.FEMALE,
        nhs_number=number,
    )

    assert child.pk == unborn.pk
    saved = Person.objects.get(pk=unborn.pk)
    assert saved.kind == PersonKind.CHILD
    assert (saved.given_name, saved.date_of_birth, saved.sex) == ("Isla", born, Sex.FEMALE)
    assert saved.expected_delivery_date == due
    assert saved.nhs_number == number
    assert family.members.filter(pk=saved.pk).exists()
    assert Relationship.objects.filter(child=saved).exists()  # the mother's link is kept
    assert events(family)[-1] == (
        EventKind.BIRTH_RECORDED,
        f"Isla Quillby born on {born.day} {born:%B %Y}",
    )


def test_record_birth_of_someone_already_born_is_refused(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    child = family.members.get(kind=PersonKind.CHILD)
    with pytest.raises(ValidationError):
        actions.record_birth(
            actor=actor,
            family=family,
            person=child,
            date_of_birth=clock.today(),
            given_name="Again",
            sex=Sex.MALE,
        )
    assert Person.objects.get(pk=child.pk).given_name != "Again"


# ---------------------------------------------------------------------------------------------
# move_address


def test_move_address_keeps_the_old_address_as_history(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    old = family.addresses.get()
    new_postcode = PostcodeFactory(postcode="XW7 1AB")
    moved = clock.today() - dt.timedelta(days=3)

    new = actions.move_address(
        actor=actor, family=family, details=address("xw7 1ab", moved_in=moved)
    )

    old.refresh_from_db()
    assert old.moved_out == moved
    assert not old.is_current
    assert new.is_current
    assert new.postcode == "XW7 1AB"
    assert new.lsoa == new_postcode.lsoa
    assert list(family.addresses.order_by("moved_in")) == [old, new]
    assert family.addresses.filter(moved_out=None).get() == new
    assert events(family)[-1] == (EventKind.ADDRESS_CHANGED, "Moved to XW7 1AB")


def test_moving_to_a_withheld_address_keeps_the_postcode_out_of_the_chronology(
    actor: Actor,
) -> None:
    family = family_with_people(team=actor.team)
    PostcodeFactory(postcode="XW7 1AB")
    actions.move_address(
        actor=actor,
        family=family,
        details=address("XW7 1AB", moved_in=clock.today(), is_withheld=True),
    )
    assert events(family)[-1] == (EventKind.ADDRESS_CHANGED, "Address withheld (recorded)")
    assert "XW7" not in " ".join(summary for _, summary in events(family))


def test_a_move_dated_before_the_current_address_is_refused(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    current = family.addresses.get()
    PostcodeFactory(postcode="XW7 1AB")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.move_address(
            actor=actor,
            family=family,
            details=address("XW7 1AB", moved_in=current.moved_in - dt.timedelta(days=1)),
        )
    assert "moved_in" in caught.value.message_dict
    assert counts() == before
    current.refresh_from_db()
    assert current.is_current


def test_a_failed_move_to_an_unknown_postcode_leaves_the_current_address_current(
    actor: Actor,
) -> None:
    family = family_with_people(team=actor.team)
    current = family.addresses.get()
    with pytest.raises(ValidationError):
        actions.move_address(actor=actor, family=family, details=address("XW9 9ZZ"))
    current.refresh_from_db()
    assert current.is_current


# ---------------------------------------------------------------------------------------------
# Involvements


def test_add_involvement_of_a_practitioner_in_the_team(actor: Actor, other_actor: Actor) -> None:
    family = family_with_people(team=actor.team, practitioner=actor.user)
    involvement = actions.add_involvement(
        actor=actor,
        family=family,
        team=other_actor.team,
        practitioner=other_actor.user,
        is_lead=False,
        started_on=clock.today(),
        reason=" Stay and play sessions ",
    )
    assert (involvement.team, involvement.practitioner, involvement.reason) == (
        other_actor.team,
        other_actor.user,
        "Stay and play sessions",
    )
    assert events(family)[-1] == (
        EventKind.INVOLVEMENT_STARTED,
        f"{other_actor.user.get_full_name()} ({other_actor.team.name}) started working with "
        "the family",
    )


def test_add_involvement_refuses_a_practitioner_who_is_not_in_the_team(
    actor: Actor, other_actor: Actor
) -> None:
    family = family_with_people(team=actor.team)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.add_involvement(
            actor=actor,
            family=family,
            team=other_actor.team,
            practitioner=actor.user,
            is_lead=False,
            started_on=clock.today(),
        )
    assert caught.value.message_dict == {
        "practitioner": ["Choose a practitioner who works in that team"]
    }
    assert counts() == before


def test_add_involvement_refuses_a_practitioner_whose_membership_has_ended(
    actor: Actor, other_actor: Actor
) -> None:
    family = family_with_people(team=actor.team)
    other_actor.membership.is_active = False
    other_actor.membership.save()
    with pytest.raises(ValidationError):
        actions.add_involvement(
            actor=actor,
            family=family,
            team=other_actor.team,
            practitioner=other_actor.user,
            is_lead=False,
            started_on=clock.today(),
        )


def test_a_new_lead_replaces_the_current_lead(actor: Actor, other_actor: Actor) -> None:
    family = family_with_people(team=actor.team, practitioner=actor.user)
    first = family.involvements.get()
    actions.add_involvement(
        actor=actor,
        family=family,
        team=other_actor.team,
        practitioner=None,
        is_lead=True,
        started_on=clock.today(),
    )
    first.refresh_from_db()
    assert not first.is_lead
    assert family.involvements.filter(is_lead=True).get().team == other_actor.team
    assert events(family)[-1][1] == (
        f"{other_actor.team.name} started working with the family as lead practitioner"
    )


def test_end_involvement(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    second = InvolvementFactory(family=family, team=TeamFactory(name="Little Steps"))
    actions.end_involvement(actor=actor, involvement=second, ended_on=clock.today())
    second.refresh_from_db()
    assert second.ended_on == clock.today()
    assert events(family)[-1] == (
        EventKind.INVOLVEMENT_ENDED,
        "Little Steps stopped working with the family",
    )


def test_a_team_without_the_lead_may_end_only_its_own_involvement(
    actor: Actor, other_actor: Actor
) -> None:
    family = family_with_people(team=actor.team)  # actor's team holds the lead
    theirs = InvolvementFactory(family=family, team=other_actor.team)
    third = InvolvementFactory(family=family, team=TeamFactory(name="Little Steps"))

    with pytest.raises(NotFoundOrNotAllowed):
        actions.end_involvement(actor=other_actor, involvement=third, ended_on=clock.today())
    third.refresh_from_db()
    assert third.ended_on is None
    assert AuditEvent.objects.filter(
        user_id=other_actor.user.pk, outcome=Outcome.DENIED, family_id=family.pk
    ).exists()

    actions.end_involvement(actor=other_actor, involvement=theirs, ended_on=clock.today())
    theirs.refresh_from_db()
    assert theirs.ended_on == clock.today()


def test_an_involvement_cannot_end_before_it_started(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    involvement = family.involvements.get()
    with pytest.raises(ValidationError):
        actions.end_involvement(
            actor=actor,
            involvement=involvement,
            ended_on=involvement.started_on - dt.timedelta(days=1),
        )
    involvement.refresh_from_db()
    assert involvement.ended_on is None


def test_ending_the_teams_last_involvement_closes_the_record_to_the_team(actor: Actor) -> None:
    from beststart.sharing.policy import decide

    family = family_with_people(team=actor.team)
    involvement = family.involvements.get()
    involvement.started_on = clock.today() - dt.timedelta(days=10)
    involvement.save()
    actions.end_involvement(
        actor=actor, involvement=involvement, ended_on=clock.today() - dt.timedelta(days=1)
    )
    assert not decide(actor, family, DataCategory.IDENTITY, AccessAction.VIEW)


def test_every_action_writes_a_chronology_event_by_the_actor(actor: Actor) -> None:
    """One pass through the record's life: each write adds exactly one event (record_birth
    two: the details and the birth)."""
    postcode = PostcodeFactory()
    family = actions.create_family(
        actor=actor,
        family_name="Quillby family",
        first_member=mother(),
        address=address(postcode.postcode),
    )
    adult = family.members.get()
    unborn = actions.add_member(
        actor=actor,
        family=family,
        details=PersonDetails(
            kind=PersonKind.UNBORN,
            given_name="",
            family_name="Quillby",
            sex=Sex.NOT_KNOWN,
            expected_delivery_date=clock.today() + dt.timedelta(days=30),
        ),
        related_adult=adult,
        relationship_type=RelationshipType.MOTHER,
        has_parental_responsibility=True,
    )

    def added_by(write: object) -> list[str]:
        """Run one write; the kinds of the events it added, all by the actor's team."""
        before = family.chronology.count()
        assert callable(write)
        write()
        new = list(family.chronology.order_by("id")[before:])
        assert {(event.recorded_by, event.team) for event in new} == {(actor.user, actor.team)}
        return [event.kind for event in new]

    assert added_by(
        lambda: actions.record_birth(
            actor=actor,
            family=family,
            person=unborn,
            date_of_birth=clock.today(),
            given_name="Ivy",
            sex=Sex.FEMALE,
        )
    ) == [EventKind.PERSON_UPDATED, EventKind.BIRTH_RECORDED]
    assert added_by(
        lambda: actions.move_address(
            actor=actor, family=family, details=address(postcode.postcode, moved_in=clock.today())
        )
    ) == [EventKind.ADDRESS_CHANGED]
    assert added_by(
        lambda: actions.add_involvement(
            actor=actor,
            family=family,
            team=actor.team,
            practitioner=None,
            is_lead=False,
            started_on=clock.today(),
        )
    ) == [EventKind.INVOLVEMENT_STARTED]


def test_a_refused_action_keeps_its_denied_audit_row(actor: Actor, other_actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.move_address(
            actor=other_actor, family=family, details=address("XW1 1AA", moved_in=clock.today())
        )
    assert AuditEvent.objects.filter(
        family_id=family.pk, user_id=other_actor.user.pk, outcome=Outcome.DENIED
    ).exists()
    assert not family.addresses.filter(postcode="XW1 1AA").exists()


def test_a_refused_create_is_audited_and_writes_nothing() -> None:
    commissioner = make_actor(role=Role.COMMISSIONER)
    PostcodeFactory.create(postcode="XW1 1AA")
    families_before = Family.objects.count()
    with pytest.raises(NotFoundOrNotAllowed):
        actions.create_family(
            actor=commissioner,
            family_name="Refused family",
            first_member=mother(),
            address=address("XW1 1AA"),
        )
    assert Family.objects.count() == families_before
    assert AuditEvent.objects.filter(
        user_id=commissioner.user.pk, action=AccessAction.CREATE, outcome=Outcome.DENIED
    ).exists()


# ---------------------------------------------------------------------------------------------
# Notes


def test_a_note_is_recorded_with_its_category_and_seal(actor: Actor) -> None:
    family = family_with_people(team=actor.team, practitioner=actor.user)
    child = family.members.get(kind=PersonKind.CHILD)
    note = actions.add_note(
        actor=actor,
        family=family,
        person=child,
        category=DataCategory.HEALTH,
        summary="  Weight on the 9th centile; feeding well  ",
        is_sealed=True,
    )
    assert (note.kind, note.category, note.is_sealed) == (
        EventKind.NOTE,
        DataCategory.HEALTH,
        True,
    )
    assert (note.person, note.team, note.summary) == (
        child,
        actor.team,
        "Weight on the 9th centile; feeding well",
    )
    row = AuditEvent.objects.get(action=AccessAction.UPDATE, category=DataCategory.HEALTH)
    assert (row.family_id, row.person_id, row.outcome) == (family.pk, child.pk, Outcome.ALLOWED)


def test_a_note_about_someone_outside_the_family_is_refused(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as raised:
        actions.add_note(
            actor=actor,
            family=family,
            person=stranger,
            category=DataCategory.HEALTH,
            summary="Misfiled",
            is_sealed=False,
        )
    assert "person" in raised.value.error_dict
    assert not family.chronology.filter(kind=EventKind.NOTE).exists()


def test_a_role_cannot_record_a_category_its_work_does_not_cover() -> None:
    school = make_actor(Role.SCHOOL_STAFF, TeamFactory())
    family = family_with_people(team=school.team)
    with pytest.raises(NotFoundOrNotAllowed):
        actions.add_note(
            actor=school,
            family=family,
            person=None,
            category=DataCategory.HEALTH,
            summary="Asthma",
            is_sealed=False,
        )
    assert not family.chronology.filter(kind=EventKind.NOTE).exists()
    refused = AuditEvent.objects.get(action=AccessAction.UPDATE, category=DataCategory.HEALTH)
    assert refused.outcome == Outcome.DENIED
