"""Reads of the Healthy Child Programme: the "Reviews due" worklist, a child's health page,
and the children a review or immunisation is about to be recorded for.

Each takes the actor and asks the sharing policy. A review or immunisation counts as done only
if the actor may see its record: their organisation's own, or another's that the policy shares
with them; what they may not see, they are not told about, not even by its absence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, User
from beststart.care.immunisations import Dose, DoseStatus, Recorded, dose_status, plan
from beststart.care.models import MANDATED_REVIEWS, Contact, Immunisation, ReviewKind
from beststart.care.schedule import (
    Circumstances,
    ReviewStatus,
    Status,
    add_months,
    review_status,
    review_windows,
    still_offered,
)
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import (
    Family,
    FamilyMember,
    Involvement,
    InvolvementEnd,
    Person,
    PersonKind,
)
from beststart.sharing.access import SharingGate, audit_shown
from beststart.sharing.policy import (
    ALLOW_OWN_RECORD,
    active_involvements,
    categories_for,
    visible_families,
)

HEALTH = DataCategory.HEALTH
WORKLIST_PAGE_SIZE = 25
UNDER_FIVE_YEARS = 60  # months: the Healthy Child Programme runs to the fifth birthday
IMMUNISATIONS = "immunisations"  # the worklist's filter for overdue immunisations

HealthEntryT = TypeVar("HealthEntryT", Contact, Immunisation)
FactT = TypeVar("FactT", "_Done", "_Given")


# ---------------------------------------------------------------------------------------------
# Where one child stands


@dataclass(frozen=True)
class DoseView:
    dose: Dose
    due_on: dt.date
    status: DoseStatus
    record: Immunisation | None = None


@dataclass
class Standing:
    """A child's mandated reviews and immunisations, as far as the actor may see them."""

    reviews: list[ReviewStatus]
    doses: list[DoseView]

    def offered_reviews(self, today: dt.date) -> list[ReviewStatus]:
        return still_offered(self.reviews, today=today)

    @property
    def overdue_doses(self) -> list[DoseView]:
        return [each for each in self.doses if each.status == DoseStatus.OVERDUE]


def circumstances(
    person: Person, team_involvements: Iterable[Involvement], today: dt.date
) -> Circumstances:
    """When the child came to the team (the start of its open involvement with the family)
    and, if they have left, when and why: a death, or the involvement's end and its reason."""
    if person.date_of_death is not None:
        return Circumstances(
            left_on=person.date_of_death,
            left_because=f"{person.full_name} died on {person.date_of_death:%-d %B %Y}",
        )
    involvements = sorted(team_involvements, key=lambda each: each.started_on)
    open_now = [each for each in involvements if each.is_active_on(today)]
    if open_now:
        return Circumstances(arrived_on=open_now[0].started_on)
    ended = [each for each in involvements if each.ended_on is not None]
    if not ended:
        return Circumstances()
    last = max(ended, key=lambda each: each.ended_on or today)
    reason = (
        InvolvementEnd(last.end_reason).label
        if last.end_reason
        else "The team's work with the family ended"
    )
    return Circumstances(arrived_on=last.started_on, left_on=last.ended_on, left_because=reason)


class Done(Protocol):
    """A review as a standing needs it: a Contact, or a row of one."""

    @property
    def kind(self) -> str: ...

    @property
    def contact_date(self) -> dt.date: ...


class Given(Protocol):
    """An immunisation as a standing needs it: an Immunisation, or a row of one."""

    @property
    def vaccine(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def on_date(self) -> dt.date: ...


class _Done(NamedTuple):
    kind: str
    contact_date: dt.date


class _Given(NamedTuple):
    vaccine: str
    status: str
    on_date: dt.date


def standing(
    person: Person,
    *,
    today: dt.date,
    situation: Circumstances,
    contacts: Iterable[Done],
    immunisations: Iterable[Given],
) -> Standing:
    done = {contact.kind: contact.contact_date for contact in contacts}
    reviews = [
        review_status(window, today=today, done_on=done.get(window.kind), circumstances=situation)
        for window in review_windows(
            born=person.date_of_birth, expected=person.expected_delivery_date
        )
    ]
    doses: list[DoseView] = []
    if person.date_of_birth is not None:
        records = {record.vaccine: record for record in immunisations}
        for dose, due_on in plan(person.date_of_birth):
            record = records.get(dose.code)
            doses.append(
                DoseView(
                    dose=dose,
                    due_on=due_on,
                    status=dose_status(
                        dose,
                        born=person.date_of_birth,
                        today=today,
                        recorded=Recorded(record.status, record.on_date) if record else None,
                        left_on=situation.left_on,
                        due_on=due_on,
                    ),
                    record=record if isinstance(record, Immunisation) else None,
                )
            )
    return Standing(reviews=reviews, doses=doses)


# ---------------------------------------------------------------------------------------------
# The worklist


@dataclass
class WorklistRow:
    family: Family
    person: Person
    practitioner: User | None
    reviews: list[ReviewStatus]
    overdue_doses: list[DoseView]

    @property
    def urgency(self) -> tuple[int, dt.date]:
        """Overdue reviews first, then due, then missed ones still worth offering, then
        overdue immunisations; within each, the longest waiting first."""
        rank = {Status.OVERDUE: 0, Status.DUE: 1, Status.MISSED: 2}
        keys = [(rank[review.status], review.window.due_by) for review in self.reviews]
        keys += [(3, dose.due_on) for dose in self.overdue_doses]
        return min(keys)


@dataclass
class Worklist:
    page: Page
    overdue: int = 0
    due: int = 0
    missed: int = 0
    immunisations_overdue: int = 0
    children: int = 0


# What a worklist row shows, and no more: a team's list reads a thousand children.
INVOLVEMENT_FIELDS = (
    "family_id",
    "team_id",
    "started_on",
    "ended_on",
    "end_reason",
    "family__name",
    "practitioner__username",
    "practitioner__first_name",
    "practitioner__last_name",
)
MEMBER_FIELDS = (
    "family_id",
    "person_id",
    *(
        f"person__{name}"
        for name in (
            "kind",
            "given_name",
            "family_name",
            "date_of_birth",
            "expected_delivery_date",
            "date_of_death",
        )
    ),
)


def may_use_worklist(actor: Actor) -> bool:
    """The worklist is about health: for the roles that see health data."""
    return HEALTH in categories_for(actor)


def worklist(
    actor: Actor, *, mine: bool = False, kind: str = "", page_number: int | str = 1
) -> Worklist:
    """One row per child (or unborn baby) of the families the actor's team works with (or,
    with `mine`, those the actor is the named practitioner for) with a mandated review due,
    overdue or missed but still worth offering, or an immunisation overdue; the most urgent
    first. `kind` narrows it to one review, or to immunisations. Every row shown is audited."""
    # The policy's list rule (rules 1 and 3 of `decide`): for a practitioner, the families
    # with an active involvement of their team, which are the involvements read below. They
    # are read directly rather than through the query `visible_families` returns, which SQLite
    # would check family by family against every involvement of the team (0.5 s for a team of
    # 900 families); test_selectors checks that every row is one `decide` lets them list.
    if visible_families(actor).query.is_empty() or not may_use_worklist(actor):
        raise NotFoundOrNotAllowed
    today = clock.today()
    involvements = Involvement.objects.filter(active_involvements(today), team=actor.team)
    if mine:
        involvements = involvements.filter(practitioner=actor.user)
    by_family: dict[int, list[Involvement]] = defaultdict(list)
    for involvement in involvements.select_related("family", "practitioner").only(
        *INVOLVEMENT_FIELDS
    ):
        by_family[involvement.family_id].append(involvement)
    members = list(
        FamilyMember.objects.filter(
            _children_under_five(today, prefix="person__"), family_id__in=list(by_family)
        )
        .select_related("person")
        .only(*MEMBER_FIELDS)
        .order_by("person_id", "family_id")
    )
    people_ids = {member.person_id for member in members}
    contacts = _visible(
        actor,
        Contact.objects.filter(person_id__in=people_ids, kind__in=MANDATED_REVIEWS),
        _Done,
    )
    given = _visible(
        actor,
        Immunisation.objects.filter(person_id__in=people_ids),
        _Given,
    )
    rows: list[WorklistRow] = []
    seen: set[int] = set()
    for member in members:
        if member.person_id in seen:  # a child in two of the team's families: listed once
            continue
        seen.add(member.person_id)
        family_involvements = by_family[member.family_id]
        person = member.person
        child = standing(
            person,
            today=today,
            situation=circumstances(person, family_involvements, today),
            contacts=contacts.get(person.pk, []),
            immunisations=given.get(person.pk, []),
        )
        reviews = child.offered_reviews(today)
        doses = child.overdue_doses
        if kind == IMMUNISATIONS:
            reviews = []
        elif kind:
            reviews, doses = [each for each in reviews if each.window.kind == kind], []
        if reviews or doses:
            named = next(
                (each.practitioner for each in family_involvements if each.practitioner), None
            )
            rows.append(
                WorklistRow(
                    family=family_involvements[0].family,
                    person=person,
                    practitioner=named,
                    reviews=reviews,
                    overdue_doses=doses,
                )
            )
    rows.sort(key=lambda row: (row.urgency, row.person.pk))
    page = Paginator(rows, WORKLIST_PAGE_SIZE).get_page(page_number)
    audit_shown(
        actor,
        ((row.family.pk, row.person.pk) for row in page.object_list),
        category=HEALTH,
        action=AccessAction.LIST,
        basis=ALLOW_OWN_RECORD.basis,
    )
    statuses = [review.status for row in rows for review in row.reviews]
    return Worklist(
        page=page,
        overdue=statuses.count(Status.OVERDUE),
        due=statuses.count(Status.DUE),
        missed=statuses.count(Status.MISSED),
        immunisations_overdue=sum(1 for row in rows if row.overdue_doses),
        children=len(rows),
    )


def _children_under_five(today: dt.date, prefix: str = "") -> Q:
    """Children under five and unborn babies who are alive: whom the programme is for."""
    born_after = add_months(today, -UNDER_FIVE_YEARS)
    return Q(**{f"{prefix}date_of_death__isnull": True}) & (
        Q(**{f"{prefix}kind": PersonKind.UNBORN})
        | Q(**{f"{prefix}kind": PersonKind.CHILD, f"{prefix}date_of_birth__gt": born_after})
    )


def _visible(
    actor: Actor,
    entries: QuerySet[HealthEntryT],
    fact: type[FactT],
) -> dict[int, list[FactT]]:
    """The facts of health entries, by person: the actor's organisation's own, read as plain
    rows (a team's whole list in a few milliseconds), and another organisation's only where the
    policy shares it with the actor, decided family by family and each decision audited."""
    by_person: dict[int, list[FactT]] = defaultdict(list)
    others: list[int] = []
    fields: tuple[str, ...] = fact._fields
    columns = ("id", "person_id", "team__organisation_id", *fields)
    for pk, person_id, organisation_id, *values in entries.values_list(*columns):
        if organisation_id == actor.organisation.pk:
            by_person[person_id].append(fact(*values))
        else:
            others.append(pk)
    if not others:
        return by_person
    by_family: dict[int, list[HealthEntryT]] = defaultdict(list)
    for entry in entries.filter(pk__in=others).select_related("team__organisation"):
        by_family[entry.family_id].append(entry)
    for family in Family.objects.filter(pk__in=by_family):
        gate = SharingGate(actor, family)
        for entry in _entries(gate, by_family[family.pk], AccessAction.LIST):
            by_person[entry.person_id].append(fact(*(getattr(entry, f) for f in fields)))
    return by_person


def _entries(gate: SharingGate, entries: Iterable[HealthEntryT], action: str) -> list[HealthEntryT]:
    """`gate.entries` for health entries. The policy's Entry protocol declares `person_id`
    optional (a chronology event may be about the whole family); a health entry's never is,
    which the type checker cannot see through the protocol's mutable attribute."""
    return cast(list[HealthEntryT], gate.entries(cast(Iterable[Any], entries), action))


# ---------------------------------------------------------------------------------------------
# A child's health page


@dataclass
class ChildHealth:
    family: Family
    person: Person
    situation: Circumstances
    standing: Standing
    contacts: list[Contact]
    immunisations: list[Immunisation]
    may_record: bool  # not through break-glass, which is view only

    @property
    def is_alive(self) -> bool:
        return self.person.date_of_death is None


def child_health(actor: Actor, family_id: int, person_id: int) -> ChildHealth:
    """The child's reviews, immunisations and contacts, each entry shown only if the policy
    lets the actor see it (and audited)."""
    gate = SharingGate.open(
        actor, family_id, category=HEALTH, action=AccessAction.VIEW, person_id=person_id
    )
    person = _child_in(gate.family, person_id)
    today = clock.today()
    contacts = _entries(
        gate,
        Contact.objects.filter(family=gate.family, person=person).select_related(
            "team__organisation", "practitioner"
        ),
        AccessAction.VIEW,
    )
    immunisations = _entries(
        gate,
        Immunisation.objects.filter(family=gate.family, person=person).select_related(
            "team__organisation", "practitioner"
        ),
        AccessAction.VIEW,
    )
    situation = circumstances(
        person, Involvement.objects.filter(family=gate.family, team=actor.team), today
    )
    return ChildHealth(
        family=gate.family,
        person=person,
        situation=situation,
        standing=standing(
            person,
            today=today,
            situation=situation,
            contacts=[each for each in contacts if each.kind != ReviewKind.OTHER],
            immunisations=immunisations,
        ),
        contacts=contacts,
        immunisations=immunisations,
        may_record=gate.facts.involved,
    )


def _child_in(family: Family, person_id: int) -> Person:
    person = Person.objects.filter(
        pk=person_id,
        memberships__family=family,
        kind__in=[PersonKind.CHILD, PersonKind.UNBORN],
    ).first()
    if person is None:
        raise NotFoundOrNotAllowed
    return person


# ---------------------------------------------------------------------------------------------
# Recording


@dataclass
class ForRecording:
    """A child to record a review, an immunisation or a death for, opened to update."""

    family: Family
    person: Person
    children: list[Person]  # the family's living children and unborn babies, for twins
    practitioners: QuerySet[User]  # the actor's team, to name who did it
    standing: Standing


def child_for_recording(actor: Actor, family_id: int, person_id: int) -> ForRecording:
    """The child, if the actor may record health information about them (audited)."""
    gate = SharingGate.open(
        actor, family_id, category=HEALTH, action=AccessAction.UPDATE, person_id=person_id
    )
    person = _child_in(gate.family, person_id)
    today = clock.today()
    contacts = _entries(
        gate,
        Contact.objects.filter(
            family=gate.family, person=person, kind__in=MANDATED_REVIEWS
        ).select_related("team__organisation"),
        AccessAction.VIEW,
    )
    immunisations = _entries(
        gate,
        Immunisation.objects.filter(family=gate.family, person=person).select_related(
            "team__organisation"
        ),
        AccessAction.VIEW,
    )
    situation = circumstances(
        person, Involvement.objects.filter(family=gate.family, team=actor.team), today
    )
    children = list(
        Person.objects.filter(
            _children_under_five(today), memberships__family=gate.family
        ).order_by("date_of_birth", "id")
    )
    if person not in children:
        children.insert(0, person)
    return ForRecording(
        family=gate.family,
        person=person,
        children=children,
        practitioners=team_practitioners(actor),
        standing=standing(
            person,
            today=today,
            situation=situation,
            contacts=contacts,
            immunisations=immunisations,
        ),
    )


def team_practitioners(actor: Actor) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(team=actor.team, is_active=True).values("user_id")
    ).order_by("last_name", "first_name", "pk")
