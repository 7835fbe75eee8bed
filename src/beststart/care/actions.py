"""Writes of the Healthy Child Programme: a review or other contact (for twins, one each),
immunisations given or declined, and a child's death. Each asks the policy, and writes its
rows, the audit and the chronology (health, at the date it happened) in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import User
from beststart.care.immunisations import doses_for
from beststart.care.models import (
    MANDATED_REVIEWS,
    Contact,
    ContactMode,
    Immunisation,
    ImmunisationStatus,
    ReviewKind,
)
from beststart.care.schedule import Timing, Window, review_status, review_windows
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.actions import record_event
from beststart.families.models import EventKind, Family, FamilyMember, Person, PersonKind
from beststart.sharing.access import audited_write, require

HEALTH = DataCategory.HEALTH
POSTNATAL = frozenset(
    {
        ReviewKind.NEW_BIRTH,
        ReviewKind.SIX_TO_EIGHT_WEEKS,
        ReviewKind.ONE_YEAR,
        ReviewKind.TWO_YEARS,
    }
)
FEEDING_REVIEWS = frozenset({ReviewKind.NEW_BIRTH, ReviewKind.SIX_TO_EIGHT_WEEKS})
# A plausible weight, in grams, at each review: outside it, a typing slip (or pounds) is
# more likely than the baby.
WEIGHT_RANGES: dict[str, tuple[int, int]] = {
    ReviewKind.NEW_BIRTH: (400, 7_000),
    ReviewKind.SIX_TO_EIGHT_WEEKS: (1_000, 9_000),
    ReviewKind.ONE_YEAR: (4_000, 18_000),
    ReviewKind.TWO_YEARS: (7_000, 25_000),
    ReviewKind.OTHER: (300, 30_000),
}


def long_date(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def at(day: dt.date) -> dt.datetime:
    """When something that happened on `day` sits on the chronology: now, if today;
    otherwise midday, local time."""
    if day == clock.today():
        return clock.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _members(family: Family, people: list[Person]) -> None:
    members = set(
        FamilyMember.objects.filter(family=family, person__in=people).values_list(
            "person_id", flat=True
        )
    )
    if any(
        person.pk not in members or person.kind not in (PersonKind.CHILD, PersonKind.UNBORN)
        for person in people
    ):
        raise NotFoundOrNotAllowed


# ---------------------------------------------------------------------------------------------
# Reviews and other contacts


@dataclass(frozen=True)
class ContactDetails:
    kind: str
    contact_date: dt.date
    mode: str
    practitioner: User
    present: tuple[str, ...] = ()
    breastfeeding: str = ""
    weight_grams: int | None = None
    smoking_at_booking: str = ""
    smoking_at_delivery: str = ""
    asq3_used: bool = False
    concerns: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class RecordedContact:
    contact: Contact
    window: Window | None  # a mandated review's window; None for another contact
    timing: Timing | None


class _Errors:
    """Validation messages by field, raised together so the practitioner sees them all."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        if message not in self.messages.setdefault(field, []):
            self.messages[field].append(message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def _check_contact(actor: Actor, person: Person, details: ContactDetails, errors: _Errors) -> None:
    kind, day, name = details.kind, details.contact_date, person.full_name
    label = ReviewKind(kind).label
    born = person.date_of_birth
    if day > clock.today():
        errors.add("contact_date", "The date of the contact must be today or in the past")
    if person.date_of_death is not None and day > person.date_of_death:
        errors.add(
            "contact_date",
            f"{name} died on {long_date(person.date_of_death)}: the date must be on or before then",
        )
    if kind in POSTNATAL:
        if born is None:
            errors.add(
                "children",
                f"{name} has not been born yet: record the birth first, or choose an "
                "antenatal contact",
            )
        elif day < born:
            errors.add(
                "contact_date",
                f"The date of a {label.lower()} must be on or after {name}'s date of birth, "
                f"{long_date(born)}",
            )
    if kind == ReviewKind.ANTENATAL and born is not None and day >= born:
        errors.add(
            "contact_date",
            f"An antenatal contact is before the birth: {name} was born on {long_date(born)}",
        )
    if kind in MANDATED_REVIEWS:
        earlier = Contact.objects.filter(person=person, kind=kind).select_related(
            "team__organisation"
        )
        for contact in earlier:
            # The date only from the actor's own organisation's record, which the policy
            # always lets them see; another's says no more than the database constraint.
            own = contact.team.organisation_id == actor.organisation.pk
            when = f" on {long_date(contact.contact_date)}" if own else ""
            errors.add("kind", f"{name} already had a {label.lower()}{when}")
    _check_facts(person, details, errors)


def _check_facts(person: Person, details: ContactDetails, errors: _Errors) -> None:
    """The facts each review records: feeding at the first two, smoking around the birth,
    a weight that could be the child's."""
    kind = details.kind
    antenatal = kind == ReviewKind.ANTENATAL or person.date_of_birth is None
    if kind in FEEDING_REVIEWS and not details.breastfeeding:
        errors.add("breastfeeding", "Select whether the baby is breastfed")
    if antenatal:
        if details.breastfeeding:
            errors.add("breastfeeding", "Breastfeeding is recorded after the birth")
        if details.smoking_at_delivery:
            errors.add("smoking_at_delivery", "Smoking at delivery is recorded after the birth")
        if details.weight_grams is not None:
            errors.add("weight", "The child's weight is recorded after the birth")
        if details.asq3_used:
            errors.add("asq3_used", "ASQ-3 is used from the 12-month review")
    elif details.weight_grams is not None:
        lowest, highest = WEIGHT_RANGES.get(kind, WEIGHT_RANGES[ReviewKind.OTHER])
        if not lowest <= details.weight_grams <= highest:
            at_review = (
                f" at a {ReviewKind(kind).label.lower()}" if kind != ReviewKind.OTHER else ""
            )
            errors.add(
                "weight",
                f"Enter a weight between {lowest / 1000:g} kg and {highest / 1000:g} kg"
                f"{at_review}, in kilograms",
            )
    if details.mode != ContactMode.FACE_TO_FACE and details.weight_grams is not None:
        errors.add("weight", "A weight is measured face to face: leave it blank for this contact")


@audited_write
def record_contacts(
    *, actor: Actor, family: Family, people: list[Person], details: ContactDetails
) -> list[RecordedContact]:
    """A review or other contact for each of `people` (twins seen at one visit): all of them
    or, if any cannot be recorded, none. Early or late is recorded as it happened."""
    if not people:
        raise ValidationError({"children": "Select who the contact was for"})
    for person in people:
        require(actor, family, category=HEALTH, action=AccessAction.UPDATE, person_id=person.pk)
    _members(family, people)
    errors = _Errors()
    if not details.practitioner.memberships.filter(team=actor.team, is_active=True).exists():
        errors.add("practitioner", f"Choose someone who works in {actor.team.name}")
    for person in people:
        _check_contact(actor, person, details, errors)
    errors.raise_any()
    recorded = []
    for person in people:
        contact = Contact(
            family=family,
            person=person,
            practitioner=details.practitioner,
            team=actor.team,
            kind=details.kind,
            contact_date=details.contact_date,
            mode=details.mode,
            present=list(details.present),
            breastfeeding=details.breastfeeding,
            weight_grams=details.weight_grams,
            smoking_at_booking=details.smoking_at_booking,
            smoking_at_delivery=details.smoking_at_delivery,
            asq3_used=details.asq3_used,
            concerns=details.concerns.strip(),
            next_steps=details.next_steps.strip(),
        )
        try:
            with transaction.atomic():
                contact.save()
        except IntegrityError:  # the database's backstop: recorded by someone else meanwhile
            raise ValidationError(
                {"kind": f"{person.full_name} already had a {contact.get_kind_display().lower()}"}
            ) from None
        window = next(
            (
                each
                for each in review_windows(
                    born=person.date_of_birth, expected=person.expected_delivery_date
                )
                if each.kind == details.kind
            ),
            None,
        )
        timing = (
            review_status(window, today=clock.today(), done_on=details.contact_date).timing
            if window
            else None
        )
        record_event(
            actor,
            family,
            EventKind.CONTACT,
            _contact_summary(contact, timing),
            person,
            category=HEALTH,
            occurred_at=at(details.contact_date),
        )
        recorded.append(RecordedContact(contact, window, timing))
    return recorded


def _contact_summary(contact: Contact, timing: Timing | None) -> str:
    what = contact.get_kind_display() if contact.kind != ReviewKind.OTHER else "Contact"
    summary = (
        f"{what} ({contact.get_mode_display().lower()}) by "
        f"{contact.practitioner.get_full_name() or contact.practitioner.username}"
    )
    if timing == Timing.EARLY:
        summary += ", early"
    elif timing == Timing.LATE:
        summary += ", late"
    return summary


# ---------------------------------------------------------------------------------------------
# Immunisations


@audited_write
def record_immunisations(
    *,
    actor: Actor,
    family: Family,
    person: Person,
    vaccines: list[str],
    status: str,
    on_date: dt.date,
    place: str = "",
    declined_reason: str = "",
) -> list[Immunisation]:
    """One or more vaccines of the child's schedule, given (where) or declined (why), on one
    date: one record each, and one line on the chronology."""
    require(actor, family, category=HEALTH, action=AccessAction.UPDATE, person_id=person.pk)
    _members(family, [person])
    errors = _Errors()
    born, name = person.date_of_birth, person.full_name
    if born is None:
        raise ValidationError(f"{name} has not been born yet: immunisations start at 8 weeks")
    offered = {dose.code: dose for dose in doses_for(born)}
    if not vaccines:
        errors.add("vaccines", "Select the vaccines")
    already = dict(
        Immunisation.objects.filter(person=person, vaccine__in=vaccines).values_list(
            "vaccine", "status"
        )
    )
    for code in vaccines:
        if code not in offered:
            errors.add("vaccines", f"Select vaccines of {name}'s schedule")
        elif code in already:
            errors.add(
                "vaccines",
                f"{offered[code].label} is already recorded for {name} "
                f"({ImmunisationStatus(already[code]).label.lower()})",
            )
    if on_date > clock.today():
        errors.add("on_date", "The date must be today or in the past")
    if on_date < born:
        errors.add(
            "on_date", f"The date must be on or after {name}'s date of birth, {long_date(born)}"
        )
    if person.date_of_death is not None and on_date > person.date_of_death:
        errors.add(
            "on_date",
            f"{name} died on {long_date(person.date_of_death)}: the date must be on or before then",
        )
    if status == ImmunisationStatus.GIVEN and not place.strip():
        errors.add("place", "Enter where the vaccines were given")
    if status == ImmunisationStatus.DECLINED and not declined_reason.strip():
        errors.add("declined_reason", "Enter why the vaccines were declined")
    errors.raise_any()
    given = status == ImmunisationStatus.GIVEN
    records = [
        Immunisation(
            family=family,
            person=person,
            practitioner=actor.user,
            team=actor.team,
            vaccine=code,
            status=status,
            on_date=on_date,
            place=place.strip() if given else "",
            declined_reason="" if given else declined_reason.strip(),
        )
        for code in vaccines
    ]
    try:
        with transaction.atomic():
            for record in records:
                record.save()
    except IntegrityError:
        raise ValidationError({"vaccines": "These vaccines were recorded meanwhile"}) from None
    labels = ", ".join(offered[code].label for code in vaccines)
    summary = (
        f"Immunisations given at {place.strip()}: {labels}"
        if given
        else (f"Immunisations declined: {labels}")
    )
    record_event(
        actor,
        family,
        EventKind.IMMUNISATION,
        summary[:500],
        person,
        category=HEALTH,
        occurred_at=at(on_date),
    )
    return records


# ---------------------------------------------------------------------------------------------
# A death


@audited_write
def record_death(*, actor: Actor, family: Family, person: Person, date_of_death: dt.date) -> Person:
    """The child has died (or, for an unborn baby, the pregnancy has ended in a loss): their
    reviews and immunisations are no longer due and drop off every worklist. The family's
    involvements go on: bereavement support continues, and each team ends its own
    involvement when its work is done, giving the reason."""
    require(
        actor,
        family,
        category=DataCategory.IDENTITY,
        action=AccessAction.UPDATE,
        person_id=person.pk,
    )
    _members(family, [person])
    name = person.full_name
    if person.date_of_death is not None:
        raise ValidationError(f"A death is already recorded for {name}")
    if date_of_death > clock.today():
        raise ValidationError({"date_of_death": "The date must be today or in the past"})
    if person.date_of_birth is not None and date_of_death < person.date_of_birth:
        raise ValidationError(
            {
                "date_of_death": f"The date must be on or after {name}'s date of birth, "
                f"{long_date(person.date_of_birth)}"
            }
        )
    person.date_of_death = date_of_death
    person.save(update_fields=["date_of_death", "updated_at"])
    summary = (
        f"Pregnancy loss on {long_date(date_of_death)}"
        if person.kind == PersonKind.UNBORN
        else f"{name} died on {long_date(date_of_death)}"
    )
    record_event(
        actor, family, EventKind.DEATH_RECORDED, summary, person, occurred_at=at(date_of_death)
    )
    return person
