"""Practitioners' pages of assessments: the team's work in progress, the instruments, a family's
or a person's history with its progress, starting an assessment, answering it, its results, and
discarding a draft. Views parse the request, call a selector or an action with the actor, and
render."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import Actor, actor_of
from beststart.assessments import actions, instruments, selectors
from beststart.assessments.forms import (
    PLAN_ROWS,
    AnswersForm,
    PlanActionDoneForm,
    PlanActionForm,
    PlanForm,
    PlanReviewForm,
    StartForm,
    need_words,
)
from beststart.assessments.instruments import Instrument
from beststart.assessments.models import Assessment, CutoffSet
from beststart.assessments.selectors import Column, Series
from beststart.care.actions import long_date
from beststart.core.categories import DataCategory
from beststart.core.charts import ProgressChart, figure, progress_chart
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.forms import apply_validation_error
from beststart.sharing.access import require_record_access
from beststart.sharing.decorators import no_personal_data, personal_data

DRAFT_SAVED = "Draft saved. You can come back to it from Assessments and plans"


# ---------------------------------------------------------------------------------------------
# The team's work, and the instruments


@personal_data
@require_http_methods(["GET"])
def team_work(request: HttpRequest) -> HttpResponse:
    """Drafts the team started, reviews waiting for it, plans to review, actions to do."""
    work = selectors.team_work(actor_of(request))
    return render(request, "assessments/team_work.html", {"work": work})


@dataclass
class ListedInstrument:
    instrument: Instrument
    category: str
    cutoffs: CutoffSet | None  # the latest loaded, for a licensed instrument with zones
    older: list[Instrument]


@no_personal_data
@require_http_methods(["GET"])
def instrument_list(request: HttpRequest) -> HttpResponse:
    """The instruments in use and their versions, and whether zones' cut-offs are loaded:
    configuration, nobody's personal data, for practitioners."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None:
        raise NotFoundOrNotAllowed
    require_record_access(actor)
    listed = [
        ListedInstrument(
            instrument=each,
            category=DataCategory(each.category).label,
            cutoffs=selectors.latest_cutoffs(each.code) if each.zones else None,
            older=instruments.versions(each.code)[-2::-1],
        )
        for each in instruments.latest()
    ]
    return render(request, "assessments/instruments.html", {"listed": listed})


# ---------------------------------------------------------------------------------------------
# History and progress


@dataclass
class SeriesPage:
    """A series as the page shows it: a row of cells per assessment, the change since the
    first, and the chart of the first and latest values."""

    series: Series
    rows: list[tuple[Assessment, list[tuple[Column, str]]]]
    change: list[tuple[Column, str]]
    chart: ProgressChart | None


@personal_data
@require_http_methods(["GET"])
def family_history(request: HttpRequest, family_id: int) -> HttpResponse:
    """Everyone in the family: their assessments over time, the drafts and the plans."""
    return _history(request, family_id, None)


@personal_data
@require_http_methods(["GET"])
def person_history(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    """One person's assessments over time, with the progress they show, and their plans."""
    return _history(request, family_id, person_id)


def _history(request: HttpRequest, family_id: int, person_id: int | None) -> HttpResponse:
    history = selectors.history(actor_of(request), family_id, person_id)
    context = {
        "history": history,
        "family": history.family,
        "series": [
            _series_page(each, f"progress-{number}")
            for number, each in enumerate(history.series, start=1)
        ],
    }
    return render(request, "assessments/history.html", context)


def _series_page(series: Series, ident: str) -> SeriesPage:
    rows = [
        (row.assessment, [(column, row.values.get(column.key, "")) for column in series.columns])
        for row in series.rows
    ]
    changes = series.change()
    change = (
        [
            (column, _signed(changes[column.key]) if column.key in changes else "")
            for column in series.columns
        ]
        if changes
        else []
    )
    return SeriesPage(series, rows, change, _progress(series, ident))


def _signed(change: Decimal) -> str:
    return f"+{figure(change)}" if change > 0 else figure(change)


def _progress(series: Series, ident: str) -> ProgressChart | None:
    """The first and latest value of each numeric column both assessments have, if any."""
    if len(series.rows) < 2:
        return None
    first, latest = series.rows[0], series.rows[-1]
    measured = series.measured()
    if not measured:
        return None
    return progress_chart(
        ident,
        f"{series.person.full_name}: {series.instrument.title}, first and latest",
        [(column.label, start, end) for column, start, end in measured],
        maximum=max(column.maximum or Decimal(0) for column, _, _ in measured),
        first_label=f"First, {long_date(first.assessment.assessed_on)}",
        latest_label=f"Latest, {long_date(latest.assessment.assessed_on)}",
    )


# ---------------------------------------------------------------------------------------------
# Starting an assessment


@personal_data
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, family_id: int) -> HttpResponse:
    """Who, which instrument, when, and with which partner team. The same instrument used in
    the family recently is shown first, so it can be built on rather than repeated; the
    practitioner can still start a new one, with nothing typed lost."""
    actor = actor_of(request)
    starting = selectors.for_starting(actor, family_id)
    form = StartForm(_posted(request), starting=starting, person_id=request.GET.get("person", ""))
    recent: list[Assessment] = []
    if request.method == "POST" and form.is_valid():
        instrument = form.chosen()
        if request.POST.get("confirmed") != "1":
            recent = selectors.recent_assessments(actor, family_id, instrument)
        if not recent:
            person = form.cleaned_data["person"]
            try:
                assessment = actions.start_assessment(
                    actor=actor,
                    family=starting.family,
                    person=person,
                    instrument_code=instrument.code,
                    assessed_on=form.cleaned_data["assessed_on"],
                    partner_team=form.cleaned_data.get("partner_team"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"{instrument.title} started for {person.full_name}")
                return redirect("assessments:edit", assessment_id=assessment.pk)
    context = {
        "form": form,
        "family": starting.family,
        "starting": starting,
        "recent": recent,
        "typed": _typed(request) if recent else [],
    }
    return render(request, "assessments/start.html", context)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data if posted, even if empty (so that it is checked and says what is
    missing), or None to show the form as it starts."""
    return request.POST if request.method == "POST" else None


def _typed(request: HttpRequest) -> list[tuple[str, str]]:
    """Everything typed on the start form, to post again with the confirmation."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in values
    ]


# ---------------------------------------------------------------------------------------------
# Answering, results, discarding


@personal_data
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The sections the actor's team writes, with the others' read only: saved as a draft to
    come back to, or completed (every required answer of every section) and scored."""
    actor = actor_of(request)
    view = selectors.assessment_for_editing(actor, assessment_id)
    assessment = view.assessment
    if not assessment.is_draft:
        return redirect("assessments:detail", assessment_id=assessment.pk)
    form = AnswersForm(_posted(request), view=view)
    draft_saved = False
    if request.method == "POST" and form.is_valid():
        complete = request.POST.get("intent") == "complete"
        try:
            # The answers are kept as a draft first, so a completion refused (the other
            # agency's part still to come, an answer missing) loses nothing.
            actions.save_answers(
                actor=actor, assessment=assessment, answers=form.answers(), complete=False
            )
            draft_saved = True
            if complete:
                actions.save_answers(
                    actor=actor, assessment=assessment, answers=form.answers(), complete=True
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if complete:
                messages.success(
                    request, f"{assessment.title} completed for {assessment.person.full_name}"
                )
                return redirect("assessments:detail", assessment_id=assessment.pk)
            messages.success(request, DRAFT_SAVED)
            return redirect("assessments:edit", assessment_id=assessment.pk)
    context = {
        "form": form,
        "view": view,
        "assessment": assessment,
        "family": view.family,
        "may_discard": actor.team.pk == assessment.team_id,
        "draft_saved": draft_saved,
    }
    return render(request, "assessments/edit.html", context)


@personal_data
@require_http_methods(["GET"])
def detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """An assessment: who, when, its results and needs, each section's answers as far as the
    policy shows them, and the plans made from it."""
    view = selectors.assessment_detail(actor_of(request), assessment_id)
    context = {"view": view, "assessment": view.assessment, "family": view.family}
    return render(request, "assessments/detail.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def discard(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Discard a draft the team started and no longer needs, after asking."""
    actor = actor_of(request)
    view = selectors.assessment_for_editing(actor, assessment_id)
    assessment = view.assessment
    if actor.team.pk != assessment.team_id:
        raise NotFoundOrNotAllowed
    if not assessment.is_draft:
        return redirect("assessments:detail", assessment_id=assessment.pk)
    if request.method == "POST":
        try:
            actions.discard_draft(actor=actor, assessment=assessment)
        except ValidationError:  # completed by the other team since the page was opened
            return redirect("assessments:detail", assessment_id=assessment.pk)
        messages.success(
            request, f"Draft {assessment.title} for {assessment.person.full_name} discarded"
        )
        return redirect("assessments:family-history", family_id=view.family.pk)
    context = {"assessment": assessment, "family": view.family}
    return render(request, "assessments/discard.html", context)


# ---------------------------------------------------------------------------------------------
# Plans


def _planned_from(request: HttpRequest) -> int | None:
    """The assessment a new plan starts from (`?assessment=`, then the hidden field)."""
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("assessment", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundOrNotAllowed
    return int(raw)


def _to_plan(plan_id: int) -> HttpResponse:
    return redirect("assessments:plan", plan_id=plan_id)


@personal_data
@require_http_methods(["GET", "POST"])
def new_plan(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    planning = selectors.for_planning(actor, family_id, _planned_from(request))
    form = PlanForm(_posted(request), planning=planning, user=actor.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreed = actions.create_plan(
                actor=actor,
                family=planning.family,
                person=data.get("person"),
                assessment=planning.assessment,
                lead_practitioner=data["lead_practitioner"],
                agreed_on=data["agreed_on"],
                review_every_weeks=data["review_every_weeks"],
                actions=form.plan_actions(),
            )
        except ValidationError as error:
            apply_validation_error(form, form.by_row(error))
        else:
            messages.success(request, "Plan agreed")
            return _to_plan(agreed.pk)
    context = {
        "form": form,
        "planning": planning,
        "family": planning.family,
        "more_needs": [need_words(need) for need in planning.needs[PLAN_ROWS:]],
        "rows": PLAN_ROWS,
    }
    return render(request, "assessments/plan_new.html", context)


@personal_data
@require_http_methods(["GET"])
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    view = selectors.plan_detail(actor_of(request), plan_id)
    return render(request, "assessments/plan.html", {"view": view, "family": view.family})


@personal_data
@require_http_methods(["GET", "POST"])
def add_action(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = actor_of(request)
    changed = selectors.plan_for_update(actor, plan_id)
    form = PlanActionForm(
        _posted(request),
        around=selectors.team_around(changed.family),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_plan_action(actor=actor, plan=changed, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action added to the plan")
            return _to_plan(plan_id)
    context = {"form": form, "plan": changed, "family": changed.family}
    return render(request, "assessments/plan_action_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, plan_id: int, plan_action_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = selectors.plan_detail(actor, plan_id)
    done = next((each for each in view.actions if each.pk == plan_action_id), None)
    if done is None:
        raise NotFoundOrNotAllowed
    form = PlanActionDoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_action_done(actor=actor, action=done, done_on=form.cleaned_data["done_on"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action marked as done")
            return _to_plan(plan_id)
    context = {"form": form, "view": view, "action": done, "family": view.family}
    return render(request, "assessments/plan_action_done.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = actor_of(request)
    reviewed = selectors.plan_for_update(actor, plan_id)
    form = PlanReviewForm(
        _posted(request),
        review_every_weeks=reviewed.review_every_weeks,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.review_plan(
                actor=actor,
                plan=reviewed,
                reviewed_on=data["reviewed_on"],
                progress=data["progress"],
                next_review_on=data["next_review_on"],
                close=data["close"],
                closed_reason=data["closed_reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Plan closed" if data["close"] else "Review recorded")
            return _to_plan(plan_id)
    context = {"form": form, "plan": reviewed, "family": reviewed.family}
    return render(request, "assessments/plan_review.html", context)
