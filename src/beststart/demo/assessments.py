"""The synthetic county's assessments and plans, written through the real actions
(`beststart.assessments.actions`), so every row is one the pages could have written: checked,
audited and on the family's chronology, each as if written on its day.

- Cut-offs for ASQ-3 and ASQ:SE-2, invented for the demo (`data/*-cutoffs.yaml`, never the
  publisher's), loaded as a licensed organisation loads its own, so results have zones.
- Health visitors: ASQ-3 results from about one in eight of the year's 12-month and 2-year
  reviews where it was used, ASQ:SE-2 at some of them, the interval chosen by the child's age;
  Graded Care Profile 2 grades for a handful of families; a plan where something is a concern.
- Early years settings: EYFS progress checks of children aged 24 to 36 months.
- The integrated review at two: the health visitor writes the health review and the parents'
  views, the child's nursery its progress check and the shared summary a few days later; the
  newest still wait for the nursery. Where the parent had not agreed to share development
  information with the nursery, their consent is recorded first, at the review.
- Family hub workers: Early Help Assessments (some with plans, a few drafts saved for later),
  and the family outcomes scale (Star-style) with parents, two to four times months apart,
  mostly improving and sometimes stalling.
- Plans: the assessing practitioner leads; two to four actions, each owned by someone in the
  teams around the family who may see the plan (the action refuses anyone else, and then the
  plan's own team takes them); most actions due by now done, reviews held, some overdue, a
  few plans closed.

The demo sign-ins each meet their part on "Assessments and plans": `health.visitor` an ASQ-3
saved for later, an integrated review waiting for `early.years`'s nursery and a plan due for
review; `early.years` that review, its sections still to write; `family.hub` Star-style scores
with progress and an Early Help Assessment whose plan's actions it owns.
`integrated_review_family()` names a family in which `health.visitor` can start a new
integrated review with `early.years`'s nursery. (In a county too small to have such children,
a child or two of the health visitor's caseload start at that nursery.)

Drawn from a generator of its own after the rest of the county exists, so the county is as it
was without it; family by family in id order, so the same seed and date write the same rows.
Going through the actions costs about 8 seconds for the 2,000-family demo (some 350
assessments and 50 plans); a county of more than `FULL_RATES_UP_TO` families is given as many
as one of that size."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, OrganisationType, Role, User
from beststart.assessments import actions, instruments
from beststart.assessments.actions import ActionDetails
from beststart.assessments.instruments import Answers, Instrument, age_in_months
from beststart.assessments.models import Assessment, CutoffSet, Plan, PlanAction
from beststart.assessments.selectors import team_around
from beststart.care.models import Contact, ReviewKind
from beststart.care.schedule import add_months
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.demo.sharing import organisation_types_by_team
from beststart.families.actions import add_involvement
from beststart.families.models import Family, FamilyMember, Involvement, Person, PersonKind
from beststart.sharing.access import would_see
from beststart.sharing.actions import record_consent
from beststart.sharing.models import Consent, ConsentMethod, SharingPurpose
from beststart.sharing.policy import Subject, active_involvements

T = OrganisationType
DATA = Path(__file__).parent / "data"
CUTOFFS = ("asq-3", "asq-se-2")  # data/<code>-cutoffs.yaml
LOADED_BY = "beststart seed (the demo county)"
ASQ, ASQ_SE, EYFS = "asq-3", "asq-se-2", "eyfs-progress-check"
REVIEW_AT_TWO, EHA = "integrated-two-year-review", "early-help-assessment"
STAR, GCP = "family-outcomes-scale", "graded-care-profile-2"

YEAR = dt.timedelta(days=364)
MONTH = dt.timedelta(weeks=4)
# Beyond this many families, each kind is drawn as if the county had this many: a benchmark
# county of a million people is about its lists and searches, not its assessments.
FULL_RATES_UP_TO = 4000
# Of the candidates: reviews with the ASQ-3 used; of those, ASQ:SE-2 too; children of 24 to 36
# months with a nursery (and a health visitor); families with a family hub; with a health visitor.
ASQ_SHARE, ASQ_SE_SHARE = 0.12, 0.3
REVIEW_AT_TWO_SHARE, EYFS_SHARE = 0.12, 0.15
EHA_SHARE, STAR_SHARE = 0.025, 0.015
GCP_SHARE = 0.004
CONCERN_PLAN_CHANCE = 0.5  # a result of concern leads to a plan
EHA_PLAN_CHANCE = 0.7  # an Early Help Assessment that found needs
STAR_PLAN_CHANCE = 0.3
DRAFT_CHANCE = 0.25  # of the recent Early Help Assessments: saved for later
STAR_DRAFT_CHANCE = 0.1
STALLS = 0.2  # of the families repeating the outcomes scale: little or no progress
# Plans as they went: actions due by now done, reviews held (or not: overdue), closed.
DONE_CHANCE, REVIEW_CHANCE, CLOSE_CHANCE, EXTRA_ACTION_CHANCE = 0.85, 0.85, 0.15, 0.15
REVIEW_WEEKS = (4, 6, 6, 8, 12)
DEMO_USERS = ("health.visitor", "early.years", "family.hub")


@dataclass
class AssessmentsReport:
    cutoff_sets: int = 0
    completed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    drafts: int = 0
    plans: int = 0
    closed: int = 0
    consents: int = 0


@dataclass(frozen=True)
class Step:
    """An action to agree in a plan, and the kind of agency best placed to own it (None: the
    plan's own team)."""

    need: str
    action: str
    agency: str | None = None

    @property
    def words(self) -> tuple[str, str]:
        return self.need, self.action


@contextmanager
def on_the_day(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Run the actions as on `day`, at `hour`: the policy decides by that day's involvements,
    consents and agreements, and what they date by the clock (the audit, a completion, a line
    on the chronology) is dated then, as if written at the time."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    saved = clock.now, clock.today
    clock.now, clock.today = (lambda: moment), (lambda: day)
    try:
        yield
    finally:
        clock.now, clock.today = saved


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _actor(membership: Membership) -> Actor:
    return Actor(user=membership.user, membership=membership)


def load_demo_cutoffs() -> list[CutoffSet]:
    """The invented cut-offs, through the action a licensed organisation loads its own with."""
    return [
        actions.load_cutoffs(
            instrument_code=code,
            text=(DATA / f"{code}-cutoffs.yaml").read_text(encoding="utf-8"),
            loaded_by=LOADED_BY,
        )
        for code in CUTOFFS
    ]


# ---------------------------------------------------------------------------------------------
# What the practitioners write


DOMAINS = ("communication", "gross_motor", "fine_motor", "problem_solving", "personal_social")
WEAK_DOMAIN_WEIGHTS = (5, 2, 2, 1, 2)  # speech and language most often
DOMAIN_STEPS = {
    "communication": Step(
        "Communication below the ASQ-3 cut-off",
        "Invite to the speech and language group at the family hub",
        T.FAMILY_HUB,
    ),
    "gross_motor": Step(
        "Gross motor skills below the ASQ-3 cut-off", "Ask the GP to refer to physiotherapy"
    ),
    "fine_motor": Step(
        "Fine motor skills below the ASQ-3 cut-off",
        "Share play ideas for hands and fingers with the nursery and the parents",
        T.EARLY_YEARS_SETTING,
    ),
    "problem_solving": Step(
        "Problem solving below the ASQ-3 cut-off",
        "Offer a place at Stay and Play for ideas to play and learn together",
        T.FAMILY_HUB,
    ),
    "personal_social": Step(
        "Personal-social development below the ASQ-3 cut-off",
        "Offer a home visit to talk through routines and play",
    ),
}
REPEAT_ASQ = Step("Development to check again", "Repeat the ASQ-3 in two months")
EYFS_TEXT = {
    "communication": (
        "Enjoys stories and joins in with songs; next, naming more things in books",
        "Understands simple instructions; we will build two-word phrases together",
    ),
    "personal": (
        "Plays alongside friends and is starting to share; next, taking turns",
        "Settles well with the key person; next, choosing activities on their own",
    ),
    "physical": (
        "Climbs and runs confidently; next, catching and throwing a large ball",
        "Uses a spoon well and enjoys mark-making; next, building towers",
    ),
}
EYFS_NEXT_STEPS = (
    "Sharing books at home each evening; the key person will send ideas home each week",
    "More time to play outdoors at the setting and at home; talk through the day together",
    "Practising words at mealtimes; the setting will model short phrases in play",
)
PARENT_COMMENTS = (
    "We are pleased with how they have settled",
    "They talk about their friends at nursery all the time",
    "We would like more ideas for talking together at home",
    "",
)
HEALTH_FINDINGS = (
    "Growing well along the centile; eating a varied diet; sleeping through most nights",
    "Healthy and active; teeth brushed twice a day; registered with a dentist",
    "Well; talking in short phrases; some tantrums, which we talked about",
)
PARENT_VIEWS = (
    "Happy with how their child is getting on; would like ideas for fussy eating",
    "Proud of how much they are talking; a bit worried about sleep",
    "Enjoying nursery; the parents would like to know about the two-year-old funding",
)
SETTING_FINDINGS = (
    "Settled and happy at the nursery; plays well with others; growing vocabulary",
    "Confident in the garden; beginning to share; likes stories and songs",
    "Engaged in play; still quiet in groups; making progress since starting",
)
SHARED_SUMMARY = (
    "Developing well, with a few things to work on together at home and at the nursery",
    "Progress on track in all areas; the family and the nursery are working well together",
)
SHARED_NEXT_STEPS = (
    "Nursery: model short phrases in play. Parents: share a book every day. Review at three",
    "Health visitor: advice on sleep. Nursery: weekly updates to the parents",
)
REVIEW_AT_TWO_STEPS = {
    "health": Step(
        "Follow-up from the health review", "Follow up growth, hearing and immunisations"
    ),
    "setting": Step(
        "Progress less than expected at the nursery",
        "Agree small steps with the parents and share progress each month",
        T.EARLY_YEARS_SETTING,
    ),
    "parents": Step("The parents could not take part", "Meet the parents to go through the review"),
}


def _development(rng: random.Random) -> set[str]:
    """The domains a child is behind in: none for most, one for some, two for a few."""
    draw = rng.random()
    count = 0 if draw < 0.78 else 1 if draw < 0.95 else 2
    weak: set[str] = set()
    while len(weak) < count:
        weak.add(rng.choices(DOMAINS, WEAK_DOMAIN_WEIGHTS)[0])
    return weak


def _interval(instrument: Instrument, months: int) -> str:
    """The questionnaire for the child's age: the latest interval they have reached."""
    assert instrument.zones is not None
    offered = next(
        item for _, item in instrument.items if item.code == instrument.zones.interval_item
    ).options
    reached = [int(option.value) for option in offered if int(option.value) <= months]
    return str(max(reached, default=int(offered[0].value)))


def _asq_answers(rng: random.Random, interval: str, weak: set[str]) -> Answers:
    totals = {
        domain: rng.choice((0, 5, 10, 15, 20, 25))
        if domain in weak
        else rng.choices((30, 35, 40, 45, 50, 55, 60), (1, 2, 3, 4, 5, 5, 4))[0]
        for domain in DOMAINS
    }
    return {"result": {"interval": interval, **{key: str(value) for key, value in totals.items()}}}


def _asq_se_answers(rng: random.Random, interval: str, worried: bool) -> Answers:
    total = rng.randrange(60, 160, 5) if worried else rng.randrange(0, 65, 5)
    return {"result": {"interval": interval, "total": str(total)}}


def _progress(rng: random.Random, behind: bool) -> str:
    if behind:
        return rng.choices(("watch", "less_than_expected"), (1, 2))[0]
    return rng.choices(("on_track", "watch"), (6, 1))[0]


def _eyfs_answers(rng: random.Random, weak: set[str]) -> Answers:
    speech = "communication" in weak
    social = "personal_social" in weak
    moving = bool({"gross_motor", "fine_motor"} & weak)
    return {
        "communication": {
            "listening": _progress(rng, speech),
            "speaking": _progress(rng, speech),
            "strengths": rng.choice(EYFS_TEXT["communication"]),
        },
        "personal": {
            "self_regulation": _progress(rng, social),
            "managing_self": _progress(rng, social),
            "relationships": _progress(rng, social),
            "strengths": rng.choice(EYFS_TEXT["personal"]),
        },
        "physical": {
            "gross_motor": _progress(rng, "gross_motor" in weak),
            "fine_motor": _progress(rng, "fine_motor" in weak or (moving and rng.random() < 0.3)),
            "strengths": rng.choice(EYFS_TEXT["physical"]),
        },
        "summary": {
            "parent_comments": rng.choice(PARENT_COMMENTS),
            "next_steps": rng.choice(EYFS_NEXT_STEPS),
        },
    }


def _health_answers(rng: random.Random) -> Answers:
    """The health visitor's sections of the integrated review: theirs and the parents'."""

    def concern(chance: float) -> str:
        return "concern" if rng.random() < chance else "no_concern"

    return {
        "health": {
            "asq3_used": "yes" if rng.random() < 0.9 else "no",
            "growth": concern(0.08),
            "hearing_vision": concern(0.05),
            "immunisations": "not_up_to_date" if rng.random() < 0.08 else "up_to_date",
            "findings": rng.choice(HEALTH_FINDINGS),
        },
        "parents": {
            "took_part": rng.choices(("in_person", "remote", "in_writing", "not"), (15, 2, 2, 1))[
                0
            ],
            "views": rng.choice(PARENT_VIEWS),
        },
    }


def _setting_answers(rng: random.Random, weak: set[str]) -> Answers:
    """The nursery's sections of the integrated review: its check and the shared summary."""
    return {
        "setting": {
            "communication": _progress(rng, "communication" in weak),
            "personal": _progress(rng, "personal_social" in weak),
            "physical": _progress(rng, bool({"gross_motor", "fine_motor"} & weak)),
            "findings": rng.choice(SETTING_FINDINGS),
        },
        "shared": {
            "summary": rng.choice(SHARED_SUMMARY),
            "next_steps": rng.choice(SHARED_NEXT_STEPS),
            "parents_agree": "yes" if rng.random() < 0.95 else "no",
        },
    }


EHA_RATINGS = ("strength", "no_concern", "some_need", "significant_need")
EHA_NEED_WEIGHTS = {  # by how much the family is struggling
    "low": (35, 60, 5, 0),
    "some": (20, 50, 25, 5),
    "high": (10, 35, 35, 20),
}
EHA_FOUND = {
    "child": (
        "Lively and curious; talking more each week",
        "Quiet with new people; sleeping badly since the move",
        "Meeting milestones; loves books and the park",
    ),
    "parenting": (
        "Warm and attentive; routines hard to keep with shift work",
        "Loving care; mum feels low and tired, and says so",
        "Good boundaries; would like ideas for tantrums",
    ),
    "family": (
        "Damp flat; on the housing register",
        "Money tight since dad's hours were cut; little family nearby",
        "Settled home; grandparents help with childcare",
    ),
}
EHA_VIEWS = (
    "We want things to be calmer at home and to meet other parents",
    "We need help with the flat and with money; the children are our priority",
    "Mum would like someone to talk to, and ideas for bedtimes",
)
EHA_CHILD_VIEWS = ("Showed us her favourite toys and said she likes nursery", "")
EHA_STRENGTHS = (
    "A close, loving family who want the best for their children",
    "Parents who ask for help early and follow things through",
)
EHA_NEEDS = (
    "Housing, money and some support for mum's mood",
    "Routines and behaviour; meeting other families",
    "The child's speech; somewhere to play; help with bills",
)
EHA_STEPS = {
    "health": Step("The child's health", "Remind the family to book the missed health review"),
    "learning": Step(
        "Learning and development",
        "Talk to the nursery about a funded place for two-year-olds",
        T.EARLY_YEARS_SETTING,
    ),
    "emotional": Step(
        "Emotional and behavioural development", "Offer the parenting course on behaviour"
    ),
    "identity": Step("Identity", "Find a group in the family's home language"),
    "relationships": Step("Family relationships", "Offer the parenting together course"),
    "self_care": Step("Self-care skills", "Share ideas for toilet training and dressing"),
    "basic_care": Step("Basic care", "Home visit to help plan meals and bedtimes"),
    "safety": Step("Home safety", "Home safety check and a stair gate from the scheme"),
    "warmth": Step("Emotional warmth", "Invite to baby massage at the family hub"),
    "stimulation": Step("Stimulation and play", "Offer a place at Stay and Play"),
    "boundaries": Step("Guidance and boundaries", "Offer the parenting course"),
    "stability": Step("Stability", "Agree a daily routine with the family"),
    "functioning": Step("Family functioning", "Offer the parenting together course"),
    "wider_family": Step("Support from wider family", "Introduce the family to a befriender"),
    "housing": Step(
        "Housing", "Support the housing application and ask the landlord about the damp"
    ),
    "employment": Step("Employment", "Introduce the family to the hub's employment adviser"),
    "income": Step("Income", "Book a benefits check at the welfare rights drop-in"),
    "community": Step("Isolation", "Invite to the parents' group and Stay and Play"),
}
GENERAL_STEP = Step("Support agreed with the family", "Keep in touch every fortnight")
CARE_PROFILE_ACTION = "Weekly home visit to support the family with care at home"


def _eha_answers(rng: random.Random, instrument: Instrument, level: str) -> Answers:
    weights = EHA_NEED_WEIGHTS[level]
    answers: Answers = {}
    for section in instrument.sections[:3]:
        given = {
            item.code: rng.choices(EHA_RATINGS, weights)[0]
            for item in section.items
            if item.type == instruments.CHOICE and rng.random() < 0.85
        }
        given["found"] = rng.choice(EHA_FOUND[section.code])
        answers[section.code] = given
    answers["views"] = {"parent": rng.choice(EHA_VIEWS), "child": rng.choice(EHA_CHILD_VIEWS)}
    answers["summary"] = {"strengths": rng.choice(EHA_STRENGTHS), "needs": rng.choice(EHA_NEEDS)}
    return answers


def _needs(instrument: Instrument, answers: Answers) -> list[str]:
    """The items whose answer is a need, in the instrument's order (their codes)."""
    found = []
    for section, item in instrument.items:
        option = item.option(answers.get(section.code, {}).get(item.code, ""))
        if option is not None and option.is_need:
            found.append(item.code)
    return found


STAR_STEPS = {
    "physical_health": Step("Physical health", "Register with a dentist and book a check-up"),
    "wellbeing": Step("Emotional well-being", "Offer listening visits with the health visitor"),
    "safety": Step("Keeping children safe", "Go through home safety together"),
    "routines": Step("Family routines", "Make a bedtime routine chart together"),
    "boundaries": Step("Boundaries and behaviour", "Offer the parenting course"),
    "support": Step("Support from family and friends", "Invite to the parents' group"),
    "home_money": Step("Home and money", "Book a benefits check at the welfare rights drop-in"),
    "learning_work": Step("Learning and work", "Introduce the hub's adult learning courses"),
}


def _star_series(rng: random.Random, count: int, stalls: bool) -> list[dict[str, int]]:
    """Scores for each area at each of `count` meetings: starting low to middling, then
    mostly better each time (distance travelled), or, for a family that stalls, about level."""
    scores = [{area: rng.randint(2, 6) for area in STAR_STEPS}]
    for _ in range(count - 1):
        last = scores[-1]
        if stalls:
            step = {area: rng.choice((-1, 0, 0, 1)) for area in last}
        else:
            step = {area: rng.choices((0, 1, 2, 3), (3, 4, 3, 1))[0] for area in last}
        scores.append({area: min(10, max(1, last[area] + step[area])) for area in last})
    return scores


# ---------------------------------------------------------------------------------------------
# The builder


@dataclass(frozen=True)
class Case:
    """Who assesses whom: the practitioner acting, and the family and person assessed."""

    actor: Actor
    family: Family
    person: Person


class AssessmentsFactory:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed * 1_000_003 + 53)
        self.today = today
        self.scale = min(1.0, FULL_RATES_UP_TO / max(1, Family.objects.count()))
        self.report = AssessmentsReport()
        self.kinds = organisation_types_by_team()
        self.members: dict[int, list[Membership]] = defaultdict(list)  # by team id
        self.membership_of: dict[int, Membership] = {}  # by user id
        for membership in (
            Membership.objects.filter(is_active=True)
            .select_related("user", "team__organisation")
            .order_by("id")
        ):
            self.members[membership.team_id].append(membership)
            self.membership_of.setdefault(membership.user_id, membership)
        self.teams: dict[int, dict[int, dt.date]] = defaultdict(dict)  # family -> team -> since
        for family_id, team_id, since in (
            Involvement.objects.filter(active_involvements(today))
            .order_by("id")
            .values_list("family_id", "team_id", "started_on")
        ):
            self.teams[family_id][team_id] = min(since, self.teams[family_id].get(team_id, since))
        self.demo = {
            user.username: self.membership_of[user.pk]
            for user in User.objects.filter(username__in=DEMO_USERS)
        }
        self._families: dict[int, Family] = {}
        self.kept = self.waiting = False  # for the browser tests: a child, and a review waiting

    def build(self) -> AssessmentsReport:
        self.report.cutoff_sets = len(load_demo_cutoffs())
        self._results_at_reviews()
        self._reviews_at_two()
        self._family_hubs()
        self._care_profiles()
        return self.report

    # -- helpers ------------------------------------------------------------------------------

    def _draw(self, share: float) -> bool:
        return self.rng.random() < share * self.scale

    def _case(self, membership: Membership, family_id: int, person: Person) -> Case:
        if family_id not in self._families:
            self._families[family_id] = Family.objects.get(pk=family_id)
        return Case(_actor(membership), self._families[family_id], person)

    def _people(self, family_id: int) -> list[Person]:
        return list(Person.objects.filter(memberships__family_id=family_id).order_by("id"))

    def _teams_of(self, family_id: int, kind: str) -> list[int]:
        return [team for team in self.teams[family_id] if self.kinds[team] == kind]

    def _practitioner(self, team_id: int, role: str) -> Membership | None:
        staff = [member for member in self.members[team_id] if member.role == role]
        return self.rng.choice(staff) if staff else None

    def _since(self, family_id: int, *team_ids: int) -> dt.date:
        """The first day all these teams worked with the family, and no more than a year ago."""
        return max(self.today - YEAR, *(self.teams[family_id][team] for team in team_ids))

    def _assess(
        self,
        case: Case,
        code: str,
        day: dt.date,
        answers: Answers,
        *,
        complete: bool = True,
        partner: int | None = None,
    ) -> Assessment:
        """Start an assessment on `day` and save it, complete or as a draft."""
        with on_the_day(day, self.rng.randint(9, 16)):
            assessment = actions.start_assessment(
                actor=case.actor,
                family=case.family,
                person=case.person,
                instrument_code=code,
                assessed_on=day,
                partner_team=self.members[partner][0].team if partner else None,
            )
            assessment = actions.save_answers(
                actor=case.actor, assessment=assessment, answers=answers, complete=complete
            )
        self._count(assessment)
        return assessment

    def _count(self, assessment: Assessment) -> None:
        if assessment.is_draft:
            self.report.drafts += 1
        else:
            self.report.completed[assessment.instrument] += 1

    # -- health visitors: ASQ-3 and ASQ:SE-2 at the reviews ------------------------------------

    def _results_at_reviews(self) -> None:
        """ASQ-3 (and sometimes ASQ:SE-2) results from the 12-month and 2-year reviews of the
        last year where the health visitor used the questionnaire, on the day of the review."""
        asq, asq_se = instruments.get(ASQ), instruments.get(ASQ_SE)
        reviews = (
            Contact.objects.filter(
                kind__in=[ReviewKind.ONE_YEAR, ReviewKind.TWO_YEARS],
                asq3_used=True,
                contact_date__gt=self.today - YEAR,
                contact_date__lte=self.today,
            )
            .select_related("person")
            .order_by("id")
        )
        for review in reviews:
            if not self._draw(ASQ_SHARE):
                continue
            membership = self.membership_of.get(review.practitioner_id)
            born, day = review.person.date_of_birth, review.contact_date
            if membership is None or membership.team_id != review.team_id or born is None:
                continue
            case = self._case(membership, review.family_id, review.person)
            weak = _development(self.rng)
            interval = _interval(asq, age_in_months(born, day))
            result = self._assess(case, ASQ, day, _asq_answers(self.rng, interval, weak))
            if self.rng.random() < ASQ_SE_SHARE:
                worried = "personal_social" in weak or self.rng.random() < 0.08
                interval = _interval(asq_se, age_in_months(born, day))
                self._assess(case, ASQ_SE, day, _asq_se_answers(self.rng, interval, worried))
            concerns = [key for key, zone in result.results["zones"].items() if zone["concern"]]
            if concerns and self.rng.random() < CONCERN_PLAN_CHANCE:
                self._plan(
                    case, result, day, [*(DOMAIN_STEPS[key] for key in concerns), REPEAT_ASQ]
                )
        self._saved_for_later(asq)

    def _saved_for_later(self, asq: Instrument) -> None:
        """An ASQ-3 `health.visitor` started yesterday and saved for later: two of the five
        totals typed, the rest of the questionnaire not yet back from the parents."""
        membership = self.demo["health.visitor"]
        yesterday = self.today - dt.timedelta(days=1)
        member = (
            FamilyMember.objects.filter(
                person__kind=PersonKind.CHILD,
                person__date_of_death__isnull=True,
                person__date_of_birth__range=(
                    add_months(yesterday, -30),
                    add_months(yesterday, -9),
                ),
                family__in=Involvement.objects.filter(
                    active_involvements(yesterday), team_id=membership.team_id
                ).values("family_id"),
            )
            .exclude(person__in=Assessment.objects.filter(instrument=ASQ).values("person_id"))
            .select_related("person")
            .order_by("family_id", "person_id")
            .first()
        )
        if member is None or member.person.date_of_birth is None:
            return
        interval = _interval(asq, age_in_months(member.person.date_of_birth, yesterday))
        answers = {"result": {"interval": interval, "communication": "45", "gross_motor": "50"}}
        case = self._case(membership, member.family_id, member.person)
        self._assess(case, ASQ, yesterday, answers, complete=False)

    # -- the integrated review at two, and the settings' progress checks -----------------------

    def _reviews_at_two(self) -> None:
        """For each child aged 24 to 36 months at some time this year with a nursery: an
        integrated review where the health visitors work with them too, or the nursery's own
        progress check. One child of `health.visitor`'s and `early.years`'s teams is kept for
        a new review, another has one waiting for the nursery; in a county too small to have
        them, children of the health visitor's caseload start at `early.years`'s nursery."""
        self.kept = self.waiting = False
        for family_id, child in self._two_year_olds():
            self._at_two(family_id, child)
        for family_id, child in self._starting_at_nursery(2 - self.kept - self.waiting):
            self._at_two(family_id, child)

    def _at_two(self, family_id: int, child: Person) -> None:
        assert child.date_of_birth is not None
        hv_team, ey_team = self.demo["health.visitor"].team_id, self.demo["early.years"].team_id
        nurseries = self._teams_of(family_id, T.EARLY_YEARS_SETTING)
        visitors = self._teams_of(family_id, T.HEALTH_VISITING_SERVICE)
        if not nurseries:
            return
        ours = hv_team in visitors and ey_team in nurseries
        nursery = ey_team if ours else nurseries[0]
        visitor = hv_team if ours else visitors[0] if visitors else None
        start = max(
            add_months(child.date_of_birth, 24),
            self._since(family_id, nursery, *([visitor] if visitor else [])),
        )
        end = min(add_months(child.date_of_birth, 36), self.today)
        if start > end:
            return
        pair = (family_id, child, visitor, nursery)
        if ours and not self.kept and 25 <= age_in_months(child.date_of_birth, self.today) <= 33:
            self.kept = self._shared_with(*pair, max(start, self.today - dt.timedelta(days=14)))
            if self.kept:  # for a new review, by the browser tests
                return
        if ours and not self.waiting and end == self.today:
            day = max(start, self.today - dt.timedelta(days=self.rng.randint(1, 10)))
            self.waiting = self._review_at_two(*pair, day, self.demo["health.visitor"])
            if self.waiting:
                return
        if visitor and self._draw(REVIEW_AT_TWO_SHARE):
            practitioner = self._practitioner(visitor, Role.HEALTH_VISITOR)
            day = _between(self.rng, start, end)
            if practitioner and self._review_at_two(*pair, day, practitioner, completed=True):
                return
        if self._draw(EYFS_SHARE):
            self._progress_check(family_id, child, nursery, _between(self.rng, start, end))

    def _starting_at_nursery(self, count: int) -> Iterator[tuple[int, Person]]:
        """Up to `count` children of `health.visitor`'s caseload, aged 25 to 33 months, who
        started at `early.years`'s nursery two months ago: the health visitor records the
        nursery's involvement, as they would on hearing of it."""
        health_visitor, early_years = self.demo["health.visitor"], self.demo["early.years"]
        started = self.today - dt.timedelta(days=60)
        candidates = (
            FamilyMember.objects.filter(
                person__kind=PersonKind.CHILD,
                person__date_of_death__isnull=True,
                person__date_of_birth__range=(
                    add_months(self.today, -33),
                    add_months(self.today, -25),
                ),
                family__in=Involvement.objects.filter(
                    active_involvements(started), team_id=health_visitor.team_id
                ).values("family_id"),
            )
            .exclude(
                family__in=Involvement.objects.filter(team_id=early_years.team_id).values(
                    "family_id"
                )
            )
            .exclude(person__consents__withdrawn_at__isnull=False)
            .exclude(
                person__in=Assessment.objects.filter(instrument=REVIEW_AT_TWO).values("person")
            )
            .select_related("person")
            .order_by("family_id", "person_id")
        )
        for member in candidates[: max(0, count)]:
            case = self._case(health_visitor, member.family_id, member.person)
            with on_the_day(started):
                add_involvement(
                    actor=case.actor,
                    family=case.family,
                    team=early_years.team,
                    practitioner=early_years.user,
                    is_lead=False,
                    started_on=started,
                    reason="Started at the nursery",
                )
            self.teams[member.family_id][early_years.team_id] = started
            yield member.family_id, member.person

    def _two_year_olds(self) -> Iterator[tuple[int, Person]]:
        members = (
            FamilyMember.objects.filter(
                person__kind=PersonKind.CHILD,
                person__date_of_death__isnull=True,
                person__date_of_birth__range=(
                    add_months(self.today - YEAR, -36),
                    add_months(self.today, -24),
                ),
            )
            .select_related("person")
            .order_by("family_id", "person_id")
        )
        for member in members:
            yield member.family_id, member.person

    def _shared_with(
        self, family_id: int, child: Person, visitor: int | None, nursery: int, day: dt.date
    ) -> bool:
        """Whether the nursery may see the health visitor's development data about the child,
        on `day` and still today; if the parent had not said, their consent is recorded on
        `day`. A parent who withdrew their consent is not asked again."""
        if visitor is None:
            return False
        reader = self.members[nursery][0]
        subject = Subject(family_id, child.pk, self.members[visitor][0].team.organisation)
        shared = True
        for on in (day, self.today):
            with on_the_day(on):
                shared = shared and bool(would_see(reader, subject, DataCategory.DEVELOPMENT))
        if shared:
            return True
        if Consent.objects.filter(person=child, withdrawn_at__isnull=False).exists():
            return False
        parent = (
            Person.objects.filter(
                relationships_as_adult__child=child,
                relationships_as_adult__has_parental_responsibility=True,
            )
            .order_by("id")
            .first()
        )
        recorder = self._practitioner(visitor, Role.HEALTH_VISITOR)
        if parent is None or recorder is None:
            return False
        case = self._case(recorder, family_id, child)
        with on_the_day(day, 9):
            record_consent(
                actor=case.actor,
                family=case.family,
                person=child,
                given_by=parent,
                categories=[DataCategory.DEVELOPMENT],
                recipient_types=[T.EARLY_YEARS_SETTING, T.HEALTH_VISITING_SERVICE],
                recipient_organisations=[],
                purpose=SharingPurpose.COORDINATED_SUPPORT,
                method=ConsentMethod.VERBAL,
                evidence="",
                starts_on=day,
                expires_on=add_months(day, 24),
            )
        self.report.consents += 1
        return True

    def _review_at_two(
        self,
        family_id: int,
        child: Person,
        visitor: int | None,
        nursery: int,
        day: dt.date,
        practitioner: Membership,
        completed: bool = False,
    ) -> bool:
        """The health visitor's half on `day`; if `completed`, the nursery's two to three
        weeks later, unless that is still to come (the review waits for the nursery). False
        if the family has not agreed to share development information with the nursery."""
        if not self._shared_with(family_id, child, visitor, nursery, day):
            return False
        case = self._case(practitioner, family_id, child)
        answers = _health_answers(self.rng)
        review = self._assess(case, REVIEW_AT_TWO, day, answers, complete=False, partner=nursery)
        completed_on = day + dt.timedelta(days=self.rng.randint(2, 21))
        setting = self._practitioner(nursery, Role.EARLY_YEARS_PRACTITIONER)
        if not completed or completed_on > self.today or setting is None:
            return True
        self.report.drafts -= 1  # counted as a draft when the health visitor saved it
        with on_the_day(completed_on, self.rng.randint(9, 16)):
            review = actions.save_answers(
                actor=_actor(setting),
                assessment=review,
                answers=_setting_answers(self.rng, _development(self.rng)),
                complete=True,
            )
        self._count(review)
        needs = {need["section"] for need in review.results["needs"]}
        instrument = instruments.get(REVIEW_AT_TWO)
        steps = [
            step
            for code, step in REVIEW_AT_TWO_STEPS.items()
            if (section := instrument.section(code)) is not None and section.title in needs
        ]
        if steps and self.rng.random() < CONCERN_PLAN_CHANCE:
            self._plan(case, review, completed_on, [*steps, GENERAL_STEP])
        return True

    def _progress_check(self, family_id: int, child: Person, nursery: int, day: dt.date) -> None:
        practitioner = self._practitioner(nursery, Role.EARLY_YEARS_PRACTITIONER)
        if practitioner is not None:
            answers = _eyfs_answers(self.rng, _development(self.rng))
            self._assess(self._case(practitioner, family_id, child), EYFS, day, answers)

    # -- family hubs: Early Help Assessments and the outcomes scale ----------------------------

    def _family_hubs(self) -> None:
        """Now and then an Early Help Assessment, or the outcomes scale with a parent, in the
        families a family hub works with. The first families of `family.hub`'s team give
        them an assessment with a plan whose actions they own, a draft, and two parents'
        repeated scores."""
        hub_team = self.demo["family.hub"].team_id
        eha = instruments.get(EHA)
        todo: list[Callable[[int, int], bool]] = [
            lambda family_id, hub: self._early_help(family_id, hub, eha, demo="plan"),
            lambda family_id, hub: self._early_help(family_id, hub, eha, demo="draft"),
            lambda family_id, hub: self._outcomes(family_id, hub, demo=True),
            lambda family_id, hub: self._outcomes(family_id, hub, demo=True),
        ]
        for family_id in sorted(self.teams):
            for hub in self._teams_of(family_id, T.FAMILY_HUB):
                if hub == hub_team and todo:
                    if todo[0](family_id, hub):
                        todo.pop(0)
                    continue
                if self._draw(EHA_SHARE):
                    self._early_help(family_id, hub, eha)
                if self._draw(STAR_SHARE):
                    self._outcomes(family_id, hub)

    def _hub_worker(self, hub: int, demo: bool) -> Membership | None:
        """`family.hub`, for what the demo sign-in is to find; otherwise one of the hub's."""
        return self.demo["family.hub"] if demo else self._practitioner(hub, Role.FAMILY_HUB_WORKER)

    def _early_help(self, family_id: int, hub: int, eha: Instrument, demo: str = "") -> bool:
        """An Early Help Assessment about the youngest child (or the baby on the way). For
        `family.hub` (`demo`): one with a plan whose actions they own, or a draft."""
        rng, today = self.rng, self.today
        people = self._people(family_id)
        children = [p for p in people if p.kind == PersonKind.CHILD and p.date_of_death is None]
        children.sort(key=lambda p: p.date_of_birth or today, reverse=True)
        about = children + [p for p in people if p.kind == PersonKind.UNBORN]
        practitioner = self._hub_worker(hub, bool(demo))
        if not about or practitioner is None:
            return False
        case = self._case(practitioner, family_id, about[0])
        since = max(self._since(family_id, hub), about[0].date_of_birth or today - YEAR)
        level = rng.choices(("low", "some", "high"), (40, 45, 15))[0]
        day = _between(rng, since, today)
        if demo:
            level, ago = "some", rng.randint(25, 35) if demo == "plan" else 2
            day = max(since, today - dt.timedelta(days=ago))
        answers = _eha_answers(rng, eha, level)
        recent = day >= today - dt.timedelta(days=21)
        draft = demo == "draft" or (not demo and recent and rng.random() < DRAFT_CHANCE)
        if draft:  # saved for later: the first side of the triangle and the family's views
            answers = {"child": answers["child"], "views": answers["views"]}
        assessment = self._assess(case, EHA, day, answers, complete=not draft)
        needs = [EHA_STEPS[code] for code in dict.fromkeys(_needs(eha, answers))]
        steps = [*needs[:3], GENERAL_STEP]
        if draft or not needs:
            return True
        if demo == "plan":
            self._plan(case, assessment, day, steps, weeks=6, owner=practitioner)
        elif rng.random() < EHA_PLAN_CHANCE:
            self._plan(case, assessment, day, steps)
        return True

    def _outcomes(self, family_id: int, hub: int, demo: bool = False) -> bool:
        """The outcomes scale with the mother (or the first parent), two to four times, six
        to twelve weeks apart; now and then the next one already started, saved for later."""
        rng, today = self.rng, self.today
        parent = next((p for p in self._people(family_id) if p.kind == PersonKind.PARENT), None)
        practitioner = self._hub_worker(hub, demo)
        if parent is None or practitioner is None:
            return False
        case, since = self._case(practitioner, family_id, parent), self._since(family_id, hub)
        count = 3 if demo else rng.choice((2, 3, 3, 4))
        gap = dt.timedelta(days=rng.randint(42, 84))
        while count > 1 and since > today - gap * (count - 1):
            count -= 1
        if count < 2:
            return False
        first = _between(rng, since, today - gap * (count - 1))
        series = _star_series(rng, count, stalls=not demo and rng.random() < STALLS)
        for meeting, scores in enumerate(series):
            day = first + gap * meeting + dt.timedelta(days=rng.randint(-5, 5))
            day = min(max(day, since), today)
            answers = {"areas": {area: str(score) for area, score in scores.items()}}
            result = self._assess(case, STAR, day, answers)
            low = [STAR_STEPS[area] for area, score in scores.items() if score < 4]
            if meeting == 0 and low and rng.random() < STAR_PLAN_CHANCE:
                self._plan(case, result, day, low)
        next_on = day + gap
        if rng.random() < STAR_DRAFT_CHANCE and next_on <= today:
            partly = {area: str(score) for area, score in list(series[-1].items())[:4]}
            started = _between(rng, next_on, today)
            self._assess(case, STAR, started, {"areas": partly}, complete=False)
        return True

    # -- health visitors: Graded Care Profile 2 -----------------------------------------------

    def _care_profiles(self) -> None:
        """Graded Care Profile 2 grades for a handful of families with a child of two months
        to five years: most good enough, a few with a grade to act on and a plan the health
        visitors keep to themselves (safeguarding). `health.visitor` has one whose plan is due
        for review."""
        own_team: int | None = self.demo["health.visitor"].team_id  # until it has its own
        gcp = instruments.get(GCP)
        for family_id in sorted(self.teams):
            for visitor in self._teams_of(family_id, T.HEALTH_VISITING_SERVICE):
                demo = visitor == own_team
                if not demo and not self._draw(GCP_SHARE):
                    continue
                children = [
                    p
                    for p in self._people(family_id)
                    if p.kind == PersonKind.CHILD
                    and p.date_of_death is None
                    and p.date_of_birth is not None
                    and 2 <= age_in_months(p.date_of_birth, self.today) < 60
                ]
                if children and self._care_profile(family_id, visitor, children[0], gcp, demo):
                    own_team = None if demo else own_team

    def _care_profile(
        self, family_id: int, visitor: int, child: Person, gcp: Instrument, demo: bool
    ) -> bool:
        rng, today = self.rng, self.today
        practitioner = (
            self.demo["health.visitor"]
            if demo
            else self._practitioner(visitor, Role.HEALTH_VISITOR)
        )
        if practitioner is None:
            return False
        case = self._case(practitioner, family_id, child)
        since = max(self._since(family_id, visitor), child.date_of_birth or today)
        day = _between(rng, since, today)
        grades = {item.code: rng.choices((1, 2, 3, 4), (5, 4, 2, 1))[0] for _, item in gcp.items}
        if demo:  # a plan agreed six weeks ago, due for review
            day, grades["safety"] = max(since, today - dt.timedelta(days=rng.randint(40, 44))), 3
        answers = {"grades": {code: str(grade) for code, grade in grades.items()}}
        result = self._assess(case, GCP, day, answers)
        steps = [
            Step(f"{item.title}: grade {grades[item.code]}", CARE_PROFILE_ACTION)
            for _, item in gcp.items
            if grades[item.code] >= 3
        ]
        if steps:
            self._plan(case, result, day, [*steps[:3], GENERAL_STEP], weeks=6, follow_up=not demo)
        return True

    # -- plans --------------------------------------------------------------------------------

    def _plan(
        self,
        case: Case,
        assessment: Assessment,
        day: dt.date,
        steps: list[Step],
        *,
        weeks: int | None = None,
        owner: Membership | None = None,
        follow_up: bool = True,
    ) -> Plan:
        """A plan agreed on `day`, led by the assessing practitioner, each step owned by
        someone in the kind of agency it names if one works with the family, otherwise in the
        plan's own team; if the family has not agreed to share the plan with one of them, the
        plan's own team takes every action. `owner` owns them all, due in the weeks to come.
        Then how it went, unless it is kept as agreed (`follow_up`, and for `owner`)."""
        rng, actor = self.rng, case.actor
        weeks = weeks or rng.choice(REVIEW_WEEKS)
        with on_the_day(day, 15):
            around = [m for m in team_around(case.family) if m.role != Role.TEAM_MANAGER]
            own = [m for m in around if m.team_id == actor.team.pk] or [actor.membership]

            def create(choose: Callable[[Step], Membership]) -> Plan:
                return actions.create_plan(
                    actor=actor,
                    family=case.family,
                    person=case.person,
                    assessment=assessment,
                    lead_practitioner=actor.user,
                    agreed_on=day,
                    review_every_weeks=weeks,
                    actions=[self._details(step, day, choose(step), owner) for step in steps[:4]],
                )

            try:
                plan = create(lambda step: owner or self._by_agency(step, around, own))
            except ValidationError:
                plan = create(lambda step: rng.choice(own))
        self.report.plans += 1
        if follow_up and owner is None:
            self._follow_up(plan, actor, own)
        return plan

    def _by_agency(self, step: Step, around: list[Membership], own: list[Membership]) -> Membership:
        """Someone in the kind of agency the step names, if one works with the family."""
        fitting = [m for m in around if self.kinds[m.team_id] == step.agency]
        return self.rng.choice(fitting or own)

    def _details(
        self, step: Step, day: dt.date, owner: Membership, demo: Membership | None
    ) -> ActionDetails:
        """The step as an action due two to ten weeks after `day` (for `demo`'s plan, still
        to come), reviewed when due."""
        due = day + dt.timedelta(days=self.rng.randint(14, 70))
        if demo is not None:
            due = max(due, self.today + dt.timedelta(days=self.rng.randint(7, 35)))
        return ActionDetails(step.need, step.action, owner.user, due, due)

    def _follow_up(self, plan: Plan, lead: Actor, own: list[Membership]) -> None:
        """How the plan went until today: most actions due by now done, each by its owner
        (or by the plan's team, if the owner's team no longer works with the family);
        reviewed at its interval until a review was missed (it is overdue) or the plan
        closed, its actions all done (the county's first such plan always closes); now and
        then an action added at a review."""
        rng, today = self.rng, self.today
        done: list[tuple[dt.date, PlanAction]] = []
        for action in plan.actions.order_by("id"):
            if action.due_on < today and rng.random() < DONE_CHANCE:
                finish = min(action.due_on + dt.timedelta(days=10), today - dt.timedelta(days=1))
                done.append((_between(rng, plan.agreed_on, finish), action))
        done.sort(key=lambda pair: (pair[0], pair[1].pk))
        still_open = plan.actions.count() - len(done)
        due = plan.next_review_on
        while due < today and rng.random() < REVIEW_CHANCE:
            day = min(due + dt.timedelta(days=rng.randint(-3, 7)), today - dt.timedelta(days=1))
            while done and done[0][0] <= day:
                self._mark_done(plan, *done.pop(0), lead)
            finished = still_open == 0 and not done
            closing = finished and (rng.random() < CLOSE_CHANCE or not self.report.closed)
            next_on = day + dt.timedelta(weeks=plan.review_every_weeks)
            with on_the_day(day, 14):
                actions.review_plan(
                    actor=lead,
                    plan=plan,
                    reviewed_on=day,
                    progress=rng.choice(PROGRESS),
                    next_review_on=None if closing else next_on,
                    close=closing,
                    closed_reason=rng.choice(CLOSED_REASONS) if closing else "",
                )
                if not closing and rng.random() < EXTRA_ACTION_CHANCE:
                    owner = rng.choice(own).user
                    extra = ActionDetails(*GENERAL_STEP.words, owner, day + MONTH, next_on)
                    actions.add_plan_action(actor=lead, plan=plan, details=extra)
                    still_open += 1
            if closing:
                self.report.closed += 1
                return
            due = next_on
        for day, action in done:
            self._mark_done(plan, day, action, lead)

    def _mark_done(self, plan: Plan, day: dt.date, action: PlanAction, lead: Actor) -> None:
        """Marked done by the owner, or by the plan's team if the owner's no longer works with
        the family."""
        owner = self.membership_of.get(action.owner_id)
        if owner is None or action.owner_team_id not in self.teams[plan.family_id]:
            by = lead
        else:
            by = _actor(owner)
        with on_the_day(day, 12):
            actions.mark_action_done(actor=by, action=action, done_on=day)


PROGRESS = (
    "Good progress: the family says things feel easier at home",
    "Some actions done; the family would like to carry on with the plan",
    "Slower than hoped: actions agreed again with the family",
    "The family has taken up the groups offered and enjoys them",
)
CLOSED_REASONS = (
    "The needs in the plan are met: the family is managing well with universal services",
    "Plan completed with the family; they know how to get in touch if things change",
)


def build_assessments(*, seed: int, today: dt.date) -> AssessmentsReport:
    """The county's assessments and plans, after everything else is written."""
    return AssessmentsFactory(seed, today).build()


def integrated_review_family() -> Family:
    """A family in which `health.visitor` can start an integrated review at two with
    `early.years`'s nursery today: both teams work with it, a child is 24 to 36 months old
    with no integrated review yet, and the nursery may see the health visitor's development
    information about them (the parent's consent, the partnership's agreement)."""
    today = clock.today()
    hv, ey = (
        Membership.objects.select_related("user", "team__organisation").get(
            user__username=username, is_active=True
        )
        for username in ("health.visitor", "early.years")
    )
    children = (
        FamilyMember.objects.filter(
            person__kind=PersonKind.CHILD,
            person__date_of_death__isnull=True,
            person__date_of_birth__range=(add_months(today, -36), add_months(today, -24)),
        )
        .filter(
            family__in=Involvement.objects.filter(active_involvements(), team=hv.team_id).values(
                "family_id"
            )
        )
        .filter(
            family__in=Involvement.objects.filter(active_involvements(), team=ey.team_id).values(
                "family_id"
            )
        )
        .exclude(person__in=Assessment.objects.filter(instrument=REVIEW_AT_TWO).values("person_id"))
        .select_related("family")
        .order_by("family_id", "person_id")
    )
    for member in children:
        subject = Subject(member.family_id, member.person_id, hv.team.organisation)
        if would_see(ey, subject, DataCategory.DEVELOPMENT):
            return member.family
    raise Family.DoesNotExist("No family in which health.visitor can start an integrated review")
