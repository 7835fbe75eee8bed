"""The synthetic county's referrals: the services that take them, the routing rules that send
each to a team's queue, and a year of referrals in every state, as the actions would have
written them.

About one family in nine was referred in the last 12 months, by a GP practice, a health
visitor, a midwife, a family hub, a nursery or a school, by a partner system through the API,
or by the family themselves online. Each referral is routed by the rules, opened, perhaps
questioned, matched, accepted or declined, the family contacted (most within the service's
target, about a fifth late, and some still waiting past it), supported and closed with an
outcome; a few are withdrawn, a pair of duplicates is merged and another is left for triage
to merge, and about one in ten was never matched to the register (held as a new person
pending checks, some with a name mistyped, or declined before it was). Every step is on the
referral's history and, once it is matched, on the family's chronology; an accepted
referral starts the receiving team's involvement and puts the family's consent on the record.

The demo's sign-ins each find their part: `gp.staff` the practice's sent referrals (one
completed, one declined, one waiting for the practice's answer to a question), `family.hub`
an incoming queue with one made this morning, one opened, one past its target and one
contacted, `triage` the unmatched referrals and an open duplicate, `health.visitor` and
`manager` perinatal referrals, some past target, and `voluntary` befriending referrals.

Drawn from a generator of its own after the families, their involvements and the centres
exist, so the rest of the county is as it was; written in bulk, in about a second for the
2,000-family demo."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from base64 import urlsafe_b64encode
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from beststart.accounts.models import Team, User
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.demo.activities import EVENT_COLUMNS, insert_rows
from beststart.demo.organisations import Services
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
    Relationship,
    Sex,
)
from beststart.places.models import Postcode, ReachArea
from beststart.referrals.actions import first_contact_due, step_summary
from beststart.referrals.models import (
    DeclineReason,
    Need,
    Outcome,
    Referral,
    ReferralService,
    ReferralStep,
    RoutingRule,
    Source,
    Status,
    StepKind,
    Urgency,
)
from beststart.referrals.routing import Case, choose_rule
from beststart.referrals.working_days import (
    add_working_days,
    is_working_day,
    working_days_between,
)
from beststart.sharing.models import Consent, ConsentMethod, SharingPurpose

FAMILIES_PER_REFERRAL = 9
DAYS_BACK = 365
C = DataCategory
K = StepKind
N = Need


@dataclass(frozen=True)
class ServiceSpec:
    """A service that takes referrals: who provides it, what it helps with (and how often
    each need is the reason), its target, and how much of the county's referrals it gets."""

    name: str
    provider: str  # "hubs", "health_visiting" or "voluntary"
    needs: tuple[tuple[str, int], ...]
    category: str
    first_contact_days: int
    accepts_self_referrals: bool
    share: int
    description: str


SERVICES = (
    ServiceSpec(
        "Infant feeding support",
        "hubs",
        ((N.INFANT_FEEDING, 1),),
        C.HEALTH,
        5,
        True,
        14,
        "Breastfeeding peer supporters and an infant feeding lead at every family hub: home "
        "visits in the first weeks, and the weekly drop-in.",
    ),
    ServiceSpec(
        "Parenting support",
        "hubs",
        ((N.PARENTING, 4), (N.ISOLATION, 1)),
        C.FAMILY_SUPPORT,
        10,
        True,
        20,
        "One-to-one parenting support at home or at the hub, and the Positive parenting "
        "course: routines, sleep, behaviour and play.",
    ),
    ServiceSpec(
        "Speech and language group",
        "hubs",
        ((N.SPEECH_AND_LANGUAGE, 3), (N.DEVELOPMENT, 1)),
        C.DEVELOPMENT,
        10,
        False,
        16,
        "Chatterbox: small-group sessions for children from 18 months, run with the speech "
        "and language therapy team.",
    ),
    ServiceSpec(
        "Early help family support",
        "hubs",
        ((N.MONEY_AND_HOUSING, 5), (N.PARENTING, 3), (N.DOMESTIC_ABUSE, 2)),
        C.FAMILY_SUPPORT,
        5,
        False,
        14,
        "A family support worker for families with more than one need: money, housing, "
        "relationships and parenting, with a plan agreed with the family.",
    ),
    ServiceSpec(
        "Little Steps befriending",
        "voluntary",
        ((N.ISOLATION, 3), (N.PARENTING, 1)),
        C.FAMILY_SUPPORT,
        10,
        True,
        8,
        "A trained volunteer visits once a week for a few months: company, a listening ear "
        "and help getting out to local groups.",
    ),
    ServiceSpec(
        "Perinatal emotional wellbeing",
        "health_visiting",
        ((N.PERINATAL_MENTAL_HEALTH, 1),),
        C.HEALTH,
        5,
        False,
        14,
        "Listening visits from a health visitor trained in perinatal mental health, in "
        "pregnancy and the first two years.",
    ),
    ServiceSpec(
        "Healthy lifestyle and stop smoking",
        "hubs",
        ((N.HEALTHY_LIFESTYLE, 1),),
        C.HEALTH,
        10,
        True,
        10,
        "Healthy eating on a budget, getting active with little ones, and stop smoking "
        "support for parents and parents-to-be.",
    ),
)

# Why families are referred, by need, and whom each reason is about: a child, the mother, or
# the mother in pregnancy, or with a baby (a child under two).
REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    N.INFANT_FEEDING: (
        (
            "child",
            "Breastfeeding is painful and the baby is feeding very often; mum would "
            "like help with positioning.",
        ),
        (
            "child",
            "Baby slow to regain birth weight; mum wants to keep breastfeeding and "
            "would like support at home.",
        ),
        (
            "child",
            "Thinking about combination feeding and would like advice before returning to work.",
        ),
        (
            "pregnant",
            "Mum is pregnant and would like to breastfeed this time; she found it hard last time.",
        ),
    ),
    N.PARENTING: (
        (
            "child",
            "Bedtimes have become very difficult; parents are exhausted and would like ideas.",
        ),
        ("child", "Tantrums at home and at nursery; parents would like help with behaviour."),
        ("child", "A young parent without family nearby who would like support with routines."),
        (
            "child",
            "Parents finding it hard to manage since the family moved; the child is unsettled.",
        ),
    ),
    N.SPEECH_AND_LANGUAGE: (
        ("child", "Using only a handful of words; parents would like a group."),
        (
            "child",
            "Understands well but says very little; ASQ-3 communication score below the cut-off.",
        ),
        ("child", "Parents worried that speech is behind other children of the same age."),
    ),
    N.DEVELOPMENT: (
        (
            "child",
            "Walking and climbing later than expected; GP has seen and would like "
            "play-based support.",
        ),
        (
            "child",
            "Nursery has noticed the child plays alone and finds changes hard; parents "
            "agree to a referral.",
        ),
    ),
    N.PERINATAL_MENTAL_HEALTH: (
        ("baby", "Low mood since the birth; PHQ-9 score 12. Mum would like someone to talk to."),
        ("pregnant", "Anxious in pregnancy after a previous loss; would like listening visits."),
        ("baby", "Finding it hard to bond with the baby and not sleeping; GP has reviewed."),
        ("baby", "Tearful at the review; partner worried. Mum agrees to support."),
    ),
    N.ISOLATION: (
        ("mother", "New to the area with no family nearby; would like company and local groups."),
        (
            "mother",
            "Rarely gets out and has lost touch with friends; would like someone to "
            "go with her to groups.",
        ),
        ("mother", "Feeling very alone since the family moved; would like to meet other parents."),
    ),
    N.MONEY_AND_HOUSING: (
        (
            "mother",
            "Rent arrears after a change in Universal Credit; family worried about eviction.",
        ),
        ("mother", "Damp flat; the family need help with the landlord and with housing."),
        ("mother", "Struggling with debts; would like benefits advice."),
    ),
    N.DOMESTIC_ABUSE: (
        (
            "mother",
            "Mum disclosed controlling behaviour by her ex-partner; safe to call on her mobile.",
        ),
        (
            "mother",
            "Concerns about arguments at home; mum would like to talk to someone in confidence.",
        ),
    ),
    N.HEALTHY_LIFESTYLE: (
        ("pregnant", "Mum smoking 10 a day in pregnancy and would like to stop."),
        ("mother", "Mum smokes and would like to stop now the family has a young child."),
        ("mother", "Parents would like help with healthy meals on a tight budget."),
        ("child", "Weight above the 98th centile at the review; parents keen to get active."),
    ),
}
QUESTIONS = (
    "Could you tell us whether the family already has a health visitor, and what has been "
    "tried so far?",
    "Is there anything we should know before we phone, such as a safe time to call?",
    "Does the family need an interpreter? The referral does not say.",
)
ANSWERS = (
    "Yes, the health visitor is aware; sleep diary and routine tried for a month.",
    "Please call after 10 in the morning on the mobile number given.",
    "No interpreter needed; mum prefers a phone call to a text.",
)
CONTACT_NOTES = (
    "Phoned mum; home visit booked for next week.",
    "Spoke to the family on the phone; they would like a place in the next group.",
    "Texted and then phoned; mum glad of the call, first session booked.",
    "Met the family at the hub drop-in and agreed a plan.",
)
SUPPORT_NOTES = (
    "First home visit done; plan agreed with the family.",
    "Started the group; attended the first session.",
    "Volunteer matched; first visit done.",
    "Weekly sessions started.",
)
DECLINE_NOTES: dict[str, str] = {
    DeclineReason.NOT_ELIGIBLE: "The family's needs are outside what the service offers.",
    DeclineReason.WRONG_SERVICE: "The specialist service would suit this better; we have "
    "given the family its number.",
    DeclineReason.ALREADY_SUPPORTED: "The family already comes to our group every week.",
    DeclineReason.NO_CONSENT: "Mum thanked us but does not want support at the moment.",
    DeclineReason.OUT_OF_AREA: "The family are staying with relatives here but live in the "
    "neighbouring county; passed to their family hub.",
}
COMPLETION_NOTES: dict[str, str] = {
    Outcome.NEED_MET: "Goals in the plan met; the family know how to come back.",
    Outcome.PARTLY_MET: "Some progress; the family will keep coming to the drop-in.",
    Outcome.STEPPED_UP: "Needs more than we can offer; referred on with the family's consent.",
    Outcome.DISENGAGED: "Three visits missed and no reply to calls or letters.",
    Outcome.MOVED_AWAY: "The family moved out of the county; their new area has been told.",
}
WITHDRAWAL_REASONS = (
    "The family have decided they do not need this now.",
    "Referred in error: the wrong service was chosen.",
    "The family have moved away.",
)
DECLINE_WEIGHTS = {
    DeclineReason.NOT_ELIGIBLE: 20,
    DeclineReason.WRONG_SERVICE: 30,
    DeclineReason.ALREADY_SUPPORTED: 20,
    DeclineReason.NO_CONSENT: 20,
    DeclineReason.OUT_OF_AREA: 10,
}
OUTCOME_WEIGHTS = {
    Outcome.NEED_MET: 55,
    Outcome.PARTLY_MET: 20,
    Outcome.STEPPED_UP: 8,
    Outcome.DISENGAGED: 12,
    Outcome.MOVED_AWAY: 5,
}
REFERRER_WEIGHTS = {  # who refers, among practitioners
    "health_visiting": 35,
    "gp": 20,
    "midwifery": 10,
    "hub": 15,
    "early_years": 12,
    "school": 8,
}


@dataclass
class Household:
    """A family as referrals need it: where it lives, the mother, the children (oldest
    first), a pregnancy, and who gives consent for each child."""

    family_id: int
    postcode: str
    reach_area: ReachArea
    locality: str
    mother: Person
    children: list[Person] = field(default_factory=list)
    due: dt.date | None = None
    consenting: dict[int, int] = field(default_factory=dict)  # child id: adult id


@dataclass
class Fate:
    """How far a referral would go if time allowed; the walk stops at the reference time."""

    end: str = K.COMPLETED  # the last step: received, accepted, contacted, ... or submitted
    decline_reason: str = ""
    outcome: str = Outcome.NEED_MET
    info: int = 0  # 1: a question asked and not yet answered; 2: asked and answered
    late: int = 0  # working days past the target when first contacted; 0 in time
    straight_to_complete: bool = False  # advice at first contact was enough
    withdraw_after_contact: bool = False
    match_later: bool = False  # matched by the receiving team once opened
    reroute_to: Team | None = None  # the receiving team passes it on after opening it
    reroute_note: str = ""
    prompt: bool = False  # every step as soon as it could be: the demo's own referrals


@dataclass
class Move:
    """A step before it is written."""

    kind: str
    at: dt.datetime
    by: User | None
    team: Team | None
    to_team: Team | None = None
    note: str = ""
    value: str = ""  # the reason declined, or the outcome
    merged_with: Plan | None = None  # the other referral of a merge


@dataclass
class Plan:
    """One referral: what was sent, by whom, and what became of it."""

    service: ReferralService
    need: str
    source: str
    submitted_at: dt.datetime
    postcode: Postcode
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    expected_delivery_date: dt.date | None
    nhs_number: str
    contact_name: str
    household: Household | None
    person: Person | None
    matched: bool  # at submission (search-before-create)
    fate: Fate
    urgency: str = Urgency.ROUTINE
    referrer: User | None = None
    referrer_team: Team | None = None
    moves: list[Move] = field(default_factory=list)
    referral: Referral | None = None
    merged_into: Plan | None = None


@dataclass
class ReferralsReport:
    services: int = 0
    rules: int = 0
    referrals: int = 0
    steps: int = 0


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _age(person: Person, day: dt.date) -> int:
    return (day - person.date_of_birth).days if person.date_of_birth else -1


def _typo(rng: random.Random, name: str) -> str:
    """The name as someone might mistype it: two letters swapped, one dropped or one
    doubled (doubled if the others would leave it as it was)."""
    if len(name) < 4:
        return name + name[-1:]
    index = rng.randrange(1, len(name) - 2)
    kind = rng.randrange(3)
    if kind == 0 and name[index] != name[index + 1]:
        return name[:index] + name[index + 1] + name[index] + name[index + 2 :]
    if kind == 1 and name[index] != name[index - 1]:
        return name[:index] + name[index + 1 :]
    return name[:index] + name[index] + name[index:]


def working_moment(rng: random.Random, after: dt.datetime, low: int, high: int) -> dt.datetime:
    """A moment in working hours, between `low` and `high` working days after `after` (the
    same day if there is time left in it)."""
    local = _local(after)
    days = rng.randint(low, high)
    day = add_working_days(local.date(), days) if days else local.date()
    if not is_working_day(day) or (day == local.date() and local.hour >= 16):
        day = add_working_days(day, 1)
    start = local + dt.timedelta(minutes=10) if day == local.date() else _at(day, 8, 30)
    start = max(start, _at(day, 8, 30))
    end = _at(day, 17, 30)
    return start + dt.timedelta(seconds=rng.randrange(max(60, int((end - start).seconds))))


class ReferralBuilder:
    def __init__(self, seed: int, today: dt.date, services: Services) -> None:
        self.rng = random.Random(seed * 1_000_003 + 41)
        self.today = today
        self.now = _at(today, 8)
        self.county = services
        self.staff = services.practitioners
        self.triage = services.triage
        self.rules: list[RoutingRule] = []
        self.by_name: dict[str, ReferralService] = {}
        self.specs: dict[int, ServiceSpec] = {}
        self.households: list[Household] = []
        self.sender_references: dict[int, int] = defaultdict(int)
        self.postcodes: dict[str, Postcode] = {}
        self.used: set[int] = set()  # families in the demo's own referrals
        self.showcase: list[Plan] = []
        self.merges: list[tuple[Plan, Plan]] = []  # (duplicate, into)

    # -- services and rules -------------------------------------------------------------------

    def build_services(self, areas: Sequence[ReachArea]) -> None:
        county = self.county
        first_area = areas[0].name if areas else next(iter(county.family_hubs))
        first_locality = next(iter(county.health_visiting))
        providers = {
            "hubs": county.family_hubs[first_area],
            "health_visiting": county.health_visiting[first_locality],
            "voluntary": county.voluntary or county.family_hubs[first_area],
        }
        services = ReferralService.objects.bulk_create(
            ReferralService(
                name=spec.name,
                description=spec.description,
                team=providers[spec.provider],
                needs=[need for need, _weight in spec.needs],
                category=spec.category,
                first_contact_days=spec.first_contact_days,
                accepts_self_referrals=spec.accepts_self_referrals,
            )
            for spec in SERVICES
        )
        for service, spec in zip(services, SERVICES, strict=True):
            self.by_name[spec.name] = service
            self.specs[service.pk] = spec
        perinatal = self.by_name["Perinatal emotional wellbeing"]
        befriending = self.by_name["Little Steps befriending"]
        localities = {team.locality_id: name for name, team in county.health_visiting.items()}
        rules: list[RoutingRule] = []
        if self.triage is not None:
            rules.append(RoutingRule(need=N.DOMESTIC_ABUSE, team=self.triage, priority=10))
        if county.voluntary is not None:
            rules.append(RoutingRule(service=befriending, team=county.voluntary, priority=50))
        for area in areas:
            rules.append(
                RoutingRule(
                    service=perinatal,
                    reach_area=area,
                    team=county.health_visiting[localities[area.locality_id]],
                    priority=50,
                )
            )
        rules += [
            RoutingRule(reach_area=area, team=county.family_hubs[area.name], priority=100)
            for area in areas
        ]
        if self.triage is not None:
            rules.append(RoutingRule(team=self.triage, priority=900))
        self.rules = RoutingRule.objects.bulk_create(rules)

    def route(self, service: ReferralService, need: str, postcode: Postcode) -> Team:
        rule = choose_rule(
            self.rules,
            Case(
                service_id=service.pk,
                need=need,
                reach_area_id=postcode.lsoa.reach_area_id,
                postcode=postcode.postcode,
            ),
        )
        return rule.team if rule is not None else service.team

    # -- families -----------------------------------------------------------------------------

    def load_households(self) -> None:
        current: dict[int, Address] = {}
        for address in (
            Address.objects.filter(moved_out=None, is_withheld=False)
            .select_related("lsoa__reach_area__locality")
            .order_by("family_id", "moved_in", "id")
        ):
            current[address.family_id] = address
        fields = ("kind", "sex", "given_name", "family_name", "date_of_birth")
        persons = {
            person.pk: person
            for person in Person.objects.filter(date_of_death=None).only(
                *fields, "expected_delivery_date", "nhs_number"
            )
        }
        people: dict[int, list[Person]] = defaultdict(list)
        for family_id, person_id in FamilyMember.objects.order_by("family_id", "id").values_list(
            "family_id", "person_id"
        ):
            if person_id in persons:
                people[family_id].append(persons[person_id])
        consenting: dict[int, int] = {}
        for child_id, adult_id in (
            Relationship.objects.filter(has_parental_responsibility=True)
            .order_by("-id")
            .values_list("child_id", "adult_id")
        ):
            consenting[child_id] = adult_id  # the first by id wins, as the actions choose
        for family_id in sorted(current):
            address = current[family_id]
            members = people.get(family_id, [])
            mother = next(
                (p for p in members if p.kind == PersonKind.PARENT and p.sex == Sex.FEMALE), None
            )
            if mother is None or address.lsoa is None:
                continue
            children = sorted(
                (p for p in members if p.kind == PersonKind.CHILD and p.date_of_birth),
                key=lambda p: (p.date_of_birth, p.pk),
            )
            due = next(
                (p.expected_delivery_date for p in members if p.kind == PersonKind.UNBORN), None
            )
            self.households.append(
                Household(
                    family_id=family_id,
                    postcode=address.postcode,
                    reach_area=address.lsoa.reach_area,
                    locality=address.lsoa.reach_area.locality.name,
                    mother=mother,
                    children=children,
                    due=due,
                    consenting={
                        child.pk: consenting[child.pk]
                        for child in children
                        if child.pk in consenting
                    },
                )
            )
        self.postcodes = {
            postcode.postcode: postcode
            for postcode in Postcode.objects.filter(
                postcode__in={household.postcode for household in self.households}
            ).select_related("lsoa__reach_area")
        }

    def person_for(self, household: Household, need: str, day: dt.date) -> Person | None:
        """Who is referred for this need on this day: a child of the right age or the
        mother, or nobody in this family."""
        rng = self.rng
        kids = [c for c in household.children if 0 <= _age(c, day) < 5 * 365]
        pregnant = household.due is not None and household.due - dt.timedelta(days=280) <= day
        young = pregnant or bool(kids)
        if need == N.INFANT_FEEDING:
            babies = [c for c in kids if _age(c, day) < 365]
            if babies:
                return babies[-1]
            if pregnant and household.due and (household.due - day).days < 120:
                return household.mother
            return None
        if need == N.PARENTING:
            return rng.choice(kids) if kids else None
        if need in (N.SPEECH_AND_LANGUAGE, N.DEVELOPMENT):
            talkers = [c for c in kids if _age(c, day) >= 540]
            return rng.choice(talkers) if talkers else None
        if need == N.PERINATAL_MENTAL_HEALTH:
            return household.mother if pregnant or any(_age(c, day) < 730 for c in kids) else None
        if need == N.HEALTHY_LIFESTYLE:
            older = [c for c in kids if _age(c, day) >= 730]
            if older and rng.random() < 0.3:
                return rng.choice(older)
            return household.mother if young else None
        return household.mother if young else None

    # -- drawing a referral -------------------------------------------------------------------

    def submission_time(self, day: dt.date, source: str) -> dt.datetime:
        rng = self.rng
        if source == Source.SELF:
            return _at(day, rng.randint(7, 22), rng.randrange(60))
        while not is_working_day(day):
            day -= dt.timedelta(days=1)
        return _at(day, rng.randint(8, 16), rng.randrange(60))

    def referrer_team(
        self, household: Household, day: dt.date, receiving: Team, *, api: bool = False
    ) -> Team | None:
        """A team that would refer this family on this day, other than the one it goes to:
        through the API, only the GP practices' and the maternity service's systems."""
        rng, county = self.rng, self.county
        locality = household.locality
        kinds = ["gp", "midwifery"] if api else list(REFERRER_WEIGHTS)
        weights = [REFERRER_WEIGHTS[kind] for kind in kinds]
        for _ in range(8):
            kind = rng.choices(kinds, weights)[0]
            ages = [_age(child, day) for child in household.children if _age(child, day) >= 0]
            team: Team | None = None
            if kind == "health_visiting":
                team = county.health_visiting.get(locality)
            elif kind == "gp":
                team = rng.choice(county.gp_practices.get(locality) or [None])
            elif kind == "midwifery" and (
                (household.due and household.due - dt.timedelta(days=280) <= day)
                or any(age < 42 for age in ages)
            ):
                team = county.midwifery.get(locality)
            elif kind == "hub":
                team = county.family_hubs.get(household.reach_area.name)
            elif kind == "early_years" and any(age >= 365 for age in ages):
                team = rng.choice(county.early_years.get(locality) or [None])
            elif kind == "school" and any(age >= 4 * 365 for age in ages):
                team = rng.choice(county.schools.get(locality) or [None])
            if team is not None and team.pk != receiving.pk and self.staff.get(team.pk):
                return team
        return None

    def draw(self) -> Plan | None:
        """A referral of a random family in the last year, or None if none fitted."""
        rng, today = self.rng, self.today
        specs = list(SERVICES)
        spec = rng.choices(specs, [s.share for s in specs])[0]
        service = self.by_name[spec.name]
        need = rng.choices([n for n, _ in spec.needs], [w for _, w in spec.needs])[0]
        day = today - dt.timedelta(days=rng.randint(1, DAYS_BACK))
        for _ in range(20):
            household = rng.choice(self.households)
            person = self.person_for(household, need, day)
            if person is not None:
                break
        else:
            return None
        source = rng.choices(
            [Source.PRACTITIONER, Source.SELF, Source.API],
            [70, 25 if spec.accepts_self_referrals else 0, 8],
        )[0]
        fate = self.draw_fate(source, recent=(today - day).days <= 35)
        matched = source != Source.SELF and rng.random() > 0.08
        pending = not matched and rng.random() < (0.2 if source == Source.SELF else 0.3)
        if not matched and not pending:
            fate.match_later = True
        if pending:  # never matched: still waiting for checks, or turned away in the end
            recent = (today - day).days < 21
            fate.end = K.RECEIVED if recent else K.DECLINED
            fate.decline_reason = rng.choice(
                [DeclineReason.OUT_OF_AREA, DeclineReason.NOT_ELIGIBLE, DeclineReason.WRONG_SERVICE]
            )
            fate.info = 0
        urgent = 0.25 if need in (N.PERINATAL_MENTAL_HEALTH, N.DOMESTIC_ABUSE) else 0.06
        return self.plan(
            service,
            need,
            household,
            person,
            day,
            source=source,
            matched=matched,
            fate=fate,
            urgency=Urgency.URGENT if source != Source.SELF and rng.random() < urgent else "",
            typo=not matched and rng.random() < 0.5,
        )

    def draw_fate(self, source: str, *, recent: bool) -> Fate:
        """About a fifth of families are first contacted late; more of late, as queues
        have grown, so some are waiting past the target now."""
        rng = self.rng
        ends = [K.COMPLETED, K.DECLINED, K.WITHDRAWN]
        end = rng.choices(ends, [86, 9, 0 if source == Source.SELF else 5])[0]
        late = 0
        if recent and rng.random() < 0.4:
            late = rng.randint(2, 15)
        elif rng.random() < 0.2:
            late = rng.randint(1, 4) if rng.random() < 0.6 else rng.randint(5, 20)
        return Fate(
            end=end,
            decline_reason=rng.choices(list(DECLINE_WEIGHTS), list(DECLINE_WEIGHTS.values()))[0],
            outcome=rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0],
            # A question still waiting for its answer only lately: referrers answer.
            info=(1 if recent and rng.random() < 0.5 else 2)
            if source != Source.SELF and rng.random() < 0.06
            else 0,
            late=late,
            straight_to_complete=rng.random() < 0.12,
            withdraw_after_contact=rng.random() < 0.4,
        )

    def plan(
        self,
        service: ReferralService,
        need: str,
        household: Household,
        person: Person,
        day: dt.date,
        *,
        source: str,
        matched: bool,
        fate: Fate,
        urgency: str = "",
        typo: bool = False,
        referrer: User | None = None,
        referrer_team: Team | None = None,
        submitted_at: dt.datetime | None = None,
    ) -> Plan | None:
        rng = self.rng
        postcode = self.postcodes[household.postcode]
        receiving = self.route(service, need, postcode)
        if source != Source.SELF and referrer_team is None:
            referrer_team = self.referrer_team(household, day, receiving, api=source == Source.API)
            if referrer_team is None:
                return None
        if referrer_team is not None and referrer is None:
            referrer = rng.choice(self.staff[referrer_team.pk])
        given, surname = person.given_name, person.family_name
        if typo:
            if rng.random() < 0.5:
                given = _typo(rng, given)
            else:
                surname = _typo(rng, surname)
        mother = household.mother
        nhs_chance = 0.15 if source == Source.SELF else 0.95 if source == Source.API else 0.8
        return Plan(
            service=service,
            need=need,
            source=source,
            submitted_at=submitted_at or self.submission_time(day, source),
            postcode=postcode,
            given_name=given,
            family_name=surname,
            date_of_birth=person.date_of_birth,
            expected_delivery_date=person.expected_delivery_date,
            nhs_number=(person.nhs_number or "") if rng.random() < nhs_chance else "",
            contact_name=f"{mother.given_name} {mother.family_name}",
            household=household,
            person=person,
            matched=matched,
            fate=fate,
            urgency=urgency or Urgency.ROUTINE,
            referrer=referrer if source != Source.SELF else None,
            referrer_team=referrer_team if source != Source.SELF else None,
        )

    # -- what became of it --------------------------------------------------------------------

    def later(self, after: dt.datetime, low: int, high: int) -> dt.datetime:
        return working_moment(self.rng, after, low, high)

    def walk(self, plan: Plan, team: Team) -> Team:
        """The referral's steps up to the reference time; returns the team whose queue it
        ends in."""
        rng, fate = self.rng, plan.fate
        moves = plan.moves

        def add(
            kind: str,
            at: dt.datetime,
            by: User | None,
            by_team: Team | None,
            *,
            to_team: Team | None = None,
            note: str = "",
            value: str = "",
        ) -> bool:
            if at > self.now:
                return False
            moves.append(Move(kind, at, by, by_team, to_team=to_team, note=note, value=value))
            return True

        def after(moment: dt.datetime, low: int, high: int) -> dt.datetime:
            return self.later(moment, low, low if fate.prompt else high)

        def worker() -> User:
            return rng.choice(self.staff.get(team.pk) or [self._any_user()])

        t = plan.submitted_at
        add(K.SUBMITTED, t, plan.referrer, plan.referrer_team)
        add(K.ROUTED, t, plan.referrer, plan.referrer_team, to_team=team)
        if fate.end == K.SUBMITTED:
            return team
        t = after(t, 0, 0 if plan.urgency == Urgency.URGENT else 1)
        if not add(K.RECEIVED, t, worker(), team):
            return team
        if fate.reroute_to is not None:
            t = after(t, 0, 1)
            if not add(
                K.ROUTED, t, worker(), team, to_team=fate.reroute_to, note=fate.reroute_note
            ):
                return team
            team = fate.reroute_to
            t = after(t, 0, 1)
            if not add(K.RECEIVED, t, worker(), team):
                return team
        if fate.info and plan.referrer is not None:
            t = after(t, 0, 1)
            if not add(K.INFORMATION_REQUESTED, t, worker(), team, note=rng.choice(QUESTIONS)):
                return team
            if fate.info == 2:
                t = after(t, 0, 2)
                if not add(
                    K.INFORMATION_GIVEN,
                    t,
                    plan.referrer,
                    plan.referrer_team,
                    note=rng.choice(ANSWERS),
                ):
                    return team
            else:
                return team
        if fate.match_later:
            t = after(t, 0, 1)
            if not add(K.MATCHED, t, worker(), team):
                return team
        if fate.end == K.RECEIVED:
            return team
        if fate.end == K.WITHDRAWN and not fate.withdraw_after_contact:
            t = after(t, 1, 4)
            add(
                K.WITHDRAWN,
                t,
                plan.referrer,
                plan.referrer_team,
                note=rng.choice(WITHDRAWAL_REASONS),
            )
            return team
        if fate.end == K.DECLINED and fate.decline_reason != DeclineReason.NO_CONSENT:
            t = after(t, 0, 2)
            reason = DeclineReason(fate.decline_reason)
            note = f"{reason.label}. {DECLINE_NOTES[reason]}"
            add(K.DECLINED, t, worker(), team, note=note, value=reason)
            return team
        if not (plan.matched or fate.match_later):
            return team  # only a referral matched to the family's record can be accepted
        t = after(t, 0, 0 if plan.urgency == Urgency.URGENT else 2)
        if not add(K.ACCEPTED, t, worker(), team):
            return team
        if fate.end == K.ACCEPTED:
            return team
        due = first_contact_due(plan.service, plan.urgency, _local(plan.submitted_at).date())
        if fate.late:
            t = max(self.later(_at(add_working_days(due, fate.late), 8), 0, 0), after(t, 0, 0))
        else:
            span = working_days_between(_local(t).date(), due)
            t = after(t, 0, span)
        if not add(K.CONTACTED, t, worker(), team, note=rng.choice(CONTACT_NOTES)):
            return team
        if fate.end == K.CONTACTED:
            return team
        if fate.end == K.DECLINED:
            t = after(t, 0, 1)
            reason = DeclineReason.NO_CONSENT
            note = f"{reason.label}. {DECLINE_NOTES[reason]}"
            add(K.DECLINED, t, worker(), team, note=note, value=reason)
            return team
        if fate.end == K.WITHDRAWN:
            t = after(t, 2, 10)
            add(
                K.WITHDRAWN,
                t,
                plan.referrer,
                plan.referrer_team,
                note=rng.choice(WITHDRAWAL_REASONS),
            )
            return team
        if not fate.straight_to_complete:
            t = after(t, 2, 10)
            if not add(K.SUPPORT_STARTED, t, worker(), team, note=rng.choice(SUPPORT_NOTES)):
                return team
            if fate.end == K.SUPPORT_STARTED:
                return team
            t = after(t, 15, 60)
        else:
            t = after(t, 0, 3)
        outcome = Outcome(fate.outcome)
        note = f"{outcome.label}. {COMPLETION_NOTES[outcome]}"
        add(K.COMPLETED, t, worker(), team, note=note, value=outcome)
        return team

    def _any_user(self) -> User:
        return next(iter(self.staff.values()))[0]

    # -- the demo's own referrals ------------------------------------------------------------

    def working_days_ago(self, count: int) -> dt.date:
        day = self.today
        while count > 0 or not is_working_day(day):
            day -= dt.timedelta(days=1)
            count -= is_working_day(day)
        return day

    def pick(
        self, need: str, day: dt.date, where: Callable[[Household], bool]
    ) -> tuple[Household, Person] | None:
        """A family not yet in the demo's own referrals, where `where` says (or anywhere if
        none there fits), with someone to refer for the need on the day."""
        for predicate in (where, lambda _household: True):
            candidates = [
                h for h in self.households if h.family_id not in self.used and predicate(h)
            ]
            for household in self.rng.sample(candidates, k=len(candidates)):
                person = self.person_for(household, need, day)
                if person is not None:
                    self.used.add(household.family_id)
                    return household, person
        return None

    def scripted(
        self,
        service_name: str,
        need: str,
        day: dt.date,
        fate: Fate,
        *,
        where: Callable[[Household], bool] = lambda _household: True,
        source: str = Source.PRACTITIONER,
        referrer_team: Team | None = None,
        referrer: User | None = None,
        urgency: str = "",
        submitted_at: dt.datetime | None = None,
        matched: bool = True,
        typo: bool = False,
        chosen: tuple[Household, Person] | None = None,
    ) -> Plan | None:
        chosen = chosen or self.pick(need, day, where)
        if chosen is None:
            return None
        fate.prompt = True
        household, person = chosen
        plan = self.plan(
            self.by_name[service_name],
            need,
            household,
            person,
            day,
            source=source,
            matched=matched,
            fate=fate,
            urgency=urgency,
            typo=typo,
            referrer=referrer,
            referrer_team=referrer_team,
            submitted_at=submitted_at,
        )
        if plan is not None:
            self.showcase.append(plan)
        return plan

    def build_showcase(self, areas: Sequence[ReachArea]) -> None:
        """What each demo sign-in should find, whatever the draw."""
        county, rng, ago = self.county, self.rng, self.working_days_ago
        if not self.households or not areas or self.triage is None:
            return
        locality = next(iter(county.health_visiting))
        practice = county.gp_practices[locality][0]
        other_practice = county.gp_practices[locality][-1]
        gp_user = self.user("gp.staff") or self.staff[practice.pk][0]
        hub_area = areas[0]
        hv = county.health_visiting[locality]
        midwives = county.midwifery[locality]
        nursery = county.early_years[locality][0]

        def here(household: Household) -> bool:
            return household.locality == locality

        def in_hub_area(household: Household) -> bool:
            return household.reach_area.pk == hub_area.pk

        # The GP practice's sent referrals: one of each kind of ending, and a question.
        for service, need, days, fate in (
            ("Perinatal emotional wellbeing", N.PERINATAL_MENTAL_HEALTH, 100, Fate()),
            (
                "Parenting support",
                N.PARENTING,
                20,
                Fate(end=K.DECLINED, decline_reason=DeclineReason.WRONG_SERVICE),
            ),
            ("Speech and language group", N.SPEECH_AND_LANGUAGE, 3, Fate(end=K.RECEIVED, info=1)),
            ("Early help family support", N.MONEY_AND_HOUSING, 14, Fate(end=K.SUPPORT_STARTED)),
            ("Infant feeding support", N.INFANT_FEEDING, 1, Fate(end=K.ACCEPTED)),
            ("Little Steps befriending", N.ISOLATION, 30, Fate(end=K.WITHDRAWN)),
        ):
            self.scripted(
                service, need, ago(days), fate, where=here, referrer_team=practice, referrer=gp_user
            )
        # The family hub's queue: made this morning, opened, past its target, contacted.
        # Before the walk's "now" (8 in the morning); earlier still if built before then.
        today_at = min(_at(self.today, 7, 20), max(clock.now(), _at(self.today, 0, 30)))
        self.scripted(
            "Parenting support",
            N.PARENTING,
            self.today,
            Fate(end=K.SUBMITTED),
            where=in_hub_area,
            source=Source.SELF,
            matched=False,
            submitted_at=today_at,
        )
        self.scripted(
            "Healthy lifestyle and stop smoking",
            N.HEALTHY_LIFESTYLE,
            ago(1),
            Fate(end=K.RECEIVED),
            where=in_hub_area,
            referrer_team=hv,
        )
        self.scripted(
            "Early help family support",
            N.MONEY_AND_HOUSING,
            ago(9),
            Fate(end=K.ACCEPTED),
            where=in_hub_area,
            referrer_team=other_practice,
        )
        self.scripted(
            "Infant feeding support",
            N.INFANT_FEEDING,
            ago(8),
            Fate(end=K.RECEIVED),
            where=in_hub_area,
            referrer_team=midwives,
        )
        self.scripted(
            "Speech and language group",
            N.SPEECH_AND_LANGUAGE,
            ago(6),
            Fate(end=K.CONTACTED),
            where=in_hub_area,
            referrer_team=nursery,
        )
        # Perinatal referrals to the demo health visitors: two past their target.
        for days, end, team in ((8, K.RECEIVED, other_practice), (7, K.ACCEPTED, midwives)):
            self.scripted(
                "Perinatal emotional wellbeing",
                N.PERINATAL_MENTAL_HEALTH,
                ago(days),
                Fate(end=end),
                where=here,
                referrer_team=team,
            )
        self.scripted(
            "Perinatal emotional wellbeing",
            N.PERINATAL_MENTAL_HEALTH,
            ago(16),
            Fate(end=K.CONTACTED, late=3),
            where=here,
            referrer_team=county.family_hubs[hub_area.name],
        )
        # Triage: pending checks, an open duplicate, a merged one, a re-routed one.
        for index, days in enumerate((0, 2, 4)):
            self.scripted(
                "Parenting support" if index else "Healthy lifestyle and stop smoking",
                N.PARENTING if index else N.HEALTHY_LIFESTYLE,
                ago(days) if days else self.today - dt.timedelta(days=1),
                Fate(end=K.RECEIVED),
                where=in_hub_area if index == 0 else here,
                source=Source.SELF,
                matched=False,
                typo=index != 1,
            )
        self.duplicates(
            here, (ago(4), ago(1)), (hv, None), (Fate(end=K.RECEIVED), Fate(end=K.SUBMITTED))
        )
        self.duplicates(
            here,
            (ago(45), ago(44)),
            (hv, nursery),
            (Fate(outcome=Outcome.PARTLY_MET), Fate(end=K.RECEIVED)),
            merge=True,
        )
        self.scripted(
            "Early help family support",
            N.MONEY_AND_HOUSING,
            ago(25),
            Fate(
                end=K.SUPPORT_STARTED,
                reroute_to=self.triage,
                reroute_note="More than one agency is needed: for the early help panel",
            ),
            where=here,
            referrer_team=hv,
        )
        self.scripted(
            "Early help family support",
            N.DOMESTIC_ABUSE,
            ago(5),
            Fate(end=K.CONTACTED),
            referrer_team=hv,
            urgency=Urgency.URGENT,
            where=here,
        )
        # Befriending, for the voluntary sign-in.
        self.scripted(
            "Little Steps befriending", N.ISOLATION, ago(5), Fate(end=K.ACCEPTED), referrer_team=hv
        )
        self.scripted(
            "Little Steps befriending",
            N.ISOLATION,
            self.today - dt.timedelta(days=120),
            Fate(match_later=True),
            source=Source.SELF,
            matched=False,
        )
        # Every reason to decline and every outcome, somewhere in the county.
        for index, reason in enumerate(DeclineReason):
            if reason == DeclineReason.WRONG_SERVICE:
                continue
            self.scripted(
                "Parenting support",
                N.PARENTING,
                self.today - dt.timedelta(days=40 + 30 * index),
                Fate(end=K.DECLINED, decline_reason=reason),
                matched=reason != DeclineReason.OUT_OF_AREA,
            )
        for index, outcome in enumerate(Outcome):
            self.scripted(
                rng.choice(["Parenting support", "Early help family support"]),
                N.PARENTING,
                self.today - dt.timedelta(days=150 + 20 * index),
                Fate(outcome=outcome),
            )

    def duplicates(
        self,
        where: Callable[[Household], bool],
        days: tuple[dt.date, dt.date],
        teams: tuple[Team, Team | None],
        fates: tuple[Fate, Fate],
        *,
        merge: bool = False,
    ) -> None:
        """The same child referred twice, by two teams or by a team and the family: merged
        by triage, or left open for triage to merge. The second is from the family when no
        second team is given."""
        service, need = (
            ("Speech and language group", N.SPEECH_AND_LANGUAGE)
            if merge
            else ("Parenting support", N.PARENTING)
        )
        chosen = self.pick(need, days[0], where)
        if chosen is None:
            return
        first = self.scripted(
            service, need, days[0], fates[0], referrer_team=teams[0], chosen=chosen
        )
        second = self.scripted(
            service,
            need,
            days[1],
            fates[1],
            source=Source.PRACTITIONER if teams[1] else Source.SELF,
            referrer_team=teams[1],
            matched=teams[1] is not None,
            chosen=chosen,
        )
        if merge and first is not None and second is not None:
            self.merges.append((second, first))

    def user(self, username: str) -> User | None:
        return User.objects.filter(username=username).first()

    def merge(self, duplicate: Plan, into: Plan) -> None:
        """Triage merges the duplicate, once opened, into the referral that goes on."""
        assert self.triage is not None
        at = self.later(duplicate.moves[-1].at, 0, 1)
        closes = [m.at for m in into.moves if m.kind in CLOSING]
        if at > self.now or (closes and closes[0] <= at) or at <= into.moves[0].at:
            return
        officer = self.rng.choice(self.staff.get(self.triage.pk) or [self._any_user()])
        duplicate.moves.append(Move(K.MERGED, at, officer, self.triage, merged_with=into))
        into.moves.append(Move(K.MERGED, at, officer, self.triage, merged_with=duplicate))
        into.moves.sort(key=lambda move: move.at)
        duplicate.merged_into = into

    # -- writing ------------------------------------------------------------------------------

    def referral_of(self, plan: Plan, team: Team) -> Referral:
        """The referral as its steps left it."""
        rng, service = self.rng, plan.service
        submitted = _local(plan.submitted_at).date()
        person = plan.person
        matched = plan.matched or any(move.kind == K.MATCHED for move in plan.moves)
        self_referral = plan.source == Source.SELF
        about_child = person is not None and person.kind == PersonKind.CHILD
        if self_referral:
            method, given_by = ConsentMethod.ONLINE, plan.contact_name
        else:
            methods = [ConsentMethod.VERBAL, ConsentMethod.WRITTEN, ConsentMethod.RED_BOOK]
            weights = [60, 20, 20] if plan.source == Source.PRACTITIONER else [70, 30, 0]
            method = rng.choices(methods, weights)[0]
            given_by = f"{plan.contact_name}, mother" if about_child else plan.contact_name
        categories = [C.IDENTITY, service.category]
        if service.category != C.FAMILY_SUPPORT and rng.random() < 0.5:
            categories.append(C.FAMILY_SUPPORT)
        sender_reference = digest = token = ""
        if plan.source == Source.API and plan.referrer_team is not None:
            self.sender_references[plan.referrer_team.pk] += 1
            prefix = "MAT" if plan.referrer_team in self.county.midwifery.values() else "GPR"
            sender_reference = (
                f"{prefix}-{submitted:%Y}-{self.sender_references[plan.referrer_team.pk]:05d}"
            )
            digest = hashlib.sha256(
                f"{sender_reference}|{plan.family_name}|{plan.submitted_at.isoformat()}".encode()
            ).hexdigest()
        if self_referral:  # as secrets.token_urlsafe(32), but from the county's generator
            token = (
                urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()
            )
        email = ""
        if rng.random() < 0.4:
            local = ".".join(
                "".join(ch for ch in part.lower() if ch.isascii() and ch.isalpha())
                for part in plan.contact_name.split()[:2]
            )
            email = f"{local}{rng.randrange(10, 99)}@example.com"
        referral = Referral(
            service=service,
            need=plan.need,
            reason=self.reason(plan, submitted),
            urgency=plan.urgency,
            category=service.category,
            source=plan.source,
            given_name=plan.given_name,
            family_name=plan.family_name,
            date_of_birth=plan.date_of_birth,
            expected_delivery_date=plan.expected_delivery_date,
            nhs_number=plan.nhs_number,
            postcode=plan.postcode.postcode,
            reach_area=plan.postcode.lsoa.reach_area,
            contact_name=plan.contact_name,
            contact_phone=f"07700 900{rng.randrange(1000):03d}",
            contact_email=email,
            family_id=plan.household.family_id if matched and plan.household else None,
            person=person if matched else None,
            consent_given_by=given_by,
            consent_method=method,
            consent_given_on=submitted
            - dt.timedelta(days=0 if self_referral else rng.choice([0, 0, 0, 1, 2])),
            consent_categories=[str(category) for category in categories],
            referrer=plan.referrer,
            referrer_team=plan.referrer_team,
            sender_reference=sender_reference,
            payload_digest=digest,
            status_token=token or None,
            team=team,
            submitted_at=plan.submitted_at,
            first_contact_due=first_contact_due(service, plan.urgency, submitted),
            created_at=plan.submitted_at,
            updated_at=plan.moves[-1].at,
        )
        for move in plan.moves:
            _apply(referral, plan, move)
        return referral

    def reason(self, plan: Plan, day: dt.date) -> str:
        """Why the family was referred, in words that fit whom it is about."""
        household, person = plan.household, plan.person
        about = {"mother"}
        if person is not None and person.kind == PersonKind.CHILD:
            about = {"child"}
        elif household is not None:
            if household.due and household.due - dt.timedelta(days=280) <= day <= household.due:
                about.add("pregnant")
            if any(0 <= _age(child, day) < 730 for child in household.children):
                about.add("baby")
        fitting = [text for who, text in REASONS[plan.need] if who in about]
        return self.rng.choice(fitting or [text for _who, text in REASONS[plan.need]])

    def write(self, plans: list[Plan]) -> int:
        plans.sort(key=lambda plan: plan.submitted_at)
        for plan in plans:
            plan.referral = self.referral_of(plan, plan.moves[1].to_team or plan.service.team)
        referrals = [plan.referral for plan in plans if plan.referral is not None]
        Referral.objects.bulk_create(referrals)
        steps: list[ReferralStep] = []
        events: list[tuple[object, ...]] = []
        involvements: list[Involvement] = []
        consents: list[tuple[Consent, Team]] = []
        involved = self.involvements()
        for plan in plans:
            referral = plan.referral
            assert referral is not None
            if plan.merged_into is not None and plan.merged_into.referral is not None:
                referral.merged_into = plan.merged_into.referral
            matching = next(
                (index for index, move in enumerate(plan.moves) if move.kind == K.MATCHED), 0
            )
            for index, move in enumerate(plan.moves):
                step = ReferralStep(
                    referral=referral,
                    kind=move.kind,
                    occurred_at=move.at,
                    by=move.by,
                    team=move.team,
                    to_team=move.to_team,
                    note=_note(move),
                )
                steps.append(step)
                if referral.family_id is None:
                    continue
                # Steps before the match go on the chronology when it is matched, by whoever
                # matched it, as `match` writes them.
                author = plan.moves[matching] if index < matching else move
                assert author.by is not None
                assert author.team is not None
                events.append(
                    (
                        referral.family_id,
                        EventKind.REFERRAL,
                        referral.category,
                        step_summary(referral, step),
                        move.at,
                        author.at,
                        author.by.pk,
                        author.team.pk,
                        False,
                        referral.person_id,
                    )
                )
                if move.kind == K.ACCEPTED:
                    self.accepted(plan, move, involved, involvements, events, consents)
        ReferralStep.objects.bulk_create(steps, batch_size=2000)
        Involvement.objects.bulk_create(involvements)
        Consent.objects.bulk_create([consent for consent, _team in consents])
        through = Consent.recipient_organisations.through
        through.objects.bulk_create(
            through(consent_id=consent.pk, organisation_id=team.organisation_id)
            for consent, team in consents
        )
        # Backdated to when they happened: the models stamp a row with the time it is saved.
        _update(
            Consent,
            ("created_at", "updated_at"),
            [(_at(c.starts_on, 9), _at(c.starts_on, 9), c.pk) for c, _team in consents],
        )
        _update(
            Involvement,
            ("created_at", "updated_at"),
            [(_at(i.started_on, 9), _at(i.started_on, 9), i.pk) for i in involvements],
        )
        _update(
            Referral,
            ("consent", "merged_into", "created_at", "updated_at"),
            [
                (
                    r.consent.pk if r.consent else None,
                    r.merged_into_id,
                    plan.submitted_at,
                    plan.moves[-1].at,
                    r.pk,
                )
                for plan in plans
                if (r := plan.referral) is not None
            ],
        )
        insert_rows(ChronologyEvent, (*EVENT_COLUMNS, "person"), events)
        return len(steps)

    def involvements(self) -> dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]]:
        spans: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        for family_id, team_id, started, ended in Involvement.objects.values_list(
            "family_id", "team_id", "started_on", "ended_on"
        ):
            spans[(family_id, team_id)].append((started, ended))
        return spans

    def accepted(
        self,
        plan: Plan,
        move: Move,
        involved: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]],
        involvements: list[Involvement],
        events: list[tuple[object, ...]],
        consents: list[tuple[Consent, Team]],
    ) -> None:
        """What `accept` writes: the team's involvement unless it already works with the
        family, and the family's consent to share with it."""
        referral, person = plan.referral, plan.person
        assert referral is not None
        assert referral.family_id is not None
        assert person is not None
        assert move.by is not None
        assert move.team is not None
        day = _local(move.at).date()
        key = (referral.family_id, move.team.pk)
        if not any(start <= day and (end is None or end >= day) for start, end in involved[key]):
            involved[key].append((day, None))
            involvements.append(
                Involvement(
                    family_id=referral.family_id,
                    team=move.team,
                    practitioner=move.by,
                    reason=f"Referral {referral.reference} accepted",
                    started_on=day,
                )
            )
            events.append(
                (
                    referral.family_id,
                    EventKind.INVOLVEMENT_STARTED,
                    C.IDENTITY,
                    f"{move.team.name} started working with the family "
                    f"(referral {referral.reference})",
                    move.at,
                    move.at,
                    move.by.pk,
                    move.team.pk,
                    False,
                    None,
                )
            )
        if person.kind in (PersonKind.PARENT, PersonKind.CARER):
            given_by: int | None = person.pk
        else:
            given_by = plan.household.consenting.get(person.pk) if plan.household else None
        categories = [c for c in referral.consent_categories if c != C.SAFEGUARDING]
        if given_by is None or not categories:
            return
        consent = Consent(
            person=person,
            given_by_id=given_by,
            categories=categories,
            purpose=SharingPurpose.REFERRAL,
            method=referral.consent_method,
            evidence=f"Referral {referral.reference}",
            starts_on=referral.consent_given_on,
            recorded_by=move.by,
            recorded_by_team=move.team,
        )
        referral.consent = consent
        consents.append((consent, move.team))


CLOSING = frozenset({K.DECLINED, K.COMPLETED, K.WITHDRAWN})
STATUS_AFTER: dict[str, str] = {
    K.SUBMITTED: Status.SUBMITTED,
    K.ROUTED: Status.SUBMITTED,
    K.RECEIVED: Status.RECEIVED,
    K.ACCEPTED: Status.ACCEPTED,
    K.DECLINED: Status.DECLINED,
    K.CONTACTED: Status.CONTACTED,
    K.SUPPORT_STARTED: Status.SUPPORT_STARTED,
    K.COMPLETED: Status.COMPLETED,
    K.WITHDRAWN: Status.WITHDRAWN,
}


def _apply(referral: Referral, plan: Plan, move: Move) -> None:
    """The change a step makes, as the action that takes it does."""
    kind = move.kind
    if kind in STATUS_AFTER:
        referral.status = STATUS_AFTER[kind]
    if kind == K.ROUTED and move.to_team is not None:
        referral.team = move.to_team
    elif kind == K.INFORMATION_REQUESTED:
        referral.information_requested = True
    elif kind == K.INFORMATION_GIVEN:
        referral.information_requested = False
    elif kind == K.CONTACTED:
        referral.contacted_at = move.at
    elif kind == K.DECLINED:
        referral.decline_reason = move.value
    elif kind == K.COMPLETED:
        referral.outcome = move.value
    elif kind == K.MERGED and move.merged_with is plan.merged_into:
        referral.status = Status.MERGED
    if referral.status in (Status.DECLINED, Status.COMPLETED, Status.WITHDRAWN, Status.MERGED):
        referral.closed_at = referral.closed_at or move.at


def _update(model: type[Model], columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """Set columns of rows by id (the last value of each row): one statement run for many,
    where `bulk_update` would build a CASE per row."""
    fields = [cast("Field[Any, Any]", model._meta.get_field(name)) for name in columns]
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from input.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "  # noqa: S608
        f"{', '.join(f'{quote(field.column)} = %s' for field in fields)} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    prepared: list[list[Any]] = [
        [adapt(value) if isinstance(value, dt.datetime) else value for value in row] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _note(move: Move) -> str:
    other = move.merged_with
    if move.kind != K.MERGED or other is None or other.referral is None:
        return move.note
    if other.merged_into is None:  # the other goes on: this is the duplicate
        return f"Merged into {other.referral.reference}"
    return f"{other.referral.reference} merged into this referral"


def build_referrals(*, seed: int, today: dt.date, services: Services) -> ReferralsReport:
    """The county's referral services, routing rules and a year of referrals, after its
    families, involvements and centres exist."""
    builder = ReferralBuilder(seed, today, services)
    areas = list(ReachArea.objects.order_by("id"))
    builder.build_services(areas)
    builder.load_households()
    builder.build_showcase(areas)
    plans = list(builder.showcase)
    if builder.households:
        for _ in range(len(builder.households) // FAMILIES_PER_REFERRAL - len(plans)):
            plan = builder.draw()
            if plan is not None:
                plans.append(plan)
    teams = {id(plan): builder.route(plan.service, plan.need, plan.postcode) for plan in plans}
    for plan in plans:
        builder.walk(plan, teams[id(plan)])
    for duplicate, into in builder.merges:
        builder.merge(duplicate, into)
    plans = [plan for plan in plans if plan.moves]
    steps = builder.write(plans)
    return ReferralsReport(
        services=len(builder.by_name),
        rules=len(builder.rules),
        referrals=len(plans),
        steps=steps,
    )
