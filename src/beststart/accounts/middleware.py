"""Attach the acting user's actor to each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from beststart.accounts.actors import actor_for


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        request.actor = (  # type: ignore[attr-defined]
            actor_for(user) if user is not None and user.is_authenticated else None
        )
        return self.get_response(request)
