"""Pages for consent and information sharing. Views parse the request, call a selector or an
action with the actor, and render: no business logic here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from beststart.sharing import selectors
from beststart.sharing.decorators import personal_data
from beststart.sharing.forms import SubjectAccessForm

# Consent, who can see the family and why, access logs


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access and record exports


@personal_data
@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find the person a subject access request is about. Posted, never in a URL."""
    actor = request.actor  # type: ignore[attr-defined]
    selectors.require_subject_access(actor)
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        person_id = selectors.find_subject(actor, **form.cleaned_data)
        if person_id is not None:
            return redirect("sharing:subject-access-person", person_id=person_id)
        form.not_on_register()
    return render(request, "sharing/export_find.html", {"form": form})


@personal_data
@require_http_methods(["GET"])
def subject_access_person(request: HttpRequest, person_id: int) -> HttpResponse:
    export = selectors.subject_access_export(request.actor, person_id)  # type: ignore[attr-defined]
    return render(request, "sharing/export_person.html", {"export": export})


@personal_data
@require_http_methods(["GET"])
def subject_access_json(request: HttpRequest, person_id: int) -> HttpResponse:
    export = selectors.subject_access_export(request.actor, person_id)  # type: ignore[attr-defined]
    return _download(export)


@personal_data
@require_http_methods(["GET"])
def family_export(request: HttpRequest, family_id: int) -> HttpResponse:
    export = selectors.family_export(request.actor, family_id)  # type: ignore[attr-defined]
    return _download(export)


def _download(export: selectors.RecordExport) -> JsonResponse:
    response = JsonResponse(export.as_json(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
