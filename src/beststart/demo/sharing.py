"""The synthetic county's sharing: what agencies record, what families agree to share, the
agreements between the agencies, and the exceptions a privacy officer deals with.

Notes and consents are drawn family by family as each batch is written; the agreements and the
exceptions (a refuge address, a safeguarding share, break-glass accesses) once, at the end.
A generator of its own keeps the families themselves the same as without it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from beststart.accounts.models import OrganisationType, Role, Team, User
from beststart.core.categories import DataCategory
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    Involvement,
    Person,
    PersonKind,
)
from beststart.sharing.models import (
    BreakGlassAccess,
    BreakGlassReason,
    Consent,
    ConsentMethod,
    LegalBasis,
    ReviewOutcome,
    SafeguardingShare,
    SharingAgreement,
    SharingPurpose,
)

T = OrganisationType
C = DataCategory

# What each kind of agency writes on the chronology: (category, about a child, sealed, text).
NOTES: dict[str, Sequence[tuple[str, bool, bool, str]]] = {
    T.HEALTH_VISITING_SERVICE: (
        (C.HEALTH, True, False, "Review: weight gain on track, feeding well"),
        (C.HEALTH, True, False, "Immunisations discussed; parent to book at the surgery"),
        (C.DEVELOPMENT, True, False, "Development on track for age; ASQ-3 scores shared"),
        (C.FAMILY_SUPPORT, False, False, "Parent interested in a local baby group"),
        (C.FAMILY_SUPPORT, False, True, "Parent spoke about low mood; follow-up visit agreed"),
    ),
    T.MATERNITY_SERVICE: (
        (C.HEALTH, False, False, "Antenatal appointment: all well, next appointment booked"),
        (C.HEALTH, False, False, "Booking appointment completed; screening offered"),
    ),
    T.FAMILY_HUB: (
        (C.FAMILY_SUPPORT, False, False, "Attended Stay and Play with the baby"),
        (C.FAMILY_SUPPORT, False, False, "Registered with the family hub"),
        (C.DEVELOPMENT, True, False, "Joined the speech and language group"),
        (C.HEALTH, False, False, "Came to the breastfeeding support drop-in"),
    ),
    T.GP_PRACTICE: ((C.HEALTH, True, False, "Registered with the practice"),),
    T.EARLY_YEARS_SETTING: (
        (C.DEVELOPMENT, True, False, "Settling in well; key person assigned"),
        (C.DEVELOPMENT, True, False, "Progress check at two shared with parents"),
    ),
    T.SCHOOL: ((C.DEVELOPMENT, True, False, "Transition visit to reception class"),),
    T.VOLUNTARY_ORGANISATION: ((C.FAMILY_SUPPORT, False, False, "Befriending visit"),),
    T.LOCAL_AUTHORITY_TEAM: ((C.FAMILY_SUPPORT, False, False, "Early help conversation"),),
}
NOTE_CHANCE = 0.6
CONSENT_CHANCE = 0.55
SAFEGUARDING_NOTE_CHANCE = 0.01


@dataclass(frozen=True)
class Written:
    notes: list[ChronologyEvent]
    consents: list[Consent]


class SharingFactory:
    def __init__(self, seed: int, today: dt.date, organisation_types: dict[int, str]) -> None:
        self.rng = random.Random(seed * 1_000_003 + 17)
        self.today = today
        self.organisation_types = organisation_types  # by team id

    def write(self, families: Sequence[tuple[Family, list[Person], list[Involvement]]]) -> Written:
        notes: list[ChronologyEvent] = []
        consents: list[Consent] = []
        for family, people, involvements in families:
            notes += self._notes(family, people, involvements)
            consents += self._consents(people, involvements)
        ChronologyEvent.objects.bulk_create(notes)
        Consent.objects.bulk_create(consents)
        return Written(notes, consents)

    def _notes(
        self, family: Family, people: list[Person], involvements: list[Involvement]
    ) -> Iterator[ChronologyEvent]:
        rng = self.rng
        children = [person for person in people if person.kind == PersonKind.CHILD]
        for involvement in involvements:
            if involvement.practitioner is None or rng.random() > NOTE_CHANCE:
                continue
            kind = self.organisation_types[involvement.team_id]
            category, about_child, sealed, text = rng.choice(NOTES[kind])
            if rng.random() < SAFEGUARDING_NOTE_CHANCE and kind == T.HEALTH_VISITING_SERVICE:
                category, about_child, sealed, text = (
                    C.SAFEGUARDING,
                    False,
                    False,
                    "Safeguarding: concern discussed with the named nurse; plan agreed",
                )
            end = involvement.ended_on or self.today
            day = involvement.started_on + dt.timedelta(
                days=rng.randrange(max(1, (end - involvement.started_on).days + 1))
            )
            yield ChronologyEvent(
                family=family,
                person=rng.choice(children) if about_child and children else None,
                kind=EventKind.NOTE,
                category=category,
                summary=text,
                occurred_at=dt.datetime.combine(day, dt.time(11, 15), tzinfo=dt.UTC),
                recorded_by=involvement.practitioner,
                team=involvement.team,
                is_sealed=sealed,
            )

    def _consents(self, people: list[Person], involvements: list[Involvement]) -> list[Consent]:
        """The mother's consent for herself and for her children: to share health, development
        and family support with the family hubs and nurseries, sometimes expired, withdrawn
        or narrower than the agencies would need."""
        rng = self.rng
        lead = involvements[0]
        mother = people[0]
        if lead.practitioner is None or rng.random() > CONSENT_CHANCE:
            return []
        started = max(lead.started_on, self.today - dt.timedelta(days=700))
        state = rng.choices(["in_force", "expired", "withdrawn", "narrow"], [80, 8, 7, 5])[0]
        expires = (
            self.today - dt.timedelta(days=rng.randrange(1, 60))
            if state == "expired"
            else self.today + dt.timedelta(days=rng.randrange(60, 700))
        )
        starts = min(started, expires - dt.timedelta(days=1))
        method = rng.choice(list(ConsentMethod))
        shared = {
            "recipient_types": [T.VOLUNTARY_ORGANISATION]
            if state == "narrow"
            else [T.FAMILY_HUB, T.EARLY_YEARS_SETTING],
            "purpose": SharingPurpose.COORDINATED_SUPPORT,
            "method": method,
            "evidence": "Red Book, consent page" if method == ConsentMethod.RED_BOOK else "",
            "starts_on": starts,
            "expires_on": expires,
            "recorded_by": lead.practitioner,
            "recorded_by_team": lead.team,
            "withdrawn_at": dt.datetime.combine(self.today, dt.time(9), tzinfo=dt.UTC)
            - dt.timedelta(days=rng.randrange(1, 90))
            if state == "withdrawn"
            else None,
            "withdrawn_by": lead.practitioner if state == "withdrawn" else None,
        }
        if shared["method"] == ConsentMethod.WRITTEN:
            shared["evidence"] = "Signed form, scanned to the health visiting record"
        consents = [
            Consent(
                person=mother,
                given_by=mother,
                categories=[C.HEALTH, C.FAMILY_SUPPORT],
                **shared,
            )
        ]
        consents += [
            Consent(
                person=child,
                given_by=mother,
                categories=[C.HEALTH, C.DEVELOPMENT, C.FAMILY_SUPPORT],
                **shared,
            )
            for child in people
            if child.kind == PersonKind.CHILD
        ]
        return consents


# ---------------------------------------------------------------------------------------------
# Once, for the whole county


def build_agreements(recorded_by: User, today: dt.date) -> list[SharingAgreement]:
    """The partnership's agreement, a narrower one for schools, and an ended pilot. The
    voluntary sector is in none of them, so flows to it are refused and say why."""
    partnership = [
        T.MATERNITY_SERVICE,
        T.HEALTH_VISITING_SERVICE,
        T.GP_PRACTICE,
        T.FAMILY_HUB,
        T.EARLY_YEARS_SETTING,
        T.LOCAL_AUTHORITY_TEAM,
    ]
    return SharingAgreement.objects.bulk_create(
        [
            SharingAgreement(
                reference="ISA-WS-001",
                title="Wealdshire early childhood partnership",
                party_types=partnership,
                categories=[C.IDENTITY, C.HEALTH, C.DEVELOPMENT, C.FAMILY_SUPPORT],
                purpose="Joined-up early childhood services from pregnancy to five: the "
                "Healthy Child Programme, family hubs and early education.",
                legal_basis=LegalBasis.PUBLIC_TASK,
                starts_on=today - dt.timedelta(days=400),
                review_on=today + dt.timedelta(days=330),
                recorded_by=recorded_by,
            ),
            SharingAgreement(
                reference="ISA-WS-002",
                title="School readiness and transition to reception",
                party_types=[T.SCHOOL, T.EARLY_YEARS_SETTING, T.HEALTH_VISITING_SERVICE],
                categories=[C.IDENTITY, C.DEVELOPMENT],
                purpose="Sharing development at two and school readiness with schools.",
                legal_basis=LegalBasis.PUBLIC_TASK,
                starts_on=today - dt.timedelta(days=200),
                review_on=today - dt.timedelta(days=10),
                recorded_by=recorded_by,
            ),
            SharingAgreement(
                reference="ISA-WS-000",
                title="Family hubs pilot (ended)",
                party_types=[T.FAMILY_HUB, T.VOLUNTARY_ORGANISATION],
                categories=[C.FAMILY_SUPPORT],
                purpose="The 2024 befriending pilot.",
                legal_basis=LegalBasis.CONSENT,
                starts_on=today - dt.timedelta(days=900),
                review_on=today - dt.timedelta(days=600),
                ends_on=today - dt.timedelta(days=500),
                recorded_by=recorded_by,
            ),
        ]
    )


def build_exceptions(today: dt.date, now: dt.datetime) -> None:
    """What the privacy officer and the demo sign-ins should meet: a refuge address on the
    health visitor's caseload, a safeguarding share with the family hub, and break-glass
    accesses (one waiting for review)."""
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERS)}
    health_visitor, hub_worker = users["health.visitor"], users["family.hub"]
    hv_team = _team_of(health_visitor)
    hub_team = _team_of(hub_worker)
    # A small county may not have them all: each exception needs its own family.
    both = iter(sorted(_families_of(hv_team) & _families_of(hub_team)))
    if (refuge_id := next(both, None)) is not None:
        Address.objects.filter(family_id=refuge_id, moved_out=None).update(
            is_withheld=True, recorded_by_team=hv_team
        )
    if (share_id := next(both, None)) is not None:
        _safeguarding_share(share_id, health_visitor, users["manager"], hv_team, hub_team, now)
    _break_glass(users, _families_of(_team_of(users["triage"])), now)


DEMO_USERS = ("health.visitor", "family.hub", "manager", "triage", "privacy")


def _team_of(user: User) -> Team:
    return user.memberships.select_related("team__organisation").get(is_active=True).team


def _families_of(team: Team) -> set[int]:
    return set(
        Involvement.objects.filter(team=team, ended_on=None).values_list("family_id", flat=True)
    )


def _safeguarding_share(
    family_id: int,
    recorder: User,
    approver: User,
    hv_team: Team,
    hub_team: Team,
    now: dt.datetime,
) -> None:
    day = now.date() - dt.timedelta(days=12)
    share = SafeguardingShare.objects.create(
        family_id=family_id,
        categories=[C.SAFEGUARDING, C.FAMILY_SUPPORT],
        justification="Repeated missed contacts and a concern raised by a neighbour; telling "
        "the parents first would put the children at risk.",
        approved_by=approver,
        recorded_by=recorder,
        recorded_by_team=hv_team,
        starts_on=day,
        ends_on=day + dt.timedelta(days=90),
    )
    share.recipient_organisations.set([hub_team.organisation])
    at = dt.datetime.combine(day, dt.time(14, 5), tzinfo=dt.UTC)
    for summary in (
        "Safeguarding: concern about missed contacts discussed with the named nurse",
        f"Shared with {hub_team.organisation.name} for safeguarding, approved by "
        f"{approver.get_full_name()}",
    ):
        ChronologyEvent.objects.create(
            family_id=family_id,
            kind=EventKind.NOTE
            if summary.startswith("Safeguarding")
            else EventKind.SAFEGUARDING_SHARE,
            category=C.SAFEGUARDING,
            summary=summary,
            occurred_at=at,
            recorded_by=recorder,
            team=hv_team,
        )


def _break_glass(users: dict[str, User], triage_families: set[int], now: dt.datetime) -> None:
    """Two break-glass accesses by the triage officer to families her team does not work
    with: one reviewed as justified, one expired and waiting for the privacy officer."""
    triage, privacy = users["triage"], users["privacy"]
    team = _team_of(triage)
    candidates = (
        Family.objects.exclude(pk__in=triage_families).order_by("pk").values_list("pk", flat=True)
    )
    for family_id, started, reviewed in zip(
        candidates[:2],
        (now - dt.timedelta(days=20), now - dt.timedelta(days=2)),
        (True, False),
        strict=False,
    ):
        access = BreakGlassAccess.objects.create(
            user=triage,
            role=Role.TRIAGE_OFFICER,
            team=team,
            family_id=family_id,
            reason=BreakGlassReason.TEAM_UNREACHABLE,
            account="Call from a parent out of hours about a baby not feeding; the health "
            "visiting team was closed and the record was needed to advise safely.",
            started_at=started,
            expires_at=started + dt.timedelta(hours=4),
            review_outcome=ReviewOutcome.JUSTIFIED if reviewed else "",
            review_notes="Out of hours, clinical need, record opened once." if reviewed else "",
            reviewed_by=privacy if reviewed else None,
            reviewed_at=started + dt.timedelta(days=1) if reviewed else None,
        )
        ChronologyEvent.objects.create(
            family_id=family_id,
            kind=EventKind.BREAK_GLASS,
            category=C.IDENTITY,
            summary=f"Emergency access by {team.name} ({access.reference})",
            occurred_at=started,
            recorded_by=triage,
            team=team,
        )


def organisation_types_by_team() -> dict[int, str]:
    return dict(Team.objects.values_list("pk", "organisation__type"))
