"""URLs for the fail-closed test: views that forget the policy, alongside ones that ask it.

Used only through @override_settings(ROOT_URLCONF=...) in test_middleware.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from beststart import urls as site_urls
from beststart.sharing.access import require_record_access
from beststart.sharing.decorators import no_personal_data, personal_data

LEAKED = "Penhaligon family, 1 Test Street"


@personal_data
def forgets_the_policy(request: HttpRequest) -> HttpResponse:
    return HttpResponse(LEAKED)


@personal_data
def redirects_without_asking(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/somewhere/?family=Penhaligon")


@personal_data
def refuses_without_asking(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Bad request", status=400)


def unclassified(request: HttpRequest) -> HttpResponse:
    return HttpResponse(LEAKED)


@no_personal_data
def declared_without_personal_data(request: HttpRequest) -> HttpResponse:
    return HttpResponse("About this service")


@personal_data
def asks_the_policy(request: HttpRequest) -> HttpResponse:
    require_record_access(request.actor)  # type: ignore[attr-defined]
    return HttpResponse("Search your team's families")


@login_not_required
def public(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Sign in")


urlpatterns = [
    path("forgets/", forgets_the_policy),
    path("redirects/", redirects_without_asking),
    path("refuses/", refuses_without_asking),
    path("unclassified/", unclassified),
    path("declared/", declared_without_personal_data),
    path("asks/", asks_the_policy),
    path("public/", public),
    # The real site too: the 404 page and the sign-in redirect link to it.
    path("", include(site_urls.urlpatterns)),
]
