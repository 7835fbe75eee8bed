"""Reading a referral sent as JSON: every field checked for its presence, type and shape, and
every problem reported at once by its path in the payload ("person.date_of_birth"). What the
referral must mean (consent given, a real postcode, a need the service meets) is the action's
to check; its errors are mapped to the same paths by `ACTION_FIELDS`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from beststart.core.categories import DataCategory
from beststart.referrals.actions import (
    NO_CONSENT_MESSAGE,
    ConsentGiven,
    PersonReferred,
    ReferralDetails,
)
from beststart.referrals.models import Need, Referral, ReferralService, Urgency
from beststart.sharing.models import ConsentMethod

MAX_BODY_BYTES = 64 * 1024
MAX_ID = 2**63 - 1  # the database's largest id; a larger number is no service
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UNKNOWN_SERVICE = "No service with id {id}; GET /api/v1/referral-services lists them"

# The action's error keys, as the API names the fields.
ACTION_FIELDS = {
    "service": "service",
    "need": "need",
    "date_of_birth": "person.date_of_birth",
    "nhs_number": "person.nhs_number",
    "postcode": "person.postcode",
    "contact_phone": "contact.phone",
    "consent_agreed": "consent.agreed",
    "consent_categories": "consent.categories",
    "consent_given_on": "consent.given_on",
}


def max_length(field: str) -> int:
    """The longest value a Referral's text field holds."""
    model_field = Referral._meta.get_field(field)
    assert isinstance(model_field, models.CharField)
    assert model_field.max_length is not None
    return model_field.max_length


@dataclass(frozen=True)
class FieldError:
    field: str | None  # None: the request as a whole
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message}


class Invalid(Exception):
    """The payload is invalid: every field error found."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in self.errors))


def errors_from(error: ValidationError) -> list[FieldError]:
    """An action's ValidationError, by the API's field names."""
    if hasattr(error, "error_dict"):
        return [
            FieldError(ACTION_FIELDS.get(key, key), message)
            for key, messages in error.message_dict.items()
            for message in messages
        ]
    return [FieldError(None, message) for message in error.messages]


# ---------------------------------------------------------------------------------------------
# The body


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_body(body: bytes) -> object:
    """The JSON value in a request body, or Invalid saying where it stops being JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid(
            [FieldError(None, f"The body is not UTF-8 text (byte {error.start} is not)")]
        ) from None
    if not text.strip():
        raise Invalid([FieldError(None, "The body is empty: send the referral as a JSON object")])
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        message = (
            f"The body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        )
    except RecursionError:
        message = "The body is not valid JSON: it is nested too deeply"
    except ValueError as error:  # NaN, Infinity, a number too long to read
        message = f"The body is not valid JSON: {error}"
    raise Invalid([FieldError(None, message)])


# ---------------------------------------------------------------------------------------------
# The fields


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _shown(value: object) -> str:
    """A value as the sender wrote it, shortened, or its kind for arrays and objects."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = json.dumps(value)
        return shown if len(shown) <= 40 else shown[:37] + "..."
    return _kind(value)


def _is_text(value: str) -> bool:
    """Text a database can store: no NUL character, no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Reader:
    """The fields of one JSON object, collecting an error for each field that is wrong."""

    def __init__(
        self, data: dict[str, Any], path: str, errors: list[FieldError], *, silent: bool = False
    ) -> None:
        self.data, self.path, self.errors = data, path, errors
        self.silent = silent  # an object that is missing: its own error says so

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _error(self, key: str, message: str) -> None:
        if not self.silent:
            self.errors.append(FieldError(self._name(key), message))

    error = _error

    def only(self, keys: Iterable[str]) -> None:
        allowed = list(keys)
        for key in self.data:
            if key not in allowed:
                self._error(
                    key if len(key) <= 40 else key[:37] + "...",
                    f"Not a field of this object. The fields are: {', '.join(allowed)}",
                )

    def _get(self, key: str, required: bool, what: str) -> Any:
        value = self.data.get(key)
        if value is None and required:
            self._error(key, f"Required: {what}")
        return value

    def text(self, key: str, *, max_length: int, required: bool = True) -> str:
        what = f"a string of up to {max_length} characters"
        value = self._get(key, required, what)
        if value is None:
            return ""
        if not isinstance(value, str):
            self._error(key, f"Must be {what}, not {_kind(value)}")
            return ""
        value = value.strip()
        if not _is_text(value):
            self._error(key, "Must be text: it contains a NUL character or invalid Unicode")
            return ""
        if required and not value:
            self._error(key, f"Required: {what}, not an empty string")
        elif len(value) > max_length:
            self._error(key, f"Must be at most {max_length} characters, not {len(value)}")
            return ""
        return value

    def choice(self, key: str, choices: list[str], *, default: str = "") -> str:
        what = f"one of {', '.join(choices)}"
        value = self._get(key, not default, what)
        if value is None:
            return default
        if not isinstance(value, str) or value not in choices:
            self._error(key, f"Must be {what}, not {_shown(value)}")
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        what = "a date in ISO 8601 form, YYYY-MM-DD, like 2026-03-14"
        value = self._get(key, required, what)
        if value is None:
            return None
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self._error(key, f"Must be {what}, not {_shown(value)}")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self._error(key, f"{value} is not a real date")
            return None

    def boolean(self, key: str) -> bool | None:
        value = self._get(key, True, "true or false")
        if value is not None and not isinstance(value, bool):
            self._error(key, f"Must be true or false, not {_kind(value)}")
            return None
        return value

    def identifier(self, key: str) -> int | None:
        what = "a whole number, the id of a service"
        value = self._get(key, True, what)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            self._error(key, f"Must be {what}, not {_shown(value)}")
            return None
        return value

    def choices(self, key: str, choices: list[str]) -> tuple[str, ...]:
        what = f"an array of one or more of {', '.join(choices)}"
        value = self._get(key, True, what)
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            self._error(key, f"Must be {what}")
            return ()
        chosen: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or item not in choices:
                self._error(
                    f"{key}[{index}]", f"Must be one of {', '.join(choices)}, not {_shown(item)}"
                )
            elif item not in chosen:
                chosen.append(item)
        return tuple(choice for choice in choices if choice in chosen)

    def object(self, key: str) -> _Reader:
        value = self._get(key, True, "an object")
        if value is not None and not isinstance(value, dict):
            self._error(key, f"Must be an object, not {_kind(value)}")
        if not isinstance(value, dict):
            return _Reader({}, self._name(key), self.errors, silent=True)
        return _Reader(value, self._name(key), self.errors, silent=self.silent)


# ---------------------------------------------------------------------------------------------
# A referral

REFERRAL_FIELDS = (
    "service",
    "need",
    "urgency",
    "reason",
    "person",
    "contact",
    "consent",
    "sender_reference",
)
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_delivery_date",
    "nhs_number",
    "postcode",
)
CONTACT_FIELDS = ("name", "phone", "email")
CONSENT_FIELDS = ("agreed", "given_by", "method", "given_on", "categories")
REASON_MAX_LENGTH = 5000


@dataclass(frozen=True)
class ReferralRequest:
    """A referral as a partner system sent it, checked for shape."""

    service_id: int
    need: str
    urgency: str
    reason: str
    person: PersonReferred
    consent: ConsentGiven
    sender_reference: str

    def canonical(self) -> dict[str, Any]:
        """The referral's content, independent of key order, spacing and defaults."""

        def iso(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        person, consent = self.person, self.consent
        return {
            "service": self.service_id,
            "need": self.need,
            "urgency": self.urgency,
            "reason": self.reason,
            "person": {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": iso(person.date_of_birth),
                "expected_delivery_date": iso(person.expected_delivery_date),
                "nhs_number": person.nhs_number,
                "postcode": person.postcode,
            },
            "contact": {
                "name": person.contact_name,
                "phone": person.contact_phone,
                "email": person.contact_email,
            },
            "consent": {
                "agreed": consent.agreed,
                "given_by": consent.given_by,
                "method": consent.method,
                "given_on": iso(consent.given_on),
                "categories": list(consent.categories),
            },
            "sender_reference": self.sender_reference,
        }

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON: the same referral sent again has the same digest."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def details(self, service: ReferralService) -> ReferralDetails:
        return ReferralDetails(
            service=service,
            need=self.need,
            reason=self.reason,
            person=self.person,
            consent=self.consent,
            urgency=self.urgency,
            sender_reference=self.sender_reference,
            payload_digest=self.digest,
        )


def read_referral(
    data: object, service_exists: Callable[[int], bool] = lambda _id: True
) -> ReferralRequest:
    """The referral in a parsed JSON value, or Invalid listing every field that is wrong
    (`service_exists` says whether a service id is known, so that is reported with the rest)."""
    if not isinstance(data, dict):
        raise Invalid([FieldError(None, f"The body must be a JSON object, not {_kind(data)}")])
    errors: list[FieldError] = []
    top = _Reader(data, "", errors)
    top.only(REFERRAL_FIELDS)
    service_id = top.identifier("service")
    if service_id is not None and not service_exists(service_id):
        top.error("service", UNKNOWN_SERVICE.format(id=service_id))
    need = top.choice("need", list(Need.values))
    urgency = top.choice("urgency", list(Urgency.values), default=Urgency.ROUTINE)
    reason = top.text("reason", max_length=REASON_MAX_LENGTH)
    sender_reference = top.text("sender_reference", max_length=max_length("sender_reference"))

    person = top.object("person")
    person.only(PERSON_FIELDS)
    given_name = person.text("given_name", max_length=max_length("given_name"))
    family_name = person.text("family_name", max_length=max_length("family_name"))
    date_of_birth = person.date("date_of_birth", required=False)
    expected = person.date("expected_delivery_date", required=False)
    dates_given = {"date_of_birth", "expected_delivery_date"} & person.data.keys()
    if not dates_given or all(person.data[key] is None for key in dates_given):
        person.error(
            "date_of_birth",
            "Required: the date of birth, or expected_delivery_date for a pregnancy",
        )
    nhs_number = person.text("nhs_number", max_length=20, required=False)
    postcode = person.text("postcode", max_length=max_length("postcode"))

    contact = top.object("contact")
    contact.only(CONTACT_FIELDS)
    contact_name = contact.text("name", max_length=max_length("contact_name"))
    phone = contact.text("phone", max_length=max_length("contact_phone"), required=False)
    email = contact.text("email", max_length=254, required=False)
    if not ({"phone", "email"} & {key for key, value in contact.data.items() if value}):
        contact.error("phone", "Required: a phone number or an e-mail address (or both)")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            contact.error("email", "Must be an e-mail address, like name@example.org")

    consent = top.object("consent")
    consent.only(CONSENT_FIELDS)
    agreed = consent.boolean("agreed")
    if agreed is False:
        consent.error("agreed", NO_CONSENT_MESSAGE)
    given_by = consent.text("given_by", max_length=max_length("consent_given_by"))
    method = consent.choice("method", list(ConsentMethod.values))
    given_on = consent.date("given_on")
    categories = consent.choices("categories", list(DataCategory.values))

    if errors:
        raise Invalid(errors)
    assert service_id is not None
    assert given_on is not None
    assert agreed is not None
    return ReferralRequest(
        service_id=service_id,
        need=need,
        urgency=urgency,
        reason=reason,
        sender_reference=sender_reference,
        person=PersonReferred(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            expected_delivery_date=expected,
            nhs_number=nhs_number,
            postcode=postcode,
            contact_name=contact_name,
            contact_phone=phone,
            contact_email=email,
        ),
        consent=ConsentGiven(
            agreed=agreed,
            given_by=given_by,
            method=method,
            given_on=given_on,
            categories=categories,
        ),
    )
