"""Pages of the Healthy Child Programme: Reviews due, a child's health page, and recording a
review, immunisations or a death. Views parse the request, call a selector or an action with
the actor, and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import actor_of
from beststart.care import actions, selectors
from beststart.care.actions import RecordedContact, long_date
from beststart.care.forms import ContactForm, DeathForm, ImmunisationForm, WorklistFilterForm
from beststart.care.models import ReviewKind
from beststart.care.schedule import Timing
from beststart.core.forms import apply_validation_error
from beststart.families.models import PersonKind
from beststart.sharing.decorators import personal_data


@personal_data
@require_http_methods(["GET"])
def worklist(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    filters = WorklistFilterForm(request.GET or {"scope": "team"})
    mine, kind = filters.choices()
    result = selectors.worklist(actor, mine=mine, kind=kind, page_number=request.GET.get("page", 1))
    query = urlencode({"scope": "mine" if mine else "team", "kind": kind})
    context = {"worklist": result, "page": result.page, "filters": filters, "query_string": query}
    return render(request, "care/worklist.html", context)


@personal_data
@require_http_methods(["GET"])
def child_health(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    record = selectors.child_health(actor_of(request), family_id, person_id)
    return render(request, "care/child_health.html", {"record": record, "family": record.family})


def _to_health_page(family_id: int, person_id: int) -> HttpResponse:
    return redirect("care:child-health", family_id=family_id, person_id=person_id)


@personal_data
@require_http_methods(["GET", "POST"])
def record_contact(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    target = selectors.child_for_recording(actor, family_id, person_id)
    if target.person.date_of_death is not None:  # nothing more is due: the page says so
        return _to_health_page(family_id, person_id)
    form = ContactForm(
        request.POST or None, target=target, user=actor.user, kind=request.GET.get("kind", "")
    )
    if request.method == "POST" and form.is_valid():
        try:
            recorded = actions.record_contacts(
                actor=actor,
                family=target.family,
                people=list(form.cleaned_data["children"]),
                details=form.details(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _recorded_message(recorded))
            return _to_health_page(family_id, person_id)
    context = {"form": form, "family": target.family, "person": target.person}
    return render(request, "care/contact_form.html", context)


def _recorded_message(recorded: list[RecordedContact]) -> str:
    first = recorded[0]
    what = first.contact.get_kind_display()
    if first.contact.kind == ReviewKind.OTHER:
        what = "Contact"
    names = " and ".join(each.contact.person.full_name for each in recorded)
    message = f"{what} recorded for {names}"
    if first.window is not None and first.timing == Timing.LATE:
        message += f", as late: it was due by {long_date(first.window.due_by)}"
    elif first.window is not None and first.timing == Timing.EARLY:
        message += f", as early: it is due from {long_date(first.window.opens)}"
    return message


@personal_data
@require_http_methods(["GET", "POST"])
def record_immunisation(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    target = selectors.child_for_recording(actor, family_id, person_id)
    person = target.person
    if person.kind == PersonKind.UNBORN or person.date_of_death is not None:
        # Immunisations start at 8 weeks, and stop at a death: the health page says so.
        return _to_health_page(family_id, person_id)
    form = ImmunisationForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            records = actions.record_immunisations(
                actor=actor,
                family=target.family,
                person=person,
                vaccines=data["vaccines"],
                status=data["status"],
                on_date=data["on_date"],
                place=data["place"],
                declined_reason=data["declined_reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            given = records[0].get_status_display().lower()
            count = len(records)
            messages.success(
                request,
                f"{count} immunisation{'s' if count > 1 else ''} recorded as {given} "
                f"for {person.full_name}",
            )
            return _to_health_page(family_id, person_id)
    context = {"form": form, "family": target.family, "person": person}
    return render(request, "care/immunisation_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def record_death(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    target = selectors.child_for_recording(actor, family_id, person_id)
    person = target.person
    if person.date_of_death is not None:
        return _to_health_page(family_id, person_id)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_death(
                actor=actor,
                family=target.family,
                person=person,
                date_of_death=form.cleaned_data["date_of_death"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:  # no "Success" banner for a death: the health page says it, gently
            return _to_health_page(family_id, person_id)
    context = {"form": form, "family": target.family, "person": person}
    return render(request, "care/death_form.html", context)
