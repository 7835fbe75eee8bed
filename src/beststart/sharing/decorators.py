"""Marking views by what they show, so the enforcement middleware and the URL-walk test can
hold every endpoint to the policy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from beststart.core.errors import NotFoundOrNotAllowed

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def personal_data(view: View) -> View:
    """A view that shows or changes personal data. It must ask the policy on every request
    (PolicyEnforcementMiddleware turns a forgotten check into a 404), and a refusal renders
    the same 404 page as a missing record, inside the request's transaction so that the
    audit row of the refusal is kept."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "actor", None) is None:
            return not_found_response(request)
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrNotAllowed:
            return not_found_response(request)

    wrapper.handles_personal_data = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def no_personal_data(view: View) -> View:
    """A signed-in view that shows no personal data (a form page with no record behind it,
    the geography). Declared, so that no view is unclassified."""
    view.handles_personal_data = False  # type: ignore[attr-defined]
    return view


def not_found_response(request: HttpRequest) -> HttpResponse:
    return render(request, "core/404.html", status=404)
