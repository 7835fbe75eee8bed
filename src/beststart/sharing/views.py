"""Pages for consent and information sharing. Views parse the request, call a selector or an
action with the actor, and render: no business logic here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from beststart.families.models import Family
from beststart.families.selectors import adults_in, family_for_update
from beststart.families.views import _actor, _apply_validation_error
from beststart.sharing import actions, selectors
from beststart.sharing.decorators import personal_data
from beststart.sharing.forms import ConsentForm, WithdrawConsentForm

# Consent, who can see the family and why, access logs

# What the check-answers page carries back to the form or on to the action: everything the
# practitioner chose, in the POST body, never in the URL.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "step"})


@personal_data
@require_http_methods(["GET"])
def sharing_overview(request: HttpRequest, family_id: int) -> HttpResponse:
    overview = selectors.sharing_overview(_actor(request), family_id)
    return render(request, "sharing/consent_overview.html", {"overview": overview})


@personal_data
@require_http_methods(["GET", "POST"])
def record_consent(request: HttpRequest, family_id: int) -> HttpResponse:
    """The form, then "Check your answers" (its Change buttons post everything back to the
    form), then the record and a confirmation page."""
    actor = _actor(request)
    family = family_for_update(actor, family_id)
    form = ConsentForm(
        request.POST or None,
        members=selectors.family_members(family),
        adults=adults_in(family),
        organisations=selectors.organisations_involved(family).order_by("name"),
    )
    step = request.POST.get("step", "check")
    if request.method == "POST" and step != "change" and form.is_valid():
        try:
            if step == "confirm":
                consent = actions.record_consent(actor=actor, family=family, **form.terms())
                return redirect(
                    "sharing:consent-recorded", family_id=family.pk, consent_id=consent.pk
                )
            actions.check_consent(family, form.terms())
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            return _check_answers(request, form, family)
    return render(request, "sharing/consent_form.html", {"form": form, "family": family})


def _check_answers(request: HttpRequest, form: ConsentForm, family: Family) -> HttpResponse:
    """The answers in words, and everything posted, carried on in hidden inputs."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_CARRIED
        for value in values
    ]
    context = {"form": form, "family": family, "carried": carried}
    return render(request, "sharing/consent_check.html", context)


@personal_data
@require_http_methods(["GET"])
def consent_recorded(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    detail = selectors.consent_detail(_actor(request), family_id, consent_id)
    return render(request, "sharing/consent_recorded.html", {"detail": detail})


@personal_data
@require_http_methods(["GET"])
def consent(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    detail = selectors.consent_detail(_actor(request), family_id, consent_id)
    return render(request, "sharing/consent_detail.html", {"detail": detail})


@personal_data
@require_http_methods(["GET", "POST"])
def withdraw_consent(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    actor = _actor(request)
    withdrawal = selectors.consent_withdrawal(actor, family_id, consent_id)
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_consent(
                actor=actor,
                family=withdrawal.detail.family,
                consent=withdrawal.detail.consent,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, "Consent withdrawn: from now on, it allows no sharing")
            return redirect("sharing:overview", family_id=family_id)
    return render(
        request, "sharing/consent_withdraw.html", {"withdrawal": withdrawal, "form": form}
    )


@personal_data
@require_http_methods(["GET"])
def access_log(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    log = selectors.access_log(_actor(request), family_id, person_id, request.GET.get("page", 1))
    return render(request, "sharing/consent_access_log.html", {"log": log})


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access and record exports
