"""The synthetic county's Healthy Child Programme: the mandated reviews and immunisations of
every child the health visitors work with, as they went.

Rates are England's published ones, roughly: new birth visits 88% within 14 days, 6 to 8 week
reviews 80% by 8 weeks, 12-month reviews 75% by 12 months, 2 to 2½ year reviews 70% by 30
months, some early, some late, some not done (so there are overdue and missed reviews on the
worklists); breastfeeding 70% at the new birth visit and 48% at 6 to 8 weeks; a few mothers
still smoking at delivery; ASQ-3 at most 12-month and 2-year reviews; about 90% of vaccines
given on time or soon after, some declined, some overdue.

Built once, after the families, family by family in id order from a generator of its own:
the same seed and date build the same programme, and the families stay as they were."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from beststart.accounts.models import Membership, OrganisationType, Role, Team, User
from beststart.care.immunisations import Dose, doses_for
from beststart.care.models import (
    Breastfeeding,
    Contact,
    ContactMode,
    Immunisation,
    ImmunisationStatus,
    Present,
    ReviewKind,
    Smoking,
)
from beststart.care.schedule import (
    Circumstances,
    Status,
    Window,
    add_months,
    review_status,
    review_windows,
)
from beststart.core.categories import DataCategory
from beststart.families.models import (
    ChronologyEvent,
    EventKind,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
)

K = ReviewKind
FAMILIES_PER_BATCH = 1000
# (done on time, done late, done early): the rest are not done.
DONE: dict[str, tuple[float, float, float]] = {
    K.ANTENATAL: (0.55, 0.0, 0.05),
    K.NEW_BIRTH: (0.88, 0.08, 0.0),
    K.SIX_TO_EIGHT_WEEKS: (0.80, 0.12, 0.02),
    K.ONE_YEAR: (0.75, 0.12, 0.03),
    K.TWO_YEARS: (0.70, 0.12, 0.02),
}
# A baby's weight in kilograms at each review: (mean, standard deviation).
WEIGHTS = {
    K.NEW_BIRTH: (3.4, 0.45),
    K.SIX_TO_EIGHT_WEEKS: (5.1, 0.6),
    K.ONE_YEAR: (9.6, 1.0),
    K.TWO_YEARS: (12.4, 1.3),
}
CONCERNS = (
    "Slow weight gain; feeding plan agreed",
    "Parent reports low mood; discussed support available",
    "Speech a little behind; advised the local speech and language group",
    "Reflux; reassurance and advice given",
    "Sleep difficulties; leaflet and follow-up call",
)
NEXT_STEPS = (
    "Weigh again in two weeks at the baby clinic",
    "Follow-up phone call next week",
    "Invite to Stay and Play at the family hub",
    "Review at the next mandated contact",
)
DECLINED = (
    "Parent wants to read more about it first",
    "Family prefers to wait until the child is older",
    "Declined for personal beliefs",
)
FAMILY_DECLINES = 0.03  # declines some or all vaccines
FAMILY_LAPSES = 0.05  # stops coming after a dose: the rest overdue
DEATHS = 0.002  # of babies under a year: England's infant mortality is about 4 in 1,000


@dataclass
class CareReport:
    contacts: int = 0
    immunisations: int = 0
    deaths: int = 0


@dataclass
class _Batch:
    contacts: list[Contact] = field(default_factory=list)
    immunisations: list[Immunisation] = field(default_factory=list)
    events: list[ChronologyEvent] = field(default_factory=list)
    deaths: list[Person] = field(default_factory=list)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class CareFactory:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed * 1_000_003 + 29)
        self.today = today
        self.staff: dict[int, list[User]] = defaultdict(list)
        for membership in (
            Membership.objects.filter(role=Role.HEALTH_VISITOR, is_active=True)
            .select_related("user")
            .order_by("id")
        ):
            self.staff[membership.team_id].append(membership.user)
        self.surgeries: dict[int | None, list[str]] = defaultdict(list)
        for team in (
            Team.objects.filter(organisation__type=OrganisationType.GP_PRACTICE)
            .select_related("organisation")
            .order_by("id")
        ):
            self.surgeries[team.locality_id].append(team.organisation.name)

    def build(self) -> CareReport:
        report = CareReport()
        leads = (
            Involvement.objects.filter(
                team__organisation__type=OrganisationType.HEALTH_VISITING_SERVICE,
                is_lead=True,
                ended_on=None,
            )
            .select_related("team", "practitioner")
            .order_by("family_id", "id")
        )
        batch: list[Involvement] = []
        for lead in leads.iterator(chunk_size=FAMILIES_PER_BATCH):
            batch.append(lead)
            if len(batch) == FAMILIES_PER_BATCH:
                self._write(batch, report)
                batch = []
        if batch:
            self._write(batch, report)
        return report

    def _write(self, leads: list[Involvement], report: CareReport) -> None:
        children: dict[int, list[Person]] = defaultdict(list)
        for member in (
            FamilyMember.objects.filter(
                family_id__in=[lead.family_id for lead in leads],
                person__kind__in=[PersonKind.CHILD, PersonKind.UNBORN],
            )
            .select_related("person")
            .order_by("family_id", "person__date_of_birth", "person_id")
        ):
            children[member.family_id].append(member.person)
        out = _Batch()
        for lead in leads:
            self._family(lead, children[lead.family_id], out)
        Contact.objects.bulk_create(out.contacts)
        Immunisation.objects.bulk_create(out.immunisations)
        ChronologyEvent.objects.bulk_create(out.events)
        for person in out.deaths:
            Person.objects.filter(pk=person.pk).update(date_of_death=person.date_of_death)
        report.contacts += len(out.contacts)
        report.immunisations += len(out.immunisations)
        report.deaths += len(out.deaths)

    def _family(self, lead: Involvement, children: list[Person], out: _Batch) -> None:
        rng = self.rng
        smoker_at_booking = rng.random() < 0.12
        mother = _Mother(
            smoker_at_booking=smoker_at_booking,
            smoker_at_delivery=smoker_at_booking and rng.random() < 0.6,
            father_comes=rng.random() < 0.35,
        )
        surgeries = self.surgeries.get(lead.team.locality_id) or ["the GP surgery"]
        surgery = rng.choice(surgeries)
        twins: dict[tuple[dt.date | None, str], dt.date | None] = {}
        five_years_ago = add_months(self.today, -60)
        for child in children:
            if child.date_of_birth is not None and child.date_of_birth <= five_years_ago:
                continue  # past the programme
            self._death(child, out)
            self._reviews(lead, child, mother, twins, out)
            self._immunisations(lead, child, surgery, out)

    def _practitioner(self, lead: Involvement) -> User:
        if lead.practitioner is not None and self.rng.random() < 0.8:
            return lead.practitioner
        return self.rng.choice(self.staff[lead.team_id])

    def _death(self, child: Person, out: _Batch) -> None:
        born = child.date_of_birth
        if born is None or (self.today - born).days > 365 or self.rng.random() >= DEATHS:
            return
        child.date_of_death = _between(self.rng, born + dt.timedelta(days=3), self.today)
        out.deaths.append(child)

    # -- reviews ------------------------------------------------------------------------------

    def _reviews(
        self,
        lead: Involvement,
        child: Person,
        mother: _Mother,
        twins: dict[tuple[dt.date | None, str], dt.date | None],
        out: _Batch,
    ) -> None:
        situation = Circumstances(arrived_on=lead.started_on)
        mother.fed_at_birth = ""
        windows = review_windows(born=child.date_of_birth, expected=child.expected_delivery_date)
        for window in windows:
            status = review_status(window, today=self.today, circumstances=situation).status
            if status in (Status.NOT_DUE_HERE, Status.UPCOMING):
                continue
            key = (child.date_of_birth, window.kind)
            if key not in twins or child.date_of_birth is None:
                twins[key] = self._review_date(window, lead.started_on)
            day = twins[key]
            if day is None or day > self.today:
                continue
            if child.date_of_death is not None and day > child.date_of_death:
                continue
            contact = self._contact(lead, child, window, day, mother)
            out.contacts.append(contact)
            out.events.append(
                ChronologyEvent(
                    family_id=lead.family_id,
                    person=child,
                    kind=EventKind.CONTACT,
                    category=DataCategory.HEALTH,
                    summary=f"{window.kind.label} ({contact.get_mode_display().lower()}) by "
                    f"{contact.practitioner.get_full_name()}",
                    occurred_at=_at(day),
                    recorded_by=contact.practitioner,
                    team=lead.team,
                )
            )
        if child.date_of_death is not None:
            out.events.append(
                ChronologyEvent(
                    family_id=lead.family_id,
                    person=child,
                    kind=EventKind.DEATH_RECORDED,
                    summary=f"{child.full_name} died on {child.date_of_death:%-d %B %Y}",
                    occurred_at=_at(child.date_of_death, 16),
                    recorded_by=self._practitioner(lead),
                    team=lead.team,
                )
            )

    def _review_date(self, window: Window, arrived: dt.date) -> dt.date | None:
        rng = self.rng
        on_time, late, early = DONE[window.kind]
        draw = rng.random()
        start = max(window.opens, arrived)
        if window.kind == K.NEW_BIRTH:  # usually between days 10 and 14
            start = max(start, window.opens + dt.timedelta(days=8))
        if draw < on_time:
            day = _between(rng, min(start, window.due_by), window.due_by)
        elif draw < on_time + late:
            after = window.closes + dt.timedelta(days=0 if window.kind == K.NEW_BIRTH else 30)
            day = _between(rng, window.due_by + dt.timedelta(days=1), after)
        elif draw < on_time + late + early:
            lower = window.opens - dt.timedelta(
                days=21 if window.kind != K.SIX_TO_EIGHT_WEEKS else 5
            )
            day = _between(rng, lower, window.opens - dt.timedelta(days=1))
        else:
            return None
        return max(day, arrived)

    def _contact(
        self, lead: Involvement, child: Person, window: Window, day: dt.date, mother: _Mother
    ) -> Contact:
        rng = self.rng
        kind = window.kind
        mode = rng.choices(
            [ContactMode.FACE_TO_FACE, ContactMode.VIRTUAL, ContactMode.PHONE], [90, 6, 4]
        )[0]
        if kind == K.NEW_BIRTH:
            mode = ContactMode.FACE_TO_FACE  # a new birth visit is a home visit
        present = [Present.MOTHER]
        if kind != K.ANTENATAL:
            present.append(Present.CHILD)
        if mother.father_comes:
            present.insert(1, Present.FATHER)
        contact = Contact(
            family_id=lead.family_id,
            person=child,
            practitioner=self._practitioner(lead),
            team=lead.team,
            kind=kind,
            contact_date=day,
            mode=mode,
            present=[str(value) for value in present],
        )
        if kind in WEIGHTS and mode == ContactMode.FACE_TO_FACE:
            mean, spread = WEIGHTS[kind]
            contact.weight_grams = max(1500, round(rng.gauss(mean, spread) * 1000))
        if kind == K.NEW_BIRTH:
            contact.breastfeeding = mother.feeding_at_birth(rng)
        elif kind == K.SIX_TO_EIGHT_WEEKS:
            contact.breastfeeding = mother.feeding_at_six_weeks(rng)
        if kind in (K.ANTENATAL, K.NEW_BIRTH):
            contact.smoking_at_booking = mother.booking()
        if kind == K.NEW_BIRTH:
            contact.smoking_at_delivery = mother.delivery()
        if kind in (K.ONE_YEAR, K.TWO_YEARS):
            contact.asq3_used = rng.random() < 0.9
        if rng.random() < 0.12:
            contact.concerns = rng.choice(CONCERNS)
            contact.next_steps = rng.choice(NEXT_STEPS)
        return contact

    # -- immunisations ------------------------------------------------------------------------

    def _immunisations(self, lead: Involvement, child: Person, surgery: str, out: _Batch) -> None:
        born = child.date_of_birth
        if born is None:
            return
        rng = self.rng
        doses = [dose for dose in doses_for(born) if dose.due_on(born) <= self.today]
        draw = rng.random()
        declines: set[str] = set()
        stop = len(doses)
        if draw < FAMILY_DECLINES:  # the measles vaccines, and sometimes whole appointments
            refused = {dose.appointment for dose in doses if rng.random() < 0.3}
            declines = {
                dose.code
                for dose in doses
                if dose.appointment in refused or dose.code.startswith("mmr")
            }
        elif draw < FAMILY_DECLINES + FAMILY_LAPSES and doses:
            stop = rng.randrange(len(doses))
        by_day: dict[tuple[dt.date, bool], list[Dose]] = defaultdict(list)
        delay = 0
        for index, dose in enumerate(doses):
            if index >= stop:
                break
            due = dose.due_on(born)
            if index == 0 or dose.appointment != doses[index - 1].appointment:
                delay = min(int(rng.expovariate(1 / 6)), 60)
            day = due + dt.timedelta(days=delay)
            last = dose.last_day(born)
            if day > self.today or (last is not None and day > last):
                continue
            if child.date_of_death is not None and day > child.date_of_death:
                continue
            by_day[(day, dose.code in declines)].append(dose)
        for (day, declined), given in by_day.items():
            practitioner = self._practitioner(lead)
            status = ImmunisationStatus.DECLINED if declined else ImmunisationStatus.GIVEN
            reason = rng.choice(DECLINED) if declined else ""
            for dose in given:
                out.immunisations.append(
                    Immunisation(
                        family_id=lead.family_id,
                        person=child,
                        practitioner=practitioner,
                        team=lead.team,
                        vaccine=dose.code,
                        status=status,
                        on_date=day,
                        place="" if declined else surgery,
                        declined_reason=reason,
                    )
                )
            labels = ", ".join(dose.label for dose in given)
            out.events.append(
                ChronologyEvent(
                    family_id=lead.family_id,
                    person=child,
                    kind=EventKind.IMMUNISATION,
                    category=DataCategory.HEALTH,
                    summary=(
                        f"Immunisations declined: {labels}"
                        if declined
                        else f"Immunisations given at {surgery}: {labels}"
                    ),
                    occurred_at=_at(day, 14),
                    recorded_by=practitioner,
                    team=lead.team,
                )
            )


@dataclass
class _Mother:
    """What the reviews of one family's children record about the mother."""

    smoker_at_booking: bool
    smoker_at_delivery: bool
    father_comes: bool
    fed_at_birth: str = ""

    def booking(self) -> str:
        return Smoking.SMOKER if self.smoker_at_booking else Smoking.NON_SMOKER

    def delivery(self) -> str:
        return Smoking.SMOKER if self.smoker_at_delivery else Smoking.NON_SMOKER

    def feeding_at_birth(self, rng: random.Random) -> str:
        self.fed_at_birth = rng.choices(
            [Breastfeeding.TOTALLY, Breastfeeding.PARTIALLY, Breastfeeding.NOT], [45, 25, 30]
        )[0]
        return self.fed_at_birth

    def feeding_at_six_weeks(self, rng: random.Random) -> str:
        """About 48% still breastfeeding: most who stop, stop in the first weeks."""
        if self.fed_at_birth == Breastfeeding.NOT:
            return Breastfeeding.NOT
        if rng.random() >= (0.68 if self.fed_at_birth else 0.48):
            return Breastfeeding.NOT
        return rng.choices([Breastfeeding.TOTALLY, Breastfeeding.PARTIALLY], [60, 40])[0]


def build_care(*, seed: int, today: dt.date) -> CareReport:
    """The county's reviews and immunisations, after its families are written."""
    return CareFactory(seed, today).build()
