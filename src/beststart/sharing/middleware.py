"""Fail closed: a personal-data view that answers without asking the policy answers 404."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from beststart.sharing.decorators import not_found_response
from beststart.sharing.policy import decisions_made, reset_decisions

logger = logging.getLogger(__name__)


class PolicyEnforcementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reset_decisions()
        request.handles_personal_data = False  # type: ignore[attr-defined]
        response = self.get_response(request)
        if (
            request.handles_personal_data  # type: ignore[attr-defined]
            and response.status_code < 400
            and decisions_made() == 0
        ):
            logger.error(
                "personal-data view %s answered without a policy decision; refused",
                getattr(request.resolver_match, "view_name", "?"),
            )
            return not_found_response(request)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        # Public pages (sign-in, health check) are marked by Django's login_not_required.
        # Every other view counts as personal data unless it is declared otherwise.
        public = getattr(view, "login_required", True) is False
        request.handles_personal_data = not public and getattr(  # type: ignore[attr-defined]
            view, "handles_personal_data", True
        )
