"""Following a referral, the services list and the OpenAPI document. A referral is shown only
to a party to it (the sending or receiving team), through the referrals selector, audited
either way; anyone else's is the 404 of one that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

from beststart.accounts.models import Role
from beststart.accounts.tests.factories import make_actor
from beststart.api import views
from beststart.api.openapi import EXAMPLE_REFERRAL, document
from beststart.api.tests.conftest import (
    DOCUMENT,
    Api,
    Partner,
    partner_in,
    referral_payload,
    request_schema,
)
from beststart.api.urls import urlpatterns
from beststart.audit.models import AuditEvent, Outcome
from beststart.core.categories import AccessAction
from beststart.referrals import actions
from beststart.referrals.models import DeclineReason, Need, Referral, ReferralService, Status
from beststart.referrals.models import Outcome as ReferralOutcome
from beststart.referrals.tests.factories import ReferralFactory, ReferralServiceFactory

pytestmark = pytest.mark.django_db


def sent(api: Api, service: ReferralService, **changes: Any) -> Referral:
    response = api.post("/referrals", referral_payload(service, **changes))
    assert response.status_code == 201
    return Referral.objects.get(pk=int(response.json()["reference"].removeprefix("REF-")))


def test_the_sender_follows_its_referral_to_the_outcome(
    api: Api, partner: Partner, service: ReferralService
) -> None:
    referral = sent(api, service)
    worker = make_actor(Role.FAMILY_HUB_WORKER, service.team)
    referral = actions.mark_received(actor=worker, referral=referral)
    referral = actions.request_information(
        actor=worker, referral=referral, question="Is an evening visit better?"
    )
    body = api.get(f"/referrals/{referral.reference}").json()
    assert body["status"] == Status.RECEIVED
    assert body["information_requested"] is True
    assert body["steps"][-1]["kind"] == "info_requested"
    assert body["steps"][-1]["note"] == "Is an evening visit better?"
    assert body["steps"][-1]["team"] == service.team.name
    assert body["outcome"] is None

    referral = actions.decline(
        actor=worker, referral=referral, reason=DeclineReason.ALREADY_SUPPORTED
    )
    body = api.get(f"/referrals/{referral.reference}").json()
    assert body["status"] == Status.DECLINED
    assert body["decline_reason"] == {
        "code": "already_supported",
        "label": DeclineReason.ALREADY_SUPPORTED.label,
    }
    assert body["closed_at"] is not None
    assert body["steps"][-1]["note"].startswith(DeclineReason.ALREADY_SUPPORTED.label)


def test_a_completed_referral_shows_its_outcome(api: Api, partner: Partner) -> None:
    service = ReferralServiceFactory()
    referral = ReferralFactory(
        service=service,
        referrer=partner.actor.user,
        referrer_team=partner.team,
        status=Status.COMPLETED,
        outcome=ReferralOutcome.NEED_MET,
    )
    body = api.get(f"/referrals/{referral.reference.lower()}").json()
    assert body["outcome"] == {"code": "need_met", "label": "Need met"}
    assert body["sender_reference"] is None  # made on the website, not through the API


def test_reading_is_audited_as_a_view(api: Api, partner: Partner, service) -> None:
    referral = sent(api, service)
    api.get(f"/referrals/{referral.reference}")
    viewed = AuditEvent.objects.get(action=AccessAction.VIEW)
    assert (viewed.user_id, viewed.outcome) == (partner.actor.user.pk, Outcome.ALLOWED)
    assert viewed.basis.startswith("the actor's team made the referral")


def test_the_receiving_teams_system_sees_it_too(api: Api, service: ReferralService) -> None:
    referral = sent(api, service)
    hub = partner_in(service.team, "Riverside Family Hub (case system)", Role.FAMILY_HUB_WORKER)
    response = api.get(f"/referrals/{referral.reference}", key=hub.key)
    assert response.status_code == 200


def test_another_teams_referral_is_not_found_and_the_refusal_audited(
    api: Api, partner: Partner
) -> None:
    theirs = ReferralFactory()  # made by and sent to teams the partner is not
    response = api.get(f"/referrals/{theirs.reference}")
    missing = api.get("/referrals/REF-999999")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    assert "Rowan" not in response.content.decode()
    refused = AuditEvent.objects.get()
    assert refused.user_id == partner.actor.user.pk
    assert refused.outcome == Outcome.DENIED
    assert refused.action == AccessAction.VIEW
    assert "neither the referrer" in refused.basis


@pytest.mark.parametrize("reference", ["REF-", "nonsense", "REF-12a", "9" * 40, "REF-" + "9" * 19])
def test_a_reference_that_cannot_be_one_is_not_found(api: Api, reference: str) -> None:
    assert api.get(f"/referrals/{reference}").status_code == 404


def test_reading_needs_a_key(api: Api, service) -> None:
    referral = sent(api, service)
    response = api.get(f"/referrals/{referral.reference}", key=None)
    assert response.status_code == 401


def test_a_view_that_forgot_the_policy_fails_closed(
    api: Api, service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the read ever skipped the selector, PolicyEnforcementMiddleware would answer 404:
    the API's views are held to the policy like any page."""
    referral = sent(api, service)
    monkeypatch.setattr(views, "referral_for", lambda actor, pk: Referral.objects.get(pk=pk))
    response = api.client.get(
        reverse("api:referral", args=[referral.reference]),
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert response.status_code == 404
    assert "Quillfeather" not in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Services


def test_the_services_taking_referrals(api: Api, service: ReferralService) -> None:
    ReferralServiceFactory(name="Closed service", is_active=False)
    response = api.get("/referral-services")
    assert response.status_code == 200
    assert response.json() == {
        "services": [
            {
                "id": service.pk,
                "name": service.name,
                "description": "",
                "needs": [
                    {"code": "parenting", "label": Need.PARENTING.label},
                    {"code": "isolation", "label": Need.ISOLATION.label},
                ],
                "team": service.team.name,
                "first_contact_days": 5,
            }
        ]
    }
    assert not AuditEvent.objects.exists()  # nobody's data


def test_the_services_list_needs_a_key(api: Api) -> None:
    assert api.get("/referral-services", key=None).status_code == 401
    assert api.call("POST", "/referral-services").status_code == 405


# ---------------------------------------------------------------------------------------------
# The OpenAPI document


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(document())
    assert document()["openapi"] == "3.1.0"


def test_the_document_is_public(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT
    validate(response.json())


def test_every_api_url_is_documented() -> None:
    documented = set(DOCUMENT["paths"])
    for pattern in urlpatterns:
        route = str(pattern.pattern).replace("<str:reference>", "{reference}")
        assert f"/{route}" in documented
    assert len(urlpatterns) == len(documented)


def test_the_documents_example_and_the_tests_payload_are_valid_requests(
    service: ReferralService,
) -> None:
    request_schema().validate(EXAMPLE_REFERRAL)
    request_schema().validate(referral_payload(service))


def test_the_document_lists_what_the_models_allow() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["ReferralRequest"]["properties"]["need"]["enum"] == list(Need.values)
    assert schemas["Referral"]["properties"]["status"]["enum"] == list(Status.values)
    security = DOCUMENT["components"]["securitySchemes"]["bearerKey"]
    assert (security["type"], security["scheme"]) == ("http", "bearer")
