"""Fail closed: a personal-data view that answers without asking the policy answers 404.

The first tests use the made-up views of urls_unguarded.py (one forgets the policy, one
redirects, one is unclassified, one asks...). The last ones take every personal-data route of
the real URL configuration in turn, put in its place a view with the same markings that shows
the family's people without asking the policy, and check the request fails closed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.activities.tests.factories import (
    BookingFactory,
    CentreRegistrationFactory,
    MeetingActionFactory,
    MeetingFactory,
    SessionFactory,
)
from beststart.assessments.tests.factories import (
    AssessmentFactory,
    PlanActionFactory,
    PlanFactory,
)
from beststart.families.models import Family, Person, PersonKind
from beststart.families.tests.factories import (
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
)
from beststart.referrals.tests.factories import ReferralFactory, ReferralServiceFactory
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SharingAgreementFactory,
)
from beststart.sharing.tests.test_url_walk import (
    CENTRE_PAGES,
    OTHER_TEAMS_FAMILY_PAGES,
    ROLE_PAGES,
    ROUTES,
    Route,
)
from beststart.sharing.tests.urls_unguarded import LEAKED

pytestmark = pytest.mark.django_db


@pytest.fixture
def _unguarded_urls() -> object:
    with override_settings(ROOT_URLCONF="beststart.sharing.tests.urls_unguarded"):
        yield


@pytest.fixture
def client(signed_in: Client, _unguarded_urls: None) -> Client:
    return signed_in


@pytest.mark.parametrize("path", ["/forgets/", "/unclassified/", "/redirects/"])
def test_a_view_that_does_not_ask_the_policy_is_turned_into_a_404(
    client: Client, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="beststart.sharing.middleware"):
        response = client.get(path)
    assert response.status_code == 404
    assert LEAKED not in response.content.decode()
    assert "Page not found" in response.content.decode()
    assert "Location" not in response
    # The log names the view, never the data.
    assert any("without a policy decision" in record.getMessage() for record in caplog.records)
    assert not any("Penhaligon" in record.getMessage() for record in caplog.records)


def test_an_error_answer_needs_no_decision(client: Client) -> None:
    assert client.get("/refuses/").status_code == 400


def test_a_view_declared_without_personal_data_answers(client: Client) -> None:
    response = client.get("/declared/")
    assert response.status_code == 200
    assert response.content == b"About this service"


def test_a_view_that_asks_the_policy_answers_as_the_policy_says(
    client: Client, client_for: Callable[[Actor], Client], team: Team
) -> None:
    assert client.get("/asks/").status_code == 200
    commissioner = client_for(make_actor(Role.COMMISSIONER, team))
    assert commissioner.get("/asks/").status_code == 404


@pytest.mark.usefixtures("_unguarded_urls")
def test_public_pages_need_neither_sign_in_nor_a_decision() -> None:
    assert Client().get("/public/").status_code == 200
    anonymous = Client().get("/forgets/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/sign-in/")


@pytest.mark.usefixtures("_unguarded_urls")
def test_a_signed_in_user_with_no_active_role_gets_404_from_personal_data_views(
    actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    actor.membership.is_active = False
    actor.membership.save()
    response = client_for(actor).get("/asks/")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Every personal-data route of the real site, with a view that never asks


PERSONAL_ROUTES = [route for route in ROUTES if route.personal]
# Shows the people through the real layout, so that anything the layout asks (the navigation,
# the actor's details) is asked too: none of it may count as the page's decision.
SHOWS_PEOPLE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}'
    "{% for person in people %}<p>{{ person.full_name }} {{ person.nhs_number }}</p>{% endfor %}"
    "{% endblock %}"
)


def _pattern_of(view: Callable[..., Any], patterns: list[Any]) -> URLPattern | None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found = _pattern_of(view, entry.url_patterns)
            if found is not None:
                return found
        elif entry.callback is view:
            return entry
    return None


def _people(family_id: int | None) -> list[Person]:
    people = Person.objects.all()
    return list(people.filter(memberships__family_id=family_id) if family_id else people)


def _shows_people(original: Callable[..., Any], called: list[str]) -> Callable[..., Any]:
    @functools.wraps(original)  # the same markings: personal data, sign-in required
    def view(request: HttpRequest, family_id: int | None = None, **ids: int) -> HttpResponse:
        called.append(request.method or "")
        context = {"people": _people(family_id)}
        return HttpResponse(SHOWS_PEOPLE.render(context, request))

    return view


def _redirects_with_a_name(original: Callable[..., Any], called: list[str]) -> Callable[..., Any]:
    @functools.wraps(original)
    def view(request: HttpRequest, family_id: int | None = None, **ids: int) -> HttpResponse:
        called.append(request.method or "")
        return HttpResponseRedirect(f"/search/?q={_people(family_id)[0].family_name}")

    return view


@pytest.fixture
def household(actor: Actor) -> Family:
    """A family the health visitor's team works with, expecting a baby."""
    family = family_with_people(team=actor.team, practitioner=actor.user, surname="Tregothnan")
    FamilyMemberFactory(family=family, person=PersonFactory(unborn=True, family_name="Tregothnan"))
    return family


def _url(route: Route, family: Family, centre: Centre | None = None) -> str:
    ids = {
        **(centre.ids if centre else {}),
        "family_id": family.pk,
        "person_id": family.members.get(kind=PersonKind.UNBORN).pk,
        "involvement_id": family.involvements.earliest("id").pk,  # the lead's
        "consent_id": ConsentFactory(person=family.members.get(kind=PersonKind.PARENT)).pk,
        "access_id": BreakGlassAccessFactory(family=family).pk,
        "agreement_id": SharingAgreementFactory().pk,
        **_meeting_ids(family),
        **_referral_ids(family),
        **_assessment_ids(family),
    }
    return reverse(route.name, kwargs={name: ids[name] for name in route.kwargs})


def _who(route: Route, actor: Actor, team: Team) -> Actor:
    """Someone the real view lets in, so that only the substitution can explain a 404."""
    if route.name in OTHER_TEAMS_FAMILY_PAGES:  # break-glass: a team not working with them
        return make_actor(Role.HEALTH_VISITOR)
    roles = ROLE_PAGES.get(route.name)
    return make_actor(sorted(roles)[0], team) if roles else actor


def test_every_personal_data_route_of_the_site_is_found() -> None:
    names = {route.name for route in PERSONAL_ROUTES}
    assert {"families:record", "families:caseload", "families:search", "audit:query"} <= names
    for route in PERSONAL_ROUTES:
        assert _pattern_of(route.view, get_resolver("beststart.urls").url_patterns), route.name


@pytest.mark.parametrize("substitute", [_shows_people, _redirects_with_a_name])
@pytest.mark.parametrize("route", PERSONAL_ROUTES, ids=lambda route: route.name)
def test_every_personal_data_route_fails_closed_when_its_view_never_asks_the_policy(
    route: Route,
    substitute: Callable[..., Callable[..., Any]],
    actor: Actor,
    team: Team,
    household: Family,
    client_for: Callable[[Actor], Client],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    centre = _centre(household) if route.name in CENTRE_PAGES else None
    url = _url(route, household, centre)
    client = client_for(centre.worker if centre else _who(route, actor, team))
    assert client.get(url).status_code in (200, 302), "the real view lets this user in"
    markers = [
        text for person in Person.objects.all() for text in (person.full_name, person.nhs_number)
    ]
    pattern = _pattern_of(route.view, get_resolver("beststart.urls").url_patterns)
    called: list[str] = []
    monkeypatch.setattr(pattern, "callback", substitute(route.view, called))

    with caplog.at_level(logging.ERROR, logger="beststart.sharing.middleware"):
        answers = [client.get(url), client.post(url, {})]

    assert called == ["GET", "POST"], "the substitute answered"
    for response in answers:
        assert response.status_code == 404
        assert "Location" not in response
        body = response.content.decode()
        assert "Page not found" in body
        assert not any(marker and marker in body for marker in markers)
    messages = [record.getMessage() for record in caplog.records]
    assert (
        messages
        == [f"personal-data view {route.name} answered without a policy decision; refused"] * 2
    )


# Family Matters


def _meeting_ids(family: Family) -> dict[str, int]:
    """A meeting of the family's health visiting team with a centre's, and an action agreed
    at it, owned by the family's lead practitioner: the health visitor the real view lets in."""
    involvement = family.involvements.earliest("id")  # the health visitors', made first
    meeting = MeetingFactory(
        centre_team=TeamFactory(organisation=OrganisationFactory(type=OrganisationType.FAMILY_HUB)),
        health_team=involvement.team,
    )
    action = MeetingActionFactory(
        meeting=meeting, family=family, team=involvement.team, owner=involvement.practitioner
    )
    return {"meeting_id": meeting.pk, "action_id": action.pk}


# ---------------------------------------------------------------------------------------------
# Centres: a family hub worker whose team works with the household, and the centre's ids.


@dataclass
class Centre:
    worker: Actor
    ids: dict[str, int]


# Referrals: one in the queue of the family's health visiting team, the team of the actor the
# real view lets in, and a step that team may take on it.


def _referral_ids(family: Family) -> dict[str, Any]:
    team = family.involvements.earliest("id").team
    referral = ReferralFactory(service=ReferralServiceFactory(team=team))
    return {"referral_id": referral.pk, "step": "info_requested"}


def _assessment_ids(family: Family) -> dict[str, Any]:
    team = family.involvements.earliest("id").team
    child = family.members.get(kind=PersonKind.UNBORN)
    draft = AssessmentFactory(family=family, person=child, team=team)
    plan = PlanFactory(family=family, team=team)
    return {
        "assessment_id": draft.pk,
        "plan_id": plan.pk,
        "plan_action_id": PlanActionFactory(plan=plan).pk,
    }


def _centre(family: Family) -> Centre:
    hubs = OrganisationFactory(type=OrganisationType.FAMILY_HUB)
    team = TeamFactory(organisation=hubs)
    worker = make_actor(Role.FAMILY_HUB_WORKER, team)
    InvolvementFactory(family=family, team=team)
    session = SessionFactory(programme__team=team)
    return Centre(
        worker=worker,
        ids={
            "session_id": session.pk,
            "booking_id": BookingFactory(session=session, family=family).pk,
            "registration_id": CentreRegistrationFactory(family=family, team=team).pk,
        },
    )
