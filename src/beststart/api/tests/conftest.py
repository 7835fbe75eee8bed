"""A partner system for the API tests: a GP practice's key, a service to refer to, a valid
referral payload, and a client that checks every JSON answer against the OpenAPI document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.api.auth import create_client
from beststart.api.models import ApiClient
from beststart.api.openapi import document
from beststart.core import clock
from beststart.core.tests.factories import next_nhs_number
from beststart.families.tests.factories import years_ago
from beststart.places.tests.factories import PostcodeFactory
from beststart.referrals.models import ReferralService
from beststart.referrals.tests.factories import ReferralServiceFactory

BASE = "/api/v1"
DOCUMENT = document()
DOCUMENT_URI = "urn:beststart-api"
REGISTRY = Registry().with_resource(
    DOCUMENT_URI, Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
)


def _pointer(*parts: str) -> str:
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def schema_validator(pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` in the document, its $refs resolved."""
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def request_schema() -> Draft202012Validator:
    return schema_validator(_pointer("components", "schemas", "ReferralRequest"))


def _operation(method: str, path: str) -> tuple[str, dict[str, Any] | None]:
    """The path's template in the document, and the method's operation (None: the path does
    not list the method)."""
    assert path.startswith(BASE), path
    local = path[len(BASE) :].split("?")[0]
    for template, operations in DOCUMENT["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), local):
            return template, operations.get(method.lower())
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check_against_document(method: str, path: str, response: Any) -> None:
    """The answer's status is documented for the operation, with its headers, and its JSON
    body is valid against the schema the document gives for that status."""
    template, operation = _operation(method, path)
    status = str(response.status_code)
    if operation is None:  # a method the path does not list
        assert status == "405", f"{method} {template} is not documented, yet answered {status}"
        documented = {"$ref": "#/components/responses/MethodNotAllowed"}
    else:
        assert status in operation["responses"], f"{status} is undocumented: {method} {template}"
        documented = operation["responses"][status]
    pointer = _pointer("paths", template, method.lower(), "responses", status)
    if "$ref" in documented:
        name = documented["$ref"].rsplit("/", 1)[1]
        pointer = _pointer("components", "responses", name)
        documented = DOCUMENT["components"]["responses"][name]
    for header in documented.get("headers", {}):
        assert header in response, f"{status} from {method} {template} lacks {header}"
    assert response["Content-Type"] == "application/json"
    schema_validator(f"{pointer}{_pointer('content', 'application/json', 'schema')}").validate(
        response.json()
    )


@dataclass
class Api:
    """A partner's system calling the API with its key (or another, or none)."""

    key: str | None
    client: Client

    def _headers(self, key: str | bool | None) -> dict[str, str]:
        key = self.key if key is True else key
        return {"Authorization": f"Bearer {key}"} if key else {}

    def post(
        self,
        path: str,
        body: object,
        *,
        key: str | bool | None = True,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        response = self.client.post(
            BASE + path,
            data=data,
            content_type=content_type,
            headers={**self._headers(key), **(headers or {})},
        )
        check_against_document("POST", BASE + path, response)
        return response

    def get(
        self, path: str, *, key: str | bool | None = True, headers: dict[str, str] | None = None
    ) -> Any:
        response = self.client.get(BASE + path, headers={**self._headers(key), **(headers or {})})
        check_against_document("GET", BASE + path, response)
        return response

    def call(self, method: str, path: str, **extra: Any) -> Any:
        response = self.client.generic(method, BASE + path, headers=self._headers(True), **extra)
        check_against_document(method, BASE + path, response)
        return response


@dataclass
class Partner:
    """A partner system: its key and the team its system account acts for."""

    actor: Actor
    client: ApiClient
    key: str

    @property
    def team(self) -> Team:
        return self.actor.team


def partner_in(team: Team, name: str, role: str = Role.GP_PRACTICE_STAFF) -> Partner:
    actor = make_actor(role, team)
    issued = create_client(name=name, username=actor.user.username)
    return Partner(actor=actor, client=issued.client, key=issued.key)


@pytest.fixture
def gp_team(db: None) -> Team:
    organisation = OrganisationFactory(name="Riverside Surgery", type=OrganisationType.GP_PRACTICE)
    return TeamFactory(organisation=organisation, name="Riverside Surgery practice team")


@pytest.fixture
def partner(gp_team: Team) -> Partner:
    """Riverside Surgery's GP system, acting as a GP practice staff account."""
    return partner_in(gp_team, "Riverside Surgery (GP system)")


@pytest.fixture
def api(partner: Partner) -> Api:
    return Api(key=partner.key, client=Client())


@pytest.fixture
def service(db: None) -> ReferralService:
    return ReferralServiceFactory(name="Parenting support, Riverside Family Hub")


def referral_payload(service: ReferralService, **changes: Any) -> dict[str, Any]:
    """A complete, valid referral, as a partner system would send it."""
    payload: dict[str, Any] = {
        "service": service.pk,
        "need": service.needs[0],
        "urgency": "routine",
        "reason": "Finding the evenings hard since the baby came; would like some ideas.",
        "person": {
            "given_name": "Rowan",
            "family_name": "Quillfeather",
            "date_of_birth": years_ago(1).isoformat(),
            "nhs_number": next_nhs_number(),
            "postcode": PostcodeFactory().postcode,
        },
        "contact": {"name": "Morwenna Quillfeather", "phone": "07700 900123"},
        "consent": {
            "agreed": True,
            "given_by": "Morwenna Quillfeather, mother",
            "method": "verbal",
            "given_on": clock.today().isoformat(),
            "categories": ["identity", "family_support"],
        },
        "sender_reference": "RGP-2026-00417",
    }
    payload.update(changes)
    return payload


@pytest.fixture
def payload(service: ReferralService) -> dict[str, Any]:
    return referral_payload(service)
