"""Writes to the family record. Each takes the actor, asks the policy, and writes the change,
its audit row and its chronology event in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from beststart.accounts.actors import Actor
from beststart.accounts.models import Team, User
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.identifiers import normalise_nhs_number, validate_nhs_number
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    FamilyMember,
    Involvement,
    InvolvementEnd,
    Person,
    PersonKind,
    Relationship,
)
from beststart.places.selectors import find_postcode
from beststart.sharing.access import audit_decision, audited_write, enforce, require
from beststart.sharing.policy import Decision, may_end_involvement


@dataclass(frozen=True)
class PersonDetails:
    kind: str
    given_name: str
    family_name: str
    sex: str
    date_of_birth: dt.date | None = None
    expected_delivery_date: dt.date | None = None
    nhs_number: str = ""
    known_as: str = ""


@dataclass(frozen=True)
class AddressDetails:
    line_1: str
    town: str
    postcode: str
    moved_in: dt.date
    line_2: str = ""
    is_withheld: bool = False


def _require(
    actor: Actor, family: Family | None, action: str, person_id: int | None = None
) -> Decision:
    return require(
        actor, family, category=DataCategory.IDENTITY, action=action, person_id=person_id
    )


def record_event(
    actor: Actor,
    family: Family,
    kind: str,
    summary: str,
    person: Person | None = None,
    *,
    category: str = DataCategory.IDENTITY,
    is_sealed: bool = False,
    occurred_at: dt.datetime | None = None,
) -> ChronologyEvent:
    """A line on the family's chronology, recorded by the actor's team. Call it inside the
    write whose event it is; `occurred_at` for something that happened before it was
    recorded (a review written up the next day), otherwise now."""
    event = ChronologyEvent(
        family=family,
        person=person,
        kind=kind,
        category=category,
        summary=summary,
        occurred_at=occurred_at or clock.now(),
        recorded_by=actor.user,
        team=actor.team,
        is_sealed=is_sealed,
    )
    event.save()
    return event


def _new_person(details: PersonDetails) -> Person:
    nhs_number = normalise_nhs_number(details.nhs_number) if details.nhs_number else None
    if nhs_number:
        validate_nhs_number(nhs_number)
        if Person.objects.filter(nhs_number=nhs_number).exists():
            raise ValidationError(
                {
                    "nhs_number": "A person with this NHS number is already on the register. "
                    "Search for them instead of creating a new record."
                }
            )
    person = Person(
        kind=details.kind,
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        known_as=details.known_as.strip(),
        sex=details.sex,
        date_of_birth=details.date_of_birth,
        expected_delivery_date=details.expected_delivery_date,
        nhs_number=nhs_number,
    )
    person.full_clean(exclude=["nhs_number"])
    person.save()
    return person


def _new_address(actor: Actor, family: Family, details: AddressDetails) -> Address:
    postcode = find_postcode(details.postcode)
    if postcode is None:
        raise ValidationError(
            {"postcode": "Enter a postcode in the area this service covers, like XW1 2AB"}
        )
    address = Address(
        family=family,
        line_1=details.line_1.strip(),
        line_2=details.line_2.strip(),
        town=details.town.strip(),
        postcode=postcode.postcode,
        lsoa=postcode.lsoa,
        moved_in=details.moved_in,
        is_withheld=details.is_withheld,
        recorded_by_team=actor.team,
    )
    address.save()
    return address


@audited_write
def create_family(
    *,
    actor: Actor,
    family_name: str,
    first_member: PersonDetails,
    address: AddressDetails,
) -> Family:
    """A new family with its first member and address. The actor's team becomes involved,
    with the actor as lead practitioner, so the record stays open to them."""
    decision = require(
        actor,
        None,
        category=DataCategory.IDENTITY,
        action=AccessAction.CREATE,
        audit_allowed=False,
    )
    family = Family.objects.create(name=family_name.strip())
    person = _new_person(first_member)
    FamilyMember.objects.create(family=family, person=person, joined_on=clock.today())
    _new_address(actor, family, address)
    Involvement.objects.create(
        family=family,
        team=actor.team,
        practitioner=actor.user,
        is_lead=True,
        reason="Created the family record",
        started_on=clock.today(),
    )
    record_event(
        actor,
        family,
        EventKind.FAMILY_CREATED,
        f"Family record created by {actor.team.name}",
        person,
    )
    record_event(
        actor,
        family,
        EventKind.MEMBER_ADDED,
        f"{person.full_name} added ({person.get_kind_display().lower()})",
        person,
    )
    audit_decision(
        actor,
        decision,
        family_id=family.pk,
        person_id=person.pk,
        category=DataCategory.IDENTITY,
        action=AccessAction.CREATE,
    )
    return family


@audited_write
def add_member(
    *,
    actor: Actor,
    family: Family,
    details: PersonDetails,
    related_adult: Person | None = None,
    relationship_type: str = "",
    has_parental_responsibility: bool = False,
) -> Person:
    _require(actor, family, AccessAction.UPDATE)
    person = _new_person(details)
    FamilyMember.objects.create(family=family, person=person, joined_on=clock.today())
    if related_adult is not None and relationship_type:
        if not FamilyMember.objects.filter(family=family, person=related_adult).exists():
            raise NotFoundOrNotAllowed
        Relationship.objects.create(
            adult=related_adult,
            child=person,
            type=relationship_type,
            has_parental_responsibility=has_parental_responsibility,
        )
    record_event(
        actor,
        family,
        EventKind.MEMBER_ADDED,
        f"{person.full_name} added ({person.get_kind_display().lower()})",
        person,
    )
    return person


@audited_write
def relate(
    *,
    actor: Actor,
    family: Family,
    adult: Person,
    child: Person,
    relationship_type: str,
    has_parental_responsibility: bool,
) -> Relationship:
    _require(actor, family, AccessAction.UPDATE, person_id=child.pk)
    members = set(FamilyMember.objects.filter(family=family).values_list("person_id", flat=True))
    if adult.pk not in members or child.pk not in members:
        raise NotFoundOrNotAllowed
    relationship, _ = Relationship.objects.update_or_create(
        adult=adult,
        child=child,
        defaults={
            "type": relationship_type,
            "has_parental_responsibility": has_parental_responsibility,
        },
    )
    record_event(
        actor,
        family,
        EventKind.PERSON_UPDATED,
        f"{adult.full_name} recorded as {relationship.get_type_display().lower()} "
        f"of {child.full_name}",
        child,
    )
    return relationship


UPDATABLE_FIELDS = (
    "given_name",
    "family_name",
    "known_as",
    "sex",
    "date_of_birth",
    "expected_delivery_date",
    "nhs_number",
)


@audited_write
def update_person(
    *, actor: Actor, family: Family, person: Person, details: PersonDetails
) -> Person:
    _require(actor, family, AccessAction.UPDATE, person_id=person.pk)
    nhs_number = normalise_nhs_number(details.nhs_number) if details.nhs_number else None
    if nhs_number and nhs_number != person.nhs_number:
        validate_nhs_number(nhs_number)
        if Person.objects.filter(nhs_number=nhs_number).exclude(pk=person.pk).exists():
            raise ValidationError(
                {"nhs_number": "Another person on the register has this NHS number"}
            )
    changed: list[str] = []
    for name in UPDATABLE_FIELDS:
        value = nhs_number if name == "nhs_number" else getattr(details, name)
        if isinstance(value, str) and name != "nhs_number":
            value = value.strip()
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(str(Person._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    if not changed:
        return person
    person.full_clean(exclude=["nhs_number"])
    person.save()
    record_event(
        actor,
        family,
        EventKind.PERSON_UPDATED,
        f"{person.full_name}: {', '.join(changed)} updated",
        person,
    )
    return person


@audited_write
def record_birth(
    *,
    actor: Actor,
    family: Family,
    person: Person,
    date_of_birth: dt.date,
    given_name: str,
    sex: str,
    nhs_number: str = "",
) -> Person:
    """The unborn child becomes a child: the same record, so nothing is entered twice."""
    if person.kind != PersonKind.UNBORN:
        raise ValidationError("This person has already been born")
    details = PersonDetails(
        kind=PersonKind.CHILD,
        given_name=given_name,
        family_name=person.family_name,
        known_as=person.known_as,
        sex=sex,
        date_of_birth=date_of_birth,
        expected_delivery_date=person.expected_delivery_date,
        nhs_number=nhs_number,
    )
    person.kind = PersonKind.CHILD
    person = update_person(actor=actor, family=family, person=person, details=details)
    record_event(
        actor,
        family,
        EventKind.BIRTH_RECORDED,
        f"{person.full_name} born on {date_of_birth:%-d %B %Y}",
        person,
    )
    return person


@audited_write
def move_address(*, actor: Actor, family: Family, details: AddressDetails) -> Address:
    """Record the family's new address; the current one becomes history."""
    _require(actor, family, AccessAction.UPDATE)
    current = family.addresses.filter(moved_out=None)
    if current.filter(moved_in__gt=details.moved_in).exists():
        raise ValidationError(
            {
                "moved_in": "The move-in date must be after the date the family moved into "
                "their current address"
            }
        )
    current.update(moved_out=details.moved_in)
    address = _new_address(actor, family, details)
    summary = (
        "Address withheld (recorded)" if details.is_withheld else f"Moved to {address.postcode}"
    )
    record_event(actor, family, EventKind.ADDRESS_CHANGED, summary)
    return address


@audited_write
def add_involvement(
    *,
    actor: Actor,
    family: Family,
    team: Team,
    practitioner: User | None,
    is_lead: bool,
    started_on: dt.date,
    reason: str = "",
) -> Involvement:
    _require(actor, family, AccessAction.UPDATE)
    if (
        practitioner is not None
        and not practitioner.memberships.filter(team=team, is_active=True).exists()
    ):
        raise ValidationError({"practitioner": "Choose a practitioner who works in that team"})
    if is_lead:
        family.involvements.filter(is_lead=True, ended_on=None).update(is_lead=False)
    involvement = Involvement.objects.create(
        family=family,
        team=team,
        practitioner=practitioner,
        is_lead=is_lead,
        started_on=started_on,
        reason=reason.strip(),
    )
    who = f"{practitioner.get_full_name()} ({team.name})" if practitioner else team.name
    lead = " as lead practitioner" if is_lead else ""
    record_event(
        actor, family, EventKind.INVOLVEMENT_STARTED, f"{who} started working with the family{lead}"
    )
    return involvement


@audited_write
def end_involvement(
    *, actor: Actor, involvement: Involvement, ended_on: dt.date, end_reason: str = ""
) -> Involvement:
    """The team stops working with the family, and why (an InvolvementEnd), which the
    Healthy Child Programme's pages show for a child who dropped off the worklist."""
    _require(actor, involvement.family, AccessAction.UPDATE)
    enforce(
        actor,
        may_end_involvement(actor, involvement, list(involvement.family.involvements.all())),
        family=involvement.family,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
        audit_allowed=False,  # the update above is already recorded
    )
    if ended_on < involvement.started_on:
        raise ValidationError({"ended_on": "The end date must be on or after the start date"})
    involvement.ended_on = ended_on
    involvement.end_reason = end_reason
    involvement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    why = f": {InvolvementEnd(end_reason).label.lower()}" if end_reason else ""
    record_event(
        actor,
        involvement.family,
        EventKind.INVOLVEMENT_ENDED,
        f"{involvement.team.name} stopped working with the family{why}",
    )
    return involvement


@audited_write
def add_note(
    *,
    actor: Actor,
    family: Family,
    person: Person | None,
    category: str,
    summary: str,
    is_sealed: bool,
) -> ChronologyEvent:
    """A practitioner's note on the chronology, labelled with its data category so the policy
    shares it as far as consent and the law allow; sealed, only the actor's team sees it."""
    require(
        actor,
        family,
        category=category,
        action=AccessAction.UPDATE,
        person_id=person.pk if person else None,
    )
    if person is not None and not family.memberships.filter(person=person).exists():
        raise ValidationError({"person": "Choose someone in this family"})
    return record_event(
        actor,
        family,
        EventKind.NOTE,
        summary.strip(),
        person,
        category=category,
        is_sealed=is_sealed,
    )
