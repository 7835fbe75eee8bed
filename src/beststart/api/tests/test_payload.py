"""The payload reader, with inputs Hypothesis chooses: junk is always a 400 that names what is
wrong (never a 500), a wrong value anywhere is reported at its path, and the same referral
has the same digest however it is written."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.api.payload import (
    PERSON_FIELDS,
    Invalid,
    ReferralRequest,
    parse_body,
    read_referral,
)
from beststart.api.tests.conftest import DOCUMENT, Api, request_schema
from beststart.core.categories import DataCategory
from beststart.core.tests.factories import next_nhs_number
from beststart.referrals.models import Need, Referral, Urgency
from beststart.sharing.models import ConsentMethod

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40)
dates = st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 1))
shareable = [category for category in DataCategory.values if category != "safeguarding"]


@st.composite
def payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A referral that is well formed (whether the action would accept it is another matter)."""
    person: dict[str, Any] = {
        "given_name": draw(names.filter(str.strip)),
        "family_name": draw(names.filter(str.strip)),
        "postcode": "XW1 2AB",
    }
    dated = draw(st.sampled_from(["date_of_birth", "expected_delivery_date", "both"]))
    for key in ("date_of_birth", "expected_delivery_date"):
        if dated in (key, "both"):
            person[key] = draw(dates).isoformat()
    if draw(st.booleans()):
        person["nhs_number"] = next_nhs_number()
    contact: dict[str, Any] = {"name": draw(names.filter(str.strip))}
    reach = draw(st.sampled_from(["phone", "email", "both"]))
    if reach in ("phone", "both"):
        contact["phone"] = "07700 900" + str(draw(st.integers(100, 999)))
    if reach in ("email", "both"):
        contact["email"] = "parent@example.org"
    payload: dict[str, Any] = {
        "service": draw(st.integers(1, 10_000)),
        "need": draw(st.sampled_from(Need.values)),
        "reason": draw(names.filter(str.strip)),
        "person": person,
        "contact": contact,
        "consent": {
            "agreed": True,
            "given_by": draw(names.filter(str.strip)),
            "method": draw(st.sampled_from(ConsentMethod.values)),
            "given_on": draw(dates).isoformat(),
            "categories": draw(st.lists(st.sampled_from(shareable), min_size=1, unique=True)),
        },
        "sender_reference": draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/", min_size=1)),
    }
    if draw(st.booleans()):
        payload["urgency"] = draw(st.sampled_from(Urgency.values))
    return payload


def _shuffled(value: Any, seed: int) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        random.Random(seed).shuffle(items)
        return {key: _shuffled(item, seed) for key, item in items}
    return value


def _refusal(value: object) -> Invalid | None:
    try:
        read_referral(value)
    except Invalid as invalid:
        return invalid
    return None


@given(json_values)
def test_any_json_value_is_read_or_refused_field_by_field(value: object) -> None:
    refusal = _refusal(value)
    if refusal is not None:
        assert refusal.errors
        assert all(error.message for error in refusal.errors)


@given(st.binary(max_size=300))
def test_any_bytes_are_parsed_or_refused_with_a_reason(body: bytes) -> None:
    refusal = None
    try:
        parse_body(body)
    except Invalid as invalid:
        refusal = invalid
    if refusal is not None:
        [error] = refusal.errors
        assert error.field is None
        assert error.message.startswith("The body ")


@given(payloads(), st.integers())
def test_a_well_formed_referral_is_read_and_its_digest_ignores_layout(
    payload: dict[str, Any], seed: int
) -> None:
    request_schema().validate(payload)
    read = read_referral(payload)
    assert isinstance(read, ReferralRequest)
    assert read.urgency == payload.get("urgency", Urgency.ROUTINE)
    again = read_referral(json.loads(json.dumps(_shuffled(payload, seed), indent=seed % 4)))
    assert again.digest == read.digest
    changed = copy.deepcopy(payload)
    changed["reason"] += "!"
    assert read_referral(changed).digest != read.digest


WRONG_FOR = {
    "string": st.integers() | st.booleans() | st.lists(st.text(), max_size=2) | st.just({}),
    "integer": st.text() | st.floats() | st.booleans() | st.just([]) | st.integers(max_value=0),
    "boolean": st.text() | st.integers() | st.just([]) | st.just(False),
    "object": st.text() | st.integers() | st.booleans() | st.lists(st.integers(), max_size=2),
    "array": st.text() | st.integers() | st.just({}) | st.just([]),
    "date": st.text().filter(lambda text: not text[:1].isdigit())
    | st.integers()
    | st.just("2026-13-01"),
    "choice": st.text().filter(lambda text: text not in Need.values + Urgency.values)
    | st.integers(),
}
PATHS = {
    ("service",): "integer",
    ("need",): "choice",
    ("urgency",): "choice",
    ("reason",): "string",
    ("sender_reference",): "string",
    ("person",): "object",
    ("contact",): "object",
    ("consent",): "object",
    ("person", "given_name"): "string",
    ("person", "family_name"): "string",
    ("person", "date_of_birth"): "date",
    ("person", "postcode"): "string",
    ("person", "nhs_number"): "string",
    ("contact", "name"): "string",
    ("contact", "email"): "string",
    ("consent", "agreed"): "boolean",
    ("consent", "given_by"): "string",
    ("consent", "method"): "choice",
    ("consent", "given_on"): "date",
    ("consent", "categories"): "array",
}


@given(payloads(), st.data())
def test_a_wrong_value_anywhere_is_reported_at_its_path(
    payload: dict[str, Any], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(sorted(PATHS)))
    wrong = data.draw(WRONG_FOR[PATHS[path]])
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = wrong
    with pytest.raises(Invalid) as invalid:
        read_referral(changed)
    name = ".".join(path)
    assert any(error.field and error.field.startswith(name) for error in invalid.value.errors), (
        name,
        wrong,
        invalid.value.errors,
    )


def test_the_person_fields_are_the_ones_the_document_lists() -> None:
    person = DOCUMENT["components"]["schemas"]["Person"]["properties"]
    assert tuple(person) == PERSON_FIELDS


# ---------------------------------------------------------------------------------------------
# Through the view: junk never gets a 500


@pytest.mark.django_db
@given(st.binary(max_size=500) | json_values.map(lambda value: json.dumps(value).encode()))
def test_junk_posted_to_the_api_is_a_400_and_writes_nothing(api: Api, body: bytes) -> None:
    response = api.post("/referrals", body)
    assert response.status_code == 400
    assert not Referral.objects.exists()
