"""The practitioner's pages: bad input gets the specific GOV.UK error (in the summary and beside
the field), nothing is saved, and everything typed is shown again; every read and write is
audited; withheld addresses stay withheld; refusals are 404s."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import UserFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.tests.factories import next_nhs_number
from beststart.families.models import (
    Address,
    ChronologyEvent,
    EventKind,
    Family,
    FamilyMember,
    Involvement,
    Person,
    PersonKind,
    Relationship,
)
from beststart.families.tests.factories import (
    AddressFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
)
from beststart.places.tests.factories import PostcodeFactory
from beststart.sharing.policy import ALLOW_INVOLVEMENT

pytestmark = pytest.mark.django_db

RECORD_TABLES = (Family, Person, FamilyMember, Relationship, Address, Involvement, ChronologyEvent)


# ---------------------------------------------------------------------------------------------
# Helpers: what the page says


def page(response: Any) -> str:
    return response.content.decode()


def error_summary(response: Any) -> list[tuple[str, str]]:
    """(link target, message) pairs in the error summary, in order."""
    text = page(response)
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', text, re.S)
    if not match:
        return []
    items = re.findall(r"<li>(?:<a href=\"#([^\"]+)\">)?(.*?)(?:</a>)?</li>", match.group(0))
    return [(anchor, html.unescape(message)) for anchor, message in items]


def field_error(response: Any, field_id: str) -> str | None:
    match = re.search(
        rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', page(response), re.S
    )
    if not match:
        return None
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "")).strip()


def input_value(response: Any, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page(response))
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def checked(response: Any, name: str) -> list[str]:
    return [
        html.unescape(value)
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page(response))
        if " checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    ]


def without_csrf_token(text: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def assert_error(response: Any, field: str, message: str, *, anchor: str | None = None) -> None:
    """The GOV.UK pattern: the message in the summary, linked to the field, and beside it."""
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert "<title>Error: " in page(response)
    target = anchor or f"id_{field}"
    assert (target, message) in error_summary(response), error_summary(response)
    assert field_error(response, f"id_{field}") == message
    assert f'id="{target}"' in page(response), "the summary links to an element that exists"


def snapshot() -> dict[str, int]:
    """Rows of the record, and audit rows of records created (an update form that is opened
    writes its allowed update row whether or not the change is saved)."""
    counts = {model.__name__: model.objects.count() for model in RECORD_TABLES}
    counts["audited creates"] = AuditEvent.objects.filter(action=AccessAction.CREATE).count()
    return counts


def date_parts(name: str, day: dt.date | tuple[str, str, str]) -> dict[str, str]:
    if isinstance(day, dt.date):
        day = (str(day.day), str(day.month), str(day.year))
    return {f"{name}_day": day[0], f"{name}_month": day[1], f"{name}_year": day[2]}


# ---------------------------------------------------------------------------------------------
# Creating a family: search before create, then the record


@pytest.fixture
def postcode(db: None) -> str:
    return PostcodeFactory(postcode="XW2 3CD").postcode


def new_family(postcode: str, **overrides: str) -> dict[str, str]:
    data = {
        "step": "create",
        "kind": "parent",
        "given_name": "Tabitha",
        "family_name": "Quillby",
        "known_as": "Tabby",
        "sex": "female",
        **date_parts("date_of_birth", ("17", "5", "1994")),
        "nhs_number": "",
        "line_1": "12 Mill Road",
        "line_2": "Flat 3",
        "town": "Testbury",
        "postcode": postcode,
        **date_parts("moved_in", ("1", "9", "2025")),
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


def assert_typed_values_kept(response: Any, data: dict[str, str]) -> None:
    for name in (
        "given_name",
        "family_name",
        "known_as",
        "nhs_number",
        "line_1",
        "line_2",
        "town",
        "postcode",
        "date_of_birth_day",
        "date_of_birth_month",
        "date_of_birth_year",
        "moved_in_day",
        "moved_in_month",
        "moved_in_year",
    ):
        if data.get(name):
            assert input_value(response, name) == data[name], name
    if data.get("kind"):
        assert checked(response, "kind") == [data["kind"]]
    if data.get("sex"):
        assert checked(response, "sex") == [data["sex"]]


def test_creating_a_family_from_the_form(signed_in: Client, actor: Actor, postcode: str) -> None:
    response = signed_in.post("/families/new/", new_family(postcode))
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/families/{family.pk}/"
    person = family.members.get()
    assert (person.given_name, person.known_as, person.date_of_birth) == (
        "Tabitha",
        "Tabby",
        dt.date(1994, 5, 17),
    )
    created = AuditEvent.objects.get(action=AccessAction.CREATE)
    assert (created.family_id, created.person_id, created.outcome) == (
        family.pk,
        person.pk,
        Outcome.ALLOWED,
    )
    assert created.request_id == response["X-Request-Id"]
    record = signed_in.get(response["Location"])
    assert "Family record created" in page(record)
    assert "Tabitha Quillby (known as Tabby)" in page(record)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "999 000 0027",
            "Enter a valid NHS number: this one fails the check digit, so a digit may be mistyped",
        ),
        ("999 000 002", "Enter an NHS number that is 10 digits, like 943 476 5919"),
        ("999 OOO OO26", "Enter an NHS number that is 10 digits, like 943 476 5919"),
    ],
)
def test_create_with_an_invalid_nhs_number(
    signed_in: Client, postcode: str, typed: str, message: str
) -> None:
    data = new_family(postcode, nhs_number=typed)
    before = snapshot()
    response = signed_in.post("/families/new/", data)
    assert_error(response, "nhs_number", message)
    assert snapshot() == before
    assert_typed_values_kept(response, data)


def test_create_with_a_date_of_birth_in_the_future(signed_in: Client, postcode: str) -> None:
    tomorrow = clock.today() + dt.timedelta(days=1)
    data = new_family(postcode, **date_parts("date_of_birth", tomorrow))
    before = snapshot()
    response = signed_in.post("/families/new/", data)
    assert_error(
        response,
        "date_of_birth",
        "Date of birth must be today or in the past",
        anchor="id_date_of_birth_0",
    )
    assert snapshot() == before
    assert_typed_values_kept(response, data)


def test_create_with_a_date_of_birth_missing_its_month(signed_in: Client, postcode: str) -> None:
    data = new_family(postcode, date_of_birth_month="")
    response = signed_in.post("/families/new/", data)
    assert_error(
        response,
        "date_of_birth",
        "Date of birth must include a month",
        anchor="id_date_of_birth_0",
    )
    assert Family.objects.count() == 0
    assert_typed_values_kept(response, data)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "XW9 9ZZ",
            "We do not know this postcode. Enter a postcode in the area this service "
            "covers, like XW1 2AB",
        ),
        ("XW9", "Enter a full postcode, like XW1 2AB"),
    ],
)
def test_create_with_an_unknown_postcode(
    signed_in: Client, postcode: str, typed: str, message: str
) -> None:
    data = new_family(postcode) | {"postcode": typed}
    before = snapshot()
    response = signed_in.post("/families/new/", data)
    assert_error(response, "postcode", message)
    assert snapshot() == before
    assert_typed_values_kept(response, data)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("town", "Enter town or city"),
        ("line_1", "Enter address line 1, typically the building and street"),
        ("family_name", "Enter the last name"),
        ("given_name", "Enter the first name"),  # a parent needs one
        ("kind", "Select who this person is"),
    ],
)
def test_create_with_a_required_field_missing(
    signed_in: Client, postcode: str, missing: str, message: str
) -> None:
    data = new_family(postcode, **{missing: ""})
    before = snapshot()
    response = signed_in.post("/families/new/", data)
    assert_error(response, missing, message, anchor="id_kind_0" if missing == "kind" else None)
    assert snapshot() == before
    assert_typed_values_kept(response, data)


def test_create_with_nothing_filled_lists_every_problem_in_form_order(
    signed_in: Client,
) -> None:
    response = signed_in.post("/families/new/", {"step": "create"})
    messages = [message for _, message in error_summary(response)]
    assert messages == [
        "Select who this person is",
        "Enter the last name",
        "Select the person's sex, or not known",
        "Enter address line 1, typically the building and street",
        "Enter town or city",
        "Enter postcode",
        "Enter the date moved in",
    ]
    assert Family.objects.count() == 0


def test_an_unborn_baby_needs_a_due_date_and_no_date_of_birth(
    signed_in: Client, postcode: str
) -> None:
    data = new_family(postcode, kind="unborn", given_name="")
    response = signed_in.post("/families/new/", data)
    assert ("id_expected_delivery_date_0", "Enter the expected date of delivery") in (
        error_summary(response)
    )
    assert (
        "id_date_of_birth_0",
        "An unborn baby has no date of birth yet: leave it blank, or choose 'Child'",
    ) in error_summary(response)
    assert Person.objects.count() == 0


@pytest.fixture
def known_person(other_actor: Actor) -> Person:
    """Tabitha Quillby, born 17 May 1994, known to another team."""
    family = family_with_people(team=other_actor.team, surname="Quillby")
    person = family.members.get(kind=PersonKind.PARENT)
    person.given_name = "Tabitha"
    person.date_of_birth = dt.date(1994, 5, 17)
    person.save()
    return person


def test_a_likely_duplicate_must_be_confirmed_as_a_different_person(
    signed_in: Client, postcode: str, known_person: Person
) -> None:
    data = new_family(postcode, given_name="Tabitah")  # a typo of the known person's name
    before = snapshot()
    response = signed_in.post("/families/new/", data)

    assert_error(
        response,
        "confirmed_new",
        "This person may already be on the register. Check the people listed, then confirm "
        "this is a different person",
    )
    assert snapshot() == before
    assert_typed_values_kept(response, data)
    text = page(response)
    assert "1 person on the register may be the same person" in text
    assert "Tabitha Quillby" in text
    assert "Riverside Family Hub" in text
    # Minimal identity only: no address, NHS number or link to a record the actor cannot open.
    assert known_person.nhs_number_display not in text
    assert "1 Test Street" not in text
    family_id = known_person.families.get().pk
    assert f'href="/families/{family_id}/"' not in text
    # Only the way to ask for emergency access, which is recorded and reviewed.
    assert f'href="/families/{family_id}/break-glass/"' in text
    checks = AuditEvent.objects.filter(action=AccessAction.IDENTITY_CHECK)
    assert list(checks.values_list("person_id", flat=True)) == [known_person.pk]

    response = signed_in.post("/families/new/", {**data, "confirmed_new": "on"})
    assert response.status_code == 302
    assert Family.objects.count() == before["Family"] + 1
    assert Person.objects.filter(given_name="Tabitah").exists()


def test_an_nhs_number_already_on_the_register_is_refused_beside_the_field(
    signed_in: Client, postcode: str, known_person: Person
) -> None:
    data = new_family(
        postcode,
        given_name="Someone",
        family_name="Else",
        nhs_number=known_person.nhs_number,
        confirmed_new="on",
    )
    before = snapshot()
    response = signed_in.post("/families/new/", data)
    assert_error(
        response,
        "nhs_number",
        "A person with this NHS number is already on the register. Search for them instead of "
        "creating a new record.",
    )
    assert snapshot() == before


def test_the_identity_check_step(signed_in: Client, known_person: Person) -> None:
    response = signed_in.post(
        "/families/new/", {"step": "check", "given_name": "Tabitha", "family_name": "Quillby"}
    )
    assert_error(
        response,
        "date_of_birth",
        "Enter a date of birth or an NHS number, so you can check whether the person is "
        "already known",
        anchor="id_date_of_birth_0",
    )
    assert input_value(response, "given_name") == "Tabitha"

    response = signed_in.post(
        "/families/new/",
        {
            "step": "check",
            "given_name": "Tabitha",
            "family_name": "Quillby",
            **date_parts("date_of_birth", dt.date(1994, 5, 17)),
        },
    )
    assert "Create a family record" in page(response)
    assert "may be the same person" in page(response)
    # What was typed at the check carries into the record form.
    assert input_value(response, "given_name") == "Tabitha"
    assert input_value(response, "date_of_birth_year") == "1994"
    assert checked(response, "kind") == ["child"]
    assert AuditEvent.objects.filter(
        action=AccessAction.IDENTITY_CHECK, person_id=known_person.pk
    ).exists()

    response = signed_in.post(
        "/families/new/",
        {
            "step": "check",
            "family_name": "Nobodyknown",
            **date_parts("date_of_birth", dt.date(2025, 1, 1)),
        },
    )
    assert "No one on the register matches" in page(response)


# ---------------------------------------------------------------------------------------------
# Changing a record: bad input keeps everything typed and saves nothing


@pytest.fixture
def family(actor: Actor) -> Family:
    return family_with_people(team=actor.team, practitioner=actor.user, surname="Bramwick")


def test_add_member_with_an_invalid_nhs_number(signed_in: Client, family: Family) -> None:
    data = {
        "kind": "child",
        "given_name": "Arlo",
        "family_name": "Bramwick",
        "sex": "male",
        **date_parts("date_of_birth", clock.today() - dt.timedelta(days=20)),
        "nhs_number": "943 476 5918",
    }
    before = snapshot()
    response = signed_in.post(f"/families/{family.pk}/members/new/", data)
    assert_error(
        response,
        "nhs_number",
        "Enter a valid NHS number: this one fails the check digit, so a digit may be mistyped",
    )
    assert snapshot() == before
    assert_typed_values_kept(response, data)


def test_add_member_with_a_relationship(signed_in: Client, family: Family) -> None:
    mother = family.members.get(kind=PersonKind.PARENT)
    number = next_nhs_number()
    response = signed_in.post(
        f"/families/{family.pk}/members/new/",
        {
            "kind": "child",
            "given_name": "Arlo",
            "family_name": "Bramwick",
            "sex": "male",
            **date_parts("date_of_birth", clock.today() - dt.timedelta(days=20)),
            "nhs_number": f"{number[:3]} {number[3:6]} {number[6:]}",
            "related_adult": str(mother.pk),
            "relationship_type": "mother",
            "has_parental_responsibility": "on",
        },
    )
    assert response.status_code == 302
    arlo = family.members.get(given_name="Arlo")
    assert arlo.nhs_number == number
    assert Relationship.objects.get(child=arlo).has_parental_responsibility
    assert ChronologyEvent.objects.filter(
        family=family, person=arlo, kind=EventKind.MEMBER_ADDED
    ).exists()


def test_add_member_with_a_relationship_half_filled(signed_in: Client, family: Family) -> None:
    mother = family.members.get(kind=PersonKind.PARENT)
    response = signed_in.post(
        f"/families/{family.pk}/members/new/",
        {
            "kind": "child",
            "given_name": "Arlo",
            "family_name": "Bramwick",
            "sex": "male",
            **date_parts("date_of_birth", clock.today()),
            "related_adult": str(mother.pk),
        },
    )
    assert_error(response, "relationship_type", "Select how they are related")
    assert not Person.objects.filter(given_name="Arlo").exists()


def test_record_birth_in_the_future_is_refused(signed_in: Client, actor: Actor) -> None:
    family = family_with_people(team=actor.team, unborn=True)
    unborn = family.members.get(kind=PersonKind.UNBORN)
    tomorrow = clock.today() + dt.timedelta(days=1)
    data = {"given_name": "Ivy", "sex": "female", **date_parts("date_of_birth", tomorrow)}
    before = snapshot()
    response = signed_in.post(f"/families/{family.pk}/members/{unborn.pk}/birth/", data)
    assert_error(
        response,
        "date_of_birth",
        "Date of birth must be today or in the past",
        anchor="id_date_of_birth_0",
    )
    assert snapshot() == before
    assert Person.objects.get(pk=unborn.pk).kind == PersonKind.UNBORN
    assert input_value(response, "given_name") == "Ivy"
    assert input_value(response, "date_of_birth_day") == str(tomorrow.day)


def test_record_birth(signed_in: Client, actor: Actor) -> None:
    family = family_with_people(team=actor.team, unborn=True)
    unborn = family.members.get(kind=PersonKind.UNBORN)
    response = signed_in.post(
        f"/families/{family.pk}/members/{unborn.pk}/birth/",
        {"given_name": "Ivy", "sex": "female", **date_parts("date_of_birth", clock.today())},
    )
    assert response.status_code == 302
    born = Person.objects.get(pk=unborn.pk)
    assert (born.kind, born.given_name, born.date_of_birth) == ("child", "Ivy", clock.today())


def test_there_is_no_birth_to_record_for_a_child_already_born(
    signed_in: Client, family: Family
) -> None:
    child = family.members.get(kind=PersonKind.CHILD)
    url = f"/families/{family.pk}/members/{child.pk}/birth/"
    assert signed_in.get(url).status_code == 404
    response = signed_in.post(
        url, {"given_name": "Again", "sex": "female", **date_parts("date_of_birth", clock.today())}
    )
    assert response.status_code == 404
    assert Person.objects.get(pk=child.pk).given_name == child.given_name


def test_move_to_an_unknown_postcode(signed_in: Client, family: Family) -> None:
    data = {
        "line_1": "4 New Street",
        "town": "Testbury",
        "postcode": "XW9 9ZZ",
        **date_parts("moved_in", clock.today()),
    }
    before = snapshot()
    response = signed_in.post(f"/families/{family.pk}/address/", data)
    assert_error(
        response,
        "postcode",
        "We do not know this postcode. Enter a postcode in the area this service covers, "
        "like XW1 2AB",
    )
    assert snapshot() == before
    assert input_value(response, "line_1") == "4 New Street"
    assert input_value(response, "postcode") == "XW9 9ZZ"


def test_a_move_dated_before_the_current_address_shows_the_actions_error(
    signed_in: Client, family: Family
) -> None:
    current = family.addresses.get()
    PostcodeFactory(postcode="XW8 1AB")
    earlier = current.moved_in - dt.timedelta(days=1)
    response = signed_in.post(
        f"/families/{family.pk}/address/",
        {
            "line_1": "4 New Street",
            "town": "Testbury",
            "postcode": "XW8 1AB",
            **date_parts("moved_in", earlier),
        },
    )
    assert_error(
        response,
        "moved_in",
        "The move-in date must be after the date the family moved into their current address",
        anchor="id_moved_in_0",
    )
    assert family.addresses.count() == 1


def test_edit_person_to_another_persons_nhs_number(signed_in: Client, family: Family) -> None:
    person = family.members.get(kind=PersonKind.PARENT)
    other = PersonFactory()
    data = {
        "given_name": "Renamed",
        "family_name": person.family_name,
        "sex": person.sex,
        **date_parts("date_of_birth", person.date_of_birth),
        "nhs_number": other.nhs_number,
    }
    before = snapshot()
    response = signed_in.post(f"/families/{family.pk}/members/{person.pk}/edit/", data)
    assert_error(response, "nhs_number", "Another person on the register has this NHS number")
    assert snapshot() == before
    assert Person.objects.get(pk=person.pk).given_name != "Renamed"
    assert input_value(response, "given_name") == "Renamed"


def test_edit_person_cannot_change_the_kind(signed_in: Client, family: Family) -> None:
    person = family.members.get(kind=PersonKind.PARENT)
    response = signed_in.post(
        f"/families/{family.pk}/members/{person.pk}/edit/",
        {
            "kind": "child",
            "given_name": "Changed",
            "family_name": person.family_name,
            "sex": person.sex,
            **date_parts("date_of_birth", person.date_of_birth),
            "nhs_number": person.nhs_number_display,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.kind, person.given_name) == (PersonKind.PARENT, "Changed")
    assert ChronologyEvent.objects.filter(
        person=person, kind=EventKind.PERSON_UPDATED, summary__contains="given name updated"
    ).exists()


def test_add_involvement_with_a_practitioner_from_another_team(
    signed_in: Client, family: Family, actor: Actor, other_actor: Actor
) -> None:
    data = {
        "team": str(other_actor.team.pk),
        "practitioner": str(actor.user.pk),
        **date_parts("started_on", clock.today()),
        "reason": "Stay and play",
    }
    before = snapshot()
    response = signed_in.post(f"/families/{family.pk}/involvements/new/", data)
    assert_error(response, "practitioner", "Choose a practitioner who works in that team")
    assert snapshot() == before
    assert input_value(response, "reason") == "Stay and play"
    assert re.search(rf'<option value="{other_actor.team.pk}" selected>', page(response)), (
        "the chosen team is still selected"
    )


def test_end_involvement_before_it_started(signed_in: Client, family: Family) -> None:
    involvement = family.involvements.get()
    earlier = involvement.started_on - dt.timedelta(days=1)
    response = signed_in.post(
        f"/families/{family.pk}/involvements/{involvement.pk}/end/",
        {"end_reason": "moved_out", **date_parts("ended_on", earlier)},
    )
    assert_error(
        response,
        "ended_on",
        "The end date must be on or after the start date",
        anchor="id_ended_on_0",
    )
    involvement.refresh_from_db()
    assert involvement.ended_on is None


def test_end_involvement_asks_why_and_keeps_the_reason(signed_in: Client, family: Family) -> None:
    involvement = family.involvements.get()
    url = f"/families/{family.pk}/involvements/{involvement.pk}/end/"
    response = signed_in.post(url, date_parts("ended_on", clock.today()))
    assert_error(
        response, "end_reason", "Select why the involvement is ending", anchor="id_end_reason_0"
    )
    response = signed_in.post(
        url, {"end_reason": "moved_out", **date_parts("ended_on", clock.today())}
    )
    assert response.status_code == 302
    involvement.refresh_from_db()
    assert (involvement.ended_on, involvement.end_reason) == (clock.today(), "moved_out")
    assert ChronologyEvent.objects.filter(
        family=family, summary__endswith="the family moved out of the area"
    ).exists()


def test_add_relationship(signed_in: Client, family: Family) -> None:
    father = PersonFactory(parent=True, given_name="Sam", family_name="Bramwick", sex="male")
    FamilyMemberFactory(family=family, person=father)
    child = family.members.get(kind=PersonKind.CHILD)
    response = signed_in.post(
        f"/families/{family.pk}/relationships/new/",
        {"adult": str(father.pk), "child": str(child.pk), "relationship_type": "father"},
    )
    assert response.status_code == 302
    assert Relationship.objects.get(adult=father, child=child).type == "father"
    response = signed_in.post(
        f"/families/{family.pk}/relationships/new/", {"adult": "", "relationship_type": "mother"}
    )
    assert_error(response, "adult", "Select the parent or carer")
    assert_error(response, "child", "Select the child")


# ---------------------------------------------------------------------------------------------
# Every read and write is audited in its request


def _request_rows(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-Id"]).order_by("id"))


def test_a_request_that_fails_after_the_write_keeps_neither_the_write_nor_its_audit(
    signed_in: Client, postcode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the page could not be finished")

    monkeypatch.setattr("beststart.families.views.messages.success", fail)
    signed_in.raise_request_exception = False
    response = signed_in.post("/families/new/", new_family(postcode))
    assert response.status_code == 500
    assert Family.objects.count() == 0
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_opening_a_record_is_audited(signed_in: Client, actor: Actor, family: Family) -> None:
    response = signed_in.get(f"/families/{family.pk}/")
    assert response.status_code == 200
    (row,) = _request_rows(response)
    assert (row.user_id, row.username, row.role) == (
        actor.user.pk,
        actor.user.username,
        Role.HEALTH_VISITOR,
    )
    assert (row.team_id, row.organisation_id) == (actor.team.pk, actor.organisation.pk)
    assert (row.family_id, row.person_id) == (family.pk, None)
    assert (row.category, row.action, row.outcome) == (
        DataCategory.IDENTITY,
        AccessAction.VIEW,
        Outcome.ALLOWED,
    )
    assert row.basis == ALLOW_INVOLVEMENT.basis


def test_opening_a_record_the_team_does_not_work_with_is_a_404_audited_as_denied(
    signed_in: Client, other_actor: Actor
) -> None:
    other = family_with_people(team=other_actor.team, surname="Penhallow")
    response = signed_in.get(f"/families/{other.pk}/")
    assert response.status_code == 404
    assert "Penhallow" not in page(response)
    (row,) = _request_rows(response)
    assert (row.family_id, row.action, row.outcome) == (other.pk, "view", Outcome.DENIED)
    missing = signed_in.get("/families/99999999/")
    assert missing.status_code == 404
    # "Not allowed" and "not found" are the same page, so a record's existence is not disclosed.
    assert without_csrf_token(page(missing)) == without_csrf_token(page(response))


def test_a_refused_change_is_a_404_audited_as_denied(signed_in: Client, other_actor: Actor) -> None:
    other = family_with_people(team=other_actor.team)
    person = other.members.first()
    before = snapshot()
    response = signed_in.post(
        f"/families/{other.pk}/members/{person.pk}/edit/", {"given_name": "Changed"}
    )
    assert response.status_code == 404
    (row,) = _request_rows(response)
    assert (row.family_id, row.action, row.outcome) == (other.pk, "update", Outcome.DENIED)
    assert snapshot() == before


def test_searching_is_audited_per_person_shown(
    signed_in: Client, family: Family, other_actor: Actor
) -> None:
    family_with_people(team=other_actor.team, surname="Bramwick")  # same name, other team
    response = signed_in.post("/search/", {"q": "Bramwick"})
    rows = _request_rows(response)
    shown = set(family.members.values_list("pk", flat=True))
    assert {(row.family_id, row.person_id) for row in rows} == {(family.pk, p) for p in shown}
    assert {(row.action, row.outcome) for row in rows} == {("search", Outcome.ALLOWED)}
    assert "2 people found" in page(response)
    assert input_value(response, "q") == "Bramwick"


def test_an_update_is_audited_with_the_person(signed_in: Client, family: Family) -> None:
    person = family.members.get(kind=PersonKind.PARENT)
    response = signed_in.post(
        f"/families/{family.pk}/members/{person.pk}/edit/",
        {
            "given_name": "Renamed",
            "family_name": person.family_name,
            "sex": person.sex,
            **date_parts("date_of_birth", person.date_of_birth),
        },
    )
    assert response.status_code == 302
    rows = _request_rows(response)
    assert {(row.family_id, row.action, row.outcome) for row in rows} == {
        (family.pk, "update", Outcome.ALLOWED)
    }
    assert person.pk in {row.person_id for row in rows}


def test_the_caseload_page_is_audited_per_family_listed(signed_in: Client, family: Family) -> None:
    response = signed_in.get("/caseload/")
    assert "Bramwick family" in page(response)
    rows = _request_rows(response)
    assert [(row.family_id, row.action) for row in rows] == [(family.pk, "list")]


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_roles_without_records_get_404_on_record_pages_and_the_landing_page_at_home(
    role: str, team: Team, client_for: Callable[[Actor], Client], family: Family
) -> None:
    client = client_for(make_actor(role, team))
    responses = [
        *(client.get(url) for url in ("/caseload/", "/search/", "/families/new/")),
        client.get(f"/families/{family.pk}/"),
        client.post("/search/", {"q": "Bramwick"}),
    ]
    for response in responses:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert "Bramwick" not in page(response)
    home = client.get("/")
    assert home.status_code == 200
    assert "Bramwick" not in page(home)


def test_practitioners_start_from_their_caseload(signed_in: Client) -> None:
    response = signed_in.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/caseload/"


# ---------------------------------------------------------------------------------------------
# Withheld addresses


@pytest.fixture
def refuge(actor: Actor, other_actor: Actor) -> Family:
    """A family in a refuge: the actor's team recorded the address; another team works with
    the family too."""
    family = family_with_people(team=actor.team, withheld=True, surname="Fenworth")
    InvolvementFactory(family=family, team=other_actor.team, practitioner=other_actor.user)
    address = family.addresses.get()
    address.line_1 = "7 Hidden Lane"
    address.save()
    return family


def test_the_recording_team_sees_a_withheld_address(signed_in: Client, refuge: Family) -> None:
    text = page(signed_in.get(f"/families/{refuge.pk}/"))
    address = refuge.addresses.get()
    assert "7 Hidden Lane" in text
    assert address.postcode in text
    assert "Withheld from other teams" in text
    assert "Address withheld" not in text


def test_other_teams_see_address_withheld_and_whom_to_contact(
    refuge: Family, other_actor: Actor, actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(other_actor).get(f"/families/{refuge.pk}/")
    text = page(response)
    address = refuge.addresses.get()
    assert response.status_code == 200
    assert "Address withheld" in text
    assert f"Contact {actor.team.name}" in text
    assert "7 Hidden Lane" not in text
    assert address.postcode not in text
    assert address.town not in text


def test_a_previous_withheld_address_stays_withheld(
    refuge: Family, other_actor: Actor, client_for: Callable[[Actor], Client]
) -> None:
    old = refuge.addresses.get()
    old.moved_out = clock.today()
    old.save()
    AddressFactory(family=refuge, recorded_by_team=other_actor.team, line_1="2 Open Road")
    text = page(client_for(other_actor).get(f"/families/{refuge.pk}/"))
    assert "2 Open Road" in text
    assert "7 Hidden Lane" not in text
    assert "Address withheld" in text


def test_a_postcode_search_by_another_team_does_not_find_the_family(
    refuge: Family, other_actor: Actor, client_for: Callable[[Actor], Client], signed_in: Client
) -> None:
    postcode = refuge.addresses.get().postcode
    text = page(client_for(other_actor).post("/search/", {"q": postcode}))
    assert "0 people found" in text
    assert "Fenworth" not in text
    by_name = page(client_for(other_actor).post("/search/", {"q": "Fenworth"}))
    assert "2 people found" in by_name
    assert postcode not in by_name
    assert "Not shown" in by_name
    assert "2 people found" in page(signed_in.post("/search/", {"q": postcode}))


def test_the_search_form_asks_for_something_to_search_for(signed_in: Client) -> None:
    response = signed_in.post("/search/", {"q": ""})
    assert_error(response, "q", "Enter a name, date of birth, NHS number or postcode")
    assert not AuditEvent.objects.exists()


def test_someone_signed_in_without_a_role_is_told_what_to_do(db: None) -> None:
    client = Client()
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "does not have a role in a team yet" in page
    assert "Your role, ," not in page


def test_a_search_is_posted_so_its_terms_never_reach_a_url(
    signed_in: Client, family: Family
) -> None:
    form_page = page(signed_in.get("/search/"))
    assert '<form method="post"' in form_page
    assert "csrfmiddlewaretoken" in form_page
    assert "0 people found" not in page(signed_in.get("/search/", {"q": "Bramwick"}))


def test_search_says_which_part_of_the_query_it_could_not_use(signed_in: Client) -> None:
    text = page(signed_in.post("/search/", {"q": "Bramwick 31/02/2024"}))
    assert "31/02/2024 is not a real date" in text


def test_the_end_link_shows_only_for_involvements_the_actor_may_end(
    other_actor: Actor, client_for: Callable[[Actor], Client], family: Family
) -> None:
    InvolvementFactory(family=family, team=other_actor.team)
    record = page(client_for(other_actor).get(f"/families/{family.pk}/"))
    lead = family.involvements.get(is_lead=True)
    assert f"/involvements/{lead.pk}/end/" not in record
    assert (
        client_for(other_actor)
        .get(f"/families/{family.pk}/involvements/{lead.pk}/end/")
        .status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Notes on the chronology


def test_adding_a_note_from_the_record(signed_in: Client, family: Family) -> None:
    form = signed_in.get(f"/families/{family.pk}/notes/new/")
    assert form.status_code == 200
    # A health visitor records every category, safeguarding included.
    for category in DataCategory:
        assert f'value="{category.value}"' in page(form)
    response = signed_in.post(
        f"/families/{family.pk}/notes/new/",
        {"person": "", "category": "family_support", "summary": "Offered Stay and Play"},
    )
    assert response.status_code == 302
    record = page(signed_in.get(f"/families/{family.pk}/"))
    assert "Offered Stay and Play" in record
    assert "Family support" in record


def test_a_note_with_errors_keeps_what_was_typed(signed_in: Client, family: Family) -> None:
    response = signed_in.post(
        f"/families/{family.pk}/notes/new/", {"category": "", "summary": "Half a thought"}
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("id_category_0", "Select what kind of information the note is")
    ]
    assert "Half a thought" in page(response)
    assert not family.chronology.filter(kind=EventKind.NOTE).exists()


def test_a_sealed_note_is_shown_only_to_the_recording_team(
    signed_in: Client,
    actor: Actor,
    family: Family,
    client_for: Callable[..., Client],
) -> None:
    signed_in.post(
        f"/families/{family.pk}/notes/new/",
        {"category": "family_support", "summary": "Disclosed a worry", "is_sealed": "on"},
    )
    assert "Disclosed a worry" in page(signed_in.get(f"/families/{family.pk}/"))
    colleague_elsewhere = make_actor(Role.HEALTH_VISITOR)  # same role, another team
    InvolvementFactory(family=family, team=colleague_elsewhere.team)
    other_view = client_for(colleague_elsewhere).get(f"/families/{family.pk}/")
    assert other_view.status_code == 200
    assert "Disclosed a worry" not in page(other_view)
    refused = AuditEvent.objects.get(
        user_id=colleague_elsewhere.user.pk, category=DataCategory.FAMILY_SUPPORT
    )
    assert (refused.outcome, refused.basis) == (
        Outcome.DENIED,
        "private to the team that recorded it",
    )
