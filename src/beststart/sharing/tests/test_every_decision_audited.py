"""Every decision the policy makes about a family or a person, allowed or refused, writes an
audit row saying so: whose record, which category, what action, the outcome and its basis.

The policy's decision functions that take a subject are wrapped wherever they are bound, and
the real pages are driven through the test client as several roles: records opened and
refused, the caseload, searches with hits and without, search-before-create with matches and
without, each write form shown and saved, and refused writes. After each request, every
decision it made is matched with an audit row of that request.

Two kinds of decision write no row of their own, for the reasons in NOT_AUDITED: both shape a
page whose opening is already audited, and neither shows or changes anything the actor asked
for. Both are still held to that: the page's own allowed view must be in the audit.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families import actions
from beststart.families.actions import AddressDetails
from beststart.families.models import Family, Involvement, PersonKind
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
)
from beststart.families.tests.test_views import date_parts, new_family
from beststart.places.tests.factories import PostcodeFactory
from beststart.sharing import policy
from beststart.sharing.access import Refused

pytestmark = pytest.mark.django_db

IDENTITY = DataCategory.IDENTITY
RECORD_PAGE = "beststart.families.selectors.family_record"
NOT_AUDITED = {
    "end links": (
        "may_end_involvement, asked by the record page for each open involvement to decide "
        "which 'End' links to offer: it shows and changes nothing (the involvements are shown "
        "under the record's audited view), and a refusal here is not an attempt by the user, so "
        "a row would read as a refused update that nobody tried. Following a link asks again, "
        "and that decision is audited."
    ),
    "withheld address": (
        "may_see_address refusing a withheld address: the address is redacted, not shown, "
        "inside a view or search that is audited; the user did not ask for it. An address "
        "shown is covered by the allowed identity row of its family in the same request."
    ),
}


# ---------------------------------------------------------------------------------------------
# Recording the decisions


@dataclass(frozen=True)
class Row:
    family_id: int | None
    person_id: int | None
    category: str
    action: str
    outcome: str
    basis: str


@dataclass(frozen=True)
class Made:
    """A decision about a family or person, and who asked for it."""

    function: str
    family_id: int | None
    person_id: int | None
    category: str
    action: str | None  # None: a finer rule with no action of its own (addresses)
    allowed: bool
    basis: str | None  # None: a finer rule that answers yes or no
    caller: str

    @property
    def outcome(self) -> str:
        return Outcome.ALLOWED if self.allowed else Outcome.DENIED

    def exemption(self) -> str | None:
        """Which reason of NOT_AUDITED lets this decision go without a row of its own."""
        if self.function == "may_end_involvement" and self.caller == RECORD_PAGE:
            return "end links"
        if self.function == "may_see_address" and not self.allowed:
            return "withheld address"
        return None

    def covered_by(self, rows: set[Row]) -> bool:
        if self.exemption() is not None or self.function == "may_see_address":
            return self._family_shown(rows)
        if self.function == "_decide_without_record":
            # About a record not created yet: the row names whoever it was decided about.
            return any(
                (row.category, row.action, row.outcome, row.basis)
                == (self.category, self.action, self.outcome, self.basis)
                for row in rows
            )
        row = Row(
            self.family_id,
            self.person_id,
            self.category,
            str(self.action),
            self.outcome,
            str(self.basis),
        )
        return row in rows

    def _family_shown(self, rows: set[Row]) -> bool:
        """The page's own decision to show the family (a view, a search hit, an identity
        check) is in the audit."""
        return any(
            (row.family_id, row.category, row.outcome)
            == (self.family_id, IDENTITY, Outcome.ALLOWED)
            for row in rows
        )


def _evaluate(
    result: policy.Decision, facts: Any, subject: policy.Subject, category: str, action: str
) -> tuple[Any, ...]:
    return subject.family_id, subject.person_id, category, action, result.allowed, result.basis


def _without_record(
    result: policy.Decision, actor: Actor, category: str, action: str
) -> tuple[Any, ...]:
    return None, None, category, action, result.allowed, result.basis


def _end_involvement(
    result: policy.Decision, actor: Actor, involvement: Involvement, *others: Any
) -> tuple[Any, ...]:
    return involvement.family_id, None, IDENTITY, AccessAction.UPDATE, result.allowed, result.basis


def _see_address(result: bool, actor: Actor, address: Any) -> tuple[Any, ...]:
    return address.family_id, None, IDENTITY, None, result, None


def _break_glass(
    result: policy.Decision, actor: Actor, facts: policy.FamilyFacts
) -> tuple[Any, ...]:
    return facts.family_id, None, IDENTITY, AccessAction.VIEW, result.allowed, result.basis


# The policy's decision functions that take a subject, and how to read what they decided.
RECORDED: dict[str, Callable[..., tuple[Any, ...]]] = {
    "evaluate": _evaluate,
    "_decide_without_record": _without_record,
    "may_end_involvement": _end_involvement,
    "may_see_address": _see_address,
    "may_break_glass": _break_glass,
}


def test_every_finer_rule_that_takes_a_subject_is_recorded() -> None:
    """A new `may_*` about a family or a person must be added to RECORDED (and audited)."""
    about_someone = {
        name
        for name, function in vars(policy).items()
        if name.startswith("may_")
        and inspect.isfunction(function)
        and list(inspect.signature(function).parameters) != ["actor"]
    }
    assert about_someone == set(RECORDED) - {"evaluate", "_decide_without_record"}


@pytest.fixture
def made() -> Iterator[list[Made]]:
    """The decisions made since the list was last cleared, wherever the functions are bound.

    Every page's module is imported first (through the URL configuration), so that none binds a
    wrapper while it is in place and keeps it after the test."""
    get_resolver().url_patterns  # noqa: B018 (imports every view, selector and action)
    decisions: list[Made] = []
    wrappers = []
    with pytest.MonkeyPatch.context() as patch:
        for name, read in RECORDED.items():
            wrapper = _recording(getattr(policy, name), name, read, decisions)
            wrappers.append(wrapper)
            for module in _modules_binding(getattr(policy, name)):
                patch.setattr(module, name, wrapper)
        yield decisions
    assert not any(_modules_binding(wrapper) for wrapper in wrappers)


def _modules_binding(function: object) -> list[ModuleType]:
    return [
        module
        for module in list(sys.modules.values())
        if module.__name__.startswith("beststart")
        and vars(module).get(function.__name__) is function
    ]


def _recording(
    original: Callable[..., Any], name: str, read: Callable[..., tuple[Any, ...]], made: list[Made]
) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(*args: Any) -> Any:
        result = original(*args)
        made.append(Made(name, *read(result, *args), caller=_caller()))
        return result

    return wrapper


def _caller() -> str:
    """The function that asked the policy (a comprehension counts as the function it is in)."""
    frame = sys._getframe(2)
    while frame.f_code.co_name.startswith("<") and frame.f_back is not None:
        frame = frame.f_back
    return f"{frame.f_globals['__name__']}.{frame.f_code.co_name}"


# ---------------------------------------------------------------------------------------------
# The scene: a family two organisations work with, and one only the other works with


@dataclass
class Scene:
    visitor: Actor  # health visitor, lead practitioner for `family`
    hub: Actor  # family hub worker, also working with `family`
    school: Actor  # school staff, also working with `family`
    commissioner: Actor
    privacy_officer: Actor
    family: Family
    hidden: Family  # only the family hub works with it
    postcode: str


@pytest.fixture
def scene(actor: Actor, other_actor: Actor, team: Team) -> Scene:
    family = family_with_people(
        team=actor.team, practitioner=actor.user, surname="Quenby", withheld=True
    )
    FamilyMemberFactory(family=family, person=PersonFactory(unborn=True, family_name="Quenby"))
    InvolvementFactory(family=family, team=other_actor.team, practitioner=other_actor.user)
    school_team = TeamFactory(organisation=OrganisationFactory(type=OrganisationType.SCHOOL))
    school = make_actor(Role.SCHOOL_STAFF, school_team)
    InvolvementFactory(family=family, team=school_team, practitioner=school.user)
    mother = family.members.get(kind=PersonKind.PARENT)
    for recorder, category, sealed in [
        (actor, DataCategory.HEALTH, False),
        (actor, DataCategory.HEALTH, True),
        (actor, DataCategory.SAFEGUARDING, False),
        (other_actor, DataCategory.FAMILY_SUPPORT, False),
        (other_actor, DataCategory.DEVELOPMENT, False),
    ]:
        ChronologyEventFactory(
            family=family,
            person=mother,
            team=recorder.team,
            recorded_by=recorder.user,
            category=category,
            is_sealed=sealed,
        )
    hidden = family_with_people(team=other_actor.team, surname="Quenby")
    return Scene(
        visitor=actor,
        hub=other_actor,
        school=school,
        commissioner=make_actor(Role.COMMISSIONER, team),
        privacy_officer=make_actor(Role.PRIVACY_OFFICER, team),
        family=family,
        hidden=hidden,
        postcode=PostcodeFactory(postcode="XW2 3CD").postcode,
    )


# ---------------------------------------------------------------------------------------------
# Driving the pages


@dataclass
class Driver:
    made: list[Made]
    clients: dict[str, Client]
    checked: list[Made]

    def get(self, who: str, url: str) -> Any:
        return self._send(who, "get", url, {})

    def post(self, who: str, url: str, data: dict[str, str]) -> Any:
        return self._send(who, "post", url, data)

    def _send(self, who: str, method: str, url: str, data: dict[str, str]) -> Any:
        self.made.clear()
        response = getattr(self.clients[who], method)(url, data)
        assert response.status_code in (200, 302, 404), (who, method, url, response.status_code)
        self.check(_rows(AuditEvent.objects.filter(request_id=response["X-Request-Id"])))
        return response

    def check(self, rows: set[Row]) -> None:
        missing = [decision for decision in self.made if not decision.covered_by(rows)]
        assert not missing, "decisions with no audit row:\n" + "\n".join(map(str, missing))
        self.checked += self.made


def _rows(events: Any) -> set[Row]:
    return {
        Row(*values)
        for values in events.values_list(
            "family_id", "person_id", "category", "action", "outcome", "basis"
        )
    }


@pytest.fixture
def drive(made: list[Made], scene: Scene, client_for: Callable[[Actor], Client]) -> Driver:
    clients = {
        name: client_for(getattr(scene, name))
        for name in ("visitor", "hub", "school", "commissioner", "privacy_officer")
    }
    return Driver(made, clients, [])


def _record(family: Family, suffix: str = "") -> str:
    return f"/families/{family.pk}/{suffix}"


# ---------------------------------------------------------------------------------------------
# Reads


def test_opening_records_allowed_and_refused(drive: Driver, scene: Scene) -> None:
    for who in ("visitor", "hub", "school"):
        assert drive.get(who, _record(scene.family)).status_code == 200
    for who, family in [
        ("visitor", scene.hidden),
        ("commissioner", scene.family),
        ("privacy_officer", scene.family),
    ]:
        assert drive.get(who, _record(family)).status_code == 404
    assert {
        ("evaluate", True),
        ("evaluate", False),
        ("may_see_address", True),
        ("may_see_address", False),
        ("may_end_involvement", True),
        ("may_end_involvement", False),
    } <= {(decision.function, decision.allowed) for decision in drive.checked}
    assert {decision.exemption() for decision in drive.checked} >= set(NOT_AUDITED)


def _audited_as(response: Any, action: str) -> set[tuple[int | None, int | None]]:
    events = AuditEvent.objects.filter(request_id=response["X-Request-Id"], action=action)
    return {(row.family_id, row.person_id) for row in _rows(events)}


def test_caseloads_and_searches(drive: Driver, scene: Scene) -> None:
    for who in ("visitor", "hub", "school"):
        response = drive.get(who, "/caseload/")
        listed = {(entry.family.pk, None) for entry in response.context["page"].object_list}
        assert (scene.family.pk, None) in listed
        assert _audited_as(response, AccessAction.LIST) == listed
    for who, families in [("visitor", 1), ("hub", 2)]:
        response = drive.post(who, "/search/", {"q": "Quenby"})
        hits = {(hit.family.pk, hit.person.pk) for hit in response.context["results"].hits}
        assert len({family for family, _ in hits}) == families
        assert _audited_as(response, AccessAction.SEARCH) == hits
    response = drive.post("visitor", "/search/", {"q": "Nobodyhere"})
    assert response.context["results"].hits == []
    assert not _audited_as(response, AccessAction.SEARCH)
    # The hub's search found the family whose address only the health visitors may see.
    assert ("may_see_address", False) in {(d.function, d.allowed) for d in drive.checked}


def test_search_before_create_with_matches_and_without(drive: Driver, scene: Scene) -> None:
    mother = scene.family.members.get(kind=PersonKind.PARENT)
    known = {"step": "check", "given_name": mother.given_name, "family_name": mother.family_name}
    for who in ("visitor", "hub"):
        response = drive.post(
            who, "/families/new/", known | date_parts("date_of_birth", mother.date_of_birth)
        )
        matches = {(match.family_id, match.person_id) for match in response.context["matches"]}
        assert (scene.family.pk, mother.pk) in matches
        assert _audited_as(response, AccessAction.IDENTITY_CHECK) == matches
    response = drive.post(
        "visitor",
        "/families/new/",
        {"step": "check", "family_name": "Nobodyhere"}
        | date_parts("date_of_birth", dt.date(2025, 1, 1)),
    )
    assert response.context["matches"] == []
    # The look across the register is recorded though it showed no one.
    assert _audited_as(response, AccessAction.IDENTITY_CHECK) == {(None, None)}


# ---------------------------------------------------------------------------------------------
# Writes


def test_creating_a_family(drive: Driver, scene: Scene) -> None:
    assert drive.post("visitor", "/families/new/", new_family(scene.postcode)).status_code == 302
    created = [d for d in drive.checked if d.action == AccessAction.CREATE]
    assert created
    assert created[0].allowed


def test_each_write_form_shown_and_saved(drive: Driver, scene: Scene) -> None:
    family = scene.family
    mother = family.members.get(kind=PersonKind.PARENT)
    child = family.members.get(kind=PersonKind.CHILD)
    unborn = family.members.get(kind=PersonKind.UNBORN)
    today = clock.today()
    forms = [
        (
            "members/new/",
            {"kind": "child", "given_name": "Arlo", "family_name": "Quenby", "sex": "male"}
            | date_parts("date_of_birth", today - dt.timedelta(days=20)),
        ),
        (
            f"members/{mother.pk}/edit/",
            {
                "given_name": "Renamed",
                "family_name": mother.family_name,
                "sex": mother.sex,
                "nhs_number": mother.nhs_number,
            }
            | date_parts("date_of_birth", mother.date_of_birth),
        ),
        (
            f"members/{unborn.pk}/birth/",
            {"given_name": "Ivy", "sex": "female"} | date_parts("date_of_birth", today),
        ),
        (
            "address/",
            {"line_1": "4 New Street", "town": "Testbury", "postcode": scene.postcode}
            | date_parts("moved_in", today),
        ),
        (
            "relationships/new/",
            {"adult": str(mother.pk), "child": str(child.pk), "relationship_type": "mother"},
        ),
        (
            "involvements/new/",
            {"team": str(scene.hub.team.pk), "reason": "Stay and play"}
            | date_parts("started_on", today),
        ),
        (
            f"involvements/{_involvement(family, scene.hub.team).pk}/end/",
            {"end_reason": "completed"} | date_parts("ended_on", today),
        ),
    ]
    for suffix, data in forms:
        assert drive.get("visitor", _record(family, suffix)).status_code == 200, suffix
        assert drive.post("visitor", _record(family, suffix), data).status_code == 302, suffix
    updates = [d for d in drive.checked if d.action == AccessAction.UPDATE and d.allowed]
    assert {d.function for d in updates} == {"evaluate", "may_end_involvement"}


def _involvement(family: Family, team: Team) -> Involvement:
    return family.involvements.filter(team=team, ended_on=None).first()  # type: ignore[return-value]


def test_refused_writes(drive: Driver, scene: Scene) -> None:
    hidden, person = scene.hidden, scene.hidden.members.first()
    assert person is not None
    for suffix in (
        "members/new/",
        f"members/{person.pk}/edit/",
        f"members/{person.pk}/birth/",
        "address/",
        "relationships/new/",
        "involvements/new/",
        f"involvements/{_involvement(hidden, scene.hub.team).pk}/end/",
    ):
        for send in (drive.get, lambda who, url: drive.post(who, url, {})):
            assert send("visitor", _record(hidden, suffix)).status_code == 404, suffix
    # The family hub may not end the lead's involvement: refused by the finer rule.
    lead = _involvement(scene.family, scene.visitor.team)
    response = drive.get("hub", _record(scene.family, f"involvements/{lead.pk}/end/"))
    assert response.status_code == 404
    refusals = {(d.function, d.allowed) for d in drive.checked if not d.allowed}
    assert refusals == {("evaluate", False), ("may_end_involvement", False)}


def test_a_write_refused_inside_its_action_is_audited_after_the_rollback(
    made: list[Made], scene: Scene
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Refused):
        actions.move_address(
            actor=scene.visitor,
            family=scene.hidden,
            details=AddressDetails(
                line_1="1 Elsewhere",
                town="Testbury",
                postcode=scene.postcode,
                moved_in=dt.date(2025, 1, 1),
            ),
        )
    rows = _rows(AuditEvent.objects.order_by("id")[before:])
    (refusal,) = made
    assert not refusal.allowed
    assert refusal.covered_by(rows)
