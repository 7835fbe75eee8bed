"""Reads of assessments and plans. Each takes the actor, opens the family through the sharing
gate (the decision audited), and shows an assessment, a section another agency wrote, a plan,
an action or a review only if the policy lets the actor see that entry."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from django.db.models import Q, QuerySet

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, Team
from beststart.assessments import instruments
from beststart.assessments.instruments import SCORE, Answers, Instrument, Item, Section
from beststart.assessments.models import (
    Assessment,
    AssessmentStatus,
    Contribution,
    CutoffSet,
    Plan,
    PlanAction,
    PlanReview,
)
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, Involvement, Person
from beststart.sharing.access import SharingGate, require_record_access
from beststart.sharing.policy import Subject, active_involvements, visible_families

VIEW, UPDATE, LIST = AccessAction.VIEW, AccessAction.UPDATE, AccessAction.LIST
IDENTITY = DataCategory.IDENTITY
EntryT = TypeVar("EntryT", Assessment, Contribution, Plan, PlanAction, PlanReview)


def _shown(gate: SharingGate, entries: Iterable[EntryT], action: str = VIEW) -> list[EntryT]:
    """`gate.entries` for this part's entries, whose team comes with its organisation."""
    return cast(list[EntryT], gate.entries(cast(Iterable[Any], entries), action))


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "family", "person", "team__organisation", "partner_team__organisation", "practitioner"
    )


def instrument_of(assessment: Assessment) -> Instrument:
    """The version the assessment was started with: a newer one never changes it."""
    return instruments.get(assessment.instrument, assessment.version)


def is_party(actor: Actor, assessment: Assessment) -> bool:
    return actor.team.pk in (assessment.team_id, assessment.partner_team_id)


def writable_sections(actor: Actor, assessment: Assessment) -> list[Section]:
    """The sections the actor's team writes: every one of its own assessment; in an
    integrated record, its agency's and the shared ones the other team has not written."""
    instrument = instrument_of(assessment)
    if not is_party(actor, assessment):
        return []
    if not instrument.is_integrated:
        return list(instrument.sections) if actor.team.pk == assessment.team_id else []
    taken = set(
        Contribution.objects.filter(assessment=assessment)
        .exclude(team=actor.team)
        .values_list("section", flat=True)
    )
    return [
        section
        for section in instrument.sections_for(actor.organisation.type)
        if section.code not in taken
    ]


def all_answers(assessment: Assessment) -> Answers:
    return {
        each.section: dict(each.answers)
        for each in Contribution.objects.filter(assessment=assessment)
    }


def latest_cutoffs(instrument_code: str) -> CutoffSet | None:
    """The cut-offs the next completed assessment of a licensed instrument is zoned by: the
    latest loaded. Configuration, nobody's personal data."""
    return CutoffSet.objects.filter(instrument=instrument_code).first()


def instruments_for(actor: Actor) -> list[Instrument]:
    """The instruments the actor's role records, latest versions."""
    return instruments.for_role(actor.role)


def _openable(
    actor: Actor, gate: SharingGate, assessments: Iterable[Assessment]
) -> list[Assessment]:
    """A draft is its teams' only; a completed assessment anyone's the policy shows it to, and
    always its teams': the partner agency keeps its own sections if the family stops sharing
    the other's. Each decision audited by the gate."""
    rows = list(assessments)
    shown = {each.pk for each in _shown(gate, rows)}
    return [
        each
        for each in rows
        if (is_party(actor, each) and _may_see_own(gate, each))
        or (each.pk in shown and not each.is_draft)
    ]


def _may_see_own(gate: SharingGate, assessment: Assessment) -> bool:
    """A team's own part of an assessment, by the rules of role and relationship (what its
    organisation recorded itself), whoever's the assessment row is."""
    subject = Subject(assessment.family_id, assessment.person_id)
    return bool(gate.decide(subject, assessment.category, VIEW))


# ---------------------------------------------------------------------------------------------
# Starting an assessment


@dataclass
class ForStarting:
    family: Family
    people: list[Person]
    instruments: list[Instrument]
    partner_teams: list[Team]  # teams of another agency working with the family


def for_starting(actor: Actor, family_id: int) -> ForStarting:
    """What the actor may start for a family: the instruments their role records, and the
    family's members. Opening it to write is audited."""
    gate = SharingGate.open(actor, family_id, category=IDENTITY, action=UPDATE)
    people = list(
        Person.objects.filter(memberships__family=gate.family).order_by("date_of_birth", "id")
    )
    partner_teams = list(
        Team.objects.filter(
            pk__in=Involvement.objects.filter(active_involvements(), family=gate.family).values(
                "team_id"
            )
        )
        .exclude(organisation=actor.organisation)
        .select_related("organisation")
        .order_by("name")
    )
    return ForStarting(
        family=gate.family,
        people=people,
        instruments=instruments_for(actor),
        partner_teams=partner_teams,
    )


def recent_assessments(actor: Actor, family_id: int, instrument: Instrument) -> list[Assessment]:
    """The family's assessments with the same instrument in its `recent_days`, completed or
    in progress, that the actor may see (each decision audited): so they can build on one
    rather than repeat it."""
    gate = SharingGate.open(actor, family_id, category=IDENTITY, action=VIEW)
    since = clock.today() - dt.timedelta(days=instrument.recent_days)
    found = _assessments().filter(
        family=gate.family, instrument=instrument.code, assessed_on__gte=since
    )
    return _openable(actor, gate, found)


# ---------------------------------------------------------------------------------------------
# An assessment


@dataclass
class SectionView:
    section: Section
    contribution: Contribution | None  # None: not written yet, or not shared with the actor
    withheld: bool  # written, but the policy does not show it to the actor
    writable: bool

    @property
    def answers(self) -> list[tuple[Item, str]]:
        """Each item with its answer in words ("" when not answered)."""
        given = self.contribution.answers if self.contribution else {}
        return [(item, answer_words(item, given.get(item.code, ""))) for item in self.section.items]


def answer_words(item: Item, raw: str) -> str:
    option = item.option(raw) if raw else None
    return option.label if option else raw


@dataclass
class AssessmentView:
    assessment: Assessment
    instrument: Instrument
    family: Family
    sections: list[SectionView]
    plans: list[Plan]
    may_edit: bool
    may_plan: bool

    @property
    def results(self) -> dict[str, Any]:
        return self.assessment.results

    @property
    def shown_sections(self) -> set[str]:
        """The sections whose answers the actor may see: a result or a need drawn from a
        section another agency wrote is shown only as far as that section is."""
        return {view.section.code for view in self.sections if view.contribution is not None}

    def section_results(self) -> list[tuple[Section, dict[str, Any]]]:
        scored = self.results.get("sections", {})
        return [
            (s, scored[s.code])
            for s in self.instrument.sections
            if s.code in scored and s.code in self.shown_sections
        ]

    @property
    def needs(self) -> list[dict[str, str]]:
        return shown_needs(self.results, self.shown_sections)

    @property
    def total(self) -> dict[str, Any] | None:
        """The total, if every section it is drawn from is shown."""
        drawn_from = set(self.results.get("sections", {}))
        return self.results.get("total") if drawn_from <= self.shown_sections else None

    @property
    def zones(self) -> list[dict[str, Any]]:
        """The zones of the items in sections shown."""
        keys = {
            item.zone_key
            for section, item in self.instrument.items
            if item.zone_key and section.code in self.shown_sections
        }
        return [zone for key, zone in (self.results.get("zones") or {}).items() if key in keys]


def shown_needs(results: dict[str, Any], sections: set[str]) -> list[dict[str, str]]:
    return [need for need in results.get("needs", []) if need.get("section_code") in sections]


def _assessment(actor: Actor, assessment_id: int, action: str) -> tuple[SharingGate, Assessment]:
    assessment = _assessments().filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFoundOrNotAllowed
    gate = SharingGate.open(
        actor,
        assessment.family_id,
        category=assessment.category,
        action=action,
        person_id=assessment.person_id,
    )
    if not _openable(actor, gate, [assessment]):
        raise NotFoundOrNotAllowed
    return gate, assessment


def assessment_detail(actor: Actor, assessment_id: int) -> AssessmentView:
    """An assessment, each section shown if the policy lets the actor see who wrote it."""
    gate, assessment = _assessment(actor, assessment_id, VIEW)
    return _view(actor, gate, assessment)


def assessment_for_editing(actor: Actor, assessment_id: int) -> AssessmentView:
    """A draft to go on with, by one of its teams: the update decision, audited."""
    gate, assessment = _assessment(actor, assessment_id, UPDATE)
    if not is_party(actor, assessment):
        raise NotFoundOrNotAllowed
    return _view(actor, gate, assessment)


def _view(actor: Actor, gate: SharingGate, assessment: Assessment) -> AssessmentView:
    instrument = instrument_of(assessment)
    written = list(assessment.contributions.select_related("team__organisation", "practitioner"))
    shown = {each.section: each for each in _shown(gate, written)}
    writable = (
        {s.code for s in writable_sections(actor, assessment)}
        if assessment.is_draft and gate.facts.involved
        else set()
    )
    by_section = {each.section for each in written}
    sections = [
        SectionView(
            section=section,
            contribution=shown.get(section.code),
            withheld=section.code in by_section and section.code not in shown,
            writable=section.code in writable,
        )
        for section in instrument.sections
    ]
    plans = _shown(
        gate,
        Plan.objects.filter(assessment=assessment).select_related(
            "team__organisation", "lead_practitioner"
        ),
    )
    return AssessmentView(
        assessment=assessment,
        instrument=instrument,
        family=gate.family,
        sections=sections,
        plans=plans,
        may_edit=bool(writable),
        may_plan=not assessment.is_draft and gate.facts.involved,
    )


# ---------------------------------------------------------------------------------------------
# History: a family's or a person's assessments, and progress over time


@dataclass
class Column:
    key: str
    label: str
    maximum: Decimal | None = None


@dataclass
class HistoryRow:
    assessment: Assessment
    values: dict[str, str]  # column key -> the value in words or figures


@dataclass
class Series:
    """One person's completed assessments with one instrument, oldest first."""

    person: Person
    instrument: Instrument
    columns: list[Column]
    rows: list[HistoryRow]

    @property
    def numeric(self) -> list[Column]:
        return [column for column in self.columns if column.maximum is not None]

    def measured(self) -> list[tuple[Column, Decimal, Decimal]]:
        """Each numeric column with its first and latest values, where both are numbers (an
        older version may have scored a section in words)."""
        if len(self.rows) < 2:
            return []
        first, latest = self.rows[0].values, self.rows[-1].values
        found = []
        for column in self.numeric:
            start, end = _number(first.get(column.key)), _number(latest.get(column.key))
            if start is not None and end is not None:
                found.append((column, start, end))
        return found

    def change(self) -> dict[str, Decimal]:
        """Distance travelled: the latest value less the first, for each numeric column."""
        return {column.key: end - start for column, start, end in self.measured()}


def _number(raw: str | None) -> Decimal | None:
    try:
        value = Decimal(raw or "")
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass
class History:
    family: Family
    person: Person | None
    series: list[Series]
    drafts: list[Assessment]
    plans: list[Plan]
    may_start: bool
    people: list[Person] = field(default_factory=list)


def history(actor: Actor, family_id: int, person_id: int | None = None) -> History:
    """The assessments of a family (or of one of its people) the actor may see, by person and
    instrument, with the values that show progress; its drafts, for its teams; and its plans."""
    gate = SharingGate.open(actor, family_id, category=IDENTITY, action=VIEW, person_id=person_id)
    people = list(
        Person.objects.filter(memberships__family=gate.family).order_by("date_of_birth", "id")
    )
    person = None
    if person_id is not None:
        person = next((each for each in people if each.pk == person_id), None)
        if person is None:
            raise NotFoundOrNotAllowed
    found = _assessments().filter(family=gate.family).order_by("assessed_on", "id")
    if person is not None:
        found = found.filter(person=person)
    visible = _openable(actor, gate, found)
    completed = [each for each in visible if not each.is_draft]
    contributions = _shown(
        gate,
        Contribution.objects.filter(assessment__in=completed).select_related("team__organisation"),
    )
    plans = _shown(
        gate,
        Plan.objects.filter(family=gate.family)
        .filter(Q(person=person) | Q(person__isnull=True) if person else Q())
        .select_related("team__organisation", "lead_practitioner", "person"),
    )
    return History(
        family=gate.family,
        person=person,
        series=_series(completed, contributions),
        drafts=[each for each in visible if each.is_draft],
        plans=plans,
        may_start=gate.facts.involved and bool(instruments_for(actor)),
        people=people,
    )


def _series(completed: list[Assessment], contributions: list[Contribution]) -> list[Series]:
    answers: dict[int, Answers] = defaultdict(dict)
    for each in contributions:
        answers[each.assessment_id][each.section] = each.answers
    grouped: dict[tuple[int, str], list[Assessment]] = defaultdict(list)
    for assessment in completed:
        grouped[(assessment.person_id, assessment.instrument)].append(assessment)
    series = []
    for assessments in grouped.values():
        latest = instrument_of(assessments[-1])
        columns = _columns(latest)
        rows = [
            HistoryRow(each, _values(instrument_of(each), each, answers.get(each.pk, {})))
            for each in assessments
        ]
        series.append(Series(assessments[0].person, latest, columns, rows))
    return sorted(series, key=lambda s: (s.person.date_of_birth or dt.date.min, s.instrument.title))


def _columns(instrument: Instrument) -> list[Column]:
    """What changes over time: each score item, each section's score or band, the total."""
    columns = []
    for section in instrument.sections:
        for item in section.items:
            if item.type == SCORE:
                columns.append(Column(f"{section.code}-{item.code}", item.title, item.maximum))
        if section.scoring is not None:
            method = section.scoring.method
            maximum = _section_maximum(section) if method != "worst" else None
            label = section.title if method == "worst" else f"{section.title}: {method}"
            columns.append(Column(f"section-{section.code}", label, maximum))
    if instrument.total is not None:
        columns.append(Column("total", "Total", None))
    return columns


def _section_maximum(section: Section) -> Decimal | None:
    assert section.scoring is not None
    highest = [item.maximum for item in section.items if item.maximum is not None]
    if not highest:
        return None
    return max(highest) if section.scoring.method == "mean" else sum(highest, Decimal(0))


def _values(instrument: Instrument, assessment: Assessment, answers: Answers) -> dict[str, str]:
    values = {}
    for section in instrument.sections:
        for item in section.items:
            if item.type == SCORE:
                values[f"{section.code}-{item.code}"] = answers.get(section.code, {}).get(
                    item.code, ""
                )
    # A result drawn from a section the actor may not see (another agency's, once consent is
    # withdrawn) is left out with the section; the total, unless every section is shown.
    scored = assessment.results.get("sections") or {}
    for code, result in scored.items():
        if code in answers:
            values[f"section-{code}"] = result.get("score") or result.get("band_label") or ""
    total = assessment.results.get("total")
    if total and set(scored) <= set(answers):
        values["total"] = total.get("score") or ""
    return values


# ---------------------------------------------------------------------------------------------
# The team's work: drafts, reviews waiting for the team, plans to review, actions to do


@dataclass
class TeamWork:
    drafts: list[Assessment]
    awaiting: list[Assessment]  # integrated records the other agency started
    plans_to_review: list[Plan]
    actions: list[PlanAction]
    today: dt.date


REVIEW_NOTICE_DAYS = 14


def team_work(actor: Actor) -> TeamWork:
    """The actor's team's assessments and plans in progress, in families it works with; each
    row shown only if the policy lists it for the actor (each decision audited)."""
    require_record_access(actor)
    today = clock.today()
    drafts = (
        _assessments()
        .filter(status=AssessmentStatus.DRAFT)
        .filter(Q(team=actor.team) | Q(partner_team=actor.team))
    )
    plans = (
        Plan.objects.filter(
            team=actor.team,
            closed_on__isnull=True,
            next_review_on__lte=today + dt.timedelta(days=REVIEW_NOTICE_DAYS),
        )
        .select_related("team__organisation", "person", "family", "lead_practitioner")
        .order_by("next_review_on", "id")
    )
    actions = (
        PlanAction.objects.filter(
            owner_team=actor.team, done_on__isnull=True, plan__closed_on__isnull=True
        )
        .select_related("team__organisation", "person", "family", "owner", "plan")
        .order_by("due_on", "id")
    )
    gates: dict[int, SharingGate] = {}
    shown_drafts = _by_family(actor, drafts, gates)
    return TeamWork(
        drafts=[each for each in shown_drafts if each.team_id == actor.team.pk],
        awaiting=[each for each in shown_drafts if each.partner_team_id == actor.team.pk],
        plans_to_review=_by_family(actor, plans, gates),
        actions=_by_family(actor, actions, gates),
        today=today,
    )


def _by_family(
    actor: Actor, entries: Iterable[EntryT], gates: dict[int, SharingGate]
) -> list[EntryT]:
    """The entries the policy lists for the actor, in their order: only in families it may
    list at all (the policy's list query, over these few), each asked through the family's
    gate (facts loaded once a family, kept in `gates` for the next list)."""
    rows = list(entries)
    listed = set(
        visible_families(actor)
        .filter(pk__in={row.family_id for row in rows})
        .values_list("pk", flat=True)
    )
    by_family: dict[int, list[EntryT]] = defaultdict(list)
    for row in rows:
        if row.family_id in listed:
            by_family[row.family_id].append(row)
    allowed: set[int] = set()
    for family_id, group in by_family.items():
        if family_id not in gates:
            gates[family_id] = SharingGate(actor, group[0].family)
        allowed |= {id(row) for row in _shown(gates[family_id], group, LIST)}
    return [row for row in rows if id(row) in allowed]


# ---------------------------------------------------------------------------------------------
# Plans


@dataclass
class PlanView:
    plan: Plan
    family: Family
    actions: list[PlanAction]
    reviews: list[PlanReview]
    may_change: bool  # the lead team, working with the family
    may_review: bool
    markable: set[int]  # the ids of the actions the actor may mark done
    today: dt.date

    @property
    def review_overdue(self) -> bool:
        return self.plan.is_open and self.plan.next_review_on < self.today


def _plan(actor: Actor, plan_id: int, action: str) -> tuple[SharingGate, Plan]:
    plan = (
        Plan.objects.select_related(
            "team__organisation", "lead_practitioner", "person", "assessment", "practitioner"
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFoundOrNotAllowed
    gate = SharingGate.open(
        actor, plan.family_id, category=plan.category, action=action, person_id=plan.person_id
    )
    if not _shown(gate, [plan]):
        raise NotFoundOrNotAllowed
    return gate, plan


def plan_detail(actor: Actor, plan_id: int) -> PlanView:
    gate, plan = _plan(actor, plan_id, VIEW)
    actions = _shown(gate, plan.actions.select_related("team__organisation", "owner", "owner_team"))
    reviews = _shown(gate, plan.reviews.select_related("team__organisation", "practitioner"))
    involved = gate.facts.involved
    owner_teams = {action.owner_team_id for action in actions}
    return PlanView(
        plan=plan,
        family=gate.family,
        actions=actions,
        reviews=reviews,
        may_change=involved and plan.is_open and actor.team.pk == plan.team_id,
        may_review=involved
        and plan.is_open
        and (actor.team.pk == plan.team_id or actor.team.pk in owner_teams),
        markable={
            action.pk
            for action in actions
            if involved and plan.is_open and action.done_on is None and may_mark_done(actor, action)
        },
        today=clock.today(),
    )


def plan_for_update(actor: Actor, plan_id: int) -> Plan:
    """The plan, to add an action, mark one done or review it: the update decision, audited."""
    return _plan(actor, plan_id, UPDATE)[1]


def may_mark_done(actor: Actor, action: PlanAction) -> bool:
    """The owner, anyone in the owner's team (covering an absence), or the plan's team."""
    return actor.user.pk == action.owner_id or actor.team.pk in (
        action.owner_team_id,
        action.plan.team_id,
    )


def team_around(family: Family) -> list[Membership]:
    """Who can lead a plan or own an action: the active members of the teams working with
    the family."""
    teams = Involvement.objects.filter(active_involvements(), family=family).values("team_id")
    return list(
        Membership.objects.filter(team_id__in=teams, is_active=True)
        .select_related("user", "team__organisation")
        .order_by("team__name", "user__last_name", "user__first_name", "id")
    )


@dataclass
class ForPlanning:
    family: Family
    assessment: Assessment | None
    needs: list[dict[str, str]]  # from the assessment, to become actions
    people: list[Person]
    around: list[Membership]


def for_planning(actor: Actor, family_id: int, assessment_id: int | None) -> ForPlanning:
    """What a new plan starts from: a completed assessment the actor may see (its needs), or
    nothing; the people of the family; the team around it. The update decision, audited."""
    assessment, view = None, None
    if assessment_id is not None:
        view = assessment_detail(actor, assessment_id)
        if view.family.pk != family_id or view.assessment.is_draft:
            raise NotFoundOrNotAllowed
        assessment = view.assessment
    category = assessment.category if assessment else DataCategory.FAMILY_SUPPORT
    gate = SharingGate.open(actor, family_id, category=category, action=UPDATE)
    people = list(
        Person.objects.filter(memberships__family=gate.family).order_by("date_of_birth", "id")
    )
    return ForPlanning(
        family=gate.family,
        assessment=assessment,
        needs=view.needs if view else [],
        people=people,
        around=team_around(gate.family),
    )
