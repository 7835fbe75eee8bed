"""Referral pages for practitioners: the queues, making a referral (with search before create),
a referral and the steps of its lifecycle, matching it to the register, the dashboard and the
routing rules. Views parse the request, call a selector or an action with the actor, and
render: no business logic here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import Actor, actor_of
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.charts import BLUE, RED, bar_chart
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.forms import apply_validation_error
from beststart.families.models import Family, Person
from beststart.families.selectors import (
    family_for_update,
    identity_matches,
    members_of,
)
from beststart.places.models import ReachArea
from beststart.referrals import actions, selectors
from beststart.referrals.forms import (
    STEP_FORMS,
    ChooseMatchForm,
    ChooseMemberForm,
    MergeForm,
    ReferralForm,
    RerouteForm,
    RoutingRuleForm,
    StepForm,
)
from beststart.referrals.models import Referral, Status, StepKind
from beststart.referrals.selectors import QueueFilter, ReferralPage
from beststart.sharing.access import require_record_access
from beststart.sharing.decorators import no_personal_data, personal_data
from beststart.sharing.policy import DENY_ACTION, Decision, may_refer

STATUS_FILTERS = [
    ("open", "Open"),
    ("breached", "Past the first-contact target"),
    ("closed", "Closed"),
    ("all", "All"),
    *Status.choices,
]
SCOPE_LABELS = {
    selectors.Scope.ALL: "All referrals",
    selectors.Scope.QUEUE: "Your team's queue",
    selectors.Scope.SENT: "Sent by your team",
}


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------------------------------------
# Queues


@personal_data
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """The team's incoming referrals, those it sent, or (for triage) every referral; open
    ones most urgent first."""
    actor = actor_of(request)
    require_record_access(actor)
    scopes = selectors.scopes_for(actor)
    scope = request.GET.get("scope", "")
    if scope not in scopes:
        scope = scopes[0]
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    services = list(selectors.services_for_referral())
    wanted = request.GET.get("service", "")
    service_id = (
        int(wanted) if wanted.isdigit() and int(wanted) in {each.pk for each in services} else None
    )
    page = selectors.queue(
        actor,
        QueueFilter(scope=scope, status=status, service_id=service_id),
        request.GET.get("page", 1),
    )
    today = clock.today()
    filters = {"status": status, **({"service": str(service_id)} if service_id else {})}
    context = {
        "page": page,
        "rows": [(referral, referral.is_breached(today)) for referral in page.object_list],
        "tabs": [
            (each, SCOPE_LABELS[each], "?" + urlencode({"scope": each, **filters}))
            for each in scopes
        ],
        "scope": scope,
        "scope_label": SCOPE_LABELS[scope],
        "status": status,
        "status_filters": STATUS_FILTERS,
        "services": services,
        "service_id": service_id,
        "breached": selectors.breached_count(actor),
        "query_string": urlencode({"scope": scope, **filters}),
    }
    return render(request, "referrals/queue.html", context)


# ---------------------------------------------------------------------------------------------
# Making a referral


@personal_data
@require_http_methods(["GET", "POST"])
def new_referral(request: HttpRequest) -> HttpResponse:
    """A referral, with the family's consent, for someone typed in: the register is checked
    for them first (search before create), and the practitioner says whether one of the
    people found is the person referred."""
    return _new_referral(request, None)


@personal_data
@require_http_methods(["GET", "POST"])
def new_referral_for_family(request: HttpRequest, family_id: int) -> HttpResponse:
    """A referral from a family's record: the person is one of its members, with the details
    the record holds."""
    return _new_referral(request, family_id)


def _new_referral(request: HttpRequest, family_id: int | None) -> HttpResponse:
    actor = actor_of(request)
    family: Family | None = None
    if family_id is not None:
        family = family_for_update(actor, family_id)
    elif not may_refer(actor):
        raise NotFoundOrNotAllowed
    form = ReferralForm(
        _posted(request),
        services=selectors.services_for_referral(),
        members=members_of(family) if family else None,
        postcode=selectors.postcode_to_share(family) if family else None,
    )
    step = request.POST.get("step", "details")
    if request.method == "POST" and form.is_valid():
        if family is not None:
            sent = _send(request, actor, form, family=family, person=form.cleaned_data["person"])
            if sent:
                return sent
        else:
            matches = identity_matches(actor, **form.identity())
            if not matches:
                sent = _send(request, actor, form)
                if sent:
                    return sent
            else:
                choice = ChooseMatchForm(
                    request.POST if step == "confirm" else None, matches=matches
                )
                if choice.is_bound and choice.is_valid():
                    family_found, person = selectors.chosen_match(
                        choice.cleaned_data["match"], matches
                    )
                    sent = _send(request, actor, form, family=family_found, person=person)
                    if sent:
                        return sent
                else:
                    return render(
                        request,
                        "referrals/referral_check.html",
                        {"form": form, "choice": choice, "typed": _typed(request)},
                    )
    context = {"form": form, "family": family}
    return render(request, "referrals/referral_form.html", context)


def _typed(request: HttpRequest) -> list[tuple[str, str]]:
    """Everything typed on the referral form, to carry through the identity check."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "step", "match")
        for value in values
    ]


def _send(
    request: HttpRequest,
    actor: Actor,
    form: ReferralForm,
    *,
    family: Family | None = None,
    person: Person | None = None,
) -> HttpResponse | None:
    try:
        referral = actions.submit_referral(
            actor=actor, details=form.details(family=family, matched_person=person)
        )
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, f"Referral {referral.reference} sent to {referral.team.name}")
    return redirect("referrals:referral", referral_id=referral.pk)


# ---------------------------------------------------------------------------------------------
# A referral and its steps

# The order the steps are offered in, and what each is called.
STEP_TEXT: dict[str, str] = {
    StepKind.ACCEPTED: "Accept the referral",
    StepKind.CONTACTED: "Record the first contact with the family",
    StepKind.SUPPORT_STARTED: "Record that support has started",
    StepKind.COMPLETED: "Close with an outcome",
    StepKind.INFORMATION_REQUESTED: "Ask the referrer for more information",
    StepKind.INFORMATION_GIVEN: "Give more information",
    StepKind.ROUTED: "Send to another team's queue",
    StepKind.DECLINED: "Decline the referral",
    StepKind.MERGED: "Merge as a duplicate",
    StepKind.WITHDRAWN: "Withdraw the referral",
}


def _take(kind: str, actor: Actor, referral: Referral, data: dict[str, Any]) -> str:
    """Run the step's action; the success banner's words."""
    reference = referral.reference
    note = data.get("note") or ""
    if kind == StepKind.ACCEPTED:
        done = actions.accept(actor=actor, referral=referral)
        return f"Referral {reference} accepted: {done.team.name} now works with the family"
    if kind == StepKind.DECLINED:
        actions.decline(actor=actor, referral=referral, reason=data["reason"], note=note)
        return f"Referral {reference} declined"
    if kind == StepKind.CONTACTED:
        actions.record_contact(actor=actor, referral=referral, note=note)
        return f"First contact with the family recorded for referral {reference}"
    if kind == StepKind.SUPPORT_STARTED:
        actions.start_support(actor=actor, referral=referral, note=note)
        return f"Support started for referral {reference}"
    if kind == StepKind.COMPLETED:
        actions.complete(actor=actor, referral=referral, outcome=data["outcome"], note=note)
        return f"Referral {reference} completed"
    if kind == StepKind.WITHDRAWN:
        actions.withdraw(actor=actor, referral=referral, reason=data["reason"])
        return f"Referral {reference} withdrawn"
    if kind == StepKind.ROUTED:
        done = actions.reroute(actor=actor, referral=referral, team=data["team"], note=note)
        return f"Referral {reference} sent to {done.team.name}"
    if kind == StepKind.INFORMATION_REQUESTED:
        actions.request_information(actor=actor, referral=referral, question=data["question"])
        return f"Your question about referral {reference} has been sent"
    if kind == StepKind.INFORMATION_GIVEN:
        actions.give_information(actor=actor, referral=referral, answer=data["answer"])
        return f"Information added to referral {reference}"
    if kind == StepKind.MERGED:
        into = actions.merge(actor=actor, duplicate=referral, into=data["into"])
        return f"Referral {reference} merged into {into.reference}"
    raise NotFoundOrNotAllowed  # pragma: no cover - every kind in STEP_FORMS is above


def _step_form(kind: str, page: ReferralPage, data: QueryDict | None) -> StepForm:
    form_class = STEP_FORMS[kind]
    if form_class is RerouteForm:
        return RerouteForm(
            data,
            prefix=kind,
            teams=selectors.receiving_teams().exclude(pk=page.referral.team_id),
        )
    if form_class is MergeForm:
        return MergeForm(data, prefix=kind, duplicates=page.duplicates)
    return form_class(data, prefix=kind)


def _has_choices(form: StepForm) -> bool:
    """Whether a step's form has something to choose: no duplicate to merge into, or no
    other team to send to, and the step is not offered."""
    for name in ("into", "team"):
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField):
            if field.queryset is None or not field.queryset.exists():
                return False
        elif isinstance(field, forms.ChoiceField) and not field.choices:
            return False
    return True


def _refuse(actor: Actor, referral: Referral, decision: Decision) -> None:
    """Audit a refused step, then answer as for a referral that does not exist."""
    selectors.audit_referral(actor, referral, AccessAction.UPDATE, decision)
    raise NotFoundOrNotAllowed


def _require_step(actor: Actor, page: ReferralPage, kind: str, *, now: bool) -> None:
    """The actor's part in the referral lets them take this step (and, with `now`, its state
    does too); otherwise the refusal is audited and the answer is a 404."""
    decision = selectors.may_act(actor, page.referral, kind)
    if decision and now and kind not in page.next_steps:
        decision = DENY_ACTION.because(f"the referral's state does not allow {kind} now")
    if not decision:
        _refuse(actor, page.referral, decision)


@personal_data
@require_http_methods(["GET"])
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_of(request)
    page = selectors.referral_page(actor, referral_id)
    if page.is_receiving_team and page.referral.status == Status.SUBMITTED:
        # Opened by the team whose queue holds it: received.
        page = selectors.page_for(actor, actions.mark_received(actor=actor, referral=page.referral))
    step_forms = [
        (kind, text, form)
        for kind, text in STEP_TEXT.items()
        if kind in page.next_steps
        for form in [_step_form(kind, page, None)]
        if _has_choices(form)
    ]
    context = {
        "page": page,
        "referral": page.referral,
        "shared": [DataCategory(value).label for value in page.referral.consent_categories],
        "step_forms": step_forms,
        "may_match": StepKind.MATCHED in page.next_steps,
    }
    return render(request, "referrals/referral_detail.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def take_step(request: HttpRequest, referral_id: int, step: str) -> HttpResponse:
    """One step's form on its own page, for those without JavaScript and to show errors;
    posted, the step is taken and the page goes back to the referral."""
    actor = actor_of(request)
    page = selectors.referral_page(actor, referral_id)
    if step == StepKind.MATCHED:
        _require_step(actor, page, step, now=True)
        return redirect("referrals:match", referral_id=referral_id)
    if step not in STEP_TEXT:
        _refuse(actor, page.referral, DENY_ACTION.because("not a step a practitioner takes"))
    # A post goes to the action whatever the referral's state (it may have changed since
    # the form was shown): the action says why it cannot be taken now.
    _require_step(actor, page, step, now=request.method == "GET")
    form = _step_form(step, page, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            said = _take(step, actor, page.referral, form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, said)
            return redirect("referrals:referral", referral_id=referral_id)
    context = {
        "page": page,
        "referral": page.referral,
        "form": form,
        "kind": step,
        "text": STEP_TEXT[step],
        "possible": step in page.next_steps,
    }
    return render(request, "referrals/step_form.html", context)


# ---------------------------------------------------------------------------------------------
# Matching a referral to the register


@personal_data
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Find the person referred on the register (the identity check, on the details the
    referral was sent with) and link the referral to their family's record; or create the
    record and come back here."""
    actor = actor_of(request)
    page = selectors.referral_page(actor, referral_id)
    found = page.referral
    _require_step(actor, page, StepKind.MATCHED, now=True)
    returned = request.POST.get("returned") or request.GET.get("family", "")
    if returned.isdigit():
        # Back from creating the family's record: choose the person among its members.
        family = family_for_update(actor, int(returned))
        member_form = ChooseMemberForm(_posted(request), members=members_of(family))
        if request.method == "POST" and member_form.is_valid():
            linked = _link(request, actor, found, family, member_form.cleaned_data["person"])
            if not isinstance(linked, ValidationError):
                return linked
            apply_validation_error(member_form, linked)
        context = {"referral": found, "family": family, "member_form": member_form}
        return render(request, "referrals/match.html", context)
    matches = identity_matches(
        actor,
        given_name=found.given_name,
        family_name=found.family_name,
        date_of_birth=found.date_of_birth,
        nhs_number=found.nhs_number or None,
    )
    choice = ChooseMatchForm(_posted(request), matches=matches, allow_none=False)
    if request.method == "POST" and choice.is_valid():
        family_found, person = selectors.chosen_match(choice.cleaned_data["match"], matches)
        assert family_found is not None  # "none of these" is not offered here
        assert person is not None
        linked = _link(request, actor, found, family_found, person)
        if not isinstance(linked, ValidationError):
            return linked
        apply_validation_error(choice, linked)
    context = {
        "referral": found,
        "matches": matches,
        "choice": choice,
        "create_url": reverse("families:create") + "?next=" + request.path,
    }
    return render(request, "referrals/match.html", context)


def _link(
    request: HttpRequest, actor: Actor, referral: Referral, family: Family, person: Person
) -> HttpResponse | ValidationError:
    """Match the referral; the action's objection, if it has one."""
    try:
        actions.match(actor=actor, referral=referral, family=family, person=person)
    except ValidationError as error:
        return error
    messages.success(
        request, f"Referral {referral.reference} matched to {person.full_name}'s record"
    )
    return redirect("referrals:referral", referral_id=referral.pk)


# ---------------------------------------------------------------------------------------------
# The dashboard: counts, no one named


@no_personal_data
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """Referrals by service and the age of each queue: counts only."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not selectors.may_see_dashboard(actor):
        raise NotFoundOrNotAllowed
    figures = selectors.dashboard(actor)
    largest = max([figures.largest_band, *(queue.breached for queue in figures.queues)], default=0)
    age_charts = [
        bar_chart(
            f"queue-age-{index}",
            f"{queue.team.name}: referrals waiting for first contact, by working days waiting",
            [
                *(
                    (label, count, BLUE)
                    for label, count in zip(figures.age_bands, queue.bands, strict=True)
                ),
                ("Past target", queue.breached, RED),
            ],
            largest=largest,
        )
        for index, queue in enumerate(figures.queues, start=1)
    ]
    timed = [each for each in figures.services if each.in_time_percent is not None]
    in_time_chart = (
        bar_chart(
            "in-time",
            "Families contacted within the target, by service, in the last 12 months",
            [(each.service.name, each.in_time_percent or 0, BLUE) for each in timed],
            largest=100,
            unit="%",
        )
        if timed
        else None
    )
    context = {
        "figures": figures,
        "age_charts": list(zip(figures.queues, age_charts, strict=True)),
        "in_time_chart": in_time_chart,
        "status_rows": [
            (each, [each.by_status.get(value, 0) for value, _label in figures.statuses])
            for each in figures.services
        ],
    }
    return render(request, "referrals/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# Routing rules: configuration, nobody's personal data


def _rule_editor(request: HttpRequest) -> Actor:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not selectors.may_edit_rules(actor):
        raise NotFoundOrNotAllowed
    return actor


@no_personal_data
@require_http_methods(["GET"])
def routing_rules(request: HttpRequest) -> HttpResponse:
    rules = selectors.routing_rules(_rule_editor(request))
    return render(request, "referrals/routing_rules.html", {"rules": rules})


@no_personal_data
@require_http_methods(["GET", "POST"])
def new_rule(request: HttpRequest) -> HttpResponse:
    actor = _rule_editor(request)
    form = RoutingRuleForm(
        _posted(request),
        services=selectors.services_for_referral(),
        reach_areas=ReachArea.objects.all(),
        teams=selectors.receiving_teams(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule = actions.add_rule(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            message = f"Rule added: it sends referrals to {rule.team.name}"
            if form.is_catch_all:
                message += (
                    ". It has no conditions, so it catches every referral no rule with a "
                    "lower priority number takes"
                )
            messages.success(request, message)
            return redirect("referrals:routing")
    return render(request, "referrals/rule_form.html", {"form": form})


@no_personal_data
@require_http_methods(["POST"])
def remove_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = _rule_editor(request)
    rule = selectors.routing_rules(actor).filter(pk=rule_id).first()
    if rule is None:
        raise NotFoundOrNotAllowed
    actions.remove_rule(actor=actor, rule=rule)
    messages.success(request, f"Rule removed: referrals no longer go to {rule.team.name} by it")
    return redirect("referrals:routing")
