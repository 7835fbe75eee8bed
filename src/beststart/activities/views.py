"""Pages for children's centre activity. Views parse the request, call a selector or an action
with the actor, and render: no business logic here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import actor_of
from beststart.activities import actions, selectors
from beststart.activities.forms import (
    MarkDoneForm,
    MeetingActionForm,
    MeetingNoteForm,
    PlanMeetingForm,
    family_label,
)
from beststart.activities.models import Meeting
from beststart.core.forms import apply_validation_error
from beststart.families.models import Family
from beststart.sharing.decorators import personal_data

# Family Matters meetings


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _back_to_meeting(
    request: HttpRequest,
    form: forms.Form,
    meeting: Meeting,
    write: Callable[[], Any],
    message: Callable[[Any], str],
) -> HttpResponse | None:
    """On a valid POST, run the action and go back to the meeting, at the family it was
    about, with a success banner; otherwise None, and the page shows the form again with
    everything typed and any error the action raised."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        written = write()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, message(written))
    url = reverse("activities:meeting", kwargs={"meeting_id": meeting.pk})
    return redirect(f"{url}#family-{written.family_id}")


def _chosen_family(request: HttpRequest, families: list[Family]) -> int | None:
    """The family the agenda's link was for (?family=id), if it is on the agenda."""
    wanted = request.GET.get("family", "")
    ids = {family.pk for family in families}
    return int(wanted) if wanted.isdigit() and int(wanted) in ids else None


@personal_data
@require_http_methods(["GET"])
def meetings(request: HttpRequest) -> HttpResponse:
    listing = selectors.meetings(actor_of(request))
    return render(request, "activities/meeting_list.html", {"meetings": listing})


@personal_data
@require_http_methods(["GET", "POST"])
def plan_meeting(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    selectors.require_meetings(actor)
    form = PlanMeetingForm(
        _posted(request), partners=selectors.partner_teams(actor), own=actor.team
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.plan_meeting(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            partner = selectors.partner_of(actor, meeting)
            messages.success(
                request, f"Meeting with {partner.name} on {meeting.held_on:%-d %B %Y} planned"
            )
            return redirect("activities:meeting", meeting_id=meeting.pk)
    return render(request, "activities/meeting_form.html", {"form": form})


@personal_data
@require_http_methods(["GET"])
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    agenda = selectors.agenda(actor_of(request), meeting_id)
    return render(request, "activities/meeting_detail.html", {"agenda": agenda})


@personal_data
@require_http_methods(["GET", "POST"])
def add_meeting_note(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = selectors.meeting_for(actor, meeting_id)
    families = list(selectors.agenda_families(actor, meeting))
    form = MeetingNoteForm(
        _posted(request), families=families, initial={"family": _chosen_family(request, families)}
    )
    saved = _back_to_meeting(
        request,
        form,
        meeting,
        lambda: actions.add_meeting_note(actor=actor, meeting=meeting, **form.cleaned_data),
        lambda note: f"Note added for the {note.family.name}",
    )
    if saved:
        return saved
    selectors.audit_listed(actor, families)
    context = {"form": form, "meeting": meeting, "families": families}
    return render(request, "activities/meeting_note_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def add_meeting_action(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = selectors.meeting_for(actor, meeting_id)
    families = list(selectors.agenda_families(actor, meeting))
    form = MeetingActionForm(
        _posted(request),
        families=families,
        meeting=meeting,
        owners=selectors.owners_for(meeting),
        actor_user=actor.user,
        initial={"family": _chosen_family(request, families)},
    )
    saved = _back_to_meeting(
        request,
        form,
        meeting,
        lambda: actions.add_meeting_action(actor=actor, meeting=meeting, **form.cleaned_data),
        lambda action: f"Action added for the {action.family.name}",
    )
    if saved:
        return saved
    selectors.audit_listed(actor, families)
    context = {"form": form, "meeting": meeting, "families": families}
    return render(request, "activities/meeting_action_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def mark_action_done(request: HttpRequest, meeting_id: int, action_id: int) -> HttpResponse:
    actor = actor_of(request)
    meeting, view = selectors.action_for_update(actor, meeting_id, action_id)
    form = MarkDoneForm(_posted(request))
    saved = _back_to_meeting(
        request,
        form,
        meeting,
        lambda: actions.mark_action_done(
            actor=actor, action=view.action, done_on=form.cleaned_data["done_on"]
        ),
        lambda action: f"Action for the {action.family.name} marked done",
    )
    if saved:
        return saved
    context = {
        "form": form,
        "meeting": meeting,
        "view": view,
        "family_label": family_label(view.action.family),
    }
    return render(request, "activities/meeting_action_done.html", context)
