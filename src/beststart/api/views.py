"""The Referrals API for partner systems (docs/api.md, ADR 0013): JSON in and out, a bearer
key per partner system acting as its system account, and every error as
`{"errors": [{"field": ..., "message": ...}]}`.

The views are public to the session machinery (no sign-in, no CSRF: there is no cookie to
ride on), and authenticate the key themselves. The ones that show or write a referral then
declare the request personal data, so PolicyEnforcementMiddleware holds them to the policy
like any page: a success that never asked the policy becomes a 404. Error answers (4xx) pass
through untouched."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from beststart.accounts.actors import Actor
from beststart.api import openapi
from beststart.api.auth import Unauthorised, authenticate
from beststart.api.payload import (
    MAX_BODY_BYTES,
    MAX_ID,
    FieldError,
    Invalid,
    ReferralRequest,
    errors_from,
    parse_body,
    read_referral,
)
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.referrals.actions import submit_referral
from beststart.referrals.models import Need, Referral, ReferralService, Source, id_of
from beststart.referrals.selectors import referral_for, sent_before, services_for_referral
from beststart.sharing.access import Refused

JSON = "application/json"
NOT_FOUND = "No such referral, or this key's team is not a party to it"


def errors(status: int, *found: FieldError, **headers: str) -> JsonResponse:
    response = JsonResponse({"errors": [error.as_json() for error in found]}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error(status: int, message: str, field: str | None = None, **headers: str) -> JsonResponse:
    return errors(status, FieldError(field, message), **headers)


ApiView = Callable[..., HttpResponse]


def _allowing(methods: tuple[str, ...], request: HttpRequest) -> JsonResponse | None:
    if request.method in methods:
        return None
    return error(
        405,
        f"{request.method} is not answered here; use {' or '.join(methods)}",
        Allow=", ".join(methods),
    )


def public(*methods: str) -> Callable[[ApiView], ApiView]:
    """A view anyone may call, without a key."""

    def decorate(view: ApiView) -> ApiView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return _allowing(methods, request) or view(request, *args, **kwargs)

        return csrf_exempt(login_not_required(wrapper))

    return decorate


def with_key(*methods: str, personal: bool) -> Callable[[ApiView], ApiView]:
    """A view that needs a partner's key; it is called with the key's actor. `personal`: it
    shows or writes personal data, so the policy must be asked on every success."""

    def decorate(view: ApiView) -> ApiView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = _allowing(methods, request)
            if refused is not None:
                return refused
            found = authenticate(request)
            if isinstance(found, Unauthorised):
                return error(401, found.message, WWW_Authenticate=found.challenge)
            if found.actor is None:
                return error(
                    403,
                    "The account this key acts for holds no active role: ask the Best Start "
                    "administrators to restore it",
                )
            request.actor = found.actor  # type: ignore[attr-defined]
            request.handles_personal_data = personal  # type: ignore[attr-defined]
            try:
                return view(request, found.actor, *args, **kwargs)
            except NotFoundOrNotAllowed:
                # Answered here, inside the request's transaction, so the audit row of the
                # refusal is kept.
                return error(404, NOT_FOUND)

        return csrf_exempt(login_not_required(wrapper))

    return decorate


# ---------------------------------------------------------------------------------------------
# Representations


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _coded(value: str, label: str) -> dict[str, str] | None:
    return {"code": value, "label": label} if value else None


def referral_json(request: HttpRequest, referral: Referral) -> dict[str, Any]:
    steps = referral.steps.select_related("team", "to_team")
    return {
        "reference": referral.reference,
        "sender_reference": referral.sender_reference or None,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "service": {"id": referral.service_id, "name": referral.service.name},
        "team": referral.team.name,
        "need": referral.need,
        "urgency": referral.urgency,
        "submitted_at": _iso(referral.submitted_at),
        "first_contact_due": _iso(referral.first_contact_due),
        "contacted_at": _iso(referral.contacted_at),
        "closed_at": _iso(referral.closed_at),
        "information_requested": referral.information_requested,
        "decline_reason": _coded(referral.decline_reason, referral.get_decline_reason_display()),
        "outcome": _coded(referral.outcome, referral.get_outcome_display()),
        "merged_into": referral.merged_into.reference if referral.merged_into else None,
        "steps": [
            {
                "kind": step.kind,
                "label": step.get_kind_display(),
                "occurred_at": _iso(step.occurred_at),
                "team": step.team.name if step.team else None,
                "to_team": step.to_team.name if step.to_team else None,
                "note": step.note,
            }
            for step in steps
        ],
        "links": {"self": _url(request, referral)},
    }


def _url(request: HttpRequest, referral: Referral) -> str:
    return request.build_absolute_uri(reverse("api:referral", args=[referral.reference]))


def _shown(request: HttpRequest, referral: Referral, status: int = 200) -> JsonResponse:
    response = JsonResponse(referral_json(request, referral), status=status)
    if status == 201:
        response["Location"] = _url(request, referral)
    return response


# ---------------------------------------------------------------------------------------------
# Making a referral


def _body(request: HttpRequest) -> bytes | JsonResponse:
    """The request's body, if it is JSON of a sane size (an empty one is for `parse_body` to
    explain). The size is checked before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = error(
        413, f"The body is over {MAX_BODY_BYTES // 1024} KiB: no referral is that long"
    )
    if length > MAX_BODY_BYTES:
        return too_large
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return too_large
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if body and (request.content_type != JSON or charset not in ("utf-8", "utf8")):
        return error(
            415,
            f"Send the referral as UTF-8 JSON, with the header 'Content-Type: {JSON}' "
            f"(this request's is {request.content_type or 'missing'!r})",
        )
    return body


def _again(
    request: HttpRequest, actor: Actor, sent: ReferralRequest, earlier: Referral
) -> JsonResponse:
    """The same sender reference a second time: the same referral, or a conflict."""
    if earlier.payload_digest != sent.digest:
        return error(
            409,
            f"{sent.sender_reference} was already used for referral {earlier.reference}, with "
            "different details. Give a new referral a new sender_reference; to change this "
            "one, contact the team it was sent to",
            "sender_reference",
        )
    return _shown(request, referral_for(actor, earlier.pk))


@with_key("POST", personal=True)
def referrals(request: HttpRequest, actor: Actor) -> HttpResponse:
    """POST: make a referral, once per sender reference."""
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    services = ReferralService.objects.select_related("team")
    try:
        sent = read_referral(
            parse_body(body), service_exists=lambda pk: services.filter(pk=pk).exists()
        )
    except Invalid as invalid:
        return errors(400, *invalid.errors)
    earlier = sent_before(actor, sent.sender_reference)
    if earlier is not None:
        return _again(request, actor, sent, earlier)
    try:
        referral = submit_referral(
            actor=actor, details=sent.details(services.get(pk=sent.service_id)), source=Source.API
        )
    except ValidationError as invalid:
        return errors(400, *errors_from(invalid))
    except Refused:
        return error(
            403,
            f"The account this key acts for is a {actor.role_label.lower()}, who may not make "
            "referrals",
        )
    except IntegrityError:
        # The same reference, sent twice at once: the other request's referral won the race.
        earlier = sent_before(actor, sent.sender_reference)
        if earlier is None:
            raise
        return _again(request, actor, sent, earlier)
    return _shown(request, referral, status=201)


# ---------------------------------------------------------------------------------------------
# Reading


@with_key("GET", personal=True)
def referral(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """GET: a referral the key's team is a party to, with its steps and outcome."""
    referral_id = id_of(reference)
    if referral_id is None or referral_id > MAX_ID:
        raise NotFoundOrNotAllowed
    return _shown(request, referral_for(actor, referral_id))


@with_key("GET", personal=False)
def referral_services(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: the services taking referrals, so partners know their ids. No one's data."""
    return JsonResponse(
        {
            "services": [
                {
                    "id": service.pk,
                    "name": service.name,
                    "description": service.description,
                    "needs": [
                        {"code": need, "label": Need(need).label}
                        for need in service.needs
                        if need in Need.values
                    ],
                    "team": service.team.name,
                    "first_contact_days": service.first_contact_days,
                }
                for service in services_for_referral()
            ]
        }
    )


@public("GET")
def openapi_document(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi.document())
