"""Making a referral through the API: it is routed and answered like a practitioner's, it is
made once per sender reference however often it is sent, and every kind of bad input gets a
400 (or 409, 413, 415) that names the field, with nothing written."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory
from beststart.api import views
from beststart.api.payload import MAX_BODY_BYTES
from beststart.api.tests.conftest import Api, Partner, partner_in, referral_payload
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction
from beststart.referrals.actions import NO_CONSENT_MESSAGE
from beststart.referrals.models import Referral, ReferralService, Source, Status, StepKind
from beststart.referrals.tests.factories import ReferralServiceFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


def field_errors(response: Any) -> dict[str | None, str]:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_a_referral_is_made_routed_and_audited(
    api: Api, partner: Partner, payload: dict, service: ReferralService
) -> None:
    response = api.post("/referrals", payload)
    assert response.status_code == 201
    body = response.json()
    referral = Referral.objects.get()
    assert body["reference"] == referral.reference
    assert response["Location"] == f"http://testserver/api/v1/referrals/{referral.reference}"
    assert body["links"]["self"] == response["Location"]
    assert body["status"] == Status.SUBMITTED
    assert body["service"] == {"id": service.pk, "name": service.name}
    assert body["team"] == service.team.name
    assert body["sender_reference"] == "RGP-2026-00417"
    assert body["first_contact_due"] == referral.first_contact_due.isoformat()
    assert [step["kind"] for step in body["steps"]] == [StepKind.SUBMITTED, StepKind.ROUTED]
    assert body["steps"][0]["team"] == partner.team.name
    assert body["steps"][1]["to_team"] == service.team.name
    # Made by the system account, for its team, from the API, with the family's details.
    assert referral.source == Source.API
    assert referral.referrer == partner.actor.user
    assert referral.referrer_team == partner.team
    assert referral.given_name == "Rowan"
    assert referral.date_of_birth.isoformat() == payload["person"]["date_of_birth"]
    assert referral.nhs_number == payload["person"]["nhs_number"]
    assert referral.consent_categories == ["identity", "family_support"]
    assert len(referral.payload_digest) == 64
    created = AuditEvent.objects.get(action=AccessAction.CREATE)
    assert created.user_id == partner.actor.user.pk
    assert created.team_id == partner.team.pk
    assert created.outcome == Outcome.ALLOWED


def test_routing_rules_apply_to_api_referrals(api: Api, payload: dict, service) -> None:
    triage = TeamFactory(name="Single point of contact")
    RoutingRuleFactory(service=service, team=triage, priority=1)
    response = api.post("/referrals", payload)
    assert response.status_code == 201
    assert response.json()["team"] == "Single point of contact"


def test_an_urgent_referral_is_due_the_next_working_day(api: Api, service) -> None:
    response = api.post("/referrals", referral_payload(service, urgency="urgent"))
    due = dt.date.fromisoformat(response.json()["first_contact_due"])
    assert 1 <= (due - clock.today()).days <= 4  # one working day, over a weekend at most


# ---------------------------------------------------------------------------------------------
# Idempotency


def test_the_same_referral_sent_twice_is_made_once(api: Api, payload: dict) -> None:
    first = api.post("/referrals", payload)
    # Key order and spacing do not make it a different referral.
    reordered = json.dumps(dict(reversed(list(payload.items()))), indent=2)
    second = api.post("/referrals", reordered)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"]
    assert "Location" not in second
    assert Referral.objects.count() == 1
    # Answering again is a view of the referral, audited as one.
    assert AuditEvent.objects.filter(action=AccessAction.VIEW, outcome=Outcome.ALLOWED).count() == 1


def test_the_answer_again_shows_the_referral_as_it_is_now(api: Api, payload: dict) -> None:
    api.post("/referrals", payload)
    Referral.objects.update(status=Status.RECEIVED)
    assert api.post("/referrals", payload).json()["status"] == Status.RECEIVED


def test_the_same_reference_with_different_details_is_a_conflict(api: Api, payload: dict) -> None:
    reference = api.post("/referrals", payload).json()["reference"]
    changed = copy.deepcopy(payload)
    changed["person"]["given_name"] = "Robin"
    response = api.post("/referrals", changed)
    assert response.status_code == 409
    message = field_errors(response)["sender_reference"]
    assert "RGP-2026-00417 was already used for referral" in message
    assert reference in message
    assert Referral.objects.count() == 1
    assert Referral.objects.get().given_name == "Rowan"


def test_a_new_reference_is_a_new_referral(api: Api, payload: dict) -> None:
    api.post("/referrals", payload)
    response = api.post("/referrals", {**payload, "sender_reference": "RGP-2026-00418"})
    assert response.status_code == 201
    assert Referral.objects.count() == 2


def test_two_organisations_may_use_the_same_reference(
    api: Api, payload: dict, service: ReferralService
) -> None:
    school = TeamFactory(organisation=OrganisationFactory(type=OrganisationType.SCHOOL))
    other = partner_in(school, "Brook Primary (MIS)", role=Role.SCHOOL_STAFF)
    mine = api.post("/referrals", payload)
    theirs = api.post("/referrals", referral_payload(service), key=other.key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["reference"] != theirs.json()["reference"]
    assert Referral.objects.filter(sender_reference="RGP-2026-00417").count() == 2


def test_a_race_between_two_sends_makes_one_referral(
    api: Api, payload: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with the same reference at once: both miss the other's referral on the
    first look, the database's constraint stops the second insert, and the second request
    answers with the first's referral."""
    first = api.post("/referrals", payload)
    real = views.sent_before
    looks: list[str] = []

    def missed_the_first_time(actor: Any, sender_reference: str) -> Referral | None:
        looks.append(sender_reference)
        return None if len(looks) == 1 else real(actor, sender_reference)

    monkeypatch.setattr(views, "sent_before", missed_the_first_time)
    second = api.post("/referrals", payload)
    assert len(looks) == 2  # looked, lost the race at the insert, looked again
    assert second.status_code == 200
    assert second.json()["reference"] == first.json()["reference"]
    assert Referral.objects.count() == 1
    looks.clear()
    changed = {**payload, "reason": "Something else"}
    assert api.post("/referrals", changed).status_code == 409


# ---------------------------------------------------------------------------------------------
# Bad input


def test_no_consent_is_refused_with_the_reason(api: Api, payload: dict) -> None:
    payload["consent"]["agreed"] = False
    response = api.post("/referrals", payload)
    assert response.status_code == 400
    assert field_errors(response) == {"consent.agreed": NO_CONSENT_MESSAGE}
    assert not Referral.objects.exists()


def test_malformed_json_says_where(api: Api) -> None:
    response = api.post("/referrals", '{\n  "service": 1,\n  "need": parenting\n}')
    assert response.status_code == 400
    message = field_errors(response)[None]
    assert message.startswith("The body is not valid JSON: Expecting value at line 3, column 11")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "The body is empty: send the referral as a JSON object"),
        ("[1, 2]", "The body must be a JSON object, not an array"),
        ('"a referral"', "The body must be a JSON object, not a string"),
        ("null", "The body must be a JSON object, not null"),
        (b"\xff\xfe{}", "The body is not UTF-8 text (byte 0 is not)"),
        ('{"service": NaN}', "The body is not valid JSON: NaN is not a JSON number"),
        ("[" * 10_000 + "]" * 10_000, "The body is not valid JSON: it is nested too deeply"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api: Api, body: Any, message: str) -> None:
    response = api.post("/referrals", body)
    assert response.status_code == 400
    assert field_errors(response) == {None: message}


def test_every_missing_field_is_listed(api: Api) -> None:
    response = api.post("/referrals", {})
    assert response.status_code == 400
    assert set(field_errors(response)) == {
        "service",
        "need",
        "reason",
        "sender_reference",
        "person",
        "contact",
        "consent",
    }
    assert field_errors(response)["person"] == "Required: an object"


def test_wrong_types_and_shapes_are_listed_by_path(api: Api, payload: dict) -> None:
    payload.update(service="3", urgency="soon", reason=42, colour="blue")
    payload["person"].update(
        given_name="", date_of_birth="03/02/2025", nhs_number=9990000018, middle_name="Ash"
    )
    payload["contact"].update(email="not an e-mail")
    payload["consent"].update(agreed="yes", method="telepathy", given_on="2026-02-30")
    payload["consent"]["categories"] = ["identity", "gossip", 7]
    errors = field_errors(api.post("/referrals", payload))
    assert errors == {
        "service": 'Must be a whole number, the id of a service, not "3"',
        "urgency": 'Must be one of routine, urgent, not "soon"',
        "reason": "Must be a string of up to 5000 characters, not a number",
        "colour": "Not a field of this object. The fields are: service, need, urgency, reason, "
        "person, contact, consent, sender_reference",
        "person.given_name": "Required: a string of up to 100 characters, not an empty string",
        "person.date_of_birth": "Must be a date in ISO 8601 form, YYYY-MM-DD, like 2026-03-14, "
        'not "03/02/2025"',
        "person.nhs_number": "Must be a string of up to 20 characters, not a number",
        "person.middle_name": "Not a field of this object. The fields are: given_name, "
        "family_name, date_of_birth, expected_delivery_date, nhs_number, postcode",
        "contact.email": "Must be an e-mail address, like name@example.org",
        "consent.agreed": "Must be true or false, not a string",
        "consent.method": 'Must be one of verbal, written, red_book, online, not "telepathy"',
        "consent.given_on": "2026-02-30 is not a real date",
        "consent.categories[1]": "Must be one of identity, health, development, family_support, "
        'safeguarding, not "gossip"',
        "consent.categories[2]": "Must be one of identity, health, development, family_support, "
        "safeguarding, not 7",
    }
    assert not Referral.objects.exists()


def test_a_person_needs_a_date_of_birth_or_a_due_date(api: Api, payload: dict) -> None:
    del payload["person"]["date_of_birth"]
    response = api.post("/referrals", payload)
    assert field_errors(response) == {
        "person.date_of_birth": "Required: the date of birth, or expected_delivery_date for a "
        "pregnancy"
    }
    payload["person"]["expected_delivery_date"] = (
        clock.today() + dt.timedelta(days=90)
    ).isoformat()
    assert api.post("/referrals", payload).status_code == 201
    assert Referral.objects.get().date_of_birth is None


def test_a_way_to_contact_the_family_is_needed(api: Api, payload: dict) -> None:
    payload["contact"] = {"name": "Morwenna Quillfeather", "phone": "", "email": None}
    assert field_errors(api.post("/referrals", payload)) == {
        "contact.phone": "Required: a phone number or an e-mail address (or both)"
    }
    payload["contact"]["email"] = "morwenna@example.org"
    assert api.post("/referrals", payload).status_code == 201
    assert Referral.objects.get().contact_email == "morwenna@example.org"


def test_text_too_long_for_its_field(api: Api, payload: dict) -> None:
    payload["person"]["family_name"] = "Q" * 101
    payload["sender_reference"] = "R" * 65
    assert field_errors(api.post("/referrals", payload)) == {
        "person.family_name": "Must be at most 100 characters, not 101",
        "sender_reference": "Must be at most 64 characters, not 65",
    }


def test_text_the_database_cannot_hold(api: Api, payload: dict) -> None:
    payload["reason"] = "Tired\u0000"
    payload["contact"]["name"] = "\ud800"
    errors = field_errors(api.post("/referrals", payload))
    assert set(errors) == {"reason", "contact.name"}
    assert "NUL" in errors["reason"]


def test_an_unknown_service_is_named(api: Api, payload: dict, service: ReferralService) -> None:
    payload["service"] = service.pk + 1000
    response = api.post("/referrals", payload)
    assert response.status_code == 400
    assert field_errors(response) == {
        "service": f"No service with id {service.pk + 1000}; GET /api/v1/referral-services "
        "lists them"
    }


@pytest.mark.parametrize("service_id", [0, -1, 2**63, 1.5, True])
def test_a_service_id_that_cannot_be_one(api: Api, payload: dict, service_id: object) -> None:
    payload["service"] = service_id
    response = api.post("/referrals", payload)
    assert response.status_code == 400
    assert list(field_errors(response)) == ["service"]


def test_the_actions_rules_come_back_by_api_field(
    api: Api, payload: dict, service: ReferralService
) -> None:
    """What the referral must mean is the action's to check: its errors are mapped to the
    fields as the API names them."""
    payload["need"] = "domestic_abuse"  # a need, but not one this service meets
    payload["person"]["postcode"] = "XW9 9ZZ"  # postcode-shaped, not in the area
    payload["person"]["nhs_number"] = "999 000 0019"  # fails the check digit
    payload["consent"]["given_on"] = (clock.today() + dt.timedelta(days=1)).isoformat()
    payload["consent"]["categories"] = ["identity", "safeguarding"]
    response = api.post("/referrals", payload)
    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) == {
        "need",
        "person.postcode",
        "person.nhs_number",
        "consent.given_on",
        "consent.categories",
    }
    assert errors["need"] == f"{service.name} does not help with this. Choose another need"
    assert "Safeguarding information is never shared by consent" in errors["consent.categories"]
    assert not Referral.objects.exists()


def test_a_service_not_taking_referrals(api: Api, payload: dict, service: ReferralService) -> None:
    service.is_active = False
    service.save()
    errors = field_errors(api.post("/referrals", payload))
    assert errors == {"service": f"{service.name} is not taking referrals. Choose another"}


def test_json_only(api: Api, payload: dict) -> None:
    form = api.post(
        "/referrals", "service=1&need=parenting", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    assert "Content-Type: application/json" in field_errors(form)[None]
    latin = api.post("/referrals", payload, content_type="application/json; charset=latin-1")
    assert latin.status_code == 415
    utf8 = api.post("/referrals", payload, content_type="application/json; charset=UTF-8")
    assert utf8.status_code == 201


def test_a_body_over_64_kib_is_refused_unread(api: Api, payload: dict) -> None:
    payload["reason"] = "x" * MAX_BODY_BYTES
    response = api.post("/referrals", payload)
    assert response.status_code == 413
    assert field_errors(response) == {None: "The body is over 64 KiB: no referral is that long"}
    assert not Referral.objects.exists()


def test_only_post_makes_a_referral(api: Api) -> None:
    response = api.get("/referrals")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_role_that_may_not_refer_is_forbidden(api: Api, partner: Partner, payload: dict) -> None:
    """A key is issued only to an account that may refer; if its role changes later, the
    policy refuses the write, and the refusal is audited."""
    partner.actor.membership.role = Role.COMMISSIONER
    partner.actor.membership.save()
    response = api.post("/referrals", payload)
    assert response.status_code == 403
    assert "commissioner or analyst, who may not make referrals" in field_errors(response)[None]
    assert not Referral.objects.exists()
    refused = AuditEvent.objects.get()
    assert (refused.user_id, refused.outcome) == (partner.actor.user.pk, Outcome.DENIED)


def test_a_second_team_service_is_sent_to_its_own_team(api: Api) -> None:
    other = ReferralServiceFactory()
    response = api.post("/referrals", referral_payload(other, sender_reference="RGP-9"))
    assert response.json()["team"] == other.team.name
