"""Every URL, as every role and as nobody: the policy holds at every endpoint.

The walk enumerates the URL patterns of beststart.urls (a new page is walked without anyone
remembering to add it), fills their ids from a family the actor's team works with, from one it
does not, and from a mix of the two, and requests each with GET and POST."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from beststart.accounts.models import OrganisationType, Role, Team, User
from beststart.accounts.tests.factories import (
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    make_actor,
)
from beststart.activities.tests.factories import (
    AttendanceFactory,
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
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.models import Family, Involvement, PersonKind
from beststart.families.tests.factories import (
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
)
from beststart.referrals.selectors import DASHBOARD_ROLES, RULE_EDITORS
from beststart.referrals.tests.factories import (
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
)
from beststart.sharing.models import Consent
from beststart.sharing.policy import PRACTITIONER_ROLES, ROLE_CATEGORIES, SAFEGUARDING_ROLES
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SharingAgreementFactory,
)

pytestmark = pytest.mark.django_db

# (page, method, signed in) -> status
PUBLIC_STATUS = {
    ("healthz", "GET", False): 200,
    ("healthz", "GET", True): 200,
    ("healthz", "POST", False): 405,
    ("healthz", "POST", True): 405,
    ("accounts:sign-in", "GET", False): 200,
    ("accounts:sign-in", "GET", True): 302,  # already signed in: to the home page
    ("accounts:sign-in", "POST", False): 200,  # the form again, with its errors
    # A parent's or carer's self-referral: the form for anyone; the sent page only after sending.
    ("portal:self-referral", "GET", False): 200,
    ("portal:self-referral", "POST", False): 200,  # the form again, with its errors
    ("portal:self-referral-sent", "GET", False): 302,  # nothing sent yet: to the form
    ("portal:referral-status", "GET", False): 404,  # a link no referral has
    ("portal:referral-status", "GET", True): 404,
    # The API for partner systems: a key, never a session, so a session is no key (401).
    ("api:referrals", "POST", False): 401,
    ("api:referrals", "POST", True): 401,
    ("api:referral", "GET", False): 401,
    ("api:referral", "GET", True): 401,
    ("api:referral-services", "GET", False): 401,
    ("api:openapi", "GET", False): 200,
}
# The private link of a self-referral's status page: the walk knows none, so it is not found.
TOKEN_KWARGS = {"token": "no-such-referral-link", "reference": "REF-999999"}
# Personal-data pages that, on this request, show no one's data and so write no audit row:
# an empty form before the identity check, and the audit itself (identifiers only, for the
# privacy officer). The walk checks that they really show nobody's details.
SHOWS_NO_RECORD = {
    ("families:create", "GET"),
    ("families:create", "POST"),
    ("families:search", "GET"),  # the empty search form; a search is posted
    # The agreements register: organisations and categories, no one's data.
    ("sharing:agreements", "GET"),
    ("sharing:new-agreement", "GET"),
    ("sharing:new-agreement", "POST"),
    ("sharing:agreement", "GET"),
    ("sharing:agreement", "POST"),
    ("sharing:subject-access", "GET"),  # the empty finder of a subject access request
    ("sharing:subject-access", "POST"),  # the finder again, with its errors
    # Family Matters: the meetings (dates, teams, counts) and the form to plan one.
    ("activities:meetings", "GET"),
    ("activities:plan-meeting", "GET"),
    ("activities:plan-meeting", "POST"),
    ("care:worklist", "GET"),  # Care: nothing due for the walk's families is an empty list
    # Centres: the week's sessions (counts only), the forms before a family is chosen.
    ("activities:sessions", "GET"),
    ("activities:new-programme", "GET"),
    ("activities:new-programme", "POST"),
    ("activities:new-session", "GET"),
    ("activities:new-session", "POST"),
    ("activities:book", "GET"),
    ("activities:book", "POST"),
    ("activities:walk-in", "GET"),
    ("activities:walk-in", "POST"),
    # Referrals: the empty referral form (or its errors), and a queue with nothing in it.
    ("referrals:new", "GET"),
    ("referrals:new", "POST"),
    ("referrals:queue", "GET"),
    # Assessments: the team's work in progress with nothing in it.
    ("assessments:team-work", "GET"),
}
# Care: the Healthy Child Programme's pages are health data, for the roles that see it.
HEALTH_ROLES = frozenset(
    role for role, categories in ROLE_CATEGORIES.items() if DataCategory.HEALTH in categories
)
ROLE_PAGES = {
    "audit:query": {Role.PRIVACY_OFFICER},
    "sharing:subject-access": {Role.PRIVACY_OFFICER},
    "sharing:subject-access-person": {Role.PRIVACY_OFFICER},
    "sharing:subject-access-json": {Role.PRIVACY_OFFICER},
    "sharing:privacy-home": {Role.PRIVACY_OFFICER},
    "sharing:review-break-glass": {Role.PRIVACY_OFFICER},
    "sharing:agreements": {Role.PRIVACY_OFFICER},
    "sharing:new-agreement": {Role.PRIVACY_OFFICER},
    "sharing:agreement": {Role.PRIVACY_OFFICER},
    "care:worklist": HEALTH_ROLES,
}
# Pages about a family the actor's team works with, for some practitioner roles only.
PRACTITIONER_PAGES = {
    "sharing:new-safeguarding-share": SAFEGUARDING_ROLES,
    "care:child-health": HEALTH_ROLES,
    "care:record-contact": HEALTH_ROLES,
    "care:record-immunisation": HEALTH_ROLES,
    "care:record-death": HEALTH_ROLES,
}
# Break-glass is for a family the actor's team does NOT work with, and only for practitioners.
OTHER_TEAMS_FAMILY_PAGES = {"sharing:break-glass"}
# The ids that stand for a family's data; an agreement's id stands for no one's.
FAMILY_KWARGS = {"family_id", "person_id", "involvement_id", "access_id", "consent_id"}
# Family Matters: a meeting of the walk's team with a children's centre's (visible) or of two
# other teams (hidden), and an action agreed at it; pages for the two teams' health
# visitors, centre workers and managers only.
MEETING_KWARGS = {"meeting_id", "action_id"}
MEETING_PAGES = {
    "activities:meetings",
    "activities:plan-meeting",
    "activities:meeting",
    "activities:add-meeting-note",
    "activities:add-meeting-action",
    "activities:meeting-action-done",
}
MEETING_ROLES = {Role.HEALTH_VISITOR, Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER}
# Centres: a family hub's own pages, for its family hub worker and team manager only.
CENTRE_PAGES = {
    "activities:sessions",
    "activities:new-programme",
    "activities:new-session",
    "activities:session",
    "activities:book",
    "activities:cancel-booking",
    "activities:register",
    "activities:walk-in",
    "activities:registered-families",
    "activities:family-sessions",
    "activities:register-family",
    "activities:end-registration",
}
# The ids of a centre's sessions, bookings and registrations: "visible" ones are the walk's
# centre's, about the family its team works with; "hidden" ones another centre's.
CENTRE_KWARGS = {"session_id", "booking_id", "registration_id"}
# People in a family hub's team, which works with the visible family as every walk team does.
CENTRE_IDENTITIES = {
    "centre worker": Role.FAMILY_HUB_WORKER,
    "centre manager": Role.TEAM_MANAGER,
}


def _role(identity: str) -> str:
    return CENTRE_IDENTITIES.get(identity, identity)


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]
    view: Callable[..., Any]

    @property
    def public(self) -> bool:
        return getattr(self.view, "login_required", True) is False

    @property
    def personal(self) -> bool:
        return not self.public and getattr(self.view, "handles_personal_data", True)


def _walk(
    patterns: list[Any], namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in patterns:
        assert isinstance(entry.pattern, RoutePattern), f"{entry.pattern} is not a path()"
        names = kwargs + tuple(entry.pattern.converters)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, names)
        else:
            assert isinstance(entry, URLPattern)
            assert entry.name, f"the URL pattern {entry.pattern} has no name"
            yield Route(f"{namespace}{entry.name}", names, entry.callback)


ROUTES = list(_walk(get_resolver().url_patterns))


def test_the_walk_finds_every_page() -> None:
    names = {route.name for route in ROUTES}
    assert {
        "healthz",
        "accounts:sign-in",
        "accounts:sign-out",
        "families:home",
        "families:caseload",
        "families:search",
        "families:create",
        "families:record",
        "families:add-member",
        "families:edit-person",
        "families:record-birth",
        "families:move-address",
        "families:add-relationship",
        "families:add-involvement",
        "families:end-involvement",
        "audit:query",
        "sharing:break-glass",
        "sharing:new-safeguarding-share",
        "sharing:privacy-home",
        "sharing:review-break-glass",
        "sharing:agreements",
        "sharing:new-agreement",
        "sharing:agreement",
        "sharing:subject-access",
        "sharing:subject-access-person",
        "sharing:subject-access-json",
        "sharing:family-export",
        "sharing:overview",
        "sharing:record-consent",
        "sharing:consent",
        "sharing:consent-recorded",
        "sharing:withdraw-consent",
        "sharing:access-log",
        "care:worklist",
        "care:child-health",
        "care:record-contact",
        "care:record-immunisation",
        "care:record-death",
    } <= names
    assert len(names) == len(ROUTES), "two URL patterns share a name"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_every_view_is_classified(route: Route) -> None:
    """Public (login_not_required), or declared with or without personal data."""
    assert route.public or isinstance(getattr(route.view, "handles_personal_data", None), bool)
    assert not (route.public and getattr(route.view, "handles_personal_data", False))


def test_only_the_expected_pages_are_public_or_free_of_personal_data() -> None:
    """Every other page counts as personal data and is held to the policy. Declaring a new
    page public or free of personal data is a decision this test makes someone look at."""
    assert {route.name for route in ROUTES if route.public} == {
        "healthz",
        "accounts:sign-in",
        "portal:self-referral",
        "portal:self-referral-sent",
        "portal:referral-status",
        "api:referrals",
        "api:referral",
        "api:referral-services",
        "api:openapi",
    }
    assert {route.name for route in ROUTES if not route.public and not route.personal} == {
        "accounts:sign-out",
        "families:home",
        *CONFIGURATION_PAGES,
    }


# ---------------------------------------------------------------------------------------------
# The walk


@dataclass
class Walk:
    team: Team
    users: dict[str, User | None]  # identity -> user (None: anonymous)
    visible: Family
    hidden: Family
    ids: dict[str, dict[str, int]]  # variant -> kwarg -> id
    markers: list[str]  # every family member's name, NHS number and address line


def _ids(family: Family, person_from: Family, involvement_from: Family) -> dict[str, int]:
    # An unborn member where there is one, so that recording a birth has someone to record.
    person = (
        person_from.members.filter(kind=PersonKind.UNBORN).first()
        or person_from.members.order_by("id").first()
    )
    involvement = Involvement.objects.filter(family=involvement_from, ended_on=None).first()
    consent = Consent.objects.filter(person__memberships__family=person_from).first()
    assert person is not None
    assert involvement is not None
    assert consent is not None
    return {
        "family_id": family.pk,
        "person_id": person.pk,
        "involvement_id": involvement.pk,
        "consent_id": consent.pk,
    }


@pytest.fixture
def walk(db: None) -> Walk:
    team = TeamFactory(name="Walk Health Visiting")
    users: dict[str, User | None] = {"anonymous": None}
    for role in Role:
        users[role] = make_actor(role, team).user
    no_role = UserFactory()
    users["signed in, no role"] = no_role
    practitioners = [users[role] for role in Role if role in PRACTITIONER_ROLES]
    visible = family_with_people(team=team, practitioner=practitioners[0], surname="Vistamoor")
    unborn = PersonFactory(unborn=True, family_name="Vistamoor")
    FamilyMemberFactory(family=visible, person=unborn)
    for user in practitioners[1:]:  # everyone has the family on their caseload
        InvolvementFactory(family=visible, team=team, practitioner=user)
    hidden = family_with_people(team=TeamFactory(), surname="Hiddlestane")
    for family in (visible, hidden):  # a consent to open, and to withdraw
        mother = family.members.get(kind=PersonKind.PARENT)
        ConsentFactory(person=mother, recorded_by=practitioners[0], recorded_by_team=team)
    markers = []
    for family in (visible, hidden):
        for person in family.members.all():
            markers.append(person.full_name)
            if person.nhs_number:
                markers += [person.nhs_number, person.nhs_number_display]
        markers += [address.line_1 for address in family.addresses.all()]
    ids = {
        "visible": _ids(visible, visible, visible),
        "hidden": _ids(hidden, hidden, hidden),
        "mixed": _ids(visible, hidden, hidden),
    }
    _meeting_ids(ids, team, practitioners[0])
    for variant, family in (("visible", visible), ("hidden", hidden)):
        # Someone else's emergency access to the family, and an agreement (no one's data).
        ids[variant]["access_id"] = BreakGlassAccessFactory(family=family).pk
        ids[variant]["agreement_id"] = SharingAgreementFactory().pk
    _add_centre(users, visible, hidden, ids)
    _add_referrals(team, ids)
    _add_assessments(team, practitioners[0], visible, hidden, ids)
    return Walk(team=team, users=users, visible=visible, hidden=hidden, ids=ids, markers=markers)


def _variants(route: Route) -> list[str]:
    if not route.kwargs:
        return ["none"]
    unknown = set(route.kwargs) - FAMILY_KWARGS - CENTRE_KWARGS - MEETING_KWARGS - {"agreement_id"}
    unknown -= set(TOKEN_KWARGS) | REFERRAL_KWARGS | set(STEP_KWARGS) | {"rule_id"}
    unknown -= ASSESSMENT_KWARGS
    assert not unknown, f"teach the walk how to fill {unknown} for {route.name}"
    return ["visible", "hidden", "mixed"] if len(route.kwargs) > 1 else ["visible", "hidden"]


def _url(route: Route, variant: str, walk: Walk) -> str:
    slugs = TOKEN_KWARGS | STEP_KWARGS
    kwargs = {name: slugs.get(name) or walk.ids[variant][name] for name in route.kwargs}
    return reverse(route.name, kwargs=kwargs)


def _request(client: Client, user: User | None, method: str, url: str) -> Any:
    if user is not None:
        client.force_login(user)  # again each time: the sign-out page signs out
    if method == "GET":
        return client.get(url)
    # A search posts what to look for; every other form is posted empty.
    return client.post(url, {"q": "Vistamoor"} if url == reverse("families:search") else {})


IDENTITIES = ["anonymous", *Role, "signed in, no role", *CENTRE_IDENTITIES]


def _may_enter(name: str, identity: str, variant: str) -> bool:
    practitioner = _role(identity) in PRACTITIONER_ROLES
    if name in ROLE_PAGES:
        return _role(identity) in ROLE_PAGES[name]
    if name in OTHER_TEAMS_FAMILY_PAGES:
        return practitioner and variant == "hidden"
    if name in PRACTITIONER_PAGES:
        return _role(identity) in PRACTITIONER_PAGES[name] and variant == "visible"
    if name in MEETING_PAGES:
        if variant == "none":  # the list and the planning form: anyone who holds meetings
            return _role(identity) in MEETING_ROLES
        # A meeting of the walk's team: its members only, not the walk's family hub's staff.
        return identity in MEETING_ROLES and variant == "visible"
    if name in CENTRE_PAGES:
        return identity in CENTRE_IDENTITIES and variant in ("visible", "none")
    if name in REFERRAL_PAGES:
        # The parties to a referral: the walk team's queue holds the visible one; triage
        # sees every referral. The walk's family hub is no party to either.
        if identity in CENTRE_IDENTITIES or not practitioner:
            return False
        return variant == "visible" or identity == Role.TRIAGE_OFFICER
    if name in ASSESSMENT_PAGES:
        # The walk team's draft: its own members whose role sees development data; a draft is
        # nobody else's business, the walk's family hub's staff included.
        return identity in ASSESSMENT_PAGES[name] and variant == "visible"
    if name == "families:end-involvement" and identity in CENTRE_IDENTITIES:
        return False  # the walk team's involvement: the centre's team neither holds nor leads it
    return practitioner and variant in ("visible", "none")


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_url_as_every_role(identity: str, walk: Walk) -> None:
    user = walk.users[identity]
    client = Client()
    checked = 0
    for route in ROUTES:
        for variant in _variants(route):
            url = _url(route, variant, walk)
            for method in ("GET", "POST"):
                response = _request(client, user, method, url)
                where = f"{identity} {method} {url} ({route.name}): {response.status_code}"
                body = response.content.decode() if response.status_code != 302 else ""
                events = AuditEvent.objects.filter(request_id=response["X-Request-Id"])
                allowed = events.filter(outcome=Outcome.ALLOWED)
                family_id = (
                    walk.ids[variant]["family_id"] if FAMILY_KWARGS & set(route.kwargs) else None
                )
                checked += 1

                if route.public:
                    expected = PUBLIC_STATUS.get((route.name, method, user is not None))
                    if expected:
                        assert response.status_code == expected, where
                    assert not any(marker in body for marker in walk.markers), where
                    continue

                if user is None:
                    assert response.status_code == 302, where
                    assert response["Location"].startswith(reverse("accounts:sign-in")), where
                    assert not events.exists(), where
                    continue

                if not route.personal:
                    assert not any(marker in body for marker in walk.markers), where
                    if route.name in CONFIGURATION_PAGES and response.status_code != 405:
                        may_configure = _role(identity) in CONFIGURATION_PAGES[route.name]
                        expected = (200, 302) if may_configure else (404,)
                        assert response.status_code in expected, where
                    else:
                        assert response.status_code in (200, 302, 405), where
                    continue

                # A personal-data page: allowed with an audit row, or a 404.
                if response.status_code == 405:
                    # The method is refused before anything is looked up, for every id alike.
                    assert method == "POST", where
                    continue
                if response.status_code in (200, 302):
                    if (route.name, method) in SHOWS_NO_RECORD and not allowed.exists():
                        assert not any(marker in body for marker in walk.markers), where
                    else:
                        assert allowed.exists(), f"no allowed audit row: {where}"
                        if family_id is not None:
                            assert allowed.filter(family_id=family_id).exists(), where
                else:
                    assert response.status_code == 404, where
                    assert "Page not found" in body, where
                    if family_id is not None and variant != "mixed" and _role(identity) in Role:
                        assert events.filter(
                            family_id=family_id, outcome=Outcome.DENIED
                        ).exists(), f"denied access not audited: {where}"

                # Who gets in, exactly.
                may_enter = _may_enter(route.name, identity, variant)
                if may_enter:
                    assert response.status_code in (200, 302), where
                else:
                    assert response.status_code in (404, 405), where
                if response.status_code == 404:
                    hidden_markers = [m for m in walk.markers if "Hiddlestane" in m]
                    assert not any(marker in body for marker in hidden_markers), where
    assert checked == sum(2 * len(_variants(route)) for route in ROUTES)


# Family Matters


def _meeting_ids(ids: dict[str, dict[str, int]], team: Team, recorder: User) -> None:
    """A meeting of the walk's team with a centre's, about a family both work with, and one
    of two other teams; an action agreed at each. Mixed: the walk's meeting, the other's
    action."""
    centre = TeamFactory(organisation=OrganisationFactory(type=OrganisationType.FAMILY_HUB))
    family = family_with_people(team=team, practitioner=recorder, surname="Meetingham")
    InvolvementFactory(family=family, team=centre)
    visible = MeetingFactory(centre_team=centre, health_team=team, created_by=recorder)
    hidden = MeetingFactory()
    actions = {
        meeting: MeetingActionFactory(meeting=meeting, family=family, team=team, owner=recorder)
        for meeting in (visible, hidden)
    }
    for variant, meeting, action_of in (
        ("visible", visible, visible),
        ("hidden", hidden, hidden),
        ("mixed", visible, hidden),
    ):
        ids[variant].update(meeting_id=meeting.pk, action_id=actions[action_of].pk)


def test_the_walk_finds_the_family_matters_pages() -> None:
    assert {route.name for route in ROUTES} >= MEETING_PAGES


# ---------------------------------------------------------------------------------------------
# Centres: the walk's family hub, its session, booking and registration, and another hub's.


def _add_centre(
    users: dict[str, User | None], visible: Family, hidden: Family, ids: dict[str, dict[str, int]]
) -> None:
    hubs = OrganisationFactory(name="Walk Family Hubs", type=OrganisationType.FAMILY_HUB)
    centre = TeamFactory(organisation=hubs, name="Walk Family Hub")
    for identity, role in CENTRE_IDENTITIES.items():
        users[identity] = make_actor(role, centre).user
        InvolvementFactory(family=visible, team=centre, practitioner=users[identity])
    other_centre = TeamFactory(organisation=hubs, name="Elsewhere Family Hub")
    InvolvementFactory(family=hidden, team=other_centre)
    for variant, family, team in (("visible", visible, centre), ("hidden", hidden, other_centre)):
        session = SessionFactory(programme__team=team, starts_at=clock.now())
        ids[variant]["session_id"] = session.pk
        ids[variant]["booking_id"] = BookingFactory(session=session, family=family).pk
        AttendanceFactory(session=session, family=family)  # on the register, booking or not
        ids[variant]["registration_id"] = CentreRegistrationFactory(family=family, team=team).pk
    # The visible centre's session, with the other centre's booking and registration.
    ids["mixed"] |= {
        "session_id": ids["visible"]["session_id"],
        "booking_id": ids["hidden"]["booking_id"],
        "registration_id": ids["hidden"]["registration_id"],
    }


def test_the_walk_finds_the_centres_pages() -> None:
    assert {route.name for route in ROUTES} >= CENTRE_PAGES


# ---------------------------------------------------------------------------------------------
# Referrals: one in the walk team's queue (visible), one between two other teams (hidden);
# the dashboard and the routing rules, configuration for the roles that manage referrals.

REFERRAL_KWARGS = {"referral_id"}
# A step every party in the walk team may take on a referral waiting in its queue.
STEP_KWARGS = {"step": "info_requested"}
REFERRAL_PAGES = {"referrals:referral", "referrals:step", "referrals:match"}
CONFIGURATION_PAGES = {
    "referrals:dashboard": DASHBOARD_ROLES,
    "referrals:routing": RULE_EDITORS,
    "referrals:new-rule": RULE_EDITORS,
    "referrals:remove-rule": RULE_EDITORS,
    "assessments:instruments": PRACTITIONER_ROLES,
}


def _add_referrals(team: Team, ids: dict[str, dict[str, int]]) -> None:
    visible = ReferralFactory(service=ReferralServiceFactory(team=team))
    hidden = ReferralFactory(referrer_team=TeamFactory())
    ids["visible"]["referral_id"] = visible.pk
    ids["hidden"]["referral_id"] = ids["mixed"]["referral_id"] = hidden.pk
    # A rule each for the walk to remove: configuration, no one's data.
    for variant in ("visible", "hidden", "mixed"):
        ids[variant]["rule_id"] = RoutingRuleFactory(team=team).pk


def test_the_walk_finds_the_referral_pages() -> None:
    assert {route.name for route in ROUTES} >= (
        REFERRAL_PAGES | set(CONFIGURATION_PAGES) | {"referrals:queue", "referrals:new"}
    )


# ---------------------------------------------------------------------------------------------
# Assessments and plans: a draft EYFS progress check and a plan with an action by the walk team
# about the visible family (visible); the same by another team about the hidden one (hidden).

ASSESSMENT_KWARGS = {"assessment_id", "plan_id", "plan_action_id"}
DEVELOPMENT_ROLES = frozenset(
    role for role, categories in ROLE_CATEGORIES.items() if DataCategory.DEVELOPMENT in categories
)
FAMILY_SUPPORT_ROLES = frozenset(
    role
    for role, categories in ROLE_CATEGORIES.items()
    if DataCategory.FAMILY_SUPPORT in categories
)
ASSESSMENT_PAGES = {
    "assessments:detail": DEVELOPMENT_ROLES,
    "assessments:edit": DEVELOPMENT_ROLES,
    "assessments:discard": DEVELOPMENT_ROLES,
}
PRACTITIONER_PAGES |= {
    "assessments:new-plan": FAMILY_SUPPORT_ROLES,
    "assessments:plan": FAMILY_SUPPORT_ROLES,
    "assessments:add-action": FAMILY_SUPPORT_ROLES,
    "assessments:review-plan": FAMILY_SUPPORT_ROLES,
    "assessments:action-done": FAMILY_SUPPORT_ROLES,
}


def _add_assessments(
    team: Team, practitioner: User, visible: Family, hidden: Family, ids: dict[str, dict[str, int]]
) -> None:
    other_team = hidden.involvements.order_by("id").first().team
    for variant, family, by in (("visible", visible, team), ("hidden", hidden, other_team)):
        child = family.members.get(kind=PersonKind.CHILD)
        draft = AssessmentFactory(
            family=family,
            person=child,
            instrument="eyfs-progress-check",
            title="EYFS progress check at two",
            category=DataCategory.DEVELOPMENT,
            team=by,
            practitioner=practitioner,
        )
        plan = PlanFactory(family=family, team=by, practitioner=practitioner)
        ids[variant] |= {
            "assessment_id": draft.pk,
            "plan_id": plan.pk,
            "plan_action_id": PlanActionFactory(plan=plan).pk,
        }
    ids["mixed"] |= {
        "assessment_id": ids["visible"]["assessment_id"],
        "plan_id": ids["visible"]["plan_id"],
        "plan_action_id": ids["hidden"]["plan_action_id"],
    }


def test_the_walk_finds_the_assessment_pages() -> None:
    assert {route.name for route in ROUTES} >= (
        set(ASSESSMENT_PAGES) | {"assessments:team-work", "assessments:start"}
    )
