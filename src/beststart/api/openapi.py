"""The OpenAPI 3.1 document of the Referrals API, served at /api/v1/openapi.json. The lists of
values (needs, urgency, consent methods, categories, statuses) come from the models, so the
document cannot fall behind them; the tests check every response against it."""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices

from beststart.api.payload import MAX_BODY_BYTES, MAX_ID, REASON_MAX_LENGTH, max_length
from beststart.core.categories import DataCategory
from beststart.referrals.models import (
    REFERENCE_PREFIX,
    DeclineReason,
    Need,
    Outcome,
    Status,
    StepKind,
    Urgency,
)
from beststart.sharing.models import ConsentMethod

JSON = "application/json"
Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _text(max_length: int, description: str, **more: Any) -> Schema:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": max_length,
        "description": description,
        **more,
    }


def _values(choices: type[TextChoices]) -> str:
    return "; ".join(f"`{value}`: {label}" for value, label in choices.choices)


def _coded(choices: type[TextChoices], description: str) -> Schema:
    return {
        "description": description,
        "oneOf": [
            {"type": "null"},
            {
                "type": "object",
                "required": ["code", "label"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": list(choices.values)},
                    "label": {"type": "string"},
                },
            },
        ],
    }


DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
SHAREABLE = [category for category in DataCategory.values if category != DataCategory.SAFEGUARDING]

SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "required": ["field", "message"],
        "additionalProperties": False,
        "properties": {
            "field": {
                "type": ["string", "null"],
                "description": "The field's path in the payload, such as "
                "`person.date_of_birth` or `consent.categories[1]`; null for the request "
                "as a whole",
            },
            "message": {"type": "string", "description": "What is wrong, and what to send"},
        },
    },
    "Errors": {
        "type": "object",
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {"errors": {"type": "array", "minItems": 1, "items": _ref("Error")}},
    },
    "ReferralRequest": {
        "type": "object",
        "required": [
            "service",
            "need",
            "reason",
            "person",
            "contact",
            "consent",
            "sender_reference",
        ],
        "additionalProperties": False,
        "properties": {
            "service": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "The id of a service from GET /referral-services",
            },
            "need": {
                "type": "string",
                "enum": list(Need.values),
                "description": "What the family needs help with (one the service meets): "
                + _values(Need),
            },
            "urgency": {
                "type": "string",
                "enum": list(Urgency.values),
                "default": Urgency.ROUTINE.value,
                "description": _values(Urgency),
            },
            "reason": _text(REASON_MAX_LENGTH, "What is happening and what the family would like"),
            "person": _ref("Person"),
            "contact": _ref("Contact"),
            "consent": _ref("Consent"),
            "sender_reference": _text(
                max_length("sender_reference"),
                "The sending system's own reference for this referral. Sending the same "
                "reference again with the same content returns the referral already made; "
                "with different content it is refused (409).",
            ),
        },
    },
    "Person": {
        "type": "object",
        "description": "Who is referred: a child, a parent, or a pregnancy (give the due date)",
        "required": ["given_name", "family_name", "postcode"],
        "anyOf": [{"required": ["date_of_birth"]}, {"required": ["expected_delivery_date"]}],
        "additionalProperties": False,
        "properties": {
            "given_name": _text(max_length("given_name"), "Given name"),
            "family_name": _text(max_length("family_name"), "Family name"),
            "date_of_birth": {**DATE, "description": "Date of birth, in the past"},
            "expected_delivery_date": {**DATE, "description": "For a pregnancy: the due date"},
            "nhs_number": {
                "type": "string",
                "maxLength": 20,
                "description": "10 digits passing the Modulus 11 check; spaces allowed",
                "examples": ["999 000 0018"],
            },
            "postcode": _text(max_length("postcode"), "A postcode in the area, like XW1 2AB"),
        },
    },
    "Contact": {
        "type": "object",
        "description": "Who to contact in the family: a phone number or an e-mail, or both",
        "required": ["name"],
        "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
        "additionalProperties": False,
        "properties": {
            "name": _text(max_length("contact_name"), "Who to contact"),
            "phone": _text(max_length("contact_phone"), "Phone number"),
            "email": {"type": "string", "format": "email", "maxLength": 254},
        },
    },
    "Consent": {
        "type": "object",
        "description": "The family's agreement to the referral, and to sharing what with the "
        "service",
        "required": ["agreed", "given_by", "method", "given_on", "categories"],
        "additionalProperties": False,
        "properties": {
            "agreed": {
                "type": "boolean",
                "const": True,
                "description": "Must be true: a referral needs the family's agreement",
            },
            "given_by": _text(max_length("consent_given_by"), "Who agreed, and who they are"),
            "method": {
                "type": "string",
                "enum": list(ConsentMethod.values),
                "description": _values(ConsentMethod),
            },
            "given_on": {**DATE, "description": "When, today or in the past"},
            "categories": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": SHAREABLE},
                "description": "What the family agreed may be shared with the service. "
                "Safeguarding information is never shared by consent.",
            },
        },
    },
    "Referral": {
        "type": "object",
        "required": [
            "reference",
            "sender_reference",
            "status",
            "status_label",
            "service",
            "team",
            "need",
            "urgency",
            "submitted_at",
            "first_contact_due",
            "contacted_at",
            "closed_at",
            "information_requested",
            "decline_reason",
            "outcome",
            "merged_into",
            "steps",
            "links",
        ],
        "additionalProperties": False,
        "properties": {
            "reference": {"type": "string", "pattern": f"^{REFERENCE_PREFIX}[0-9]{{6,}}$"},
            "sender_reference": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(Status.values)},
            "status_label": {"type": "string"},
            "service": {
                "type": "object",
                "required": ["id", "name"],
                "additionalProperties": False,
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "team": {"type": "string", "description": "The team whose queue holds it"},
            "need": {"type": "string", "enum": list(Need.values)},
            "urgency": {"type": "string", "enum": list(Urgency.values)},
            "submitted_at": DATE_TIME,
            "first_contact_due": {
                **DATE,
                "description": "The target date for the first contact with the family",
            },
            "contacted_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "information_requested": {
                "type": "boolean",
                "description": "The receiving team or triage has asked the referrer a question "
                "(the step's note) that is not yet answered",
            },
            "decline_reason": _coded(DeclineReason, "Why it was declined, if it was"),
            "outcome": _coded(Outcome, "How it ended, once completed"),
            "merged_into": {
                "type": ["string", "null"],
                "description": "The referral this duplicate was merged into",
            },
            "steps": {"type": "array", "items": _ref("Step")},
            "links": {
                "type": "object",
                "required": ["self"],
                "additionalProperties": False,
                "properties": {"self": {"type": "string", "format": "uri"}},
            },
        },
    },
    "Step": {
        "type": "object",
        "required": ["kind", "label", "occurred_at", "team", "to_team", "note"],
        "additionalProperties": False,
        "properties": {
            "kind": {"type": "string", "enum": list(StepKind.values)},
            "label": {"type": "string"},
            "occurred_at": DATE_TIME,
            "team": {"type": ["string", "null"], "description": "The team that took the step"},
            "to_team": {
                "type": ["string", "null"],
                "description": "For a referral sent to a queue: the team it was sent to",
            },
            "note": {"type": "string"},
        },
    },
    "Service": {
        "type": "object",
        "required": ["id", "name", "description", "needs", "team", "first_contact_days"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "needs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "label"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": list(Need.values)},
                        "label": {"type": "string"},
                    },
                },
            },
            "team": {"type": "string"},
            "first_contact_days": {
                "type": "integer",
                "minimum": 1,
                "description": "Target: working days from submission to first contact "
                "(1 for an urgent referral)",
            },
        },
    },
    "ServiceList": {
        "type": "object",
        "required": ["services"],
        "additionalProperties": False,
        "properties": {"services": {"type": "array", "items": _ref("Service")}},
    },
}


def _error(description: str, **more: Any) -> Schema:
    return {"description": description, "content": {JSON: {"schema": _ref("Errors")}}, **more}


RESPONSES: dict[str, Schema] = {
    "BadRequest": _error(
        "The body is not JSON, not an object, or fields are missing or wrong: each is listed "
        "by its path"
    ),
    "Unauthorized": _error(
        "No key, a malformed Authorization header, or a key that is unknown or revoked",
        headers={
            "WWW-Authenticate": {
                "description": "The Bearer challenge (RFC 6750)",
                "schema": {"type": "string"},
            }
        },
    ),
    "Forbidden": _error(
        "The key's account holds no active role, or a role that may not make referrals"
    ),
    "NotFound": _error(
        "No such referral, or the key's team is not a party to it: the two look the same"
    ),
    "MethodNotAllowed": _error(
        "Any method a path does not list is answered with this",
        headers={"Allow": {"schema": {"type": "string"}}},
    ),
    "Conflict": _error(
        "The sender_reference was already used by the key's team for a referral with "
        "different content"
    ),
    "PayloadTooLarge": _error(f"The body is over {MAX_BODY_BYTES // 1024} KiB"),
    "UnsupportedMediaType": _error("The body is not sent as application/json"),
}


def _responses(*names: str) -> dict[str, Schema]:
    codes = {
        "BadRequest": "400",
        "Unauthorized": "401",
        "Forbidden": "403",
        "NotFound": "404",
        "MethodNotAllowed": "405",
        "Conflict": "409",
        "PayloadTooLarge": "413",
        "UnsupportedMediaType": "415",
    }
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in names}


EXAMPLE_REFERRAL = {
    "service": 3,
    "need": Need.PARENTING.value,
    "urgency": Urgency.ROUTINE.value,
    "reason": "Finding the evenings hard since the baby came; would like some ideas.",
    "person": {
        "given_name": "Rowan",
        "family_name": "Quillfeather",
        "date_of_birth": "2025-11-02",
        "nhs_number": "999 000 0018",
        "postcode": "XW1 2AB",
    },
    "contact": {"name": "Morwenna Quillfeather", "phone": "07700 900123"},
    "consent": {
        "agreed": True,
        "given_by": "Morwenna Quillfeather, mother",
        "method": ConsentMethod.VERBAL.value,
        "given_on": "2026-12-01",
        "categories": [DataCategory.IDENTITY.value, DataCategory.FAMILY_SUPPORT.value],
    },
    "sender_reference": "RGP-2026-00417",
}


def document() -> dict[str, Any]:
    referral = {"description": "The referral", "content": {JSON: {"schema": _ref("Referral")}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Best Start Referrals API",
            "version": "1.0.0",
            "summary": "Referrals from partner systems, and what happened to them",
            "description": "Partner systems (GP practices, health visiting, voluntary "
            "organisations) send referrals to the area's services and follow each one to its "
            "outcome. Each partner system has its own key, which acts for one team. A method "
            "a path does not list is answered 405 (`#/components/responses/MethodNotAllowed`). "
            "See docs/api.md.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerKey": []}],
        "paths": {
            "/referrals": {
                "post": {
                    "operationId": "submitReferral",
                    "summary": "Make a referral",
                    "description": "Idempotent on `sender_reference` for the key's team: the "
                    "same reference with the same content returns the referral already made "
                    "(200), never a second one.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            JSON: {
                                "schema": _ref("ReferralRequest"),
                                "example": EXAMPLE_REFERRAL,
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            **referral,
                            "description": "Made, and sent to a team's queue",
                            "headers": {
                                "Location": {
                                    "description": "The referral's URL",
                                    "schema": {"type": "string", "format": "uri"},
                                }
                            },
                        },
                        "200": {
                            **referral,
                            "description": "Already made from the same sender_reference "
                            "and content: the referral as it is now",
                        },
                        **_responses(
                            "BadRequest",
                            "Unauthorized",
                            "Forbidden",
                            "Conflict",
                            "PayloadTooLarge",
                            "UnsupportedMediaType",
                        ),
                    },
                }
            },
            "/referrals/{reference}": {
                "get": {
                    "operationId": "getReferral",
                    "summary": "A referral the key's team made or receives: its status, "
                    "steps and outcome",
                    "parameters": [
                        {
                            "name": "reference",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "examples": ["REF-000042"]},
                        }
                    ],
                    "responses": {
                        "200": referral,
                        **_responses("Unauthorized", "Forbidden", "NotFound"),
                    },
                }
            },
            "/referral-services": {
                "get": {
                    "operationId": "listReferralServices",
                    "summary": "The services taking referrals, with their ids",
                    "responses": {
                        "200": {
                            "description": "The services",
                            "content": {JSON: {"schema": _ref("ServiceList")}},
                        },
                        **_responses("Unauthorized", "Forbidden"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document",
                            "content": {JSON: {"schema": {"type": "object"}}},
                        },
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "bs_ and 43 characters",
                    "description": "A partner system's key, from the Best Start administrators",
                }
            },
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }
