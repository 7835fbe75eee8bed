"""The synthetic county's children's centres: every family hub runs a programme of each kind
for the past year and the coming four weeks (weekly, fortnightly, monthly, or in six-week
courses); families in a hub's reach area with children under five register with it (about
60%), book its sessions (popular ones have waiting lists), and the registers of past sessions
are taken, with some walk-ins.

Everything is written in bulk with a generator of its own, so the rest of the county is the
same as without it, and the same seed builds the same centres. Bookings, attendance and their
chronology lines, tens of thousands of rows, are inserted as plain rows: model instances would
cost most of the demo's time. The demo's `family.hub` sign-in
has a session today with up to 20 families booked, and a full session coming up with a waiting
list."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from beststart.accounts.models import Team, User
from beststart.activities.actions import describe
from beststart.activities.models import (
    Attendance,
    Booking,
    BookingStatus,
    CentreRegistration,
    Programme,
    ProgrammeKind,
    Session,
)
from beststart.core.categories import DataCategory
from beststart.demo.organisations import Services
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    Involvement,
    Person,
    PersonKind,
)
from beststart.sharing.policy import active_involvements

PAST_WEEKS = 52
COMING_WEEKS = 4
DEMO_HUB_USER = "family.hub"
TODAYS_FAMILIES = 20
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT


@dataclass(frozen=True)
class Slot:
    """A programme as every hub runs it: when, where, for how many, and how many of the
    registered families tend to want a place (popular ones have waiting lists)."""

    kind: str
    name: str
    weekday: int
    starts: dt.time
    minutes: int
    venue: str
    capacity: int
    demand: float  # families wanting a place, as a share of the capacity
    description: str
    weeks_on: int = 1  # runs for this many weeks ...
    weeks_off: int = 0  # ... then stops for this many
    drop_in: bool = False  # no booking: families just come

    def runs_in(self, week: int) -> bool:
        return week % (self.weeks_on + self.weeks_off) < self.weeks_on


SLOTS = (
    Slot(
        ProgrammeKind.STAY_AND_PLAY,
        "Stay and Play",
        0,
        dt.time(10),
        90,
        "Main hall",
        20,
        1.1,
        "Play, songs and a snack for under-fives and their grown-ups.",
    ),
    Slot(
        ProgrammeKind.BREASTFEEDING_SUPPORT,
        "Bumps and Babies breastfeeding drop-in",
        1,
        dt.time(13, 30),
        90,
        "Family room",
        12,
        0.5,
        "Peer supporters and an infant feeding lead; no need to book.",
        drop_in=True,
    ),
    Slot(
        ProgrammeKind.HEALTHY_LIFESTYLE,
        "Healthy families: cooking on a budget",
        2,
        dt.time(10),
        120,
        "Community kitchen",
        10,
        0.7,
        "Cook and eat together; recipes for the whole family. Every other week.",
        weeks_off=1,
    ),
    Slot(
        ProgrammeKind.SPEECH_AND_LANGUAGE,
        "Chatterbox speech and language group",
        3,
        dt.time(9, 30),
        60,
        "Quiet room",
        8,
        1.3,
        "Small-group sessions for two-year-olds, with the speech and language team.",
    ),
    Slot(
        ProgrammeKind.MINOR_ILLNESS,
        "When your child is unwell: minor illness for parents",
        4,
        dt.time(13),
        60,
        "Training room",
        15,
        0.5,
        "Fevers, coughs and rashes: what to do, and when to call for help. Monthly.",
        weeks_off=3,
    ),
    Slot(
        ProgrammeKind.PARENTING_COURSE,
        "Positive parenting course",
        2,
        dt.time(18),
        120,
        "Training room",
        10,
        0.8,
        "A six-week course for parents of under-fives, three times a year.",
        weeks_on=6,
        weeks_off=11,
    ),
)


@dataclass
class HubFamilies:
    """The families a hub has registered, with the children under five each could bring."""

    team: Team
    staff: list[User]
    registered: list[tuple[int, dt.date]] = field(default_factory=list)  # family id, since
    children: dict[int, list[tuple[int, dt.date]]] = field(default_factory=dict)


@dataclass
class Written:
    """Rows to insert, as tuples in the column order of `insert_rows`."""

    involvements: list[Involvement] = field(default_factory=list)
    registrations: list[CentreRegistration] = field(default_factory=list)
    bookings: list[tuple[object, ...]] = field(default_factory=list)
    attendances: list[tuple[object, ...]] = field(default_factory=list)
    came: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # children who came
    events: list[tuple[object, ...]] = field(default_factory=list)

    def event(
        self, family_id: int, kind: str, when: dt.datetime, summary: str, user: User, team: Team
    ) -> None:
        self.events.append(
            (family_id, kind, FAMILY_SUPPORT, summary, when, when, user.pk, team.pk, False)
        )


BOOKING_COLUMNS = ("session", "family", "status", "booked_by", "created_at", "updated_at")
ATTENDANCE_COLUMNS = (
    "session",
    "family",
    "walk_in",
    "recorded_by",
    "team",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "family",
    "kind",
    "category",
    "summary",
    "occurred_at",
    "recorded_at",
    "recorded_by",
    "team",
    "is_sealed",
)


def insert_rows(
    model: type[Model], columns: tuple[str, ...], rows: list[tuple[object, ...]]
) -> None:
    """Plain rows into a model's table, each value prepared as the model's field would."""
    fields = [cast("Field[Any, Any]", model._meta.get_field(name)) for name in columns]
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from input.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    datetimes = [
        index for index, field in enumerate(fields) if field.get_internal_type() == "DateTimeField"
    ]
    adapt = connection.ops.adapt_datetimefield_value
    prepared: list[list[Any]] = []
    for row in rows:
        values: list[Any] = list(row)
        for index in datetimes:
            values[index] = adapt(values[index])
        prepared.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 5000):
            cursor.executemany(sql, prepared[start : start + 5000])


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def build_centres(*, seed: int, today: dt.date, services: Services) -> None:
    """Write the county's centre activity; the families must already exist."""
    rng = random.Random(seed * 7919 + 23)
    demo_user = User.objects.filter(username=DEMO_HUB_USER).first()
    hubs = [
        HubFamilies(team=team, staff=services.practitioners.get(team.pk, []))
        for team in sorted(services.family_hubs.values(), key=lambda team: team.pk)
    ]
    written = Written()
    _register(rng, hubs, today, written, demo_user)
    Involvement.objects.bulk_create(written.involvements)
    CentreRegistration.objects.bulk_create(written.registrations)
    for hub in hubs:
        if hub.staff:
            _sessions(rng, hub, today, written, demo=demo_user in hub.staff)
    insert_rows(Booking, BOOKING_COLUMNS, written.bookings)
    insert_rows(Attendance, ATTENDANCE_COLUMNS, written.attendances)
    ids = {
        (session_id, family_id): pk
        for pk, session_id, family_id in Attendance.objects.filter(
            session__programme__team__in=[hub.team for hub in hubs]
        ).values_list("pk", "session_id", "family_id")
    }
    through = Attendance.people.through
    through.objects.bulk_create(
        [
            through(attendance_id=ids[key], person_id=person_id)
            for key, children in written.came.items()
            for person_id in children
        ],
        batch_size=5000,
    )
    insert_rows(ChronologyEvent, EVENT_COLUMNS, written.events)


# ---------------------------------------------------------------------------------------------
# Registration: the basis of reach


def _register(
    rng: random.Random,
    hubs: list[HubFamilies],
    today: dt.date,
    written: Written,
    demo_user: User | None,
) -> None:
    """About 60% of the families with a child under five in each hub's reach area register
    with it, since the youngest child's birth (or the move into the area). Registering starts
    the hub's involvement where there was none."""
    by_area = {hub.team.name.removesuffix(" Family Hub"): hub for hub in hubs}
    under_five = today - dt.timedelta(days=5 * 365)
    children: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for person_id, born, family_id in (
        Person.objects.filter(kind=PersonKind.CHILD, date_of_birth__gt=under_five)
        .values_list("pk", "date_of_birth", "memberships__family_id")
        .order_by("memberships__family_id", "date_of_birth", "pk")
    ):
        if born is not None:
            children[family_id].append((person_id, born))
    hub_teams = {hub.team.pk for hub in hubs}
    involved = {
        (family_id, team_id): started
        for family_id, team_id, started in Involvement.objects.filter(
            active_involvements(today), team_id__in=hub_teams
        ).values_list("family_id", "team_id", "started_on")
    }
    ended = set(
        Involvement.objects.filter(team_id__in=hub_teams)
        .exclude(active_involvements(today))
        .values_list("family_id", "team_id")
    )
    addresses = (
        Address.objects.filter(moved_out=None, family_id__in=children)
        .select_related("lsoa__reach_area")
        .order_by("family_id")
    )
    for address in addresses:
        hub = by_area.get(address.lsoa.reach_area.name)
        if hub is None or not hub.staff:
            continue
        family_id = address.family_id
        key = (family_id, hub.team.pk)
        # Most families the hub already works with register; fewer of the others, so that
        # about 60% of the area's families with under-fives do (more for the demo sign-in's).
        chance = (1.0, 0.7) if demo_user in hub.staff else (0.85, 0.4)
        if key in ended or rng.random() >= chance[0 if key in involved else 1]:
            continue
        kids = children[family_id]
        youngest = kids[-1][1]
        earliest = max(youngest, address.moved_in, today - dt.timedelta(days=3 * 365))
        registered_on = involved.get(key) or earliest + dt.timedelta(
            days=rng.randrange(max(1, (today - earliest).days // 2 + 1))
        )
        registered_on = min(max(registered_on, earliest), today)
        worker = rng.choice(hub.staff)
        family = Family(pk=family_id)
        if key not in involved:
            written.involvements.append(
                Involvement(
                    family=family,
                    team=hub.team,
                    practitioner=worker,
                    started_on=registered_on,
                    reason="Registered with the children's centre",
                )
            )
            written.events.append(
                (
                    family_id,
                    EventKind.INVOLVEMENT_STARTED,
                    DataCategory.IDENTITY,
                    f"{hub.team.name} started working with the family",
                    _at(registered_on, dt.time(9, 30)),
                    _at(registered_on, dt.time(9, 30)),
                    worker.pk,
                    hub.team.pk,
                    False,
                )
            )
        written.registrations.append(
            CentreRegistration(
                family=family, team=hub.team, registered_on=registered_on, registered_by=worker
            )
        )
        written.event(
            family_id,
            EventKind.CENTRE_REGISTERED,
            _at(registered_on, dt.time(9, 45)),
            f"Registered with {hub.team.name}",
            worker,
            hub.team,
        )
        hub.registered.append((family_id, registered_on))
        hub.children[family_id] = kids


# ---------------------------------------------------------------------------------------------
# Programmes, sessions, bookings and registers


def _sessions(
    rng: random.Random, hub: HubFamilies, today: dt.date, written: Written, *, demo: bool
) -> None:
    programmes = Programme.objects.bulk_create(
        Programme(team=hub.team, name=slot.name, kind=slot.kind, description=slot.description)
        for slot in SLOTS
    )
    monday = today - dt.timedelta(days=today.weekday())
    first, last = today - dt.timedelta(weeks=PAST_WEEKS), today + dt.timedelta(weeks=COMING_WEEKS)
    sessions: list[tuple[Session, Slot]] = []
    for programme, slot in zip(programmes, SLOTS, strict=True):
        for week in range(-PAST_WEEKS - 1, COMING_WEEKS + 1):
            day = monday + dt.timedelta(weeks=week, days=slot.weekday)
            if not (first <= day <= last and slot.runs_in(week + PAST_WEEKS + 1)):
                continue
            starts = _at(day, slot.starts)
            session = Session(
                programme=programme,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=slot.minutes),
                venue=slot.venue,
                capacity=slot.capacity,
            )
            sessions.append((session, slot))
    todays = _todays(sessions, programmes, today) if demo else None
    full = _full_session(sessions, today) if demo else None
    if full is not None:  # a small county: fewer places, so that the list still shows
        eligible = sum(1 for _, since in hub.registered if since <= full.starts_at.date())
        full.capacity = max(1, min(full.capacity, eligible - 1))
    Session.objects.bulk_create([session for session, _ in sessions])
    through = Session.staff.through
    through.objects.bulk_create(
        through(session_id=session.pk, user_id=user.pk)
        for session, _ in sessions
        for user in rng.sample(hub.staff, k=min(2, len(hub.staff)))
    )
    for session, slot in sessions:
        if session is todays:
            wanted = min(TODAYS_FAMILIES, session.capacity)
        elif session is full:
            wanted = session.capacity + 3
        else:
            wanted = round(slot.capacity * slot.demand * rng.uniform(0.5, 1.2))
        _book(
            rng, hub, session, slot, today, written, wanted=wanted, register=session is not todays
        )


def _todays(
    sessions: list[tuple[Session, Slot]], programmes: list[Programme], today: dt.date
) -> Session:
    """The demo hub's Stay and Play today: the week's own, or an extra one on another day."""
    for session, slot in sessions:
        if (
            slot.kind == ProgrammeKind.STAY_AND_PLAY
            and timezone.localdate(session.starts_at) == today
        ):
            return session
    slot = SLOTS[0]
    starts = _at(today, slot.starts)
    session = Session(
        programme=programmes[0],
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=slot.minutes),
        venue=slot.venue,
        capacity=slot.capacity,
    )
    sessions.append((session, slot))
    return session


def _full_session(sessions: list[tuple[Session, Slot]], today: dt.date) -> Session | None:
    """The demo hub's next speech and language group after today: full, with a waiting
    list."""
    coming = [
        session
        for session, slot in sessions
        if slot.kind == ProgrammeKind.SPEECH_AND_LANGUAGE
        and timezone.localdate(session.starts_at) > today
    ]
    return min(coming, key=lambda session: session.starts_at, default=None)


def _book(
    rng: random.Random,
    hub: HubFamilies,
    session: Session,
    slot: Slot,
    today: dt.date,
    written: Written,
    *,
    wanted: int,
    register: bool,
) -> None:
    """Families registered by the day book places, first come first served; at a drop-in
    they just come. Past sessions have their register: most booked families came, and now
    and then someone walked in."""
    day = timezone.localdate(session.starts_at)
    eligible = [family_id for family_id, since in hub.registered if since <= day]
    chosen = rng.sample(eligible, k=min(wanted, len(eligible)))
    worker = rng.choice(hub.staff)
    described = describe(session)
    now = _at(today, dt.time(8))
    came: list[int] = []
    if slot.drop_in:
        came = chosen
        chosen = []
    # First come, first served: the earlier a family asked, the likelier a place.
    asked_at = sorted(
        min(session.starts_at - dt.timedelta(days=rng.randrange(1, 14), hours=2), now)
        for _ in chosen
    )
    for index, (family_id, when) in enumerate(zip(chosen, asked_at, strict=True)):
        booked = index < session.capacity
        status = BookingStatus.BOOKED if booked else BookingStatus.WAITING
        written.bookings.append((session.pk, family_id, status, worker.pk, when, when))
        summary = f"Booked on {described}" if booked else f"On the waiting list for {described}"
        written.event(family_id, EventKind.SESSION_BOOKED, when, summary, worker, hub.team)
        if booked and rng.random() < 0.85:
            came.append(family_id)
    if not register or day >= today:
        return
    asked = set(chosen)
    others = [family_id for family_id in eligible if family_id not in asked]
    if others and rng.random() < 0.3:
        came += rng.sample(others, k=min(2, len(others)))
    for family_id in dict.fromkeys(came):
        walk_in = family_id not in asked
        when = session.starts_at
        written.attendances.append(
            (session.pk, family_id, walk_in, worker.pk, hub.team.pk, when, when)
        )
        children = [pk for pk, born in hub.children.get(family_id, []) if born <= day]
        if children and rng.random() < 0.7:
            written.came[(session.pk, family_id)] = children[-1:]
        written.event(
            family_id, EventKind.ATTENDED, when, f"Attended: {described}", worker, hub.team
        )
