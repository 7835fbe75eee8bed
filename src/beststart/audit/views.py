"""The privacy officer's audit query page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beststart.audit.forms import AuditQueryForm
from beststart.audit.selectors import query_audit
from beststart.sharing.decorators import personal_data


@personal_data
@require_GET
def audit_query(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = AuditQueryForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = query_audit(actor, page_number=request.GET.get("page", 1), **filters)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "audit/query.html",
        {"form": form, "page": page, "query_string": query_string.urlencode()},
    )
