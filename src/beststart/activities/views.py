"""Pages for children's centre activity. Views parse the request, call a selector or an action
with the actor, and render: no business logic here. Two sections: programmes, sessions, bookings and
registers; then Family Matters meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import Actor, actor_of
from beststart.activities import actions, selectors
from beststart.activities.forms import (
    ChooseFamilyForm,
    EndRegistrationForm,
    MarkDoneForm,
    MeetingActionForm,
    MeetingNoteForm,
    PlanMeetingForm,
    ProgrammeForm,
    RegisterForm,
    RegistrationForm,
    SessionForm,
    WalkInForm,
    family_label,
)
from beststart.activities.models import BookingStatus, Meeting
from beststart.core.forms import apply_validation_error
from beststart.families.forms import IdentityForm, SearchForm
from beststart.families.models import Family
from beststart.families.selectors import search_people
from beststart.sharing.decorators import personal_data

# Programmes, sessions, bookings and registers


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


def _week(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@personal_data
@require_http_methods(["GET"])
def sessions(request: HttpRequest) -> HttpResponse:
    """The team's sessions this week (or another week) and in the weeks coming up."""
    week = selectors.session_week(actor_of(request), _week(request.GET.get("week")))
    return render(request, "activities/session_list.html", {"week": week})


@personal_data
@require_http_methods(["GET", "POST"])
def new_programme(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    selectors.require_centre(actor)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = actions.create_programme(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{programme.name} added")
            return redirect("activities:sessions")
    return render(request, "activities/programme_form.html", {"form": form})


@personal_data
@require_http_methods(["GET", "POST"])
def new_session(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    programmes = selectors.programmes(actor)
    form = SessionForm(
        request.POST or None, programmes=programmes, staff=selectors.team_staff(actor)
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.add_session(actor=actor, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Session added")
            return redirect("activities:session", session_id=session.pk)
    context = {"form": form, "has_programmes": programmes.exists()}
    return render(request, "activities/session_form.html", context)


@personal_data
@require_http_methods(["GET"])
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    detail = selectors.session_detail(actor_of(request), session_id)
    return render(request, "activities/session_detail.html", {"detail": detail})


# ---------------------------------------------------------------------------------------------
# Bookings and the waiting list


def _booked_message(booking: Any) -> str:
    name = booking.family.name
    if booking.status == BookingStatus.BOOKED:
        return f"The {name} is booked on the session"
    position = selectors.waiting_position(booking)
    return (
        f"The session is full: the {name} is on the waiting list, number {position}. "
        "They will be offered the first place that comes free."
    )


@personal_data
@require_http_methods(["GET", "POST"])
def book_family(request: HttpRequest, session_id: int) -> HttpResponse:
    """Find a family the team works with (search before create), then book them."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    step = request.POST.get("step", "search")
    search_form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    problem = ""
    if request.method == "POST" and step == "book":
        choice = ChooseFamilyForm(request.POST)
        if choice.is_valid():
            family = selectors.family_for_booking(actor, choice.cleaned_data["family"])
            try:
                booking = actions.book(actor=actor, session=session, family=family)
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                messages.success(request, _booked_message(booking))
                return redirect("activities:session", session_id=session.pk)
    if search_form.is_valid():
        results = search_people(actor, search_form.cleaned_data["q"])
    context = {"session": session, "form": search_form, "results": results, "problem": problem}
    return render(request, "activities/session_book.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def cancel_booking(request: HttpRequest, session_id: int, booking_id: int) -> HttpResponse:
    actor = actor_of(request)
    booking = selectors.booking_for_update(actor, session_id, booking_id)
    problem = ""
    if request.method == "POST":
        try:
            cancelled = actions.cancel_booking(actor=actor, booking=booking)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            message = f"Booking for the {booking.family.name} cancelled."
            if cancelled.promoted is not None:
                message += (
                    f" The place has gone to the {cancelled.promoted.family.name}, "
                    "first on the waiting list."
                )
            messages.success(request, message)
            return redirect("activities:session", session_id=session_id)
    context = {"booking": booking, "session": booking.session, "problem": problem}
    return render(request, "activities/session_cancel.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def family_sessions(request: HttpRequest, family_id: int) -> HttpResponse:
    """From the family record: the centre's coming sessions, to book the family on one."""
    actor = actor_of(request)
    family = selectors.family_for_booking(actor, family_id)
    problem = ""
    if request.method == "POST":
        chosen = request.POST.get("session", "")
        if not chosen.isdigit():
            problem = "Choose a session to book"
        else:
            session = selectors.session_for(actor, int(chosen))
            try:
                booking = actions.book(actor=actor, session=session, family=family)
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                messages.success(request, _booked_message(booking))
                return redirect("activities:family-sessions", family_id=family.pk)
    context = {
        "family": family,
        "sessions": selectors.bookable_sessions(actor, family),
        "problem": problem,
    }
    return render(request, "activities/session_book_family.html", context)


# ---------------------------------------------------------------------------------------------
# The register


@personal_data
@require_http_methods(["GET", "POST"])
def take_register(request: HttpRequest, session_id: int) -> HttpResponse:
    """The whole register on one page, saved in one post; saving it again changes nothing."""
    actor = actor_of(request)
    register = selectors.register(actor, session_id)
    if request.method == "POST" and register.is_open:
        form = RegisterForm(register, request.POST)
        saved = actions.save_register(
            actor=actor, session=register.session, shown=form.shown, attended=form.attended
        )
        message = f"Register saved: {saved.attended} {_families(saved.attended)} attended"
        if saved.removed:
            message += f" ({saved.removed} taken off the register)"
        messages.success(request, message)
        return redirect("activities:register", session_id=session_id)
    return render(request, "activities/register_form.html", {"register": register})


def _families(count: int) -> str:
    return "family" if count == 1 else "families"


@personal_data
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest, session_id: int) -> HttpResponse:
    """A family who walked in: check the register for them (search before create), add the
    family found, or create their record and come back here."""
    actor = actor_of(request)
    session = selectors.session_for(actor, session_id)
    step = request.POST.get("step", "check") if request.method == "POST" else ""
    identity_form = IdentityForm(request.POST if step in ("check", "add") else None)
    choice = WalkInForm(request.POST if step in ("add", "returned") else None)
    matches: list[selectors.WalkInMatch] | None = None
    returned = None
    if request.method == "GET" and request.GET.get("family", "").isdigit():
        # Back from creating the family's record: the team now works with them.
        returned = selectors.walk_in_family(actor, int(request.GET["family"]), found=())
    if identity_form.is_bound and identity_form.is_valid():
        matches = _walk_in_matches(actor, session, identity_form.cleaned_data)
    if step == "add" and matches is not None and choice.is_valid():
        family = selectors.walk_in_family(
            actor,
            choice.cleaned_data["family"],
            found=[match.family_id for match in matches],
        )
        response = _add_walk_in(request, actor, session, family, choice)
        if response is not None:
            return response
    elif step == "returned" and choice.is_valid():
        family = selectors.walk_in_family(actor, choice.cleaned_data["family"], found=())
        response = _add_walk_in(request, actor, session, family, choice)
        if response is not None:
            return response
        returned = family
    create_url = reverse("families:create") + "?next=" + request.path
    context = {
        "session": session,
        "identity_form": identity_form,
        "choice": choice,
        "matches": matches,
        "returned": returned,
        "create_url": create_url,
    }
    return render(request, "activities/register_walk_in.html", context)


def _walk_in_matches(
    actor: Actor, session: Any, data: dict[str, Any]
) -> list[selectors.WalkInMatch]:
    return selectors.walk_in_matches(
        actor,
        session,
        given_name=data.get("given_name", ""),
        family_name=data["family_name"],
        date_of_birth=data.get("date_of_birth"),
        nhs_number=data.get("nhs_number") or None,
    )


def _add_walk_in(
    request: HttpRequest, actor: Actor, session: Any, family: Any, choice: WalkInForm
) -> HttpResponse | None:
    try:
        added = actions.add_walk_in(
            actor=actor,
            session=session,
            family=family,
            in_person=choice.cleaned_data["in_person"],
        )
    except ValidationError as error:
        apply_validation_error(choice, error)
        return None
    message = f"The {family.name} is on the register"
    if added.newly_registered:
        message += f" and registered with {actor.team.name}"
    messages.success(request, message)
    return redirect("activities:register", session_id=session.pk)


# ---------------------------------------------------------------------------------------------
# Registration with a centre


@personal_data
@require_http_methods(["GET"])
def registered_families(request: HttpRequest) -> HttpResponse:
    families = selectors.registered_families(actor_of(request), request.GET.get("page", 1))
    return render(request, "activities/centre_families.html", {"registered": families})


@personal_data
@require_http_methods(["GET", "POST"])
def register_family(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_booking(actor, family_id)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_family(actor=actor, family=family, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Registered with {actor.team.name}")
            return redirect("families:record", family_id=family.pk)
    context = {"form": form, "family": family}
    return render(request, "activities/centre_register.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def end_registration(request: HttpRequest, family_id: int, registration_id: int) -> HttpResponse:
    actor = actor_of(request)
    registration = selectors.registration_for_update(actor, family_id, registration_id)
    form = EndRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_registration(
                actor=actor, registration=registration, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Registration with {actor.team.name} ended")
            return redirect("families:record", family_id=family_id)
    context = {"form": form, "family": registration.family, "registration": registration}
    return render(request, "activities/centre_end_registration.html", context)


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
