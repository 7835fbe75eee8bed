"""Pages for consent and information sharing. Views parse the request, call a selector or an
action with the actor, and render: no business logic here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import actor_of
from beststart.core.forms import apply_validation_error
from beststart.families.models import Family
from beststart.families.selectors import adults_in, family_for_update
from beststart.sharing import actions, selectors
from beststart.sharing.decorators import personal_data
from beststart.sharing.forms import (
    AgreementForm,
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentForm,
    EndAgreementForm,
    SafeguardingShareForm,
    SubjectAccessForm,
    WithdrawConsentForm,
)
from beststart.sharing.policy import BREAK_GLASS_HOURS

# Consent, who can see the family and why, access logs

# What the check-answers page carries back to the form or on to the action: everything the
# practitioner chose, in the POST body, never in the URL.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "step"})


@personal_data
@require_http_methods(["GET"])
def sharing_overview(request: HttpRequest, family_id: int) -> HttpResponse:
    overview = selectors.sharing_overview(actor_of(request), family_id)
    return render(request, "sharing/consent_overview.html", {"overview": overview})


@personal_data
@require_http_methods(["GET", "POST"])
def record_consent(request: HttpRequest, family_id: int) -> HttpResponse:
    """The form, then "Check your answers" (its Change buttons post everything back to the
    form), then the record and a confirmation page."""
    actor = actor_of(request)
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
            apply_validation_error(form, error)
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
    detail = selectors.consent_detail(actor_of(request), family_id, consent_id)
    return render(request, "sharing/consent_recorded.html", {"detail": detail})


@personal_data
@require_http_methods(["GET"])
def consent(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    detail = selectors.consent_detail(actor_of(request), family_id, consent_id)
    return render(request, "sharing/consent_detail.html", {"detail": detail})


@personal_data
@require_http_methods(["GET", "POST"])
def withdraw_consent(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    actor = actor_of(request)
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
            apply_validation_error(form, error)
        else:
            messages.success(request, "Consent withdrawn: from now on, it allows no sharing")
            return redirect("sharing:overview", family_id=family_id)
    return render(
        request, "sharing/consent_withdraw.html", {"withdrawal": withdrawal, "form": form}
    )


@personal_data
@require_http_methods(["GET"])
def access_log(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    log = selectors.access_log(actor_of(request), family_id, person_id, request.GET.get("page", 1))
    return render(request, "sharing/consent_access_log.html", {"log": log})


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews

Written = TypeVar("Written")


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _submit(request: HttpRequest, form: forms.Form, write: Callable[[], Written]) -> Written | None:
    """On a valid POST, the action's result; otherwise None, and the page shows the form
    again with everything typed and any error the action raised."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


@personal_data
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family, already_open = selectors.family_for_break_glass(actor, family_id)
    if already_open:
        return redirect("families:record", family_id=family.pk)
    form = BreakGlassForm(_posted(request))
    started = _submit(
        request,
        form,
        lambda: actions.start_break_glass(actor=actor, family=family, **form.cleaned_data),
    )
    if started:
        return redirect("families:record", family_id=family.pk)
    context = {"form": form, "family_id": family.pk, "hours": BREAK_GLASS_HOURS}
    return render(request, "sharing/breakglass_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def new_safeguarding_share(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_safeguarding_share(actor, family_id)
    form = SafeguardingShareForm(
        _posted(request),
        actor=actor,
        members=selectors.members_of(family),
        approvers=selectors.safeguarding_approvers(actor),
    )
    if _submit(
        request,
        form,
        lambda: actions.record_safeguarding_share(
            actor=actor, family=family, details=form.details()
        ),
    ):
        messages.success(request, "Safeguarding share recorded")
        return redirect("families:record", family_id=family.pk)
    return render(request, "sharing/safeguarding_form.html", {"form": form, "family": family})


@personal_data
@require_http_methods(["GET"])
def privacy_home(request: HttpRequest) -> HttpResponse:
    reviews = selectors.break_glass_reviews(actor_of(request))
    return render(request, "sharing/privacy_home.html", {"reviews": reviews})


@personal_data
@require_http_methods(["GET", "POST"])
def review_break_glass(request: HttpRequest, access_id: int) -> HttpResponse:
    actor = actor_of(request)
    detail = selectors.break_glass_access(actor, access_id)
    form = BreakGlassReviewForm(_posted(request))
    reviewed = _submit(
        request,
        form,
        lambda: actions.review_break_glass(actor=actor, access=detail.access, **form.cleaned_data),
    )
    if reviewed:
        messages.success(
            request,
            f"{reviewed.reference} reviewed: {reviewed.get_review_outcome_display().lower()}",
        )
        return redirect("sharing:privacy-home")
    return render(request, "sharing/privacy_review.html", {"detail": detail, "form": form})


@personal_data
@require_http_methods(["GET"])
def agreements(request: HttpRequest) -> HttpResponse:
    rows = selectors.agreements(actor_of(request))
    return render(request, "sharing/agreement_list.html", {"rows": rows})


@personal_data
@require_http_methods(["GET", "POST"])
def new_agreement(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    selectors.require_privacy_officer(actor)
    form = AgreementForm(_posted(request))
    created = _submit(
        request, form, lambda: actions.create_agreement(actor=actor, details=form.details())
    )
    if created:
        messages.success(request, f"Agreement {created.reference} added to the register")
        return redirect("sharing:agreement", agreement_id=created.pk)
    return render(request, "sharing/agreement_form.html", {"form": form})


@personal_data
@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = actor_of(request)
    view = selectors.agreement(actor, agreement_id)
    form = EndAgreementForm(_posted(request))
    ended = _submit(
        request,
        form,
        lambda: actions.end_agreement(
            actor=actor, agreement=view.agreement, ends_on=form.cleaned_data["ends_on"]
        ),
    )
    if ended:
        messages.success(request, f"Agreement {ended.reference} ends on {ended.ends_on:%-d %B %Y}")
        return redirect("sharing:agreement", agreement_id=ended.pk)
    return render(request, "sharing/agreement_detail.html", {"view": view, "form": form})


# Subject access and record exports


@personal_data
@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find the person a subject access request is about. Posted, never in a URL."""
    actor = request.actor  # type: ignore[attr-defined]
    selectors.require_subject_access(actor)
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        person_id = selectors.find_subject(actor, **form.cleaned_data)
        if person_id is not None:
            return redirect("sharing:subject-access-person", person_id=person_id)
        form.not_on_register()
    return render(request, "sharing/export_find.html", {"form": form})


@personal_data
@require_http_methods(["GET"])
def subject_access_person(request: HttpRequest, person_id: int) -> HttpResponse:
    export = selectors.subject_access_export(request.actor, person_id)  # type: ignore[attr-defined]
    return render(request, "sharing/export_person.html", {"export": export})


@personal_data
@require_http_methods(["GET"])
def subject_access_json(request: HttpRequest, person_id: int) -> HttpResponse:
    export = selectors.subject_access_export(request.actor, person_id)  # type: ignore[attr-defined]
    return _download(export)


@personal_data
@require_http_methods(["GET"])
def family_export(request: HttpRequest, family_id: int) -> HttpResponse:
    export = selectors.family_export(request.actor, family_id)  # type: ignore[attr-defined]
    return _download(export)


def _download(export: selectors.RecordExport) -> JsonResponse:
    response = JsonResponse(export.as_json(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
