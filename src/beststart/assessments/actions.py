"""Writes of assessments and plans. Each asks the policy for an update of the family's data in
the instrument's category (audited, refused writes too) and writes its rows, the audit and
the chronology line in one transaction. Errors are raised by field, so the form that sent
them shows each beside its question and keeps everything typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from beststart.accounts.actors import Actor
from beststart.accounts.models import Membership, OrganisationType, Team, User
from beststart.assessments import cutoffs, instruments
from beststart.assessments.instruments import Answers, Instrument, InstrumentError
from beststart.assessments.models import (
    Assessment,
    AssessmentStatus,
    Contribution,
    CutoffSet,
    Plan,
    PlanAction,
    PlanReview,
)
from beststart.assessments.selectors import (
    all_answers,
    instrument_of,
    is_party,
    latest_cutoffs,
    may_mark_done,
    team_around,
    writable_sections,
)
from beststart.care.actions import at, long_date
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.actions import record_event
from beststart.families.models import EventKind, Family, FamilyMember, Involvement, Person
from beststart.sharing.access import audited_write, enforce, require, would_see
from beststart.sharing.policy import Decision, Subject, active_involvements

UPDATE = AccessAction.UPDATE


# Finer rules than "may this actor update the family's data": refused like the policy's own
# refusals, so the audit records them (`audited_write` writes the row after the rollback).
NOT_A_PARTY = Decision(False, "not_a_party", "only the assessment's teams write in it")
NOT_ITS_STARTER = Decision(
    False, "not_the_starter", "only the team that started a draft discards it"
)
NOT_THE_PLAN_LEAD = Decision(False, "not_plan_lead", "only the team that leads a plan changes it")
NOT_ON_THE_PLAN = Decision(
    False, "not_on_the_plan", "only the plan's lead team and the teams owning its actions"
)
NOT_THE_ACTION_OWNER = Decision(
    False, "not_action_owner", "only the owner, the owner's team or the plan's lead team"
)
NOT_OF_THE_FAMILY = Decision(False, "not_of_the_family", "the record is not this family's")


def _refuse_unless(
    allowed: bool,
    refusal: Decision,
    actor: Actor,
    family: Family,
    category: str,
    person_id: int | None,
) -> None:
    if not allowed:
        enforce(
            actor, refusal, family=family, category=category, action=UPDATE, person_id=person_id
        )


# ---------------------------------------------------------------------------------------------
# Starting an assessment


def _person_errors(instrument: Instrument, person: Person, on: dt.date) -> str | None:
    """Why `instrument` is not for `person` on `on`, in words, if it is not."""
    if person.kind not in instrument.about:
        kinds = " or ".join(kind.replace("_", " ") for kind in instrument.about)
        return f"The {instrument.title} is about a {kinds}: choose someone else, or another one"
    if instrument.age_months is None or person.date_of_birth is None:
        return None
    low, high = instrument.age_months
    months = instruments.age_in_months(person.date_of_birth, on)
    if low <= months <= high:
        return None
    return (
        f"The {instrument.title} is for children aged {low} to {high} months: "
        f"{person.full_name} is {months} months old"
    )


def _partner_errors(
    actor: Actor, instrument: Instrument, family: Family, person: Person, partner: Team | None
) -> str | None:
    """Why `partner` cannot complete an integrated record with the actor's team, if not: it
    must be the other agency, work with the family, and each team must be able to see what
    the other writes (the family's consent and an agreement), or the record cannot be one."""
    others = [kind for kind in instrument.agencies if kind != actor.organisation.type]
    wanted = " or ".join(OrganisationType(kind).label.lower() for kind in others)
    if partner is None or partner.organisation.type not in others:
        return f"Choose the {wanted} completing the review with you"
    if not _works_with(partner, family):
        return f"{partner.name} does not work with this family: they need to be involved first"
    member = _member_of(partner)
    if member is None:
        return f"{partner.name} has nobody who can complete the review"
    sees_ours = would_see(
        member, Subject(family.pk, person.pk, actor.organisation), instrument.category
    )
    sees_theirs = would_see(
        actor.membership, Subject(family.pk, person.pk, partner.organisation), instrument.category
    )
    if not (sees_ours and sees_theirs):
        category = DataCategory(instrument.category).label.lower()
        return (
            f"The family has not agreed to share {category} information between "
            f"{actor.organisation.name} and {partner.organisation.name}. Record their consent "
            "first, then start the review"
        )
    return None


def _works_with(team: Team, family: Family) -> bool:
    return Involvement.objects.filter(active_involvements(), family=family, team=team).exists()


def _member_of(team: Team) -> Membership | None:
    return (
        Membership.objects.filter(team=team, is_active=True)
        .select_related("user", "team__organisation")
        .order_by("id")
        .first()
    )


@audited_write
def start_assessment(
    *,
    actor: Actor,
    family: Family,
    person: Person,
    instrument_code: str,
    assessed_on: dt.date,
    partner_team: Team | None = None,
) -> Assessment:
    """A draft assessment of `person` with the latest version of the instrument."""
    try:
        instrument = instruments.get(instrument_code)
    except InstrumentError as error:
        raise ValidationError({"instrument": str(error)}) from error
    member = FamilyMember.objects.filter(family=family, person=person).exists()
    _refuse_unless(member, NOT_OF_THE_FAMILY, actor, family, instrument.category, None)
    require(actor, family, category=instrument.category, action=UPDATE, person_id=person.pk)
    errors: dict[str, str] = {}
    if actor.role not in instrument.used_by:
        errors["instrument"] = f"Your role does not record the {instrument.title}"
    if assessed_on > clock.today():
        errors["assessed_on"] = "The date of the assessment must be today or in the past"
    person_error = _person_errors(instrument, person, assessed_on)
    if person_error:
        errors["person"] = person_error
    if instrument.is_integrated:
        if actor.organisation.type not in instrument.agencies:
            errors["instrument"] = f"The {instrument.title} is started by one of its agencies"
        else:
            partner_error = _partner_errors(actor, instrument, family, person, partner_team)
            if partner_error:
                errors["partner_team"] = partner_error
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        family=family,
        person=person,
        instrument=instrument.code,
        version=instrument.version,
        title=instrument.title,
        category=instrument.category,
        team=actor.team,
        practitioner=actor.user,
        partner_team=partner_team if instrument.is_integrated else None,
        assessed_on=assessed_on,
    )
    if instrument.is_integrated:
        assert partner_team is not None
        record_event(
            actor,
            family,
            EventKind.ASSESSMENT,
            f"{instrument.title} started with {partner_team.name}",
            person,
            category=instrument.category,
        )
    return assessment


# ---------------------------------------------------------------------------------------------
# Answering and completing


@audited_write
def save_answers(
    *, actor: Actor, assessment: Assessment, answers: Answers, complete: bool
) -> Assessment:
    """Save the actor's sections as they are (a draft keeps anything but an impossible value)
    and, if `complete`, check every required answer of every section and store the results."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(
        actor,
        assessment.family,
        category=assessment.category,
        action=UPDATE,
        person_id=assessment.person_id,
    )
    _refuse_unless(
        is_party(actor, assessment),
        NOT_A_PARTY,
        actor,
        assessment.family,
        assessment.category,
        assessment.person_id,
    )
    if not assessment.is_draft:  # said only to its teams: to others it does not exist
        raise ValidationError(f"This {assessment.title} was completed: it cannot be changed")
    sections = writable_sections(actor, assessment)
    instrument = instrument_of(assessment)
    errors = instruments.answer_errors(instrument, answers, sections=sections, complete=False)
    if errors:
        raise ValidationError(errors)
    for section in sections:
        _save_section(actor, assessment, section, answers.get(section.code, {}))
    if complete:
        _complete(actor, assessment, instrument)
    return assessment


def _save_section(
    actor: Actor, assessment: Assessment, section: instruments.Section, given: dict[str, str]
) -> None:
    kept = {item.code: given.get(item.code, "").strip() for item in section.items}
    kept = {code: value for code, value in kept.items() if value}
    existing = Contribution.objects.filter(assessment=assessment, section=section.code).first()
    if not kept:
        if existing is not None:  # a draft section emptied again is nobody's yet
            existing.delete()
        return
    if existing is None:
        existing = Contribution(
            assessment=assessment,
            family_id=assessment.family_id,
            person_id=assessment.person_id,
            section=section.code,
            category=assessment.category,
        )
    existing.answers = kept
    existing.team = actor.team
    existing.practitioner = actor.user
    existing.save()


def _complete(actor: Actor, assessment: Assessment, instrument: Instrument) -> None:
    answers = all_answers(assessment)
    mine = set(section.code for section in writable_sections(actor, assessment))
    errors = instruments.answer_errors(
        instrument, answers, sections=list(instrument.sections), complete=True
    )
    if errors:
        by_others = [
            section
            for section in instrument.sections
            if section.code not in mine and _has_errors(section, errors)
        ]
        own = {key: message for key, message in errors.items() if key.split("-")[0] in mine}
        if by_others:
            titles = " and ".join(section.title.lower() for section in by_others)
            own[NON_FIELD_ERRORS] = f"It cannot be completed yet: {titles} still to be written"
        raise ValidationError(own)
    results = instruments.score(instrument, answers).as_dict()
    if instrument.zones is not None:
        cutoff_set = latest_cutoffs(instrument.code)
        zones = cutoffs.zones(instrument, answers, cutoff_set.intervals) if cutoff_set else {}
        results["zones"] = zones
        results["cutoffs"] = cutoff_set.name if cutoff_set else ""
        assessment.cutoffs = cutoff_set
    assessment.results = results
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = clock.now()
    assessment.completed_by = actor.user
    assessment.save()
    record_event(
        actor,
        assessment.family,
        EventKind.ASSESSMENT,
        completed_summary(instrument, results),
        assessment.person,
        category=assessment.category,
        occurred_at=at(assessment.assessed_on),
    )


def _has_errors(section: instruments.Section, errors: dict[str, str]) -> bool:
    return any(key.startswith(f"{section.code}-") for key in errors)


def completed_summary(instrument: Instrument, results: dict[str, Any]) -> str:
    """The chronology line of a completed assessment: what it found, in a few words."""
    needs = len(results.get("needs", []))
    found = f"{needs} need{'s' if needs != 1 else ''} identified" if needs else "no needs"
    zones = results.get("zones") or {}
    if zones:
        concern = sum(1 for zone in zones.values() if zone["concern"])
        found = f"{concern} of {len(zones)} in the zone of concern"
    elif instrument.zones is not None and results.get("cutoffs"):
        found = "no zones: the cut-offs loaded have none for this interval"
    elif instrument.zones is not None:
        found = "no zones: no cut-offs loaded"
    return f"{instrument.title} completed: {found}"


@audited_write
def discard_draft(*, actor: Actor, assessment: Assessment) -> None:
    """A draft the team started and no longer needs; a completed assessment stays."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(
        actor,
        assessment.family,
        category=assessment.category,
        action=UPDATE,
        person_id=assessment.person_id,
    )
    _refuse_unless(
        actor.team.pk == assessment.team_id,
        NOT_ITS_STARTER,
        actor,
        assessment.family,
        assessment.category,
        assessment.person_id,
    )
    if not assessment.is_draft:
        raise ValidationError("A completed assessment is kept: it cannot be discarded")
    Contribution.objects.filter(assessment=assessment).delete()
    assessment.delete()


# ---------------------------------------------------------------------------------------------
# Cut-offs (configuration, from the licensed organisation)


def load_cutoffs(*, instrument_code: str, text: str, loaded_by: str) -> CutoffSet:
    """Cut-offs for a licensed instrument's zones, checked before anything is saved; the
    latest loaded is used from the next completed assessment on."""
    try:
        instrument = instruments.get(instrument_code)
    except InstrumentError as error:
        raise cutoffs.CutoffError(str(error)) from error
    loaded = cutoffs.parse(text, instrument)
    return CutoffSet.objects.create(
        instrument=instrument.code,
        name=loaded.name,
        source=loaded.source,
        intervals=loaded.intervals,
        loaded_by=loaded_by,
    )


# ---------------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class ActionDetails:
    need: str
    action: str
    owner: User
    due_on: dt.date
    review_on: dt.date


def _owner_error(
    actor: Actor,
    family: Family,
    person_id: int | None,
    owner: User,
    category: str,
    around: list[Membership],
) -> str | None:
    """Why `owner` cannot lead the plan or own an action in it, if they cannot: someone
    outside the team around the family, or someone the policy would not show the plan to
    (about its person, in its category)."""
    membership = next((m for m in around if m.user_id == owner.pk), None)
    if membership is None:
        return f"Choose someone in a team working with the family, not {owner.get_full_name()}"
    subject = Subject(family.pk, person_id, recorded_by=actor.organisation)
    if not would_see(membership, subject, category):
        label = DataCategory(category).label.lower()
        return (
            f"{owner.get_full_name()} would not be able to see this plan: the family has not "
            f"agreed to share {label} information with {membership.team.organisation.name}"
        )
    return None


def _action_errors(
    prefix: str, details: ActionDetails, agreed_on: dt.date, owner_error: str | None
) -> dict[str, str]:
    errors = {}
    if not details.need.strip():
        errors[f"{prefix}need"] = "Enter the need this action meets"
    if not details.action.strip():
        errors[f"{prefix}action"] = "Enter what will be done"
    if owner_error:
        errors[f"{prefix}owner"] = owner_error
    if details.due_on < agreed_on:
        errors[f"{prefix}due_on"] = f"The due date must be on or after {long_date(agreed_on)}"
    if details.review_on < agreed_on:
        errors[f"{prefix}review_on"] = f"The review date must be on or after {long_date(agreed_on)}"
    return errors


def _new_action(
    actor: Actor, plan: Plan, details: ActionDetails, around: list[Membership]
) -> PlanAction:
    membership = next(m for m in around if m.user_id == details.owner.pk)
    return PlanAction.objects.create(
        plan=plan,
        family=plan.family,
        person=plan.person,
        need=details.need.strip(),
        action=details.action.strip(),
        owner=details.owner,
        owner_team=membership.team,
        due_on=details.due_on,
        review_on=details.review_on,
        category=plan.category,
        team=actor.team,
    )


@audited_write
def create_plan(
    *,
    actor: Actor,
    family: Family,
    person: Person | None,
    assessment: Assessment | None,
    lead_practitioner: User,
    agreed_on: dt.date,
    review_every_weeks: int,
    actions: list[ActionDetails],
) -> Plan:
    """A plan agreed with the family: a lead practitioner, at least one action, and its
    first review `review_every_weeks` after it was agreed."""
    category = assessment.category if assessment else DataCategory.FAMILY_SUPPORT
    person_id = person.pk if person else None
    require(actor, family, category=category, action=UPDATE, person_id=person_id)
    if assessment is not None:  # a plan from an assessment is about whom it assessed
        person, person_id = assessment.person, assessment.person_id
    ours = assessment is None or (assessment.family_id == family.pk and not assessment.is_draft)
    member = person is None or FamilyMember.objects.filter(family=family, person=person).exists()
    _refuse_unless(ours and member, NOT_OF_THE_FAMILY, actor, family, category, person_id)
    around = team_around(family)
    errors: dict[str, str] = {}
    if agreed_on > clock.today():
        errors["agreed_on"] = "The date the plan was agreed must be today or in the past"
    if not 1 <= review_every_weeks <= 26:
        errors["review_every_weeks"] = "Review the plan every 1 to 26 weeks"
    lead_error = _owner_error(actor, family, person_id, lead_practitioner, category, around)
    if lead_error:
        errors["lead_practitioner"] = lead_error
    if not actions:
        errors["actions"] = "Agree at least one action"
    for index, details in enumerate(actions):
        owner_error = _owner_error(actor, family, person_id, details.owner, category, around)
        errors.update(_action_errors(f"action-{index}-", details, agreed_on, owner_error))
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(
        family=family,
        person=person,
        assessment=assessment,
        category=category,
        team=actor.team,
        practitioner=actor.user,
        lead_practitioner=lead_practitioner,
        agreed_on=agreed_on,
        review_every_weeks=review_every_weeks,
        next_review_on=agreed_on + dt.timedelta(weeks=review_every_weeks),
    )
    for details in actions:
        _new_action(actor, plan, details, around)
    count = len(actions)
    record_event(
        actor,
        family,
        EventKind.PLAN,
        f"Plan agreed: {count} action{'s' if count != 1 else ''}, lead practitioner "
        f"{lead_practitioner.get_full_name()}, first review by {long_date(plan.next_review_on)}",
        person,
        category=category,
        occurred_at=at(agreed_on),
    )
    return plan


def _require_plan(actor: Actor, plan: Plan) -> None:
    require(actor, plan.family, category=plan.category, action=UPDATE, person_id=plan.person_id)
    if not plan.is_open:
        raise ValidationError("This plan is closed: start a new one to agree more")


@audited_write
def add_plan_action(*, actor: Actor, plan: Plan, details: ActionDetails) -> PlanAction:
    """Another agreed action, by the team that leads the plan."""
    _require_plan(actor, plan)
    _refuse_unless(
        actor.team.pk == plan.team_id,
        NOT_THE_PLAN_LEAD,
        actor,
        plan.family,
        plan.category,
        plan.person_id,
    )
    around = team_around(plan.family)
    owner_error = _owner_error(
        actor, plan.family, plan.person_id, details.owner, plan.category, around
    )
    errors = _action_errors("", details, clock.today(), owner_error)
    if errors:
        raise ValidationError(errors)
    action = _new_action(actor, plan, details, around)
    record_event(
        actor,
        plan.family,
        EventKind.PLAN,
        f"Plan action added for {details.owner.get_full_name()}, due {long_date(details.due_on)}",
        plan.person,
        category=plan.category,
    )
    return action


@audited_write
def mark_action_done(*, actor: Actor, action: PlanAction, done_on: dt.date) -> PlanAction:
    action = PlanAction.objects.select_for_update().select_related("plan__family").get(pk=action.pk)
    plan = action.plan
    require(actor, plan.family, category=plan.category, action=UPDATE, person_id=plan.person_id)
    _refuse_unless(
        may_mark_done(actor, action),
        NOT_THE_ACTION_OWNER,
        actor,
        plan.family,
        plan.category,
        plan.person_id,
    )
    if not plan.is_open:  # as the plan's page and the team's work show: closed is closed
        raise ValidationError("This plan is closed: its actions cannot be changed")
    if action.done_on is not None:
        raise ValidationError(f"This action was marked done on {long_date(action.done_on)}")
    if done_on > clock.today() or done_on < plan.agreed_on:
        raise ValidationError(
            {"done_on": f"The date must be between {long_date(plan.agreed_on)} and today"}
        )
    action.done_on = done_on
    action.save(update_fields=["done_on", "updated_at"])
    record_event(
        actor,
        plan.family,
        EventKind.PLAN,
        f"Plan action done: {action.action[:200]}",
        plan.person,
        category=plan.category,
        occurred_at=at(done_on),
    )
    return action


@audited_write
def review_plan(
    *,
    actor: Actor,
    plan: Plan,
    reviewed_on: dt.date,
    progress: str,
    next_review_on: dt.date | None,
    close: bool = False,
    closed_reason: str = "",
) -> PlanReview:
    """A review of the plan by a team working on it: progress, and the next review date (or,
    by the lead team, closing the plan with its reason)."""
    plan = Plan.objects.select_for_update().select_related("family").get(pk=plan.pk)
    _require_plan(actor, plan)
    owners = set(plan.actions.values_list("owner_team_id", flat=True))
    _refuse_unless(
        actor.team.pk == plan.team_id or actor.team.pk in owners,
        NOT_ON_THE_PLAN,
        actor,
        plan.family,
        plan.category,
        plan.person_id,
    )
    errors: dict[str, str] = {}
    last = plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    earliest = last or plan.agreed_on  # a review never goes back before the last one
    if reviewed_on > clock.today() or reviewed_on < earliest:
        errors["reviewed_on"] = f"The date must be between {long_date(earliest)} and today"
    if not progress.strip():
        errors["progress"] = "Enter how the plan is going"
    if close:
        if actor.team.pk != plan.team_id:
            errors["close"] = f"Only {plan.team.name}, who lead the plan, can close it"
        elif not closed_reason.strip():
            errors["closed_reason"] = "Enter why the plan is closing"
    elif next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= reviewed_on:
        errors["next_review_on"] = "The next review must be after this one"
    if errors:
        raise ValidationError(errors)
    review = PlanReview.objects.create(
        plan=plan,
        family=plan.family,
        person=plan.person,
        reviewed_on=reviewed_on,
        progress=progress.strip(),
        next_review_on=None if close else next_review_on,
        category=plan.category,
        team=actor.team,
        practitioner=actor.user,
    )
    if close:
        plan.closed_on = reviewed_on
        plan.closed_reason = closed_reason.strip()
        summary = f"Plan reviewed and closed: {plan.closed_reason[:300]}"
    else:
        assert next_review_on is not None
        plan.next_review_on = next_review_on
        summary = f"Plan reviewed: next review by {long_date(next_review_on)}"
    plan.save()
    record_event(
        actor,
        plan.family,
        EventKind.PLAN,
        summary,
        plan.person,
        category=plan.category,
        occurred_at=at(reviewed_on),
    )
    return review
