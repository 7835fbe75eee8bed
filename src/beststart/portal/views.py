"""Pages for parents and carers, open to anyone: asking for help for the family, and following
the request by the private link they are given. Nobody is signed in, so these views are public
(`login_not_required`) and read only the family's own referral, by the link or the session.

Nothing the family types is logged, and nothing of it goes in a URL."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beststart.core import clock
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.core.forms import apply_validation_error
from beststart.portal import protection
from beststart.portal.forms import SelfReferralForm, ServiceForm
from beststart.referrals import actions, selectors
from beststart.referrals.models import (
    AWAITING_CONTACT,
    DeclineReason,
    Outcome,
    Referral,
    ReferralService,
    Status,
    StepKind,
)
from beststart.sharing.decorators import not_found_response

# What the sent page shows: the referral this browser just sent, or that a robot's was dropped.
SENT_KEY = "portal:self-referral"


# ---------------------------------------------------------------------------------------------
# Asking for help


def _chosen(value: str | None) -> ReferralService | None:
    if not value or not value.isdigit():
        return None
    return selectors.self_referral_services().filter(pk=int(value)).first()


@login_not_required
@require_http_methods(["GET", "POST"])
def self_referral(request: HttpRequest) -> HttpResponse:
    """First the service (a question in the query string), then the request itself."""
    if request.method == "POST":
        return _send(request)
    services = selectors.self_referral_services()
    if "service" in request.GET:
        choice = ServiceForm(request.GET, services=services)
        if choice.is_valid():
            service = choice.cleaned_data["service"]
            form = SelfReferralForm(service=service)
            return _form_page(request, form)
    else:
        choice = ServiceForm(
            initial={"service": _chosen(request.GET.get("change"))}, services=services
        )
    return render(request, "portal/choose_service.html", {"form": choice})


def _send(request: HttpRequest) -> HttpResponse:
    again_at = protection.try_again_at(request)
    if again_at is not None:
        return _too_many(request, again_at)
    service = _chosen(request.POST.get("service"))
    if service is None:  # gone since the page was shown, or never one of ours
        choice = ServiceForm(
            {"service": request.POST.get("service", "")},
            services=selectors.self_referral_services(),
        )
        choice.is_valid()
        return render(request, "portal/choose_service.html", {"form": choice})
    form = SelfReferralForm(request.POST, service=service)
    if form.is_spam:  # the same answer a person gets, and nothing written
        protection.record_sent(request)
        request.session[SENT_KEY] = {"spam": True, "service": service.pk}
        return redirect("portal:self-referral-sent")
    if form.is_valid():
        try:
            referral = actions.submit_self_referral(details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            protection.record_sent(request)
            request.session[SENT_KEY] = {"id": referral.pk, "token": referral.status_token}
            return redirect("portal:self-referral-sent")
    return _form_page(request, form)


def _form_page(request: HttpRequest, form: SelfReferralForm) -> HttpResponse:
    return render(request, "portal/self_referral.html", {"form": form, "service": form.service})


def _too_many(request: HttpRequest, again_at: dt.datetime) -> HttpResponse:
    response = render(request, "portal/too_many.html", {"again_at": again_at}, status=429)
    seconds = max(1, int((again_at - clock.now()).total_seconds()))
    response["Retry-After"] = str(seconds)
    return response


@login_not_required
@require_http_methods(["GET"])
def self_referral_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SENT_KEY)
    if not isinstance(sent, dict):
        return redirect("portal:self-referral")
    referral: Referral | None = None
    if sent.get("spam"):
        service = _chosen(str(sent.get("service", "")))
        team_name = service.team.name if service else ""
        days = service.first_contact_days if service else None
    else:
        try:
            referral = selectors.referral_by_token(str(sent.get("token", "")))
        except NotFoundOrNotAllowed:
            del request.session[SENT_KEY]
            return redirect("portal:self-referral")
        service = referral.service
        team_name, days = referral.team.name, service.first_contact_days
    context = {
        "referral": referral,
        "service": service,
        "team_name": team_name,
        "days": days,
        # The address the family used to reach us, so the link works wherever they are.
        "status_url": request.build_absolute_uri(
            reverse("portal:referral-status", args=[referral.status_token])
        )
        if referral is not None and referral.status_token
        else "",
    }
    response = render(request, "portal/sent.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


# ---------------------------------------------------------------------------------------------
# Following it


# Each step, as the family would say it. Notes that practitioners typed are never shown.
STEP_TEXT = {
    StepKind.SUBMITTED: "You asked for help",
    StepKind.ROUTED: "Sent to {team}",
    StepKind.RECEIVED: "The team opened your request",
    StepKind.INFORMATION_REQUESTED: "The team needs to know more and will contact you",
    StepKind.INFORMATION_GIVEN: "The team has the information it needed",
    StepKind.MATCHED: "Linked to the records services already hold about your family",
    StepKind.ACCEPTED: "The team agreed to help",
    StepKind.DECLINED: "The team cannot help",
    StepKind.CONTACTED: "The team contacted you",
    StepKind.SUPPORT_STARTED: "Your support started",
    StepKind.COMPLETED: "Your support finished",
    StepKind.WITHDRAWN: "Your request was withdrawn",
    StepKind.MERGED: "Joined with another request for the same help",
}

STATUS_TEXT = {
    Status.SUBMITTED: "Waiting for the team to open it",
    Status.RECEIVED: "The team has opened it",
    Status.ACCEPTED: "The team has agreed to help, and will contact you",
    Status.DECLINED: "The team cannot help",
    Status.CONTACTED: "The team has contacted you",
    Status.SUPPORT_STARTED: "Your support has started",
    Status.COMPLETED: "Finished",
    Status.WITHDRAWN: "Withdrawn",
    Status.MERGED: "Joined with another request for the same help",
}

DECLINE_TEXT = {
    DeclineReason.NOT_ELIGIBLE: "This service is not for your family's situation.",
    DeclineReason.WRONG_SERVICE: "Another service would help you better.",
    DeclineReason.ALREADY_SUPPORTED: "Your family already has this support.",
    DeclineReason.NO_CONSENT: "When the team contacted you, you chose not to go ahead.",
    DeclineReason.OUT_OF_AREA: "You live outside the area this service covers.",
}

OUTCOME_TEXT = {
    Outcome.NEED_MET: "The help you asked for was given.",
    Outcome.PARTLY_MET: "Some of the help you asked for was given.",
    Outcome.STEPPED_UP: "A more specialist service is now helping your family.",
    Outcome.DISENGAGED: "The support stopped before it was finished.",
    Outcome.MOVED_AWAY: "Your family moved away from the area.",
}


def _steps(referral: Referral) -> list[tuple[dt.datetime, str]]:
    rows = []
    for step in selectors.steps_of(referral):
        team = step.to_team.name if step.to_team else "a team"
        rows.append((step.occurred_at, STEP_TEXT[StepKind(step.kind)].format(team=team)))
    return rows


def _private(response: HttpResponse) -> HttpResponse:
    """The page's address is its key: never sent on to another site, never indexed."""
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_http_methods(["GET"])
def referral_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        referral = selectors.referral_by_token(token)
    except NotFoundOrNotAllowed:
        return _private(not_found_response(request))
    context = {
        "referral": referral,
        "status_text": STATUS_TEXT[Status(referral.status)],
        "steps": _steps(referral),
        "awaiting_contact": referral.status in AWAITING_CONTACT,
        "decline_text": DECLINE_TEXT.get(DeclineReason(referral.decline_reason))
        if referral.status == Status.DECLINED and referral.decline_reason
        else "",
        "outcome_text": OUTCOME_TEXT.get(Outcome(referral.outcome))
        if referral.status == Status.COMPLETED and referral.outcome
        else "",
    }
    return _private(render(request, "portal/referral_status.html", context))
