"""The application's URLs plus `bench/bare`: the cheapest page Django can serve through the
same middleware stack, so the benchmark can show what the application adds on top."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_GET

from beststart.urls import handler404, handler500
from beststart.urls import urlpatterns as application_urlpatterns


@login_not_required
@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """A tiny response: no template, no query of its own (middleware may still query)."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare", bare, name="bench-bare"),
    *application_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
