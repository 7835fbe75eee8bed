"""Practitioner pages for the family record. Views parse the request, call a selector or an
action with the actor, and render: no business logic here."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from beststart.accounts.actors import Actor, actor_of
from beststart.core.forms import apply_validation_error
from beststart.families import actions, selectors
from beststart.families.forms import (
    BirthForm,
    EditPersonForm,
    EndInvolvementForm,
    IdentityForm,
    InvolvementForm,
    MemberForm,
    MoveForm,
    NewFamilyForm,
    NoteForm,
    RelationshipForm,
    SearchForm,
)
from beststart.families.models import Family, Person, PersonKind
from beststart.sharing.access import require_record_access
from beststart.sharing.decorators import no_personal_data, personal_data
from beststart.sharing.policy import categories_for, may_share_for_safeguarding, may_use_records


@no_personal_data
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """Practitioners start from their caseload; other roles from what their role is for."""
    actor = getattr(request, "actor", None)
    if actor is not None and may_use_records(actor):
        return redirect("families:caseload")
    return render(request, "families/landing.html")


@personal_data
@require_http_methods(["GET"])
def caseload(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_record_access(actor)
    page = selectors.caseload(actor, request.GET.get("page", 1))
    return render(
        request,
        "families/home.html",
        {
            "page": page,
            "team_families": selectors.team_caseload_size(actor),
            "search_form": SearchForm(),
        },
    )


@personal_data
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Searches are posted, so names and NHS numbers never appear in a URL, a browser's
    history or a server log."""
    actor = actor_of(request)
    require_record_access(actor)
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_valid():
        results = selectors.search_people(actor, form.cleaned_data["q"])
    return render(request, "families/search.html", {"form": form, "results": results})


@personal_data
@require_http_methods(["GET", "POST"])
def create_family(request: HttpRequest) -> HttpResponse:
    """Search before create: check the register first, then create with what was typed."""
    actor = actor_of(request)
    require_record_access(actor)
    return_to = _return_path(request.POST.get("next") or request.GET.get("next", ""))
    step = request.POST.get("step", "check")
    identity_form = IdentityForm(
        request.POST if request.method == "POST" and step == "check" else None
    )
    family_form: NewFamilyForm | None = None
    matches: list[selectors.IdentityMatch] | None = None
    if request.method == "POST" and step == "check" and identity_form.is_valid():
        matches = _identity_matches(actor, identity_form.cleaned_data)
        family_form = NewFamilyForm(
            initial={
                **identity_form.cleaned_data,
                "kind": PersonKind.CHILD if identity_form.cleaned_data.get("date_of_birth") else "",
            }
        )
    elif request.method == "POST" and step == "create":
        family_form = NewFamilyForm(request.POST)
        identity_form = IdentityForm(initial=request.POST)
        if family_form.is_valid():
            matches = _identity_matches(actor, family_form.cleaned_data)
            if matches and not family_form.cleaned_data["confirmed_new"]:
                family_form.add_error(
                    "confirmed_new",
                    "This person may already be on the register. Check the people listed, "
                    "then confirm this is a different person",
                )
            else:
                try:
                    family = actions.create_family(
                        actor=actor,
                        family_name=f"{family_form.cleaned_data['family_name']} family",
                        first_member=family_form.person_details(),
                        address=family_form.address_details(),
                    )
                except ValidationError as error:
                    apply_validation_error(family_form, error)
                else:
                    messages.success(request, "Family record created")
                    if return_to:  # back to where the family was needed (a walk-in)
                        return redirect(f"{return_to}?family={family.pk}")
                    return redirect("families:record", family_id=family.pk)
    return render(
        request,
        "families/create.html",
        {
            "identity_form": identity_form,
            "family_form": family_form,
            "matches": matches,
            "return_to": return_to,
        },
    )


def _return_path(value: str) -> str:
    """A page of this site to go back to after creating a family: a path and nothing else
    (no scheme, host or query), so the redirect cannot leave the site."""
    if re.fullmatch(r"/(?!/)[\w/-]*", value) and url_has_allowed_host_and_scheme(value, None):
        return value
    return ""


def _identity_matches(actor: Actor, data: dict[str, Any]) -> list[selectors.IdentityMatch]:
    return selectors.identity_matches(
        actor,
        given_name=data.get("given_name", ""),
        family_name=data["family_name"],
        date_of_birth=data.get("date_of_birth"),
        nhs_number=data.get("nhs_number") or None,
    )


@personal_data
@require_http_methods(["GET"])
def family_record(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    record = selectors.family_record(actor, family_id)
    context = {
        "record": record,
        "may_share_for_safeguarding": may_share_for_safeguarding(actor).allowed,
    }
    return render(request, "families/record.html", context)


def _save(
    request: HttpRequest,
    form: forms.Form,
    family: Family,
    write: Callable[[], Any],
    message: str | Callable[[Any], str],
) -> HttpResponse | None:
    """On a valid POST, run the action and go back to the record; otherwise None, and the
    page shows the form again with everything typed and any error the action raised."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write()
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, message(result) if callable(message) else message)
    return redirect("families:record", family_id=family.pk)


@personal_data
@require_http_methods(["GET", "POST"])
def add_member(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_update(actor, family_id)
    form = MemberForm(
        request.POST or None,
        adults=selectors.adults_in(family),
        initial={"family_name": family.name.removesuffix(" family")},
    )

    def write() -> Person:
        data = form.cleaned_data
        return actions.add_member(
            actor=actor,
            family=family,
            details=form.person_details(),
            related_adult=data.get("related_adult"),
            relationship_type=data.get("relationship_type", ""),
            has_parental_responsibility=data.get("has_parental_responsibility", False),
        )

    saved = _save(
        request, form, family, write, lambda person: f"{person.full_name} added to the family"
    )
    return saved or render(request, "families/member_form.html", {"form": form, "family": family})


@personal_data
@require_http_methods(["GET", "POST"])
def edit_person(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    family, person = selectors.member_for_update(actor, family_id, person_id)
    form = EditPersonForm(request.POST or None, person=person)
    saved = _save(
        request,
        form,
        family,
        lambda: actions.update_person(
            actor=actor, family=family, person=person, details=form.person_details()
        ),
        "Details updated",
    )
    context = {"form": form, "family": family, "person": person}
    return saved or render(request, "families/edit_person.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def record_birth(request: HttpRequest, family_id: int, person_id: int) -> HttpResponse:
    actor = actor_of(request)
    family, person = selectors.unborn_for_birth(actor, family_id, person_id)
    form = BirthForm(request.POST or None)
    saved = _save(
        request,
        form,
        family,
        lambda: actions.record_birth(
            actor=actor, family=family, person=person, **form.cleaned_data
        ),
        "Birth recorded",
    )
    context = {"form": form, "family": family, "person": person}
    return saved or render(request, "families/birth_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def move_address(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_update(actor, family_id)
    form = MoveForm(request.POST or None)
    saved = _save(
        request,
        form,
        family,
        lambda: actions.move_address(actor=actor, family=family, details=form.address_details()),
        "New address recorded",
    )
    return saved or render(request, "families/move_form.html", {"form": form, "family": family})


@personal_data
@require_http_methods(["GET", "POST"])
def add_involvement(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_update(actor, family_id)
    form = InvolvementForm(request.POST or None)
    saved = _save(
        request,
        form,
        family,
        lambda: actions.add_involvement(actor=actor, family=family, **form.cleaned_data),
        "Involvement added",
    )
    context = {"form": form, "family": family}
    return saved or render(request, "families/involvement_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def add_relationship(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_update(actor, family_id)
    form = RelationshipForm(
        request.POST or None,
        adults=selectors.adults_in(family),
        children=selectors.children_in(family),
    )
    saved = _save(
        request,
        form,
        family,
        lambda: actions.relate(actor=actor, family=family, **form.cleaned_data),
        "Relationship recorded",
    )
    context = {"form": form, "family": family}
    return saved or render(request, "families/relationship_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def end_involvement(request: HttpRequest, family_id: int, involvement_id: int) -> HttpResponse:
    actor = actor_of(request)
    involvement = selectors.involvement_for_update(actor, family_id, involvement_id)
    form = EndInvolvementForm(request.POST or None)
    saved = _save(
        request,
        form,
        involvement.family,
        lambda: actions.end_involvement(
            actor=actor,
            involvement=involvement,
            ended_on=form.cleaned_data["ended_on"],
            end_reason=form.cleaned_data["end_reason"],
        ),
        f"{involvement.team.name} recorded as no longer working with the family",
    )
    context = {"form": form, "family": involvement.family, "involvement": involvement}
    return saved or render(request, "families/end_involvement_form.html", context)


@personal_data
@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, family_id: int) -> HttpResponse:
    actor = actor_of(request)
    family = selectors.family_for_update(actor, family_id)
    form = NoteForm(
        request.POST or None,
        people=selectors.members_of(family),
        categories=categories_for(actor),
    )
    saved = _save(
        request,
        form,
        family,
        lambda: actions.add_note(actor=actor, family=family, **form.cleaned_data),
        "Note added to the chronology",
    )
    return saved or render(request, "families/note_form.html", {"form": form, "family": family})
